-- SPDX-License-Identifier: Apache-2.0

description = "Lists the files whose system calls failed most often. With -pc the rows are also split by container."
short_description = "Top files by number of errors"
category = "Errors"
args = {}

local top = require "ferret_top"
local spec = {
	keys = {"fd.name"},
	keydescs = {"Filename"},
	value = "evt.count",
	valuedesc = "#Errors",
	filter = "fd.type=file and evt.failed=true",
	top = 100,
	units = "none",
}
if sysdig.is_print_container_data() then
	spec.keys = {"fd.name", "container.name"}
	spec.keydescs = {"Filename", "container.name"}
end
top.install(spec)
