-- SPDX-License-Identifier: Apache-2.0

description = "Prints, every second, the bytes read and written on any kind of fd."
short_description = "Sum of I/O bytes on any type of FD"
category = "I/O"
args = {}

require("ferret_iobytes").install("evt.is_io=true")
