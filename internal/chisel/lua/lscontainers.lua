-- SPDX-License-Identifier: Apache-2.0

description = "Lists the containers known at the start of the capture: type, image, name and id. With the desc argument every attribute is printed."
short_description = "List the running containers"
category = "System State"
args = {
	{
		name = "desc",
		description = "Print every attribute of each container.",
		argtype = "string",
		optional = true
	},
}

local common = require "ferret_common"
local cell = common.cell
local full = false
local started = false

function on_set_arg(name, val)
	full = true
	return true
end

function on_init()
	return true
end

function on_capture_start()
	started = true
	return true
end

function on_event()
	sysdig.end_capture()
	return true
end

function on_capture_end()
	if not started then
		return
	end
	local list = sysdig.get_container_table()
	if full then
		for i, c in ipairs(list) do
			print(string.format("[%d] id=%s name=%s image=%s type=%s", i, c.id, c.name, c.image, c.type))
		end
		return
	end
	print(cell("container.type", 15) .. cell("container.image", 16) .. cell("container.name", 20) ..
		cell("container.id", 13))
	print(cell("---------------", 15) .. cell("----------------", 16) .. cell("--------------------", 20) ..
		cell("-------------", 13))
	for _, c in ipairs(list) do
		print(cell(c.type, 15) .. cell(c.image, 16) .. cell(c.name, 20) .. cell(c.id, 13))
	end
end
