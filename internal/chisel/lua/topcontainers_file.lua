-- SPDX-License-Identifier: Apache-2.0

description = "Lists the containers whose processes read and wrote the most file bytes."
short_description = "Top containers by R+W disk bytes"
category = "I/O"
args = {}

local top = require "ferret_top"
top.install({
	keys = {"container.name"},
	keydescs = {"container.name"},
	value = "evt.rawarg.res",
	valuedesc = "Bytes",
	filter = "fd.type=file and evt.is_io=true and container.name!=host",
	top = 10,
	units = "bytes",
})
