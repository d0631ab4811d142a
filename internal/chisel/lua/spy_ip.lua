-- SPDX-License-Identifier: Apache-2.0

description = "Prints the data exchanged with a given IP address, marking each change of direction with a header. You can combine it with -x, -X or -A to change how the data is shown."
short_description = "Show the data exchanged with the given IP address"
category = "Net"
args = {
	{
		name = "host_ip",
		description = "The remote host IP address",
		argtype = "ipv4"
	},
	{
		name = "disable_color",
		description = "Set to 'disable_colors' to print without colours",
		argtype = "string",
		optional = true
	},
}

local common = require "ferret_common"
local addr
local fdata, fread, fres
local last = nil

function on_set_arg(name, val)
	if name == "host_ip" then
		addr = val
	elseif val == "disable_colors" or val == "disable_color" then
		common.colors(false)
	end
	return true
end

function on_init()
	fdata = chisel.request_field("evt.arg.data")
	fread = chisel.request_field("evt.is_io_read")
	fres = chisel.request_field("evt.rawarg.res")
	sysdig.set_snaplen(1000)
	chisel.set_filter("evt.is_io=true and (fd.type=ipv4 or fd.type=ipv6) and fd.ip=" .. addr)
	return true
end

function on_event()
	local res = evt.field(fres)
	if res == nil or res <= 0 then
		return true
	end
	local data = evt.field(fdata)
	if data == nil then
		return true
	end
	local dir = "W"
	if evt.field(fread) then
		dir = "R"
	end
	if dir ~= last then
		if dir == "R" then
			print(string.format("%s------ Read %s", common.color.red, common.bytes(res)))
		else
			print(string.format("%s------ Write %s", common.color.blue, common.bytes(res)))
		end
		last = dir
	end
	print(data)
	return true
end

function on_capture_end()
	print(common.color.reset)
end
