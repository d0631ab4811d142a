-- SPDX-License-Identifier: Apache-2.0

-- Shared body of the iobytes chisels: every second, the bytes read and
-- written by the I/O calls that pass the given filter.
local M = {}

function M.install(filter)
	local fres, ftime, fread
	local sum_in, sum_out = 0, 0

	function on_init()
		fres = chisel.request_field("evt.rawarg.res")
		ftime = chisel.request_field("evt.time.s")
		fread = chisel.request_field("evt.is_io_read")
		chisel.set_filter(filter)
		chisel.set_interval_s(1)
		return true
	end

	function on_event()
		local n = evt.field(fres)
		if n ~= nil and n > 0 then
			if evt.field(fread) then
				sum_in = sum_in + n
			else
				sum_out = sum_out + n
			end
		end
		return true
	end

	function on_interval(ts_s, ts_ns, delta)
		print(evt.field(ftime) .. " in:" .. sum_in .. " out:" .. sum_out .. " tot:" .. (sum_in + sum_out))
		sum_in, sum_out = 0, 0
		return true
	end
end

return M
