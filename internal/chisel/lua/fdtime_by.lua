-- SPDX-License-Identifier: Apache-2.0

description = "Groups the time spent in I/O calls by the value of any filter field and lists the largest groups."
short_description = "FD time group by"
category = "I/O"
args = {
	{
		name = "key",
		description = "the filter field used for grouping",
		argtype = "string"
	},
}

local top = require "ferret_top"
local spec = {
	value = "evt.latency",
	valuedesc = "Time",
	filter = "evt.is_io=true",
	top = 10,
	units = "time",
}

function on_set_arg(name, val)
	spec.keys = { val }
	spec.keydescs = { val }
	return true
end

top.install(spec)
