-- SPDX-License-Identifier: Apache-2.0

description = "Lists the processes whose system calls failed most often. With -pc the rows are also split by container."
short_description = "top processes by number of errors"
category = "Errors"
args = {}

local top = require "ferret_top"
local spec = {
	keys = {"proc.name", "proc.pid"},
	keydescs = {"Process", "PID"},
	value = "evt.count",
	valuedesc = "#Errors",
	filter = "evt.failed=true",
	top = 100,
	units = "none",
}
if sysdig.is_print_container_data() then
	spec.keys = {"proc.name", "proc.pid", "thread.vtid", "container.name"}
	spec.keydescs = {"Process", "Host_pid", "Container_pid", "container.name"}
end
top.install(spec)
