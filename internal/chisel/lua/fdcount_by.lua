-- SPDX-License-Identifier: Apache-2.0

description = "Counts the distinct fds used, grouped by the value of any filter field (proc.name, fd.type, ...), and prints the groups with the most fds first."
short_description = "FD count, aggregated by an arbitrary filter field"
category = "I/O"
args = {
	{
		name = "key",
		description = "the filter field used for grouping",
		argtype = "string"
	},
}

local common = require "ferret_common"
local key_field
local fkey, fnum, fname
local groups = {}

function on_set_arg(name, val)
	key_field = val
	return true
end

function on_init()
	fkey = chisel.request_field(key_field)
	fnum = chisel.request_field("fd.num")
	fname = chisel.request_field("fd.name")
	return true
end

function on_event()
	local k = evt.field(fkey)
	local n = evt.field(fnum)
	local name = evt.field(fname)
	if k == nil or n == nil or n <= 0 or name == nil or name == "" then
		return true
	end
	local g = groups[k]
	if g == nil then
		g = { count = 0, fds = {} }
		groups[k] = g
	end
	local id = tostring(n) .. name
	if not g.fds[id] then
		g.fds[id] = true
		g.count = g.count + 1
	end
	return true
end

function on_capture_end()
	for _, k in ipairs(common.sorted_keys(groups, function(a, b) return groups[a].count > groups[b].count end)) do
		print(tostring(k) .. "\t" .. groups[k].count)
	end
	return true
end
