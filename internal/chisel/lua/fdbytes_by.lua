-- SPDX-License-Identifier: Apache-2.0

description = "Groups the bytes of successful I/O calls by the value of any filter field (fd.type, proc.name, ...) and lists the largest groups."
short_description = "I/O bytes, aggregated by an arbitrary filter field"
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
	value = "evt.rawarg.res",
	valuedesc = "Bytes",
	filter = "evt.is_io=true and evt.failed=false",
	top = 30,
	units = "bytes",
}

function on_set_arg(name, val)
	spec.keys = { val }
	spec.keydescs = { val }
	return true
end

top.install(spec)
