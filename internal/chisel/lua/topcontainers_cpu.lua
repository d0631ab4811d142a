-- SPDX-License-Identifier: Apache-2.0

description = "Lists the containers whose processes used the most CPU, from the per-thread CPU counters of procinfo events."
short_description = "Top containers by CPU usage"
category = "CPU Usage"
args = {}

local top = require "ferret_top"
top.install({
	keys = {"container.name"},
	keydescs = {"container.name"},
	value = "thread.exectime",
	valuedesc = "CPU%",
	-- thread.cpu is a percentage; scaled, timepct shows it as a share of
	-- the capture time.
	value_field = "thread.cpu",
	scale = 10000000,
	filter = "evt.type=procinfo",
	top = 10,
	units = "timepct",
})
