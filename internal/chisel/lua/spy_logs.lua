-- SPDX-License-Identifier: Apache-2.0

description = "Prints every message written to log files (names containing .log, _log or /var/log, compressed files excepted), one line per message. With -pc the container name is shown."
short_description = "Echo any write made by any process to a log file."
category = "Logs"
args = {
	{
		name = "dump_file_name",
		description = "Not supported by ferret yet: accepted and ignored.",
		argtype = "string",
		optional = true
	},
	{
		name = "dump_range_ms",
		description = "Not supported by ferret yet: accepted and ignored.",
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
local fbuf, fcname, fpname, ffdname
local pc, tty = false, false

function on_set_arg(name, val)
	if name == "disable_color" and (val == "disable_colors" or val == "disable_color") then
		common.colors(false)
	end
	return true
end

function on_init()
	fbuf = chisel.request_field("evt.buffer")
	fcname = chisel.request_field("container.name")
	fpname = chisel.request_field("proc.name")
	ffdname = chisel.request_field("fd.name")
	pc = sysdig.is_print_container_data()
	tty = sysdig.is_tty()
	sysdig.set_snaplen(2000)
	sysdig.set_output_format("ascii")
	chisel.set_filter("((fd.name contains .log or fd.name contains _log or fd.name contains /var/log) and not (fd.name contains .gz or fd.name contains .tgz)) and evt.is_io_write=true and evt.dir=< and evt.failed=false")
	return true
end

-- Each message line is prefixed with the writing process and the log file
-- ("nginx /var/log/nginx/access.log GET / ..."), after the container name
-- with -pc; on a terminal it is coloured by its level.
function on_event()
	local buf = evt.field(fbuf)
	if buf == nil then
		return true
	end
	local cname = evt.field(fcname)
	local who = tostring(evt.field(fpname)) .. " " .. tostring(evt.field(ffdname)) .. " "
	for _, msg in ipairs(common.lines(buf)) do
		local line
		if tty then
			local color = common.color.green
			if string.find(string.lower(msg), "warn", 1, true) then
				color = common.color.yellow
			elseif string.find(msg, "err", 1, true) then
				color = common.color.red
			end
			line = color .. " " .. who .. msg
			if pc then
				local ccolor = color
				if cname ~= "host" then
					ccolor = common.color.blue
				end
				line = color .. " " .. ccolor .. " " .. cname .. " " .. line
			end
		elseif pc then
			line = cname .. " " .. who .. msg
		else
			line = who .. msg
		end
		print(line)
	end
	return true
end
