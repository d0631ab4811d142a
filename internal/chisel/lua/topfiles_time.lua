-- SPDX-License-Identifier: Apache-2.0

description = "Lists the files where processes spent the most time in I/O calls. With -pc the rows are also split by container."
short_description = "Top files by time"
category = "I/O"
args = {}

local top = require "ferret_top"
local spec = {
	keys = {"fd.name"},
	keydescs = {"Filename"},
	value = "evt.latency",
	valuedesc = "Time",
	filter = "fd.type=file and evt.is_io=true",
	top = 10,
	units = "time",
}
if sysdig.is_print_container_data() then
	spec.keys = {"fd.name", "container.name"}
	spec.keydescs = {"Filename", "container.name"}
end
top.install(spec)
