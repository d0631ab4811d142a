-- SPDX-License-Identifier: Apache-2.0

description = "Prints the data exchanged on network connections using a given port, marking each change of direction with a header. You can combine it with -x, -X or -A to change how the data is shown."
short_description = "Show the data exchanged using the given IP port number"
category = "Net"
args = {
	{
		name = "host_port",
		description = "The port number",
		argtype = "int"
	},
	{
		name = "disable_color",
		description = "Set to 'disable_colors' to print without colours",
		argtype = "string",
		optional = true
	},
}

local common = require "ferret_common"
require("ferret_spy").install("host_port", common.number, "fd.port")
