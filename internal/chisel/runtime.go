// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"math/big"
	"os"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// newLuaState returns a Lua state with the standard libraries and the
// compatibility patches chisels written for LuaJIT need: C-like
// string.format, the %g pattern class, LuaJIT's pairs order for key 0,
// print/io.write going to out, os.exit flushing out first, and a package
// searcher over the chisel directories and the embedded scripts.
func newLuaState(out *bufio.Writer, finder *finder) *lua.LState {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	for _, lib := range []struct {
		name string
		fn   lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.IoLibName, lua.OpenIo},
		{lua.OsLibName, lua.OpenOs},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
		{lua.DebugLibName, lua.OpenDebug},
	} {
		L.Push(L.NewFunction(lib.fn))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	patchStdlib(L, out)
	installSearcher(L, finder)
	return L
}

func patchStdlib(L *lua.LState, out *bufio.Writer) {
	L.SetGlobal("print", L.NewFunction(func(L *lua.LState) int {
		n := L.GetTop()
		for i := 1; i <= n; i++ {
			if i > 1 {
				out.WriteByte('\t')
			}
			out.WriteString(tostring(L, L.Get(i)))
		}
		out.WriteByte('\n')
		return 0
	}))
	L.SetGlobal("tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(tostring(L, L.CheckAny(1))))
		return 1
	}))
	next := L.NewFunction(luaNext)
	L.SetGlobal("next", next)
	L.SetGlobal("pairs", L.NewFunction(func(L *lua.LState) int {
		t := L.CheckAny(1)
		if mt, ok := L.GetMetaField(t, "__pairs").(*lua.LFunction); ok {
			L.Push(mt)
			L.Push(t)
			L.Call(1, 3)
			return 3
		}
		L.CheckTable(1)
		L.Push(next)
		L.Push(t)
		L.Push(lua.LNil)
		return 3
	}))

	io := L.GetGlobal("io").(*lua.LTable)
	write := func(L *lua.LState, first int) {
		for i := first; i <= L.GetTop(); i++ {
			switch v := L.Get(i).(type) {
			case lua.LString:
				out.WriteString(string(v))
			case lua.LNumber:
				out.WriteString(numberString(float64(v)))
			default:
				L.ArgError(i, "string expected")
			}
		}
	}
	io.RawSetString("write", L.NewFunction(func(L *lua.LState) int {
		write(L, 1)
		return 0
	}))
	io.RawSetString("flush", L.NewFunction(func(L *lua.LState) int {
		out.Flush()
		return 0
	}))
	// io.stdout:write(...) and io.stdout:flush() go to the same writer.
	stdout := L.NewTable()
	stdout.RawSetString("write", L.NewFunction(func(L *lua.LState) int {
		write(L, 2)
		L.Push(L.Get(1))
		return 1
	}))
	stdout.RawSetString("flush", L.NewFunction(func(L *lua.LState) int {
		out.Flush()
		return 0
	}))
	stdout.RawSetString("close", L.NewFunction(func(L *lua.LState) int { return 0 }))
	stdout.RawSetString("setvbuf", L.NewFunction(func(L *lua.LState) int { return 0 }))
	io.RawSetString("stdout", stdout)

	osT := L.GetGlobal("os").(*lua.LTable)
	osT.RawSetString("exit", L.NewFunction(func(L *lua.LState) int {
		out.Flush()
		code := 0
		switch v := L.Get(1).(type) {
		case lua.LNumber:
			code = int(v)
		case lua.LBool:
			if !v {
				code = 1
			}
		}
		os.Exit(code)
		return 0
	}))

	str := L.GetGlobal("string").(*lua.LTable)
	str.RawSetString("format", L.NewFunction(strFormat))
	for _, name := range []string{"find", "match", "gmatch", "gsub"} {
		orig := str.RawGetString(name).(*lua.LFunction)
		// Keep the original's upvalues: gmatch finds its iterator there.
		ups := make([]lua.LValue, len(orig.Upvalues))
		for i, u := range orig.Upvalues {
			ups[i] = u.Value()
		}
		str.RawSetString(name, L.NewClosure(patternCompat(orig), ups...))
	}
	// Strings share the string table as their metatable's __index, which
	// was captured when the library opened; point it at the patched one.
	if mt, ok := L.GetMetatable(lua.LString("")).(*lua.LTable); ok {
		mt.RawSetString("__index", str)
	}

	m := L.GetGlobal("math").(*lua.LTable)
	if m.RawGetString("log10") == lua.LNil {
		m.RawSetString("log10", L.NewFunction(func(L *lua.LState) int {
			L.Push(lua.LNumber(math.Log10(float64(L.CheckNumber(1)))))
			return 1
		}))
	}
}

// luaNext is next() with LuaJIT's order for key 0: LuaJIT keeps t[0] in
// the array part and visits it first, gopher-lua keeps it in the hash part.
// fd tables are keyed from 0 and chisels print them in pairs() order.
func luaNext(L *lua.LState) int {
	tb := L.CheckTable(1)
	key := L.Get(2)
	zero := lua.LNumber(0)
	var k, v lua.LValue
	switch {
	case key == lua.LNil:
		if z := tb.RawGetH(zero); z != lua.LNil {
			k, v = zero, z
		} else {
			k, v = tb.Next(lua.LNil)
		}
	case key == zero:
		k, v = tb.Next(lua.LNil)
		if k == zero {
			k, v = tb.Next(zero)
		}
	default:
		k, v = tb.Next(key)
		if k == zero {
			k, v = tb.Next(zero)
		}
	}
	if k == lua.LNil {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(k)
	L.Push(v)
	return 2
}

// tostring renders v as Lua's tostring does (numbers as "%.14g").
func tostring(L *lua.LState, v lua.LValue) string {
	switch x := v.(type) {
	case lua.LString:
		return string(x)
	case lua.LNumber:
		return numberString(float64(x))
	case lua.LBool:
		if x {
			return "true"
		}
		return "false"
	case *lua.LNilType:
		return "nil"
	}
	if mt, ok := L.GetMetaField(v, "__tostring").(*lua.LFunction); ok {
		L.Push(mt)
		L.Push(v)
		L.Call(1, 1)
		r := L.Get(-1)
		L.Pop(1)
		return lua.LVAsString(r)
	}
	return v.String()
}

// numberString formats a Lua number like LUA_NUMBER_FMT ("%.14g").
func numberString(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	return cfmtG(f, 14, "")
}

// cfmtG renders f like C's %.<prec>g with the given flags.
func cfmtG(f float64, prec int, flags string) string {
	if prec == 0 {
		prec = 1
	}
	if f == 0 {
		if strings.Contains(flags, "#") {
			return "0." + strings.Repeat("0", prec-1)
		}
		return "0"
	}
	exp := int(math.Floor(math.Log10(math.Abs(f))))
	// Rounding may bump the exponent (9.99 -> 10).
	e := strconv.FormatFloat(f, 'e', prec-1, 64)
	if i := strings.IndexByte(e, 'e'); i >= 0 {
		exp, _ = strconv.Atoi(e[i+1:])
	}
	var s string
	if exp < -4 || exp >= prec {
		s = strconv.FormatFloat(f, 'e', prec-1, 64)
		mant, ex, _ := strings.Cut(s, "e")
		if !strings.Contains(flags, "#") {
			mant = trimZeros(mant)
		}
		sign := ex[0]
		digits := ex[1:]
		if len(digits) < 2 {
			digits = "0" + digits
		}
		s = mant + "e" + string(sign) + digits
	} else {
		s = strconv.FormatFloat(f, 'f', prec-1-exp, 64)
		if !strings.Contains(flags, "#") {
			s = trimZeros(s)
		}
	}
	return s
}

func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// strFormat is string.format with C printf semantics (gopher-lua's own
// passes the format to Go's fmt, which differs for %u, %g, %5.1f of
// integers and more).
// awayFromZeroTie returns n moved by one unit in the last place away from
// zero when n lies exactly halfway between two numbers of prec decimals,
// so that %f rounds that tie away from zero as sysdig's Lua runtime does
// (Go, like glibc, rounds exact ties to even: 10.625 -> "10.62", not
// "10.63"). Other values are returned unchanged.
func awayFromZeroTie(n float64, prec int) float64 {
	if n == 0 || math.IsInf(n, 0) || math.IsNaN(n) || prec > 30 {
		return n
	}
	// A tie has exactly prec+1 decimals ending in 5, so its shortest
	// representation does too; only then is the exact check needed.
	short := strconv.FormatFloat(n, 'f', -1, 64)
	dot := strings.IndexByte(short, '.')
	if dot < 0 || len(short)-dot-1 != prec+1 || short[len(short)-1] != '5' {
		return n
	}
	x := new(big.Float).SetPrec(4096).SetFloat64(math.Abs(n))
	x.Mul(x, new(big.Float).SetPrec(4096).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(prec)), nil)))
	i, _ := x.Int(nil)
	frac := x.Sub(x, new(big.Float).SetPrec(4096).SetInt(i))
	if frac.Cmp(big.NewFloat(0.5)) != 0 {
		return n
	}
	return math.Nextafter(n, math.Copysign(math.Inf(1), n))
}

func strFormat(L *lua.LState) int {
	f := L.CheckString(1)
	var b strings.Builder
	arg := 2
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(f) {
			L.RaiseError("invalid option '%%' to 'format'")
		}
		if f[i] == '%' {
			b.WriteByte('%')
			continue
		}
		start := i
		for i < len(f) && strings.IndexByte("-+ #0", f[i]) >= 0 {
			i++
		}
		flags := f[start:i]
		ws := i
		for i < len(f) && f[i] >= '0' && f[i] <= '9' {
			i++
		}
		width := f[ws:i]
		prec := -1
		if i < len(f) && f[i] == '.' {
			i++
			ps := i
			for i < len(f) && f[i] >= '0' && f[i] <= '9' {
				i++
			}
			prec, _ = strconv.Atoi(f[ps:i])
		}
		if i >= len(f) {
			L.RaiseError("invalid option to 'format'")
		}
		conv := f[i]
		spec := "%" + flags + width
		if prec >= 0 {
			spec += "." + strconv.Itoa(prec)
		}
		switch conv {
		case 'd', 'i':
			n := L.CheckNumber(arg)
			b.WriteString(fmt.Sprintf(spec+"d", int64(n)))
		case 'u':
			n := L.CheckNumber(arg)
			if n < 0 {
				b.WriteString(fmt.Sprintf(spec+"d", uint64(int64(n))))
			} else {
				b.WriteString(fmt.Sprintf(spec+"d", uint64(n)))
			}
		case 'x', 'X', 'o':
			n := L.CheckNumber(arg)
			b.WriteString(fmt.Sprintf(spec+string(conv), uint64(int64(n))))
		case 'c':
			n := L.CheckNumber(arg)
			b.WriteString(fmt.Sprintf("%"+flags+width+"c", rune(byte(int64(n)))))
		case 'e', 'E', 'f', 'F':
			n := float64(L.CheckNumber(arg))
			if prec < 0 {
				spec += ".6"
			}
			cv := conv
			if cv == 'F' {
				cv = 'f'
			}
			if cv == 'f' {
				p := prec
				if p < 0 {
					p = 6
				}
				n = awayFromZeroTie(n, p)
			}
			b.WriteString(fmt.Sprintf(spec+string(cv), n))
		case 'g', 'G':
			n := float64(L.CheckNumber(arg))
			if prec < 0 {
				prec = 6
			}
			s := cfmtG(n, prec, flags)
			if conv == 'G' {
				s = strings.ToUpper(s)
			}
			if strings.Contains(flags, "+") && n >= 0 {
				s = "+" + s
			} else if strings.Contains(flags, " ") && n >= 0 {
				s = " " + s
			}
			b.WriteString(pad(s, width, flags))
		case 'a', 'A':
			n := float64(L.CheckNumber(arg))
			b.WriteString(strconv.FormatFloat(n, 'x', prec, 64))
		case 's':
			s := tostring(L, L.CheckAny(arg))
			if prec >= 0 && prec < len(s) {
				s = s[:prec]
			}
			b.WriteString(pad(s, width, flags))
		case 'q':
			b.WriteString(quoteLua(L.CheckString(arg)))
		default:
			L.RaiseError("invalid option '%%%c' to 'format'", conv)
		}
		arg++
	}
	L.Push(lua.LString(b.String()))
	return 1
}

func pad(s, width, flags string) string {
	w, _ := strconv.Atoi(width)
	if len(s) >= w {
		return s
	}
	if strings.Contains(flags, "-") {
		return s + strings.Repeat(" ", w-len(s))
	}
	return strings.Repeat(" ", w-len(s)) + s
}

func quoteLua(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\', '\n':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\r':
			b.WriteString(`\r`)
		case 0:
			b.WriteString(`\000`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// patternCompat wraps a string library function so that its pattern
// argument (argument 2) may use %g (printable characters except space),
// which LuaJIT accepts and gopher-lua does not.
func patternCompat(orig *lua.LFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		if p, ok := L.Get(2).(lua.LString); ok && strings.Contains(string(p), "%g") {
			L.Replace(2, lua.LString(rewriteG(string(p))))
		}
		return orig.GFunction(L)
	}
}

// rewriteG replaces the %g class with an explicit set.
func rewriteG(p string) string {
	var b strings.Builder
	inSet := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '%' && i+1 < len(p):
			if p[i+1] == 'g' {
				if inSet {
					b.WriteString("!-~")
				} else {
					b.WriteString("[!-~]")
				}
			} else {
				b.WriteByte(c)
				b.WriteByte(p[i+1])
			}
			i++
		case c == '[' && !inSet:
			inSet = true
			b.WriteByte(c)
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				b.WriteByte(']')
				i++
			}
		case c == ']' && inSet:
			inSet = false
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// installSearcher adds a package loader that resolves require(NAME) to
// NAME.lua in the chisel directories, then among the embedded scripts.
func installSearcher(L *lua.LState, finder *finder) {
	pk, ok := L.GetGlobal("package").(*lua.LTable)
	if !ok {
		return
	}
	loaders, ok := pk.RawGetString("loaders").(*lua.LTable)
	if !ok {
		return
	}
	search := L.NewFunction(func(L *lua.LState) int {
		name := L.CheckString(1)
		src, chunk, _, err := finder.read(name)
		if err != nil {
			L.Push(lua.LString(fmt.Sprintf("\n\tno chisel library '%s'", name)))
			return 1
		}
		fn, err := L.Load(strings.NewReader(string(src)), chunk)
		if err != nil {
			L.RaiseError("error loading module '%s': %s", name, err.Error())
		}
		L.Push(fn)
		return 1
	})
	// Put ours right after the preload searcher so chisel libraries win
	// over files reachable through package.path.
	n := loaders.Len()
	items := make([]lua.LValue, 0, n+1)
	for i := 1; i <= n; i++ {
		items = append(items, loaders.RawGetInt(i))
		if i == 1 {
			items = append(items, search)
		}
	}
	for i, v := range items {
		loaders.RawSetInt(i+1, v)
	}
	pk.RawSetString("path", lua.LString(""))
	pk.RawSetString("cpath", lua.LString(""))
}

// luaErrorText extracts the message of a Lua error without the Go stack.
func luaErrorText(err error) string {
	var ae *lua.ApiError
	if errors.As(err, &ae) {
		if ae.Object != nil {
			return ae.Object.String()
		}
	}
	s := err.Error()
	if i := strings.Index(s, "\nstack traceback:"); i >= 0 {
		s = s[:i]
	}
	return s
}
