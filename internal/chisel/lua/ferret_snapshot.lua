-- SPDX-License-Identifier: Apache-2.0

-- Shared body of the chisels that print the process/fd tables once, as they
-- are at the start of the capture (lsof, ps, netstat): the optional filter
-- argument narrows the table, and show(threads) prints it.
local M = {}

-- install wires the callbacks. base is a filter always applied (or nil);
-- the user's filter argument is and-ed to it; nofds leaves the fd tables
-- out of the threads show gets.
function M.install(base, show, nofds)
	local flt = base
	local started, seen = false, false

	function on_set_arg(name, val)
		if flt ~= nil then
			flt = flt .. " and (" .. val .. ")"
		else
			flt = val
		end
		return true
	end

	function on_init()
		return true
	end

	function on_capture_start()
		started = true
		return true
	end

	function on_event()
		seen = true
		sysdig.end_capture()
		return false
	end

	function on_capture_end()
		if not started then
			return
		end
		if not seen then
			print("empty capture or no event matching the filter")
			return
		end
		if nofds then
			show(sysdig.get_thread_table_nofds(flt))
		else
			show(sysdig.get_thread_table(flt))
		end
	end
end

return M
