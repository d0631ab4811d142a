-- SPDX-License-Identifier: Apache-2.0

description = "Lists the processes that sent and received the most network bytes. With -pc the rows are also split by container."
short_description = "Top processes by network I/O"
category = "Net"
args = {}

local top = require "ferret_top"
local spec = {
	keys = {"proc.name", "proc.pid"},
	keydescs = {"Process", "PID"},
	value = "evt.rawarg.res",
	valuedesc = "Bytes",
	filter = "(fd.type=ipv4 or fd.type=ipv6) and evt.is_io=true",
	top = 100,
	units = "bytes",
}
if sysdig.is_print_container_data() then
	spec.keys = {"proc.name", "proc.pid", "thread.vtid", "container.name"}
	spec.keydescs = {"Process", "Host_pid", "Container_pid", "container.name"}
end
top.install(spec)
