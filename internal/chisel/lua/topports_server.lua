-- SPDX-License-Identifier: Apache-2.0

description = "Lists the server ports with the most bytes exchanged. With -pc the rows are also split by container."
short_description = "Top TCP/UDP server ports by R+W bytes"
category = "Net"
args = {}

local top = require "ferret_top"
local spec = {
	keys = {"fd.sport"},
	keydescs = {"Srv Port"},
	value = "evt.rawarg.res",
	valuedesc = "Bytes",
	filter = "(fd.type=ipv4 or fd.type=ipv6) and evt.is_io=true",
	top = 100,
	units = "bytes",
}
if sysdig.is_print_container_data() then
	spec.keys = {"fd.sport", "container.name"}
	spec.keydescs = {"Srv Port", "container.name"}
end
top.install(spec)
