-- SPDX-License-Identifier: Apache-2.0

description = "Prints, every second, the bytes sent and received on network sockets."
short_description = "Show total network I/O bytes"
category = "Net"
args = {}

require("ferret_iobytes").install("evt.is_io=true and (fd.type=ipv4 or fd.type=ipv6)")
