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
local sockets = "(fd.type=ipv4 or fd.type=ipv6)"
local started, seen = false, false

function on_set_arg(name, val)
	sockets = sockets .. " and (" .. val .. ")"
	return true
end

function on_init()
	return true
end

function on_capture_start()
	started = true
	return true
end

function on_event()
	seen = true
	sysdig.end_capture()
	return false
end

function on_capture_end()
	if not started then
		return
	end
	if not seen then
		print("empty capture or no event matching the filter")
		return
	end
	local threads = sysdig.get_thread_table(sockets)
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
end
