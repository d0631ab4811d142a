-- SPDX-License-Identifier: Apache-2.0

-- Shared body of fileslower and netlower: prints the I/O calls passing the
-- filter whose latency is over the min_ms argument, optionally skipping
-- calls on /dev files.
local common = require "ferret_common"
local M = {}

function M.install(filter, skip_dev)
	local min_ms = 0
	local f = {}
	local pc = false

	function on_set_arg(name, val)
		if name == "min_ms" then
			min_ms = common.number(val, name)
		elseif val == "disable_colors" or val == "disable_color" then
			common.colors(false)
		end
		return true
	end

	function on_init()
		for _, n in ipairs({"evt.type", "evt.dir", "evt.datetime", "fd.name", "proc.name", "evt.latency", "container.name", "container.id"}) do
			f[n] = chisel.request_field(n)
		end
		pc = sysdig.is_print_container_data()
		chisel.set_filter(filter)
		if pc then
			print(string.format("%-23.23s %-20.20s %-20.20s %-12.12s %-8s %-12s %s", "evt.datetime", "container.id", "container.name", "proc.name", "evt.type", "LATENCY(ms)", "fd.name"))
			print(string.format("%-23.23s %-20.20s %-20.20s %-12.12s %-8s %-12s %s", string.rep("-", 23), string.rep("-", 20), string.rep("-", 20), string.rep("-", 12), string.rep("-", 8), string.rep("-", 12), string.rep("-", 41)))
		else
			print(string.format("%-23.23s %-12.12s %-8s %-12s %s", "evt.datetime", "proc.name", "evt.type", "LATENCY(ms)", "fd.name"))
			print(string.format("%-23.23s %-12.12s %-8s %-12s %s", string.rep("-", 23), string.rep("-", 12), string.rep("-", 8), string.rep("-", 12), string.rep("-", 41)))
		end
		return true
	end

	function on_event()
		if evt.field(f["evt.dir"]) ~= "<" then
			return true
		end
		local ms = evt.field(f["evt.latency"]) / 1000000
		if ms <= min_ms then
			return true
		end
		local fd = evt.field(f["fd.name"])
		if skip_dev and fd ~= nil and string.sub(fd, 1, 5) == "/dev/" then
			return true
		end
		local cname = evt.field(f["container.name"])
		local color = common.color.green
		if cname ~= "host" then
			color = common.color.blue
		end
		if pc then
			print(color .. string.format("%-23.23s %-20.20s %-20.20s %-12.12s %-8s %12d %s", evt.field(f["evt.datetime"]), evt.field(f["container.id"]), cname, evt.field(f["proc.name"]), evt.field(f["evt.type"]), ms, tostring(fd)))
		else
			print(color .. string.format("%-23.23s %-12.12s %-8s %12d %s", evt.field(f["evt.datetime"]), evt.field(f["proc.name"]), evt.field(f["evt.type"]), ms, tostring(fd)))
		end
		return true
	end
end

return M
