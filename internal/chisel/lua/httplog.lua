-- SPDX-License-Identifier: Apache-2.0

description = "Prints one line per HTTP/1.x request seen on any socket: method, URL, response code, latency and response size. With -pc the container name is shown."
short_description = "HTTP requests log"
category = "Application"
args = {}

local http = require "ferret_http"
local pc = false

function on_init()
	http.init()
	pc = sysdig.is_print_container_data()
	return true
end

local function logline(tr)
	local where = " "
	if pc then
		where = " " .. tr.container .. " "
	end
	print(string.format("%s%s%s method=%s url=%s response_code=%d latency=%dms size=%dB",
		http.datetime(), where, tr.dir, tr.request.method, tr.request.url, tr.response.code,
		(tr.response.ts - tr.request.ts) / 1000000, tr.response.length))
end

function on_event()
	http.feed(logline)
	return true
end
