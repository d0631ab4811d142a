-- SPDX-License-Identifier: Apache-2.0
--
-- Engine of the "top" chisels: sums a value field per key tuple over the
-- events that pass a filter, then prints the largest rows as a text table
-- or as JSON (-j). On live captures the table is printed and reset every
-- second; on capture files it is printed once at the end.

local common = require "ferret_common"

local M = {}

local SEP = "\1\1"

-- render formats a row value by unit.
local function render(v, units, delta)
	if units == "bytes" then
		return common.bytes(v)
	elseif units == "time" then
		return common.duration(v)
	elseif units == "timepct" then
		if delta and delta > 0 then
			return string.format("%.2f%%", v / delta * 100)
		end
		return "0.00%"
	end
	return tostring(v)
end

-- rows returns the table's entries sorted by value (largest first, ties by
-- key), cut to top (0 = all).
local function rows(tbl, top)
	local keys = common.sorted_keys(tbl, function(a, b) return tbl[a] > tbl[b] end)
	local out = {}
	for i, k in ipairs(keys) do
		if top > 0 and i > top then
			break
		end
		out[#out + 1] = { k, tbl[k] }
	end
	return out
end

local function split_key(k)
	local parts = {}
	local start = 1
	while true do
		local i = string.find(k, SEP, start, true)
		if i == nil then
			parts[#parts + 1] = string.sub(k, start)
			return parts
		end
		parts[#parts + 1] = string.sub(k, start, i - 1)
		start = i + #SEP
	end
end

-- print_table writes one table in the selected format.
function M.print_table(tbl, spec, ts_s, delta)
	local list = rows(tbl, spec.top)
	if spec.json then
		local data = {}
		for _, r in ipairs(list) do
			local cells = {}
			for _, p in ipairs(split_key(r[1])) do
				cells[#cells + 1] = common.json_string(p)
			end
			cells[#cells + 1] = common.json_value(r[2])
			data[#data + 1] = "[" .. table.concat(cells, ",") .. "]"
		end
		-- The value descriptor sits at the third position whatever the
		-- number of keys, as in the output this mirrors.
		local info = {}
		local function desc(name, d, key)
			return common.json_object({ { "name", common.json_string(name) },
				{ "desc", common.json_string(d) }, { "is_key", tostring(key) } }, 3)
		end
		for i, f in ipairs(spec.keys) do
			info[i] = desc(f, spec.keydescs[i], true)
		end
		info[3] = desc(spec.value, spec.valuedesc, false)
		local n = math.max(#spec.keys, 3)
		local parts = {}
		for i = 1, n do
			parts[i] = info[i] or "null"
		end
		print(common.json_object({ { "ts", common.json_string(sysdig.make_ts(ts_s, 0)) },
			{ "data", "[" .. table.concat(data, ",") .. "]" },
			{ "info", "[" .. table.concat(parts, ",") .. "]" } }, 1))
		return
	end
	local head = common.cell(spec.valuedesc, 20)
	for _, d in ipairs(spec.keydescs) do
		head = head .. common.cell(d, 20)
	end
	print(head)
	print(string.rep("-", 80))
	for _, r in ipairs(list) do
		local parts = split_key(r[1])
		local line = common.cell(render(r[2], spec.units, delta), 20)
		for i, p in ipairs(parts) do
			if i < #parts then
				line = line .. common.cell(p, 20)
			else
				line = line .. p
			end
		end
		print(line)
	end
end

-- install defines the chisel callbacks of a top chisel. spec: keys,
-- keydescs (arrays), value, valuedesc, filter, top, units, and optionally
-- value_field (the field actually summed when it differs from the name
-- shown as value) and scale (multiplier applied to each value; with it,
-- values <= 0 are summed too).
function M.install(spec)
	local fkeys, fvalue
	local tbl
	local live = false
	local sums -- the runtime's native table (chisel.sum_by): no Lua runs per event

	function on_init()
		for i, k in ipairs(spec.keys) do
			fkeys[i] = chisel.request_field(k)
		end
		fvalue = chisel.request_field(spec.value_field or spec.value)
		if spec.filter ~= nil and spec.filter ~= "" then
			chisel.set_filter(spec.filter)
		end
		sums = chisel.sum_by(fkeys, fvalue, spec.scale)
		return true
	end
	fkeys = {}

	local function take()
		tbl = chisel.take_sums(sums)
	end

	function on_capture_start()
		live = sysdig.is_live()
		spec.json = sysdig.get_output_format() == "json"
		if live then
			chisel.set_interval_s(1)
		end
		return true
	end

	function on_interval(ts_s, ts_ns, delta)
		take()
		if not spec.json then
			common.clear_screen()
		end
		M.print_table(tbl, spec, ts_s, delta)
		tbl = {}
		return true
	end

	function on_capture_end(ts_s, ts_ns, delta)
		if live then
			return true
		end
		take()
		M.print_table(tbl, spec, ts_s, delta)
		return true
	end
end


return M
