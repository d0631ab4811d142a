-- SPDX-License-Identifier: Apache-2.0
--
-- Shared helpers of ferret's built-in chisels. Loaded with
-- require "ferret_common"; returns a module table.

local M = {}

M.NS_PER_S = 1000000000
M.NS_PER_MS = 1000000
M.NS_PER_US = 1000

-- ANSI colours. Built-in chisels colour their output by default, like the
-- chisels they are compatible with; colors(false) turns the codes off.
local codes = {
	reset = "0", bright = "1", dim = "2", underscore = "4", blink = "5",
	reverse = "7", hidden = "8",
	black = "30", red = "31", green = "32", yellow = "33", blue = "34",
	magenta = "35", cyan = "36", white = "37",
}
M.color = {}
function M.colors(on)
	for name, code in pairs(codes) do
		if on then
			M.color[name] = "\27[" .. code .. "m"
		else
			M.color[name] = ""
		end
	end
end
M.colors(true)

function M.clear_screen()
	io.write("\27[2J\27[1;1H")
end

-- cell pads s with spaces to width w; a longer value is cut to w-1
-- characters plus one space so that columns never touch.
function M.cell(s, w)
	s = tostring(s)
	if w <= 0 then
		return ""
	end
	local n = #s
	if n >= w then
		return s:sub(1, w - 1) .. " "
	end
	return s .. string.rep(" ", w - n)
end

local byte_units = {
	{ 1024 * 1024 * 1024 * 1024 * 1024, "P" },
	{ 1024 * 1024 * 1024 * 1024, "T" },
	{ 1024 * 1024 * 1024, "G" },
	{ 1024 * 1024, "M" },
}

-- bytes renders a byte count with binary units.
function M.bytes(n)
	for _, u in ipairs(byte_units) do
		if n > u[1] then
			return string.format("%.2f%s", n / u[1], u[2])
		end
	end
	if n > 1024 then
		return string.format("%.2fKB", n / 1024)
	end
	return string.format("%dB", n)
end

-- duration renders nanoseconds in the largest fitting unit; below ten
-- units two decimals are shown, truncated rather than rounded.
local function two_dec(ns, unit, suffix)
	local whole = math.floor(ns / unit)
	local frac = math.floor((ns % unit) / (unit / 100))
	return string.format("%d.%02d%s", whole, frac, suffix)
end

function M.duration(ns)
	if ns >= M.NS_PER_S then
		return two_dec(ns, M.NS_PER_S, "s")
	elseif ns >= 10 * M.NS_PER_MS then
		return string.format("%dms", math.floor(ns / M.NS_PER_MS))
	elseif ns >= M.NS_PER_MS then
		return two_dec(ns, M.NS_PER_MS, "ms")
	elseif ns >= 10 * M.NS_PER_US then
		return string.format("%dus", math.floor(ns / M.NS_PER_US))
	elseif ns >= M.NS_PER_US then
		return two_dec(ns, M.NS_PER_US, "us")
	end
	return string.format("%dns", ns)
end

-- number parses a numeric argument or stops with a message.
function M.number(v, name)
	local n = tonumber(v)
	if n == nil then
		print("Input " .. name .. " must be a number.")
		os.exit(1)
	end
	return n
end

-- lines splits s on newlines, dropping empty lines.
function M.lines(s)
	local out = {}
	for l in string.gmatch(s, "[^\n]+") do
		out[#out + 1] = l
	end
	return out
end

-- sorted_keys returns the keys of t ordered by less(a, b); keys that
-- compare equal are ordered by their text so output is deterministic.
function M.sorted_keys(t, less)
	local keys = {}
	for k in pairs(t) do
		keys[#keys + 1] = k
	end
	table.sort(keys, function(a, b)
		if less(a, b) then
			return true
		elseif less(b, a) then
			return false
		end
		return tostring(a) < tostring(b)
	end)
	return keys
end

-- json_string quotes s for JSON.
function M.json_string(s)
	s = tostring(s)
	s = s:gsub('[%c"\\]', function(c)
		if c == '"' then
			return '\\"'
		elseif c == "\\" then
			return "\\\\"
		elseif c == "\n" then
			return "\\n"
		elseif c == "\t" then
			return "\\t"
		elseif c == "\r" then
			return "\\r"
		end
		return string.format("\\u%04x", string.byte(c))
	end)
	return '"' .. s .. '"'
end

-- json_value encodes numbers, booleans, strings and nil.
function M.json_value(v)
	local t = type(v)
	if t == "number" then
		if v == math.floor(v) and math.abs(v) < 1e15 then
			return string.format("%d", v)
		end
		return string.format("%.17g", v)
	elseif t == "boolean" then
		return tostring(v)
	elseif v == nil then
		return "null"
	end
	return M.json_string(v)
end

return M
