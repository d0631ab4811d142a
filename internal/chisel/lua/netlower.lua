-- SPDX-License-Identifier: Apache-2.0

description = "Prints the network I/O calls slower than a threshold (0 prints all of them). With -pc container columns are added."
short_description = "Trace slow network I/0"
category = "Performance"
args = {
	{
		name = "min_ms",
		description = "Minimum latency in milliseconds for a call to be shown",
		argtype = "int"
	},
	{
		name = "disable_color",
		description = "Set to 'disable_colors' to print without colours",
		argtype = "string",
		optional = true
	},
}

require("ferret_slowio").install("evt.is_io=true and (fd.type=ipv4 or fd.type=ipv6)", false)
