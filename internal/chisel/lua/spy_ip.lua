-- SPDX-License-Identifier: Apache-2.0

description = "Prints the data exchanged with a given IP address, marking each change of direction with a header. You can combine it with -x, -X or -A to change how the data is shown."
short_description = "Show the data exchanged with the given IP address"
category = "Net"
args = {
	{
		name = "host_ip",
		description = "The remote host IP address",
		argtype = "ipv4"
	},
	{
		name = "disable_color",
		description = "Set to 'disable_colors' to print without colours",
		argtype = "string",
		optional = true
	},
}

require("ferret_spy").install("host_ip", function(v) return v end, "fd.ip")
