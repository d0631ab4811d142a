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

-- JSON text as the chisels' JSON library writes it with indentation:
-- \b \f \n \r \t \" and \\ escaped by name, the other C0 controls, DEL
-- and the invisible or line-breaking characters of json_hidden as \u
-- escapes of lowercase hex; numbers as tostring renders them (NaN and
-- infinities as null).

local json_named = { [8] = "b", [9] = "t", [10] = "n", [12] = "f", [13] = "r", [34] = '"', [92] = "\\" }

-- json_hidden reports whether code point cp (of two or three UTF-8 bytes)
-- is escaped: C1 controls, the soft hyphen, U+0600-0604, U+070F,
-- U+17B4-17B5, U+200C-200F, U+2028-202F, U+2060-206F, the byte order mark
-- and U+FFF0-FFFF.
local function json_hidden(cp)
	return cp >= 0x80 and cp <= 0x9f or cp == 0xad or cp >= 0x600 and cp <= 0x604 or cp == 0x70f
		or cp == 0x17b4 or cp == 0x17b5 or cp >= 0x200c and cp <= 0x200f or cp >= 0x2028 and cp <= 0x202f
		or cp >= 0x2060 and cp <= 0x206f or cp == 0xfeff or cp >= 0xfff0
end

local function json_byte(c)
	local b = string.byte(c)
	if json_named[b] then
		return "\\" .. json_named[b]
	end
	return string.format("\\u%.4x", b)
end

local function json_char2(c)
	local a, b = string.byte(c, 1, 2)
	local cp = (a - 0xc0) * 0x40 + b - 0x80
	if json_hidden(cp) then
		return string.format("\\u%.4x", cp)
	end
	return c
end

local function json_char3(c)
	local a, b, d = string.byte(c, 1, 3)
	local cp = ((a - 0xe0) * 0x40 + b - 0x80) * 0x40 + d - 0x80
	if cp >= 0x800 and json_hidden(cp) then -- not an overlong form
		return string.format("\\u%.4x", cp)
	end
	return c
end

-- json_string quotes s for JSON.
function M.json_string(s)
	s = tostring(s)
	s = s:gsub('[%z\1-\31"\\\127]', json_byte)
	if s:find("[\192-\239]") then
		s = s:gsub("[\192-\223][\128-\191]", json_char2)
		s = s:gsub("[\224-\239][\128-\191][\128-\191]", json_char3)
	end
	return '"' .. s .. '"'
end

-- json_value encodes numbers, booleans, strings and nil.
function M.json_value(v)
	local t = type(v)
	if t == "number" then
		if v ~= v or v == math.huge or v == -math.huge then
			return "null"
		end
		return tostring(v)
	elseif t == "boolean" then
		return tostring(v)
	elseif v == nil then
		return "null"
	end
	return M.json_string(v)
end

-- json_object encodes an object whose members are given in order as
-- {key, encoded value} pairs, at nesting level (1 for the outermost
-- value, one more inside each array or object): each member on a line of
-- its own indented by two spaces per level, the closing brace one level
-- less. Arrays stay on one line.
function M.json_object(members, level)
	local parts = {}
	local pad = "\n" .. string.rep("  ", level)
	for i, m in ipairs(members) do
		parts[i] = pad .. M.json_string(m[1]) .. ":" .. m[2]
	end
	return "{" .. table.concat(parts, ",") .. "\n" .. string.rep("  ", level - 1) .. "}"
end

return M
