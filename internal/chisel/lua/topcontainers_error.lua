-- SPDX-License-Identifier: Apache-2.0

description = "Lists the containers whose processes had the most failed system calls."
short_description = "Top containers by number of errors"
category = "Errors"
args = {}

local top = require "ferret_top"
top.install({
	keys = {"container.name"},
	keydescs = {"container.name"},
	value = "evt.count",
	valuedesc = "#Errors",
	filter = "evt.failed=true and container.name!=host",
	top = 100,
	units = "none",
})
