-- SPDX-License-Identifier: Apache-2.0

description = "Draws a live spectrogram of system call latencies: every row is a time slice and every column a latency bucket (1ns to 100s on a log scale), coloured by how many calls fell into it. Needs an ANSI terminal."
short_description = "Visualize OS latency in real time."
category = "CPU Usage"
args = {
	{
		name = "refresh_time",
		description = "Refresh period in milliseconds (default 500).",
		argtype = "int",
		optional = true
	},
}

local common = require "ferret_common"
local refresh_ms = 500
local flat, fdir
local buckets = {}
local width = 80
local palette = {22, 28, 34, 40, 46, 82, 118, 154, 190, 226, 220, 214, 208, 202, 196}

function on_set_arg(name, val)
	refresh_ms = common.number(val, name)
	return true
end

function on_init()
	if not sysdig.is_tty() then
		print("This chisel only works on ANSI terminals. Aborting.")
		return false
	end
	local ti = sysdig.get_terminal_info()
	if ti.width ~= nil and ti.width > 0 then
		width = ti.width
	end
	flat = chisel.request_field("evt.latency")
	fdir = chisel.request_field("evt.dir")
	chisel.set_filter("evt.dir=<")
	return true
end

function on_capture_start()
	chisel.set_interval_ns(refresh_ms * 1000000)
	return true
end

local function column(lat)
	if lat <= 0 then
		return nil
	end
	local l = math.log10(lat)
	if l > 11 then
		l = 11
	end
	return math.floor(l / 11 * (width - 1)) + 1
end

function on_event()
	local c = column(evt.field(flat))
	if c ~= nil then
		buckets[c] = (buckets[c] or 0) + 1
	end
	return true
end

local function draw()
	local line = {}
	for i = 1, width do
		local n = buckets[i] or 0
		if n == 0 then
			line[#line + 1] = " "
		else
			local idx = math.min(#palette, math.floor(math.log10(n) * 4) + 1)
			line[#line + 1] = "\27[48;5;" .. palette[idx] .. "m \27[0m"
		end
	end
	print(table.concat(line))
	buckets = {}
end

function on_interval(ts_s, ts_ns, delta)
	draw()
	return true
end

function on_capture_end()
	draw()
end
