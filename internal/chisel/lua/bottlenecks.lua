-- SPDX-License-Identifier: Apache-2.0

description = "Lists the 10 system calls that took the longest to return during the capture, each as its enter line followed by its exit line with the latency in seconds."
short_description = "Slowest system calls"
category = "Performance"
args = {}

local KEEP = 10
local f = {}
local pending = {} -- tid -> enter line of the call in progress
local slowest = {} -- sorted by latency, largest first: {latency, enter, exit}

function on_init()
	for _, n in ipairs({"evt.num", "evt.type", "evt.args", "evt.latency", "proc.name", "thread.tid"}) do
		f[n] = chisel.request_field(n)
	end
	return true
end

local function line(sep, secs, ns)
	return string.format("%d) %d.%09d %s (%d) %s %s %s", evt.field(f["evt.num"]), secs, ns,
		evt.field(f["proc.name"]) or "", evt.field(f["thread.tid"]), sep,
		evt.field(f["evt.type"]), evt.field(f["evt.args"]))
end

function on_event()
	local typ = evt.field(f["evt.type"])
	if typ == "switch" then
		return true
	end
	local lat = evt.field(f["evt.latency"])
	local tid = evt.field(f["thread.tid"])
	if lat == nil or tid == nil then
		return true
	end
	if lat == 0 then
		pending[tid] = line(">", 0, 0)
		return true
	end
	for i = 1, KEEP do
		if slowest[i] == nil or lat > slowest[i][1] then
			local exit = line("<", math.floor(lat / 1000000000), lat % 1000000000)
			table.insert(slowest, i, {lat, pending[tid], exit})
			if #slowest > KEEP then
				table.remove(slowest)
			end
			break
		end
	end
	return true
end

function on_capture_end()
	for _, s in ipairs(slowest) do
		print(s[2])
		print(s[3])
	end
	return true
end
