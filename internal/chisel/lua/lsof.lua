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
local user_filter = nil
local started, seen = false, false

function on_set_arg(name, val)
	user_filter = val
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
	local threads = sysdig.get_thread_table(user_filter)
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
end
