-- SPDX-License-Identifier: Apache-2.0

description = "Lists the system calls made most often (context switches excluded). With -pc the rows are also split by container."
short_description = "Top system calls by number of calls"
category = "Performance"
args = {}

local top = require "ferret_top"
local spec = {
	keys = {"evt.type"},
	keydescs = {"Syscall"},
	value = "evt.count",
	valuedesc = "# Calls",
	filter = "evt.type!=switch",
	top = 30,
	units = "none",
}
if sysdig.is_print_container_data() then
	spec.keys = {"evt.type", "container.name"}
	spec.keydescs = {"Syscall", "container.name"}
end
top.install(spec)
