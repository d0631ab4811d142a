-- SPDX-License-Identifier: Apache-2.0

description = "Sums a value field per key tuple over the events matching a filter and prints the largest rows. The engine of the top chisels, usable directly: keys and their descriptions are comma-separated lists."
short_description = "Generic top table over any keys and value"
category = "Misc"
hidden = true
args = {
	{ name = "keys", description = "comma-separated key fields", argtype = "string" },
	{ name = "keydescs", description = "comma-separated column titles of the keys", argtype = "string" },
	{ name = "value", description = "the field summed per key", argtype = "string" },
	{ name = "valuedesc", description = "column title of the value", argtype = "string" },
	{ name = "filter", description = "filter selecting the events (may be empty)", argtype = "string" },
	{ name = "top_number", description = "number of rows shown (0 = all)", argtype = "int" },
	{ name = "value_units", description = "none, bytes, time or timepct", argtype = "string" },
}

local top = require "ferret_top"
local spec = { keys = {}, keydescs = {}, top = 0, units = "none" }

local function list(s)
	local out = {}
	for p in string.gmatch(s, "[^,]+") do
		out[#out + 1] = p
	end
	return out
end

function on_set_arg(name, val)
	if name == "keys" then
		spec.keys = list(val)
	elseif name == "keydescs" then
		spec.keydescs = list(val)
	elseif name == "value" then
		spec.value = val
	elseif name == "valuedesc" then
		spec.valuedesc = val
	elseif name == "filter" then
		spec.filter = val
	elseif name == "top_number" then
		spec.top = tonumber(val) or 0
	elseif name == "value_units" then
		spec.units = val
	end
	return true
end

top.install(spec)
