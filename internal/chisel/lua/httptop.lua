-- SPDX-License-Identifier: Apache-2.0

description = "Lists the HTTP/1.x requests (method and URL) by number of calls, total time or response bytes. With -pc the rows are also split by container."
short_description = "Top HTTP requests"
category = "Application"
args = {
	{
		name = "by",
		description = "Rank requests by ncalls (default), time or bytes",
		argtype = "string",
		optional = true
	},
}

local http = require "ferret_http"
local top = require "ferret_top"
local spec = {
	keys = {"method", "url"},
	keydescs = {"method", "url"},
	value = "ncalls",
	valuedesc = "ncalls",
	units = "none",
	top = 30,
}
local units = { ncalls = "none", time = "time", bytes = "bytes" }
local pc, live = false, false
local tbl = {}

function on_set_arg(name, val)
	if units[val] == nil then
		print("Invalid argument! Valid options: ncalls, bytes, time")
		return false
	end
	spec.value, spec.valuedesc, spec.units = val, val, units[val]
	return true
end

function on_init()
	http.init()
	pc = sysdig.is_print_container_data()
	if pc then
		table.insert(spec.keys, 1, "container")
		table.insert(spec.keydescs, 1, "container")
	end
	return true
end

function on_capture_start()
	live = sysdig.is_live()
	spec.json = sysdig.get_output_format() == "json"
	if live then
		chisel.set_interval_s(1)
	end
	return true
end

local function add(tr)
	local key = tr.request.method .. "\1\1" .. tr.request.url
	if pc then
		key = tr.container .. "\1\1" .. key
	end
	local v = 1
	if spec.value == "time" then
		v = tr.response.ts - tr.request.ts
	elseif spec.value == "bytes" then
		v = tr.response.length
	end
	tbl[key] = (tbl[key] or 0) + v
end

function on_event()
	http.feed(add)
	return true
end

function on_interval(ts_s, ts_ns, delta)
	top.print_table(tbl, spec, ts_s, delta)
	tbl = {}
	return true
end

function on_capture_end(ts_s, ts_ns, delta)
	if not live then
		top.print_table(tbl, spec, ts_s, delta)
	end
	return true
end
