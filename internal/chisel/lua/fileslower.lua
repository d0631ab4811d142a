-- SPDX-License-Identifier: Apache-2.0

description = "Prints the file I/O calls slower than a threshold (0 prints all of them). Calls on /dev files are skipped. With -pc container columns are added."
short_description = "Trace slow file I/O"
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

require("ferret_slowio").install("evt.is_io=true and fd.type=file", true)
