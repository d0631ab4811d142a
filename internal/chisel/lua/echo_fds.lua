-- SPDX-License-Identifier: Apache-2.0

description = "Prints the data read and written by processes on any fd, each chunk under a header with its size, fd name and process. Reads are red, writes blue. With -pc the container is shown."
short_description = "Print the data read and written by processes."
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
local f = {}
local pc = false

function on_set_arg(name, val)
	if val == "disable_colors" or val == "disable_color" then
		common.colors(false)
	end
	return true
end

function on_init()
	for _, n in ipairs({"evt.is_io_read", "evt.rawarg.res", "fd.name", "proc.name", "container.name", "container.id"}) do
		f[n] = chisel.request_field(n)
	end
	pc = sysdig.is_print_container_data()
	sysdig.set_snaplen(2000)
	chisel.set_filter("evt.is_io=true and evt.dir=< and evt.rawres>0")
	chisel.set_event_formatter("%evt.arg.data")
	return true
end

function on_event()
	local res = evt.field(f["evt.rawarg.res"])
	if res == nil or res <= 0 then
		return true
	end
	local name = evt.field(f["fd.name"]) or "<NA>"
	local container = ""
	if pc then
		local cname = evt.field(f["container.name"])
		local cc = common.color.cyan
		if cname == "host" then
			cc = common.color.green
		end
		container = string.format("%s [%s] [%s]", cc, cname, evt.field(f["container.id"]))
	end
	local c, verb, prep = common.color.blue, "Write", "to"
	if evt.field(f["evt.is_io_read"]) then
		c, verb, prep = common.color.red, "Read", "from"
	end
	print(string.format("%s------ %s %s %s %s %s %s (%s)", c, verb, common.bytes(res), prep, container, c, name, evt.field(f["proc.name"])))
	return true
end

function on_capture_end()
	print(common.color.reset)
end
