-- SPDX-License-Identifier: Apache-2.0

description = "Prints the network connections and listening sockets of the machine, like netstat, as they are at the start of the capture. The optional filter restricts the list, e.g. 'proc.name=sshd'."
short_description = "List (and optionally filter) network connections."
category = "System State"
args = {
	{
		name = "filter",
		description = "A filter expression restricting the connections listed, e.g. 'fd.sport=22'.",
		argtype = "filter",
		optional = true
	},
}

local common = require "ferret_common"
local cell = common.cell

require("ferret_snapshot").install("(fd.type=ipv4 or fd.type=ipv6)", function(threads)
	print(cell("Proto", 6) .. cell("Server Address", 25) .. cell("Client Address", 25) ..
		cell("State", 15) .. "TID/PID/Program Name")
	for _, tid in ipairs(common.sorted_keys(threads, function(a, b) return a < b end)) do
		local t = threads[tid]
		for _, fd in ipairs(common.sorted_keys(t.fdtable, function(a, b) return a < b end)) do
			local f = t.fdtable[fd]
			local client, st = "0.0.0.0:*", "LISTEN"
			if f.cip ~= nil then
				client, st = f.cip .. ":" .. f.cport, "ESTABLISHED"
			end
			print(cell(f.l4proto, 6) .. cell(f.sip .. ":" .. f.sport, 25) .. cell(client, 25) ..
				cell(st, 15) .. tid .. "/" .. t.pid .. "/" .. t.comm)
		end
	end
end)
