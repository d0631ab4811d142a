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
local hist
local counts = {}
local width = 80

-- Cell colours from few to many calls per second (256-colour codes), and
-- the shade characters that blend two neighbouring colours: a cell is the
-- lower colour in front of the higher one, more of the higher as the rate
-- grows between them.
local colors = {22, 28, 64, 34, 2, 76, 46, 118, 154, 191, 227, 226, 11, 220, 209, 208, 202, 197, 9, 1}
local shades = {" ", "░", "▒", "░"}

local ESC = string.char(27)
local function fg(c) return ESC .. "[38;5;" .. c .. "m" end
local function bg(c) return ESC .. "[48;5;" .. c .. "m" end
local RESET = ESC .. "[0m"

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
	-- Latencies from 1 ns to 100 s spread over the width on a log
	-- scale, counted in Go (no Lua call per event).
	hist = chisel.log_histogram(chisel.request_field("evt.latency"), width, 11)
	chisel.set_filter("evt.dir=<")
	io.write(ESC .. "[?25l")
	return true
end

function on_capture_start()
	chisel.set_interval_ns(refresh_ms * 1000000)
	return true
end

local function cell(n)
	if n == nil or n == 0 then
		return fg(0) .. bg(0) .. " "
	end
	local level = math.log10(n * 1000 / refresh_ms + 1) / math.log10(1.6)
	level = math.max(1, math.min(level, #colors))
	local lo, hi = math.floor(level), math.ceil(level)
	local frac = level - lo
	local ch = shades[math.floor(1 + frac * #shades)]
	if frac > 0.75 then
		-- a quarter shade with the colours swapped reads as three quarters
		return fg(colors[hi]) .. bg(colors[lo]) .. ch
	end
	return fg(colors[lo]) .. bg(colors[hi]) .. ch
end

-- The axis under the newest row: a mark and a label at each power of ten.
local function axis()
	local out, x = {}, 0
	while x < width do
		local t = math.floor(x * 11 / width)
		if t ~= math.floor((x - 1) * 11 / width) then
			local label = common.duration(math.floor(10 ^ t))
			out[#out + 1] = "|" .. label
			x = x + #label + 1
		else
			out[#out + 1] = " "
			x = x + 1
		end
	end
	return table.concat(out)
end

-- Each row replaces the axis line, which is drawn again below it.
local function draw()
	counts = chisel.take_histogram(hist)
	local line = {ESC .. "[1F"}
	for x = 1, width do
		line[#line + 1] = cell(counts[x])
	end
	line[#line + 1] = RESET .. "\n" .. axis() .. "\n"
	io.write(table.concat(line))
end

function on_interval(ts_s, ts_ns, delta)
	draw()
	return true
end

function on_capture_end()
	draw()
	io.write(RESET .. "\n" .. ESC .. "[?25h")
end
