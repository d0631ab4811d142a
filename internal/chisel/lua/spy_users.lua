-- SPDX-License-Identifier: Apache-2.0

description = "Prints the commands run from interactive shells and the directories they change to, indented under the shell they come from. With -pc the container is shown."
short_description = "Display interactive user activity"
category = "Security"
args = {
	{
		name = "max_depth",
		description = "Maximum depth of commands shown below their shell (default: no limit)",
		argtype = "int",
		optional = true
	},
	{
		name = "disable_color",
		description = "Set to 'disable_colors' to print without colours",
		argtype = "string",
		optional = true
	},
}

local common = require "ferret_common"
local max_depth = -1
local f = {}
local fanames, fapids = {}, {}
local pc = false
local MAX_UP = 16

function on_set_arg(name, val)
	if name == "max_depth" then
		max_depth = common.number(val, name)
	elseif val == "disable_colors" or val == "disable_color" then
		common.colors(false)
	end
	return true
end

function on_init()
	for _, n in ipairs({"evt.type", "proc.exe", "proc.args", "evt.arg.path", "user.name", "evt.time.s", "proc.pid", "container.name", "container.id"}) do
		f[n] = chisel.request_field(n)
	end
	for j = 1, MAX_UP do
		fanames[j] = chisel.request_field("proc.aname[" .. j .. "]")
		fapids[j] = chisel.request_field("proc.apid[" .. j .. "]")
	end
	pc = sysdig.is_print_container_data()
	chisel.set_filter("((evt.type=execve and evt.dir=<) or (evt.type=chdir and evt.dir=< and proc.name contains sh and not proc.name contains sshd)) and evt.failed=false")
	return true
end

-- shell returns the distance to and pid of the closest ancestor whose name
-- ends with "sh", starting at level first.
local function shell(first)
	for j = first, MAX_UP do
		local name = evt.field(fanames[j])
		if name == nil then
			if evt.field(fapids[j]) == nil then
				return nil
			end
		elseif #name >= 2 and name:sub(-2) == "sh" then
			return j, evt.field(fapids[j])
		end
	end
	return nil
end

function on_event()
	local is_cd = evt.field(f["evt.type"]) == "chdir"
	local depth, spid
	if is_cd then
		depth, spid = 0, evt.field(f["proc.pid"])
	else
		local j, p = shell(1)
		if j == nil then
			return true
		end
		depth, spid = j - 1, p
	end
	if max_depth ~= -1 and depth > max_depth then
		return true
	end
	local user = evt.field(f["user.name"]) or "<NA>"
	local who = user
	local color = ""
	if pc then
		local cname = evt.field(f["container.name"])
		who = user .. "@" .. cname
		color = common.color.green
		if cname ~= "host" then
			color = common.color.blue
		end
	end
	local what
	if is_cd then
		what = "cd " .. tostring(evt.field(f["evt.arg.path"]))
	else
		what = tostring(evt.field(f["proc.exe"])) .. " " .. tostring(evt.field(f["proc.args"]))
	end
	print(color .. string.rep(" ", 3 * depth) .. tostring(spid) .. " " .. evt.field(f["evt.time.s"]) .. " " .. who .. ") " .. what)
	return true
end

function on_capture_end()
	print(common.color.reset)
end
