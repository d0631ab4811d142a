-- SPDX-License-Identifier: Apache-2.0

description = "Prints, every second, the bytes read and written on files."
short_description = "Sum of file I/O bytes"
category = "I/O"
args = {}

require("ferret_iobytes").install("evt.is_io=true and fd.type=file")
