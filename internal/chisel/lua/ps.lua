-- SPDX-License-Identifier: Apache-2.0

description = "Prints the processes and threads of the machine, like ps, as they are at the start of the capture. The optional filter restricts the list, e.g. 'proc.name contains sh'."
short_description = "List (and optionally filter) the machine processes."
category = "System State"
args = {
	{
		name = "filter",
		description = "A filter expression restricting the processes listed, e.g. 'proc.name=foo'.",
		argtype = "filter",
		optional = true
	},
}

local common = require "ferret_common"
local cell = common.cell

require("ferret_snapshot").install(nil, function(threads)
	print(cell("TID", 8) .. cell("PID", 8) .. cell("USER", 12) .. cell("VIRT", 11) ..
		cell("RES", 11) .. cell("FDLIMIT", 10) .. cell("CMD", 20))
	for _, tid in ipairs(common.sorted_keys(threads, function(a, b) return a < b end)) do
		local t = threads[tid]
		print(cell(tostring(tid), 8) .. cell(tostring(t.pid), 8) .. cell(t.username, 12) ..
			cell(common.bytes(t.vmsize_kb * 1024), 11) .. cell(common.bytes(t.vmrss_kb * 1024), 11) ..
			cell(tostring(t.fdlimit), 10) .. t.comm)
	end
end, true) -- no fd tables: ps shows none
