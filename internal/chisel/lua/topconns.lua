-- SPDX-License-Identifier: Apache-2.0

description = "Lists the network connections with the most bytes exchanged. With -pc the rows are also split by container."
short_description = "Top network connections by total bytes"
category = "Net"
args = {}

local top = require "ferret_top"
local spec = {
	keys = {"fd.l4proto", "fd.name"},
	keydescs = {"Proto", "Conn"},
	value = "evt.rawarg.res",
	valuedesc = "Bytes",
	filter = "(fd.type=ipv4 or fd.type=ipv6) and evt.is_io=true",
	top = 30,
	units = "bytes",
}
if sysdig.is_print_container_data() then
	spec.keys = {"container.name", "fd.l4proto", "fd.name"}
	spec.keydescs = {"container.name", "Proto", "Conn"}
end
top.install(spec)
