-- SPDX-License-Identifier: Apache-2.0
--
-- HTTP/1.x transaction tracking for the http chisels: the first buffer of
-- a request on a (pid, fd) pair opens a transaction, the next buffer that
-- starts a response on the same pair closes it.

local M = {}

local f = {}
local open = {}

-- init requests the fields and installs the filter and snap length.
function M.init()
	for _, n in ipairs({"evt.buffer", "fd.num", "proc.pid", "evt.rawtime", "evt.datetime", "evt.io_dir", "container.name"}) do
		f[n] = chisel.request_field(n)
	end
	chisel.set_filter("evt.is_io=true and evt.buflen>0 and (fd.sockfamily=ip or fd.sockfamily=unix)")
	sysdig.set_snaplen(1024)
end

-- Buffers are rendered with non-printable bytes as '.', so a header line
-- ends with "..".
local function request(buf)
	local method, path = string.match(buf, "^(%u+) ([!-~]+)")
	if method == nil then
		return nil
	end
	local host = string.match(buf, "Host: ([!-~]+)%.%.")
	if host ~= nil then
		path = host .. path
	end
	return { method = method, url = path }
end

local function response(buf)
	local code = string.match(buf, "HTTP/[!-~]+ (%d+)")
	if code == nil then
		return nil
	end
	local len = string.match(buf, "Content%-Length: (%d+)%.%.")
	return { code = tonumber(code), length = tonumber(len or 0) }
end

-- datetime returns evt.datetime of the current event.
function M.datetime()
	return evt.field(f["evt.datetime"])
end

-- feed processes the current event and calls done(tr) for each completed
-- transaction: tr.request {method, url, ts}, tr.response {code, length,
-- ts}, tr.dir ("<" served, ">" issued) and tr.container.
function M.feed(done)
	local buf = evt.field(f["evt.buffer"])
	local fd = evt.field(f["fd.num"])
	local pid = evt.field(f["proc.pid"])
	if buf == nil or fd == nil or pid == nil then
		return
	end
	local key = pid .. "/" .. fd
	local ts = evt.field(f["evt.rawtime"])
	local tr = open[key]
	if tr == nil then
		local req = request(buf)
		if req ~= nil then
			req.ts = ts
			local io = evt.field(f["evt.io_dir"])
			local dir = "<NA>"
			if io == "read" then
				dir = "<"
			elseif io == "write" then
				dir = ">"
			end
			open[key] = { request = req, dir = dir, container = evt.field(f["container.name"]) }
		end
		return
	end
	local resp = response(buf)
	if resp ~= nil then
		resp.ts = ts
		tr.response = resp
		open[key] = nil
		done(tr)
	end
end

return M
