-- SPDX-License-Identifier: Apache-2.0

description = "Lists the system calls where processes spent the most time. With -pc the rows are also split by container."
short_description = "Top system calls by time"
category = "Performance"
args = {}

local top = require "ferret_top"
local spec = {
	keys = {"evt.type"},
	keydescs = {"Syscall"},
	value = "evt.latency",
	valuedesc = "Time",
	filter = "",
	top = 30,
	units = "time",
}
if sysdig.is_print_container_data() then
	spec.keys = {"evt.type", "container.name"}
	spec.keydescs = {"Syscall", "container.name"}
end
top.install(spec)
