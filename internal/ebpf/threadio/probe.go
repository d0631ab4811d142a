// SPDX-License-Identifier: Apache-2.0

package threadio

import (
	"errors"
	"fmt"
	"os"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/ferret-observability/ferret/internal/event"
)

// Counts are one thread's I/O totals since its first counted call: bytes
// (return values) of reads (In), writes (Out) and all counted calls (All,
// which also has the calls that neither read nor write, as fcntl or dup),
// on files, on IPv4/IPv6 sockets (Net) and on any descriptor (Any).
type Counts struct {
	FileIn, FileOut, File uint64
	NetIn, NetOut, Net    uint64
	AnyIn, AnyOut, Any    uint64
}

// Sub returns c - o, field by field.
func (c Counts) Sub(o Counts) Counts {
	return Counts{
		FileIn: c.FileIn - o.FileIn, FileOut: c.FileOut - o.FileOut, File: c.File - o.File,
		NetIn: c.NetIn - o.NetIn, NetOut: c.NetOut - o.NetOut, Net: c.Net - o.Net,
		AnyIn: c.AnyIn - o.AnyIn, AnyOut: c.AnyOut - o.AnyOut, Any: c.Any - o.Any,
	}
}

// IsZero reports whether nothing was counted.
func (c Counts) IsZero() bool { return c == Counts{} }

// io_calls bits, as in bpf/threadio/threadio.bpf.c.
const (
	ioCounted = 1
	ioReads   = 2
	ioWrites  = 4
	nrCalls   = 512
)

// Calls returns the IO_* bits of each native system call number: the calls
// whose exit event is of an I/O category and names a descriptor (what
// evt.buflen sums), with their direction.
func Calls() [nrCalls]uint8 {
	var out [nrCalls]uint8
	for _, r := range event.Routes() {
		if r.Nr < 0 || r.Nr >= nrCalls {
			continue
		}
		info := r.Exit.Info()
		if info == nil || info.Category&event.CatIORead == 0 || info.Flags&event.FlagUsesFD == 0 {
			continue
		}
		b := uint8(ioCounted)
		if info.Flags&event.FlagReadsFromFD != 0 {
			b |= ioReads
		}
		if info.Flags&event.FlagWritesToFD != 0 {
			b |= ioWrites
		}
		out[r.Nr] = b
	}
	return out
}

// Probe is the loaded and attached counting program.
type Probe struct {
	objs ThreadioObjects
	link link.Link
	keys []uint32
	vals []ThreadioIoCounts
}

// Open loads the program and attaches it to the system call exit
// tracepoint. Calls of the process itself are not counted. It needs
// CAP_BPF and CAP_PERFMON (or root).
func Open() (*Probe, error) {
	spec, err := LoadThreadio()
	if err != nil {
		return nil, fmt.Errorf("thread I/O counters: load spec: %w", err)
	}
	if err := spec.Variables["self_tgid"].Set(uint32(os.Getpid())); err != nil {
		return nil, fmt.Errorf("thread I/O counters: %w", err)
	}
	if err := spec.Variables["io_calls"].Set(Calls()); err != nil {
		return nil, fmt.Errorf("thread I/O counters: %w", err)
	}
	p := &Probe{}
	if err := spec.LoadAndAssign(&p.objs, nil); err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			return nil, fmt.Errorf("thread I/O counters: load program: %+v", ve)
		}
		return nil, fmt.Errorf("thread I/O counters: load program: %w", err)
	}
	l, err := link.AttachTracing(link.TracingOptions{Program: p.objs.OnIoExit})
	if err != nil {
		p.objs.Close()
		return nil, fmt.Errorf("thread I/O counters: attach: %w", err)
	}
	p.link = l
	return p, nil
}

// Close detaches the program and frees the maps.
func (p *Probe) Close() error {
	var err error
	if p.link != nil {
		err = p.link.Close()
	}
	return errors.Join(err, p.objs.Close())
}

// Read calls fn with every thread's totals (in no particular order).
func (p *Probe) Read(fn func(tid int64, c Counts)) error {
	const chunk = 1024
	if p.keys == nil {
		p.keys = make([]uint32, chunk)
		p.vals = make([]ThreadioIoCounts, chunk)
	}
	var cur ebpf.MapBatchCursor
	for {
		n, err := p.objs.Counts.BatchLookup(&cur, p.keys, p.vals, nil)
		for i := 0; i < n; i++ {
			fn(int64(p.keys[i]), counts(&p.vals[i]))
		}
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("thread I/O counters: %w", err)
		}
	}
}

// Lookup returns one thread's totals (false: none counted).
func (p *Probe) Lookup(tid int64) (Counts, bool) {
	var v ThreadioIoCounts
	if err := p.objs.Counts.Lookup(uint32(tid), &v); err != nil {
		return Counts{}, false
	}
	return counts(&v), true
}

// Delete forgets the threads tids (gone: nothing more is counted for them
// until the number is used again).
func (p *Probe) Delete(tids []int64) {
	for _, t := range tids {
		_ = p.objs.Counts.Delete(uint32(t))
	}
}

// Misses returns the number of calls not counted for want of room in the
// map.
func (p *Probe) Misses() uint64 {
	var per []uint64
	if err := p.objs.Misses.Lookup(uint32(0), &per); err != nil {
		return 0
	}
	var n uint64
	for _, v := range per {
		n += v
	}
	return n
}

func counts(v *ThreadioIoCounts) Counts {
	return Counts{FileIn: v.FileIn, FileOut: v.FileOut, File: v.FileAll,
		NetIn: v.NetIn, NetOut: v.NetOut, Net: v.NetAll,
		AnyIn: v.AnyIn, AnyOut: v.AnyOut, Any: v.AnyAll}
}
