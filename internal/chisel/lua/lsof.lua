-- SPDX-License-Identifier: Apache-2.0

description = "Prints the open file descriptors of every process, like lsof, as they are at the start of the capture. The optional filter restricts the list, e.g. 'proc.name=nginx and fd.type=ipv4'."
short_description = "List (and optionally filter) the open file descriptors."
category = "System State"
args = {
	{
		name = "filter",
		description = "A filter expression restricting the fds listed, e.g. 'proc.name=foo and fd.name contains /etc'.",
		argtype = "filter",
		optional = true
	},
}

local common = require "ferret_common"
local cell = common.cell

require("ferret_snapshot").install(nil, function(threads)
	print(cell("COMMAND", 20) .. cell("PID", 8) .. cell("TID", 8) .. cell("USER", 8) ..
		cell("FD", 8) .. cell("TYPE", 12) .. "NAME")
	for _, tid in ipairs(common.sorted_keys(threads, function(a, b) return a < b end)) do
		local t = threads[tid]
		for _, fd in ipairs(common.sorted_keys(t.fdtable, function(a, b) return a < b end)) do
			local f = t.fdtable[fd]
			print(cell(t.comm, 20) .. cell(tostring(t.pid), 8) .. cell(tostring(tid), 8) ..
				cell(t.username, 8) .. cell(tostring(fd), 8) .. cell(tostring(f.type), 12) ..
				tostring(f.name))
		end
	end
end)
