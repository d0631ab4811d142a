-- SPDX-License-Identifier: Apache-2.0

description = "Lists the processes that used the most CPU, from the per-thread CPU counters of procinfo events. With -pc the rows are also split by container."
short_description = "Top processes by CPU usage"
category = "CPU Usage"
args = {}

local top = require "ferret_top"
local spec = {
	keys = {"proc.name", "proc.pid"},
	keydescs = {"Process", "PID"},
	value = "thread.exectime",
	valuedesc = "CPU%",
	top = 10,
	units = "timepct",
}
if sysdig.is_print_container_data() then
	spec.keys = {"proc.name", "proc.pid", "proc.vpid", "container.name"}
	spec.keydescs = {"Process", "Host_pid", "Container_pid", "container.name"}
end

-- procinfo events carry each thread's CPU share in thread.cpu (percent);
-- scaled this way, timepct renders it as a share of the capture time.
spec.value_field = "thread.cpu"
spec.scale = 10000000
spec.filter = "evt.type=procinfo"
top.install(spec)
