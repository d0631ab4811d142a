-- SPDX-License-Identifier: Apache-2.0

description = "Prints how long each process ran, when it exits, with its name and arguments. Runs longer than 3s are red, longer than 1s yellow. With -pc container columns are added."
short_description = "Show process execution time"
category = "Performance"
args = {
	{
		name = "disable_color",
		description = "Set to 'disable_colors' to print without colours",
		argtype = "string",
		optional = true
	},
}

local common = require "ferret_common"
local f = {}
local pc = false

function on_set_arg(name, val)
	if val == "disable_colors" or val == "disable_color" then
		common.colors(false)
	end
	return true
end

function on_init()
	for _, n in ipairs({"proc.name", "proc.args", "proc.duration", "container.name", "container.id"}) do
		f[n] = chisel.request_field(n)
	end
	pc = sysdig.is_print_container_data()
	chisel.set_filter("evt.type=procexit")
	if pc then
		print(string.format("%-13.13s %-20.20s %-20.20s %-12.12s %s", "proc.duration", "container.id", "container.name", "proc.name", "proc.args"))
		print(string.format("%-13.13s %-20.20s %-20.20s %-12.12s %s", string.rep("-", 13), string.rep("-", 20), string.rep("-", 20), string.rep("-", 12), string.rep("-", 20)))
	else
		print(string.format("%-13.13s %-12.12s %s", "proc.duration", "proc.name", "proc.args"))
		print(string.format("%-13.13s %-12.12s %s", string.rep("-", 13), string.rep("-", 12), string.rep("-", 20)))
	end
	return true
end

function on_event()
	local d = evt.field(f["proc.duration"])
	if d == nil then
		return true
	end
	local cname = evt.field(f["container.name"])
	local color = common.color.green
	if d > 3 * common.NS_PER_S then
		color = common.color.red
	elseif d > common.NS_PER_S then
		color = common.color.yellow
	elseif cname ~= "host" then
		color = common.color.blue
	end
	if pc then
		print(color .. string.format("%-13.13s %-20.20s %-20.20s %-12.12s %s", common.duration(d), evt.field(f["container.id"]), cname, evt.field(f["proc.name"]), evt.field(f["proc.args"])))
	else
		print(color .. string.format("%-13.13s %-12.12s %s", common.duration(d), evt.field(f["proc.name"]), evt.field(f["proc.args"])))
	end
	return true
end

function on_capture_end()
	print(common.color.reset)
end
