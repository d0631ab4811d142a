// SPDX-License-Identifier: Apache-2.0

package view

import (
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/ferret-observability/ferret/internal/chisel"
)

// Kind is a view's type.
type Kind string

// View kinds.
const (
	KindTable       Kind = "table"
	KindList        Kind = "list"
	KindSpectrogram Kind = "spectrogram"
)

// Aggregation says how a column merges the values of the events (and, for
// group-by views, of the rows) that share a key.
type Aggregation string

// Aggregations, as view definitions name them.
const (
	AggNone    Aggregation = ""
	AggSum     Aggregation = "SUM"
	AggAvg     Aggregation = "AVG"
	AggTimeAvg Aggregation = "TIME_AVG"
	AggMin     Aggregation = "MIN"
	AggMax     Aggregation = "MAX"
)

// Column is one column of a view definition.
type Column struct {
	Name        string      `json:"name"`
	Field       string      `json:"field"`
	Description string      `json:"description,omitempty"`
	Size        int         `json:"colsize,omitempty"`
	Agg         Aggregation `json:"aggregation,omitempty"`
	GroupAgg    Aggregation `json:"groupby_aggregation,omitempty"`
	IsKey       bool        `json:"is_key,omitempty"`
	IsGroupKey  bool        `json:"is_groupby_key,omitempty"`
	IsSorting   bool        `json:"is_sorting,omitempty"`
	Tags        []string    `json:"tags,omitempty"`
	FilterField string      `json:"filterfield,omitempty"`
	ChildOnly   bool        `json:"filter_in_child_only,omitempty"`
}

// Action is a command a view offers for the selected row (F8).
type Action struct {
	Hotkey      string `json:"hotkey"`
	Command     string `json:"command"`
	Description string `json:"description,omitempty"`
	Confirm     bool   `json:"ask_confirmation,omitempty"`
	WaitFinish  *bool  `json:"wait_finish,omitempty"`
}

// Def is a view definition: what csysdig reads from a v_*.lua view_info
// table.
type Def struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Tips        []string `json:"tips,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	Kind        Kind     `json:"view_type"`
	Filter      string   `json:"filter,omitempty"`
	AppliesTo   []string `json:"applies_to,omitempty"`
	IsRoot      bool     `json:"is_root,omitempty"`
	Drilldown   string   `json:"drilldown_target,omitempty"`
	// DrillKey (ferret's views) is the field a drill-down selects when it
	// is not the key: a column of that field gives the value.
	DrillKey        string   `json:"drilldown_key,omitempty"`
	IncreaseDepth   bool     `json:"drilldown_increase_depth,omitempty"`
	SpectroType     string   `json:"spectro_type,omitempty"`
	PropagateFilter *bool    `json:"propagate_filter,omitempty"`
	UseDefaults     bool     `json:"use_defaults,omitempty"`
	Disabled        bool     `json:"disabled,omitempty"`
	Columns         []Column `json:"columns"`
	Actions         []Action `json:"actions,omitempty"`
	// Source is where the definition came from: a v_*.lua path or
	// "built-in".
	Source string `json:"-"`
}

//go:embed builtin.json ferret.json
var builtinFS embed.FS

// Builtin returns ferret's own view definitions (csysdig 0.29.3's set),
// disabled ones included.
func Builtin() []*Def {
	b, err := builtinFS.ReadFile("builtin.json")
	if err != nil {
		panic(err)
	}
	var defs []*Def
	if err := json.Unmarshal(b, &defs); err != nil {
		panic("view: built-in definitions: " + err.Error())
	}
	for _, d := range defs {
		d.Source = "built-in"
	}
	return defs
}

// FerretViews returns the views ferret offers beyond csysdig's (the
// network file systems per mount and per process).
func FerretViews() []*Def {
	b, err := builtinFS.ReadFile("ferret.json")
	if err != nil {
		panic(err)
	}
	var defs []*Def
	if err := json.Unmarshal(b, &defs); err != nil {
		panic("view: ferret's definitions: " + err.Error())
	}
	for _, d := range defs {
		d.Source = "built-in (ferret)"
	}
	return defs
}

// FromInfo builds a definition from a view_info table read from a script.
func FromInfo(info map[string]any, source string) (*Def, error) {
	b, err := json.Marshal(normalizeInfo(info))
	if err != nil {
		return nil, err
	}
	var d Def
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("%s: invalid view_info: %v", source, err)
	}
	if d.ID == "" {
		return nil, fmt.Errorf("%s: view_info has no id", source)
	}
	if d.Kind == "" {
		d.Kind = KindTable
	}
	d.Source = source
	return &d, nil
}

// normalizeInfo turns numbers where strings are expected (an action hotkey
// "9" written as 9) into strings and empty tables into nil.
func normalizeInfo(info map[string]any) map[string]any {
	if acts, ok := info["actions"].([]any); ok {
		for _, a := range acts {
			if m, ok := a.(map[string]any); ok {
				if f, ok := m["hotkey"].(float64); ok {
					m["hotkey"] = strconv.FormatFloat(f, 'g', -1, 64)
				}
			}
		}
	}
	for k, v := range info {
		if arr, ok := v.([]any); ok && len(arr) == 0 {
			delete(info, k)
		}
	}
	if cols, ok := info["columns"].([]any); ok {
		for _, c := range cols {
			if m, ok := c.(map[string]any); ok {
				for k, v := range m {
					if arr, ok := v.([]any); ok && len(arr) == 0 {
						delete(m, k)
					}
				}
			}
		}
	}
	return info
}

// Load returns the views csysdig would offer: sysdig's installed v_*.lua
// definitions found in the chisel directories (dirs; nil for the default
// search path) where a machine has them, ferret's built-in definitions for
// the others. Scripts that fail to load are reported in errs and skipped.
func Load(dirs []string) (defs []*Def, errs []error) {
	byID := map[string]*Def{}
	var order []string
	for _, d := range append(Builtin(), FerretViews()...) {
		byID[d.ID] = d
		order = append(order, d.ID)
	}
	for _, f := range chisel.ViewFiles(dirs) {
		info, ok, err := chisel.ReadViewInfo(f.Path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !ok {
			continue
		}
		d, err := FromInfo(info, f.Path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, dup := byID[d.ID]; !dup {
			order = append(order, d.ID)
		}
		byID[d.ID] = d
	}
	for _, id := range order {
		defs = append(defs, byID[id])
	}
	return defs, errs
}

// Catalog is the ordered set of views a session offers (csysdig's view
// manager): enabled views, sorted by name, with columns chosen by tag.
type Catalog struct {
	Views []*Def
}

// NewCatalog selects the usable views of defs. containers applies the
// "containers" column tag (csysdig -pc), otherwise "default"; views whose
// first tag is "Containers" are left out, and so are "nocsysdig" views
// unless forJSON.
func NewCatalog(defs []*Def, containers, forJSON bool) *Catalog {
	tag := "default"
	if containers {
		tag = "containers"
	}
	var out []*Def
	for _, d := range defs {
		if d.Disabled {
			continue
		}
		if len(d.Tags) > 0 && d.Tags[0] == "Containers" {
			continue
		}
		if !forJSON && contains(d.Tags, "nocsysdig") {
			continue
		}
		out = append(out, d.WithTag(tag))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return &Catalog{Views: out}
}

// Find returns the view with that id (or name, case-insensitively).
func (c *Catalog) Find(id string) *Def {
	for _, d := range c.Views {
		if d.ID == id {
			return d
		}
	}
	for _, d := range c.Views {
		if strings.EqualFold(d.Name, id) {
			return d
		}
	}
	return nil
}

// Index returns the position of the view with that id, -1 if absent.
func (c *Catalog) Index(id string) int {
	for i, d := range c.Views {
		if d.ID == id {
			return i
		}
	}
	return -1
}

// WithTag returns a copy of d without the columns that carry tags none of
// which is tag (untagged columns stay), keys first: the key, then the
// group-by key.
func (d *Def) WithTag(tag string) *Def {
	c := *d
	c.Columns = nil
	for _, col := range d.Columns {
		if len(col.Tags) > 0 && !contains(col.Tags, tag) {
			continue
		}
		c.Columns = append(c.Columns, col)
	}
	c.Columns = moveFront(c.Columns, func(col Column) bool { return col.IsGroupKey })
	c.Columns = moveFront(c.Columns, func(col Column) bool { return col.IsKey })
	return &c
}

func moveFront(cols []Column, pick func(Column) bool) []Column {
	for i, col := range cols {
		if pick(col) {
			out := append([]Column{col}, cols[:i]...)
			return append(out, cols[i+1:]...)
		}
	}
	return cols
}

// GroupBy reports whether the view merges rows by a group-by key.
func (d *Def) GroupBy() bool {
	for _, c := range d.Columns {
		if c.IsGroupKey {
			return true
		}
	}
	return false
}

// Key returns the column whose value identifies a row for drill-down: the
// group-by key if any, else the key.
func (d *Def) Key() *Column {
	for i := range d.Columns {
		if d.Columns[i].IsGroupKey {
			return &d.Columns[i]
		}
	}
	for i := range d.Columns {
		if d.Columns[i].IsKey {
			return &d.Columns[i]
		}
	}
	return nil
}

// Visible returns the displayed columns in order: every column but the key
// (and, for group-by views, but the original key, the group-by key being
// the row's key).
func (d *Def) Visible() []Column {
	var out []Column
	for _, c := range d.Columns {
		if c.IsKey || c.IsGroupKey {
			continue
		}
		out = append(out, c)
	}
	return out
}

// SortColumn returns the index among Visible() of the initial sorting
// column: the one marked is_sorting, else the second for group-by views
// and the first for the others (as csysdig picks it).
func (d *Def) SortColumn() int {
	for i, c := range d.Visible() {
		if c.IsSorting {
			return i
		}
	}
	if d.GroupBy() {
		return 1
	}
	return 0
}

// FilterAt returns the view's filter with %depth placeholders replaced.
func (d *Def) FilterAt(depth int) string {
	return expandDepth(d.Filter, depth, true)
}

// FieldAt returns a column's field with %depth placeholders replaced and
// blanks removed.
func (c *Column) FieldAt(depth int) string {
	f := strings.NewReplacer(" ", "", "\t", "").Replace(c.Field)
	return expandDepth(f, depth, false)
}

// expandDepth replaces %depth+1, %depth-1 and %depth. In column fields
// csysdig replaces %depth+1 by depth-1 (sic); filters get depth+1.
func expandDepth(s string, depth int, filter bool) string {
	if !strings.Contains(s, "%depth") {
		return s
	}
	plus := depth + 1
	if !filter {
		plus = depth - 1
	}
	r := strings.NewReplacer("%depth + 1", strconv.Itoa(plus), "%depth+1", strconv.Itoa(plus),
		"%depth - 1", strconv.Itoa(depth-1), "%depth-1", strconv.Itoa(depth-1),
		"%depth", strconv.Itoa(depth))
	return r.Replace(s)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// WriteList writes the catalogue as csysdig --list-views does: a JSON
// array of the views' ids, names, descriptions, filters, drill-down
// targets, tags and tips.
func (c *Catalog) WriteList(w io.Writer) error {
	var out []map[string]any
	for _, d := range c.Views {
		v := map[string]any{"id": d.ID, "name": d.Name, "description": d.Description, "isRoot": d.IsRoot,
			"drilldownTarget": d.Drilldown, "filter": d.Filter, "canDrillDown": d.Kind == KindTable}
		if len(d.AppliesTo) > 0 {
			v["appliesTo"] = d.AppliesTo
		}
		if len(d.Tags) > 0 {
			v["tags"] = d.Tags
		}
		if len(d.Tips) > 0 {
			v["tips"] = d.Tips
		}
		out = append(out, v)
	}
	b := marshal(out)
	_, err := w.Write(append(b, '\n'))
	return err
}
