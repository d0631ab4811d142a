-- SPDX-License-Identifier: Apache-2.0

description = "Prints every message written to syslog (/dev/log) with its facility and severity, coloured by severity. With -pc the container name is shown."
short_description = "Print every message written to syslog."
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
local f = {}
local pc = false

function on_set_arg(name, val)
	if name == "disable_color" and (val == "disable_colors" or val == "disable_color") then
		common.colors(false)
	end
	return true
end

function on_init()
	for _, n in ipairs({"syslog.facility.str", "syslog.severity.str", "syslog.severity", "syslog.message", "proc.name", "thread.tid", "container.name"}) do
		f[n] = chisel.request_field(n)
	end
	pc = sysdig.is_print_container_data()
	sysdig.set_snaplen(2000)
	chisel.set_filter("fd.name contains /dev/log and evt.is_io_write=true and evt.dir=< and evt.failed=false")
	return true
end

function on_event()
	local sev = evt.field(f["syslog.severity"])
	if sev == nil then
		return true
	end
	local color = common.color.green
	if sev <= 3 then
		color = common.color.red
	elseif sev == 4 then
		color = common.color.yellow
	end
	local where = ""
	if pc then
		where = evt.field(f["container.name"]) .. " "
	end
	print(color .. where .. evt.field(f["proc.name"]) .. " " .. evt.field(f["syslog.facility.str"]) .. "." ..
		evt.field(f["syslog.severity.str"]) .. " " .. evt.field(f["syslog.message"]))
	return true
end

function on_capture_end()
	if sysdig.is_tty() then
		print(common.color.reset)
	end
end
