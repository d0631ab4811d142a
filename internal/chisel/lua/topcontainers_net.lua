-- SPDX-License-Identifier: Apache-2.0

description = "Lists the containers whose processes sent and received the most network bytes."
short_description = "Top containers by network I/O"
category = "Net"
args = {}

local top = require "ferret_top"
top.install({
	keys = {"container.name"},
	keydescs = {"container.name"},
	value = "evt.rawarg.res",
	valuedesc = "Bytes",
	filter = "(fd.type=ipv4 or fd.type=ipv6) and evt.is_io=true and container.name!=host",
	top = 100,
	units = "bytes",
})
