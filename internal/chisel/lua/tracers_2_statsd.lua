-- SPDX-License-Identifier: Apache-2.0

description = "Sends the duration of every tracer span to a statsd server as a timer named after the span tags (UDP, statsd text protocol). Tracer spans are written by applications to /dev/null in sysdig's tracer format."
short_description = "Export spans duration as statds metrics."
category = "Tracers"
args = {
	{
		name = "server_addr",
		description = "The address of the statsd server (default 127.0.0.1)",
		argtype = "string",
		optional = true
	},
	{
		name = "server_port",
		description = "The UDP port of the statsd server (default 8125)",
		argtype = "string",
		optional = true
	},
}

local host, port = "127.0.0.1", "8125"
local ftags, fdur

function on_set_arg(name, val)
	if name == "server_addr" then
		host = val
	else
		port = val
	end
	return true
end

function on_init()
	ftags = chisel.request_field("span.tags")
	fdur = chisel.request_field("span.duration")
	chisel.set_filter("evt.type=tracer and evt.dir=<")
	return true
end

local connected = false

function on_event()
	local tags = evt.field(ftags)
	local d = evt.field(fdur)
	if tags == nil or d == nil then
		return true
	end
	if not connected then
		sysdig.udp_setpeername(host, port)
		connected = true
	end
	sysdig.udp_send(string.format("%s:%d|ms", tags, math.floor(tonumber(d) / 1000000)))
	return true
end
