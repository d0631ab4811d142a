// SPDX-License-Identifier: Apache-2.0

package fields

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// FieldFlags describe how a field may be used.
type FieldFlags uint16

// Field flags.
const (
	// FlagFilterOnly fields are listed as filter-only (evt.around, fd.ip).
	FlagFilterOnly FieldFlags = 1 << iota
	// FlagArgRequired fields need an argument (evt.arg, evt.type.is).
	FlagArgRequired
	// FlagArgIndex fields accept a numeric argument in brackets:
	// proc.aname[2], evt.arg[0].
	FlagArgIndex
	// FlagArgKey fields accept a key argument in brackets or after a dot:
	// evt.arg.name, thread.cgroup.cpuacct, evt.around[T].
	FlagArgKey
	// FlagHidden fields are not listed by -l (internal helpers).
	FlagHidden
	// FlagNoFormat fields are refused in output formats (fd.ip, fd.port:
	// they match either end of a connection, so they have no one value).
	FlagNoFormat
	// FlagNoValue fields are registered for compatibility but never have a
	// value (k8s, mesos, span).
	FlagNoValue
	// FlagStateful fields remember what they saw on the events they were
	// evaluated on (each compiled occurrence its own): skipping an
	// evaluation changes later values (container.type, thread.exectime).
	FlagStateful
)

// NewFunc compiles one field with its argument (arg is "" when none was
// given; for "[N]" and ".name" forms it is the text inside the brackets or
// after the dot).
type NewFunc func(name, arg string) (Extractor, error)

// Field is the metadata of one field.
type Field struct {
	Name  string
	Kind  Kind
	Type  string // sysdig's type name as -lv prints it: UINT64, CHARBUF, ...
	Desc  string
	Flags FieldFlags
	New   NewFunc
}

// Class is a group of fields as -l lists them.
type Class struct {
	Name      string // "evt", "process", "fd", ...
	Qualifier string // shown in parentheses after the name: "All event types"
	Desc      string
	Fields    []Field
	// Order places the class in listings (ascending); 0 lists it after
	// the built-in classes, in registration order.
	Order int
}

// Registry holds field classes. The package-level Default registry holds
// every built-in class.
type Registry struct {
	mu      sync.RWMutex
	classes []*Class
	byName  map[string]*Field
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{byName: make(map[string]*Field)} }

// Default is the registry of built-in fields.
var Default = NewRegistry()

// Register adds a class to the Default registry (call it from init).
func Register(c *Class) { Default.Register(c) }

// Register adds c. A field name registered twice keeps the first
// registration for lookups.
func (r *Registry) Register(c *Class) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.classes = append(r.classes, c)
	for i := range c.Fields {
		f := &c.Fields[i]
		if _, dup := r.byName[f.Name]; !dup {
			r.byName[f.Name] = f
		}
	}
}

// Classes returns the registered classes in registration order.
func (r *Registry) Classes() []*Class {
	r.mu.RLock()
	out := append([]*Class(nil), r.classes...)
	r.mu.RUnlock()
	key := func(c *Class) int {
		if c.Order > 0 {
			return c.Order
		}
		return 1 << 20
	}
	sort.SliceStable(out, func(i, j int) bool { return key(out[i]) < key(out[j]) })
	return out
}

// Field returns the metadata of the field called name (without argument).
func (r *Registry) Field(name string) (*Field, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	f, ok := r.byName[name]
	return f, ok
}

func isIdent(b byte) bool {
	return b == '_' || b == '-' || (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')
}

// Lookup matches the longest field token at the start of s, as sysdig's
// formatter does: "evt.numx" gives evt.num (consumed 7), "evt.arg.name|x"
// gives evt.arg with arg "name", "proc.aname[2]" gives proc.aname with arg
// "2". consumed is the number of bytes of s the token covers, argument
// included. ok is false when no field name prefixes s.
func (r *Registry) Lookup(s string) (name, arg string, consumed int, ok bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var best *Field
	for _, c := range r.classes {
		for i := range c.Fields {
			f := &c.Fields[i]
			if strings.HasPrefix(s, f.Name) && (best == nil || len(f.Name) > len(best.Name)) {
				best = f
			}
		}
	}
	if best == nil {
		return "", "", 0, false
	}
	n := len(best.Name)
	if best.Flags&(FlagArgIndex|FlagArgKey) != 0 && n < len(s) {
		switch s[n] {
		case '[':
			if end := strings.IndexByte(s[n:], ']'); end > 0 {
				return best.Name, s[n+1 : n+end], n + end + 1, true
			}
		case '.':
			if best.Flags&FlagArgKey != 0 {
				j := n + 1
				for j < len(s) && (isIdent(s[j]) || s[j] == '.') {
					j++
				}
				// A trailing '.' belongs to the literal text.
				for j > n+1 && s[j-1] == '.' {
					j--
				}
				if j > n+1 {
					return best.Name, s[n+1 : j], j, true
				}
			}
		}
	}
	return best.Name, "", n, true
}

// Compile returns the extractor of field name with argument arg.
func (r *Registry) Compile(name, arg string) (Extractor, error) {
	f, ok := r.Field(name)
	if !ok {
		return nil, fmt.Errorf("invalid field name %s", name)
	}
	if arg == "" && f.Flags&FlagArgRequired != 0 {
		return nil, fmt.Errorf("filter syntax error: %s requires an argument", name)
	}
	if f.New == nil {
		return noValue{}, nil
	}
	return f.New(name, arg)
}

// Lookup is Default.Lookup.
func Lookup(s string) (name, arg string, consumed int, ok bool) { return Default.Lookup(s) }

// Compile is Default.Compile.
func Compile(name, arg string) (Extractor, error) { return Default.Compile(name, arg) }

// CompileToken looks up a whole token (e.g. "proc.aname[2]") and compiles
// it; the token must be consumed entirely.
func CompileToken(tok string) (Extractor, error) {
	name, arg, n, ok := Default.Lookup(tok)
	if !ok || n != len(tok) {
		return nil, fmt.Errorf("invalid field name %s", tok)
	}
	return Default.Compile(name, arg)
}

// None is an extractor that never has a value.
var None Extractor = noValue{}

type noValue struct{}

func (noValue) Extract(*Ctx, *Value) bool { return false }
