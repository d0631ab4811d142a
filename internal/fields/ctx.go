// SPDX-License-Identifier: Apache-2.0

package fields

import (
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/netacct"
	"github.com/ferret-observability/ferret/internal/state"
)

// BufFormat selects how byte buffers are rendered as text (-A, -x, -X, -b).
type BufFormat uint8

// Buffer renderings.
const (
	BufNormal   BufFormat = iota // printable bytes kept, others as '.'
	BufASCII                     // -A: printable text, newlines kept
	BufHex                       // -x: hex dump on following lines
	BufHexASCII                  // -X: hex + ASCII columns
	BufBase64                    // -b: base64
)

// TimeMode is the -t mode of evt.outputtime.
type TimeMode byte

// Time modes.
const (
	TimeHuman    TimeMode = 'h' // 17:35:48.514649386
	TimeAbsolute TimeMode = 'a' // 1534527348.514649386
	TimeRelative TimeMode = 'r' // seconds since the first event
	TimeLatency  TimeMode = 'd' // enter->exit latency
	TimeDelta    TimeMode = 'D' // delta from the previous printed event
)

// DefaultPrintLen is the length buffers are cut to in text output unless -v.
const DefaultPrintLen = 80

// Ctx is what extractors read: the current event, the state tables (already
// updated with the event) and per-run settings the engine fills. One Ctx is
// reused for every event of a run.
type Ctx struct {
	Ev    *event.Event
	State *state.State

	// FirstTS is the timestamp of the first event of the capture (evt.reltime,
	// -t r); PrevTS the timestamp of the previous event (evt.deltatime) and
	// PrevPrintedTS the previous displayed one (-t D).
	FirstTS       uint64
	PrevTS        uint64
	PrevPrintedTS uint64

	// Buffer rendering: Buf selects the text form; JSON reports -j (JSON
	// variants of the same renderings).
	Buf  BufFormat
	JSON bool
	// ResolvePorts names ports by their service in fd.cproto, fd.sproto,
	// fd.lproto and fd.rproto (-R); sysdig shows numbers otherwise.
	ResolvePorts bool
	// PrintLen truncates rendered buffers (80 by default; 0 = no limit,
	// as with -v or when a chisel runs).
	PrintLen int
	// ScreenWidth is the width of the screen a spectrogram is drawn on
	// (evt.latency.quantized); 0 when there is none.
	ScreenWidth int
	// Flow is the flow record of the net.* fields (set by a view for
	// each of its flow records, nil for events).
	Flow *netacct.FlowRate
	// Time is the evt.outputtime mode ('h' when zero).
	Time TimeMode
	// Location for human-readable times; nil means time.Local.
	// (Set through SetTimezone to keep the Ctx comparable.)
	utcOffset int64
	tzSet     bool

	// mount tables of the state, by namespace, rebuilt when they change
	mounts   *mountCache
	scratch  []byte // reusable buffer for extractors
	plainBuf []byte // argText buffers
	resBuf   []byte
}

// NewCtx returns a Ctx with sysdig's defaults (normal buffers, 80-byte print
// length, human time).
func NewCtx(st *state.State) *Ctx {
	return &Ctx{State: st, PrintLen: DefaultPrintLen, Time: TimeHuman}
}

// Cur returns the state's context of the current event.
func (c *Ctx) Cur() *state.Cur { return c.State.Cur() }

// Thread returns the current event's thread (nil if unknown).
func (c *Ctx) Thread() *state.Thread { return c.State.Cur().Thread }

// SetUTCOffset fixes the offset (in seconds) used by human-readable times
// instead of the local time zone (tests use 0).
func (c *Ctx) SetUTCOffset(sec int64) { c.utcOffset, c.tzSet = sec, true }
