// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"strings"
)

type specParam struct {
	Name  string          `json:"name"`
	Type  int             `json:"type"`
	Fmt   int             `json:"fmt"`
	Flags [][]any         `json:"flags"`
	Dyn   []specParam     `json:"dyn"`
	DirFD *int            `json:"dirfd"`
	_     json.RawMessage `json:"-"`
}

type specEvent struct {
	ID     int         `json:"id"`
	Name   string      `json:"name"`
	Cat    int         `json:"cat"`
	Flags  int         `json:"flags"`
	Params []specParam `json:"params"`
}

type spec struct {
	Events   []specEvent `json:"events"`
	Syscalls [][]int     `json:"syscalls"`
	PPMSC    []string    `json:"ppm_sc"`
	SCCat    []int       `json:"sc_cat"` // category of each portable syscall code
	Native   [][]any     `json:"native"`
}

func main() {
	in := flag.String("spec", "internal/event/spec/events.json", "event specification")
	goOut := flag.String("go", "internal/event/table_gen.go", "Go table output")
	cOut := flag.String("c", "bpf/include/events_gen.h", "C header output")
	flag.Parse()
	raw, err := os.ReadFile(*in)
	if err != nil {
		log.Fatal(err)
	}
	var s spec
	if err := json.Unmarshal(raw, &s); err != nil {
		log.Fatalf("parsing %s: %v", *in, err)
	}
	if len(s.SCCat) != len(s.PPMSC) {
		log.Fatalf("%s: %d syscall categories for %d syscall codes", *in, len(s.SCCat), len(s.PPMSC))
	}
	// The specification is kept one event (and one syscall route) per line
	// so that a change reads as a diff of the events it touches.
	canon, err := canonicalSpec(raw)
	if err != nil {
		log.Fatalf("%s: %v", *in, err)
	}
	if !bytes.Equal(canon, raw) {
		if err := os.WriteFile(*in, canon, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	if err := os.WriteFile(*goOut, genGo(&s), 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*cOut, genC(&s), 0o644); err != nil {
		log.Fatal(err)
	}
}

// canonicalSpec renders the specification with one array element per line
// for its event and syscall lists, each element compact.
func canonicalSpec(raw []byte) ([]byte, error) {
	var top struct {
		Events   []json.RawMessage `json:"events"`
		Syscalls []json.RawMessage `json:"syscalls"`
		PPMSC    json.RawMessage   `json:"ppm_sc"`
		SCCat    json.RawMessage   `json:"sc_cat"`
		Native   []json.RawMessage `json:"native"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&top); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	list := func(key string, items []json.RawMessage, last bool) error {
		fmt.Fprintf(&b, "%q: [\n", key)
		for i, it := range items {
			if err := json.Compact(&b, it); err != nil {
				return err
			}
			if i < len(items)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString("]")
		if !last {
			b.WriteString(",")
		}
		b.WriteString("\n")
		return nil
	}
	b.WriteString("{\n")
	if err := list("events", top.Events, false); err != nil {
		return nil, err
	}
	if err := list("syscalls", top.Syscalls, false); err != nil {
		return nil, err
	}
	b.WriteString(`"ppm_sc": `)
	if err := json.Compact(&b, top.PPMSC); err != nil {
		return nil, err
	}
	b.WriteString(",\n")
	b.WriteString(`"sc_cat": `)
	if err := json.Compact(&b, top.SCCat); err != nil {
		return nil, err
	}
	b.WriteString(",\n")
	if err := list("native", top.Native, true); err != nil {
		return nil, err
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// goName is the Go constant of an event: "Ev", the name in camel case, the
// direction; later layouts of the same name get their id appended.
func goName(e specEvent, seen map[string]int) string {
	var b strings.Builder
	b.WriteString("Ev")
	up := true
	for _, r := range e.Name {
		switch {
		case r == '_' || r == '-':
			up = true
			continue
		case up:
			b.WriteString(strings.ToUpper(string(r)))
		default:
			b.WriteRune(r)
		}
		up = false
	}
	if e.ID%2 == 0 {
		b.WriteString("E")
	} else {
		b.WriteString("X")
	}
	n := b.String()
	seen[n]++
	if seen[n] > 1 {
		n = fmt.Sprintf("%s%d", n, e.ID)
	}
	return n
}

// flagTables deduplicates flag name tables so that each is emitted once.
type flagTables struct {
	keys  map[string]string
	order []string
	body  map[string]string
}

func (ft *flagTables) name(flags [][]any) string {
	var b strings.Builder
	for _, f := range flags {
		fmt.Fprintf(&b, "{%q, 0x%x},", f[0].(string), uint32(f[1].(float64)))
	}
	k := b.String()
	if n, ok := ft.keys[k]; ok {
		return n
	}
	n := fmt.Sprintf("flagTable%d", len(ft.order))
	ft.keys[k] = n
	ft.body[n] = k
	ft.order = append(ft.order, n)
	return n
}

func paramLit(p specParam, ft *flagTables) string {
	var b strings.Builder
	fmt.Fprintf(&b, "{Name: %q, Type: %d, Fmt: %d", p.Name, p.Type, p.Fmt)
	if len(p.Flags) > 0 {
		fmt.Fprintf(&b, ", Flags: %s", ft.name(p.Flags))
	}
	if len(p.Dyn) > 0 {
		b.WriteString(", Dyn: []ParamInfo{")
		for _, d := range p.Dyn {
			b.WriteString(paramLit(d, ft) + ",")
		}
		b.WriteString("}")
	}
	if p.DirFD != nil {
		fmt.Fprintf(&b, ", DirFD: %d", *p.DirFD)
	} else {
		b.WriteString(", DirFD: -1")
	}
	b.WriteString("}")
	return b.String()
}

func genGo(s *spec) []byte {
	ft := &flagTables{keys: map[string]string{}, body: map[string]string{}}
	var ev bytes.Buffer
	for _, e := range s.Events {
		fmt.Fprintf(&ev, "\t%d: {Name: %q, Category: %d, Flags: 0x%x, Params: []ParamInfo{", e.ID, e.Name, e.Cat, e.Flags)
		for _, p := range e.Params {
			ev.WriteString(paramLit(p, ft) + ",")
		}
		ev.WriteString("}},\n")
	}
	var b bytes.Buffer
	b.WriteString("// Code generated by tools/genevents from spec/events.json. DO NOT EDIT.\n\npackage event\n\n")
	fmt.Fprintf(&b, "// MaxType is one past the highest event type known to this table.\nconst MaxType = %d\n\n", len(s.Events))
	b.WriteString("// Event types, named as in the C header (FE_OPEN_E is EvOpenE); later\n// layouts of a name carry their id (EvProcexitE186).\nconst (\n")
	seen := map[string]int{}
	for _, e := range s.Events {
		fmt.Fprintf(&b, "\t%s Type = %d\n", goName(e, seen), e.ID)
	}
	b.WriteString(")\n\n")
	b.WriteString("var table = [MaxType]Info{\n")
	b.Write(ev.Bytes())
	b.WriteString("}\n\n")
	for _, n := range ft.order {
		fmt.Fprintf(&b, "var %s = []FlagName{%s}\n", n, ft.body[n])
	}
	b.WriteString("\n// scNames are the names of the portable syscall codes carried by generic events.\nvar scNames = [...]string{\n")
	for _, n := range s.PPMSC {
		fmt.Fprintf(&b, "\t%q,\n", n)
	}
	b.WriteString("}\n\n// scCats are the categories of the portable syscall codes, as a generic event of each shows them.\nvar scCats = [...]Category{")
	for i, c := range s.SCCat {
		if i%16 == 0 {
			b.WriteString("\n\t")
		}
		fmt.Fprintf(&b, "%d, ", c)
	}
	b.WriteString("\n}\n\n// syscallRoutes maps native x86-64 syscall numbers to event pairs and portable codes.\nvar syscallRoutes = [...]SyscallRoute{\n")
	for _, r := range s.Syscalls {
		fmt.Fprintf(&b, "\t{Nr: %d, Flags: %d, Enter: %d, Exit: %d, Code: %d},\n", r[0], r[1], r[2], r[3], r[4])
	}
	b.WriteString("}\n\n// nativeNames maps native x86-64 syscall numbers to their kernel names.\nvar nativeNames = map[int]string{\n")
	for _, n := range s.Native {
		fmt.Fprintf(&b, "\t%d: %q,\n", int(n[0].(float64)), n[1].(string))
	}
	b.WriteString("}\n")
	out, err := format.Source(b.Bytes())
	if err != nil {
		log.Fatalf("formatting generated Go: %v", err)
	}
	return out
}

func genC(s *spec) []byte {
	var b bytes.Buffer
	b.WriteString("/* Code generated by tools/genevents from internal/event/spec/events.json. DO NOT EDIT. */\n")
	b.WriteString("#ifndef FERRET_EVENTS_GEN_H\n#define FERRET_EVENTS_GEN_H\n\n")
	fmt.Fprintf(&b, "#define FE_EVENT_MAX %d\n\n", len(s.Events))
	seen := map[string]int{}
	for _, e := range s.Events {
		dir := "E"
		if e.ID%2 == 1 {
			dir = "X"
		}
		n := strings.ToUpper(e.Name) + "_" + dir
		seen[n]++
		if seen[n] > 1 {
			n = fmt.Sprintf("%s_%d", n, e.ID) // older layouts of the same syscall
		}
		fmt.Fprintf(&b, "#define FE_%s %d /* %d params */\n", n, e.ID, len(e.Params))
	}
	b.WriteString("\n/* native syscall number -> enter event, exit event, portable code (0 = generic) */\n")
	b.WriteString("#define FE_SYSCALL_TABLE_SIZE 512\n")
	b.WriteString("#define FE_UF_USED 1\n#define FE_UF_NEVER_DROP 2\n#define FE_UF_ALWAYS_DROP 4\n\n")
	b.WriteString("#define FE_SYSCALL_ROUTES \\\n")
	for _, r := range s.Syscalls {
		fmt.Fprintf(&b, "\tFE_ROUTE(%d, %d, %d, %d, %d) \\\n", r[0], r[1], r[2], r[3], r[4])
	}
	b.WriteString("\n\n#endif\n")
	return b.Bytes()
}
