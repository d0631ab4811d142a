-- SPDX-License-Identifier: Apache-2.0

description = "Lists the processes that read and wrote the most file bytes. With -pc the rows are also split by container."
short_description = "Top processes by R+W disk bytes"
category = "I/O"
args = {}

local top = require "ferret_top"
local spec = {
	keys = {"proc.name", "proc.pid"},
	keydescs = {"Process", "PID"},
	value = "evt.rawarg.res",
	valuedesc = "Bytes",
	filter = "fd.type=file and evt.is_io=true",
	top = 10,
	units = "bytes",
}
if sysdig.is_print_container_data() then
	spec.keys = {"proc.name", "proc.pid", "thread.vtid", "container.name"}
	spec.keydescs = {"Process", "Host_pid", "Container_pid", "container.name"}
end
top.install(spec)
