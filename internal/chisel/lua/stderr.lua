-- SPDX-License-Identifier: Apache-2.0

description = "Prints the data processes write to their standard error (fd 2). With -pc each line starts with the container id and name."
short_description = "Print stderr of processes"
category = "I/O"
args = {
	{
		name = "disable_color",
		description = "Set to 'disable_colors' to print without colours",
		argtype = "string",
		optional = true
	},
}

local common = require "ferret_common"
local fdata, fcname, fcid
local pc = false

function on_set_arg(name, val)
	if val == "disable_colors" or val == "disable_color" then
		common.colors(false)
	end
	return true
end

function on_init()
	fdata = chisel.request_field("evt.rawarg.data")
	fcname = chisel.request_field("container.name")
	fcid = chisel.request_field("container.id")
	pc = sysdig.is_print_container_data()
	sysdig.set_snaplen(2000)
	chisel.set_filter("fd.num=2 and evt.is_io=true")
	return true
end

function on_event()
	local d = evt.field(fdata)
	if d == nil then
		return true
	end
	if pc then
		local cname = evt.field(fcname)
		local color = common.color.green
		if cname ~= "host" then
			color = common.color.blue
		end
		print(color .. string.format("%-20.20s %-20.20s %s", evt.field(fcid), cname, d))
	else
		print(d)
	end
	return true
end
