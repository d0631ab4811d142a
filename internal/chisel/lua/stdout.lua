-- SPDX-License-Identifier: Apache-2.0

description = "Prints the data processes write to their standard output (fd 1)."
short_description = "Print stdout of processes"
category = "I/O"
args = {}

local fdata

function on_init()
	fdata = chisel.request_field("evt.rawarg.data")
	sysdig.set_snaplen(2000)
	chisel.set_filter("fd.num=1 and evt.is_io=true")
	return true
end

function on_event()
	local d = evt.field(fdata)
	if d ~= nil then
		print(d)
	end
	return true
end
