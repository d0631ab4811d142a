-- SPDX-License-Identifier: Apache-2.0

description = "Lists the files with the most bytes read and written. With -pc the rows are also split by container."
short_description = "Top files by R+W bytes"
category = "I/O"
args = {}

local top = require "ferret_top"
local spec = {
	keys = {"fd.name"},
	keydescs = {"Filename"},
	value = "evt.rawarg.res",
	valuedesc = "Bytes",
	filter = "fd.type=file and evt.is_io=true",
	top = 10,
	units = "bytes",
}
if sysdig.is_print_container_data() then
	spec.keys = {"container.name", "fd.name"}
	spec.keydescs = {"container.name", "Filename"}
end
top.install(spec)
