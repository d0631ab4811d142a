-- SPDX-License-Identifier: Apache-2.0

description = "Prints the get, set and delete requests sent to memcached (text protocol on port 11211), with the key and the size of stored values. The optional arguments keep only one method or values above a size."
short_description = "memcached requests log"
category = "Application"
args = {
	{
		name = "method",
		description = "Only show this method (get, set, delete, ...)",
		argtype = "string",
		optional = true
	},
	{
		name = "size",
		description = "Only show stored values larger than this many bytes",
		argtype = "int",
		optional = true
	},
}

local only_method = nil
local min_size = 0
local fbuf, ftime, fname

function on_set_arg(name, val)
	if name == "method" then
		only_method = val
	else
		min_size = tonumber(val) or 0
	end
	return true
end

function on_init()
	fbuf = chisel.request_field("evt.buffer")
	ftime = chisel.request_field("evt.datetime")
	fname = chisel.request_field("proc.name")
	sysdig.set_snaplen(4096)
	chisel.set_filter("evt.is_io_read=true and evt.dir=< and fd.sport=11211 and evt.rawres>0")
	return true
end

function on_event()
	local buf = evt.field(fbuf)
	if buf == nil then
		return true
	end
	local method, key, rest = string.match(buf, "^(%l+) ([!-~]+)(.*)")
	if method == nil or (only_method ~= nil and method ~= only_method) then
		return true
	end
	local size = tonumber(string.match(rest, "^ %d+ %d+ (%d+)") or "0")
	if size < min_size then
		return true
	end
	print(string.format("%s %s method=%s key=%s size=%dB", evt.field(ftime), evt.field(fname), method, key, size))
	return true
end
