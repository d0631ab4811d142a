-- SPDX-License-Identifier: Apache-2.0

-- Shared body of spy_ip and spy_port: prints the data of network I/O calls
-- whose field (fd.ip or fd.port) equals the chisel's argument, with a
-- header at each change of direction.
local common = require "ferret_common"
local M = {}

-- install wires the callbacks: argname is the chisel argument holding the
-- value, convert checks and converts it, field is the filter field.
function M.install(argname, convert, field)
	local value
	local fdata, fread, fres
	local last = nil

	function on_set_arg(name, val)
		if name == argname then
			value = convert(val, name)
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
		chisel.set_filter("evt.is_io=true and (fd.type=ipv4 or fd.type=ipv6) and " .. field .. "=" .. value)
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
end

return M
