-- SPDX-License-Identifier: Apache-2.0

description = "Prints every read and write made on files, with the data exchanged. The first argument restricts to reads (R) or writes (W); the second to one file name."
short_description = "Echo any read/write made by any process to all files. Optionally, you can provide the name of one file to only intercept reads/writes to that file."
category = "I/O"
args = {
	{
		name = "read_or_write",
		description = "R for reads only, W for writes only, RW (default) for both",
		argtype = "string",
		optional = true
	},
	{
		name = "spy_on_file_name",
		description = "Only show I/O on this file",
		argtype = "string",
		optional = true
	},
}

local common = require "ferret_common"
local mode = "RW"
local only_file = nil
local f = {}

function on_set_arg(name, val)
	if name == "read_or_write" then
		mode = string.upper(val)
	else
		only_file = val
	end
	return true
end

function on_init()
	for _, n in ipairs({"evt.arg.data", "fd.name", "evt.is_io_write", "proc.pid", "proc.name", "evt.rawarg.res", "evt.time"}) do
		f[n] = chisel.request_field(n)
	end
	sysdig.set_snaplen(2000)
	sysdig.set_output_format("ascii")
	local flt
	if only_file ~= nil and only_file ~= "" then
		flt = "(fd.name=" .. only_file .. ") and "
	else
		flt = "(not fd.name contains /dev/pt and not fd.name contains /dev/tty) and "
	end
	if mode == "R" then
		flt = flt .. "evt.is_io_read=true and "
	elseif mode == "W" then
		flt = flt .. "evt.is_io_write=true and "
	else
		flt = flt .. "evt.is_io=true and "
	end
	chisel.set_filter(flt .. "fd.type=file and evt.dir=< and evt.failed=false")
	return true
end

function on_event()
	local rw = "R"
	if evt.field(f["evt.is_io_write"]) then
		rw = "W"
	end
	print(string.format("%s %s(%s) %s %s %s %s", evt.field(f["evt.time"]), evt.field(f["proc.name"]),
		evt.field(f["proc.pid"]), rw, common.bytes(evt.field(f["evt.rawarg.res"])),
		evt.field(f["fd.name"]), evt.field(f["evt.arg.data"])))
	return true
end
