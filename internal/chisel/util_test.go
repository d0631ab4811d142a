// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

func fmtInt(i int) string { return strconv.Itoa(i) }

func luaString(s string) lua.LValue  { return lua.LString(s) }
func luaNumber(n float64) lua.LValue { return lua.LNumber(n) }
