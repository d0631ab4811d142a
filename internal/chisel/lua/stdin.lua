-- SPDX-License-Identifier: Apache-2.0

description = "Prints the data processes read from their standard input (fd 0)."
short_description = "Print stdin of processes"
category = "I/O"
args = {}

local fdata

function on_init()
	fdata = chisel.request_field("evt.rawarg.data")
	sysdig.set_snaplen(2000)
	chisel.set_filter("fd.num=0 and evt.is_io=true")
	return true
end

function on_event()
	local d = evt.field(fdata)
	if d ~= nil then
		print(d)
	end
	return true
end
