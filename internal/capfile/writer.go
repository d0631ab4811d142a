// SPDX-License-Identifier: Apache-2.0

package capfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"

	"github.com/ferret-observability/ferret/internal/event"
)

// WriterOptions configure one output stream.
type WriterOptions struct {
	// Compress writes gzip. Each buffered chunk becomes one gzip member, so
	// the file stays readable up to the last complete chunk if writing
	// stops (readers handle multi-member gzip).
	Compress bool
	// Level is the gzip level (1 fastest .. 9 smallest; 0 = the default, 6).
	Level int
	// BufferSize is how many bytes of whole blocks are gathered before they
	// are written (default 256 KiB, 1 MiB when compressing).
	BufferSize int
}

// Writer writes a capture stream the way sysdig 0.29.3 does: section header
// (1.2), machine info, IL_V2, UL_V2, PL_V9, one FDL_V2 per thread, then
// EV_V2 / EVF_V2 event blocks (_LARGE variants where needed).
//
// Blocks are buffered and written whole. After a write error the Writer stops
// (every later call returns the same error); when the destination is an
// *os.File it is truncated back to the end of the last complete chunk, so the
// file remains a valid capture.
type Writer struct {
	out       io.Writer
	trunc     truncater // out, when it can be truncated (files)
	base      int64     // file offset where this stream started
	committed int64     // bytes of out known to be good
	sent      int64     // bytes of out written
	flushed   int64     // uncompressed bytes flushed
	// inBlock is set while a block begun by beginSized is being written
	// (flushed pieces of it do not count as good: committed stays at the
	// block's start); sizedStart is where that block began, in produced
	// bytes.
	inBlock    bool
	sizedStart int64
	opts       WriterOptions
	buf        []byte
	zbuf       bytes.Buffer
	gz         *gzip.Writer
	written    int64 // uncompressed bytes produced
	events     uint64
	err        error
	closed     bool
	// Container metadata waiting to be written as container events ahead
	// of the next event (they take its timestamp).
	pending []string
	// Mount-namespace records waiting to be written, as infrastructure
	// events, ahead of the next event.
	pendingNS []event.MountNSRecord
	cb        event.Builder
	lastTS    uint64 // timestamp and cpu of the last event written
	lastCPU   uint16
	cev       event.Event
}

var errClosed = errors.New("capture writer is closed")

// truncater is implemented by *os.File.
type truncater interface {
	Truncate(size int64) error
}

// NewWriter writes the section header and the metadata of snap (nil means an
// empty snapshot) to w and returns a Writer ready for events.
func NewWriter(w io.Writer, snap *event.Snapshot, opts WriterOptions) (*Writer, error) {
	if opts.BufferSize <= 0 {
		opts.BufferSize = 256 << 10
		if opts.Compress {
			opts.BufferSize = 1 << 20
		}
	}
	wr := &Writer{out: w, opts: opts, buf: make([]byte, 0, opts.BufferSize+64<<10)}
	if t, ok := w.(truncater); ok {
		if s, ok := w.(io.Seeker); ok {
			if off, err := s.Seek(0, io.SeekCurrent); err == nil {
				wr.trunc, wr.base = t, off
			}
		}
	}
	if snap == nil {
		snap = &event.Snapshot{}
	}
	wr.appendSHB()
	wr.appendMeta(snap)
	wr.pending = append(wr.pending, snap.Containers...)
	if wr.err != nil {
		return nil, wr.err
	}
	if err := wr.flush(); err != nil {
		return nil, err
	}
	return wr, nil
}

// Written returns the number of (uncompressed) bytes written so far,
// including what is still buffered.
func (w *Writer) Written() int64 { return w.written }

// Events returns the number of events written.
func (w *Writer) Events() uint64 { return w.events }

// Err returns the error that stopped the writer, if any.
func (w *Writer) Err() error { return w.err }

// AddContainer queues container metadata (the JSON of sysdig's container
// event) to be written as a container event just before the next event, as
// sysdig does for the containers it discovers.
func (w *Writer) AddContainer(json string) { w.pending = append(w.pending, json) }

// AddMountNS queues a mount-namespace record (a thread found in a
// namespace, with its table when it was read then) to be written just
// before the next event, as internal events sysdig reads and does not
// show (event.MountNSEvents).
func (w *Writer) AddMountNS(rec event.MountNSRecord) { w.pendingNS = append(w.pendingNS, rec) }

// WriteEvent appends one event block. ev.Raw must be a v2 record; its length
// field is rewritten to the record's real size.
func (w *Writer) WriteEvent(ev *event.Event) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errClosed
	}
	if err := w.writePending(ev.TS, ev.CPU); err != nil {
		return err
	}
	w.lastTS, w.lastCPU = ev.TS, ev.CPU
	rec := ev.Raw
	if len(rec) < event.HeaderLen {
		return fmt.Errorf("writing event %d: record of %d bytes is shorter than its header", ev.Num, len(rec))
	}
	head := 2
	if ev.DumpFlags != 0 {
		head = 6
	}
	total := pad4(8 + head + len(rec) + 4)
	if total > maxBlock {
		return fmt.Errorf("writing event %d: record of %d bytes is too large", ev.Num, len(rec))
	}
	large := ev.Type.LargePayload() || total-8 > maxSmallEvent
	var typ uint32
	switch {
	case large && ev.DumpFlags != 0:
		typ = BlockEVFV2Lrg
	case large:
		typ = BlockEVV2Large
	case ev.DumpFlags != 0:
		typ = BlockEVFV2
	default:
		typ = BlockEVV2
	}
	b := w.buf
	b = binary.LittleEndian.AppendUint32(b, typ)
	b = binary.LittleEndian.AppendUint32(b, uint32(total))
	b = binary.LittleEndian.AppendUint16(b, ev.CPU)
	if ev.DumpFlags != 0 {
		b = binary.LittleEndian.AppendUint32(b, ev.DumpFlags)
	}
	at := len(b)
	b = append(b, rec...)
	binary.LittleEndian.PutUint32(b[at+16:], uint32(len(rec)))
	for i := 8 + head + len(rec) + 4; i < total; i++ {
		b = append(b, 0)
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(total))
	w.buf = b
	w.written += int64(total)
	w.events++
	if len(w.buf) >= w.opts.BufferSize {
		return w.flush()
	}
	return nil
}

// Flush writes the buffered blocks.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	return w.flush()
}

// writePending writes the queued container metadata as container events
// with the given timestamp and cpu.
func (w *Writer) writePending(ts uint64, cpu uint16) error {
	if len(w.pending) == 0 && len(w.pendingNS) == 0 {
		return nil
	}
	recs := w.pendingNS
	w.pendingNS = nil
	for i := range recs {
		var err error
		event.MountNSEvents(&recs[i], func(scope, desc string) {
			if err != nil {
				return
			}
			w.cb.Reset(event.EvInfraE).Str(event.MountNSSource).Str(event.MountNSName).Str(desc).Str(scope)
			w.cev = event.Event{Type: event.EvInfraE, TS: ts, TID: recs[i].TID, CPU: cpu, Raw: w.cb.Bytes(ts, recs[i].TID)}
			err = w.WriteEvent(&w.cev)
		})
		if err != nil {
			return err
		}
	}
	list := w.pending
	w.pending = nil
	for _, js := range list {
		w.cb.Reset(event.Container2E).Str(js)
		w.cev = event.Event{Type: event.Container2E, TS: ts, TID: -1, CPU: cpu, Raw: w.cb.Bytes(ts, -1)}
		if err := w.WriteEvent(&w.cev); err != nil {
			return err
		}
	}
	return nil
}

// Close writes the container metadata still queued (met after the last
// event, at the time of that event) and flushes the buffered blocks. It
// does not close the destination.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	if w.err == nil {
		if err := w.writePending(w.lastTS, w.lastCPU); err != nil {
			return err
		}
	}
	err := w.Flush()
	w.closed = true
	return err
}

func (w *Writer) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	data := w.buf
	if w.opts.Compress {
		w.zbuf.Reset()
		if w.gz == nil {
			level := w.opts.Level
			if level == 0 {
				level = gzip.DefaultCompression
			}
			gz, err := gzip.NewWriterLevel(&w.zbuf, level)
			if err != nil {
				return w.fail(err)
			}
			w.gz = gz
		} else {
			w.gz.Reset(&w.zbuf)
		}
		if _, err := w.gz.Write(data); err != nil {
			return w.fail(err)
		}
		if err := w.gz.Close(); err != nil {
			return w.fail(err)
		}
		data = w.zbuf.Bytes()
	}
	n, err := w.out.Write(data)
	if err == nil && n != len(data) {
		err = io.ErrShortWrite
	}
	if err != nil {
		return w.fail(err)
	}
	w.sent += int64(n)
	if !w.inBlock {
		w.committed = w.sent
	}
	w.flushed += int64(len(w.buf))
	w.buf = w.buf[:0]
	return nil
}

func (w *Writer) fail(err error) error {
	msg := fmt.Sprintf("writing capture data: %v", err)
	if w.trunc != nil {
		if terr := w.trunc.Truncate(w.base + w.committed); terr == nil {
			msg += fmt.Sprintf(" (file kept up to its last complete block, %d bytes)", w.base+w.committed)
		}
	}
	w.err = errors.New(msg)
	w.buf = w.buf[:0]
	return w.err
}

// block framing helpers

func (w *Writer) begin(typ uint32) int {
	at := len(w.buf)
	w.buf = binary.LittleEndian.AppendUint32(w.buf, typ)
	w.buf = binary.LittleEndian.AppendUint32(w.buf, 0)
	return at
}

func (w *Writer) end(at int) {
	for (len(w.buf)-at+4)%4 != 0 {
		w.buf = append(w.buf, 0)
	}
	total := len(w.buf) - at + 4
	binary.LittleEndian.PutUint32(w.buf[at+4:], uint32(total))
	w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(total))
	w.written += int64(total)
}

// mountEntry writes one mount list entry: its u32 length, the u32 mount
// and parent ids and seven str16 (dev, root, mount point, options, type,
// source, superblock options).
func (w *Writer) mountEntry(m *event.Mount) {
	e := len(w.buf)
	w.u32(0)
	w.u32(uint32(m.ID))
	w.u32(uint32(m.Parent))
	w.str16(m.Dev, limPath)
	w.str16(m.Root, limPath)
	w.str16(m.Point, limPath)
	w.str16(m.Options, limList)
	w.str16(m.FSType, limPath)
	w.str16(m.Source, limPath)
	w.str16(m.SuperOpts, limList)
	w.patchLen(e, 0)
}

// appendMountNS writes the mount namespaces block when the snapshot knows
// namespaces: the u64 id of the mount list's namespace; a u32 count of
// other namespaces' tables, each a u64 id, a u32 count of mounts and
// their mount list entries; a u32 count of threads outside the mount
// list's namespace, each a u64 tid and its u64 namespace
// (event.MntNSPending for one not looked up yet).
func (w *Writer) appendMountNS(s *event.Snapshot) {
	var threads int
	for i := range s.Threads {
		if ns := s.Threads[i].MntNS; ns != 0 && ns != s.MountNS {
			threads++
		}
	}
	if s.MountNS == 0 && len(s.MountTables) == 0 && threads == 0 {
		return
	}
	at := w.begin(BlockMNS)
	w.u64(s.MountNS)
	w.u32(uint32(len(s.MountTables)))
	for i := range s.MountTables {
		mt := &s.MountTables[i]
		w.u64(mt.NS)
		w.u32(uint32(len(mt.Mounts)))
		for j := range mt.Mounts {
			w.mountEntry(&mt.Mounts[j])
		}
	}
	w.u32(uint32(threads))
	for i := range s.Threads {
		if t := &s.Threads[i]; t.MntNS != 0 && t.MntNS != s.MountNS {
			w.u64(uint64(t.TID))
			w.u64(t.MntNS)
		}
	}
	w.end(at)
}

func (w *Writer) u8(v uint8)   { w.buf = append(w.buf, v) }
func (w *Writer) u16(v uint16) { w.buf = binary.LittleEndian.AppendUint16(w.buf, v) }
func (w *Writer) u32(v uint32) { w.buf = binary.LittleEndian.AppendUint32(w.buf, v) }
func (w *Writer) u64(v uint64) { w.buf = binary.LittleEndian.AppendUint64(w.buf, v) }

// str16 writes a length-prefixed string cut to limit bytes (the longest
// sysdig 0.29.3 accepts for that field).
func (w *Writer) str16(s string, limit int) {
	if len(s) > limit {
		s = s[:limit]
	}
	w.u16(uint16(len(s)))
	w.buf = append(w.buf, s...)
}

// addr writes exactly n address bytes (zero-filled or cut).
func (w *Writer) addr(b []byte, n int) {
	for i := 0; i < n; i++ {
		if i < len(b) {
			w.buf = append(w.buf, b[i])
		} else {
			w.buf = append(w.buf, 0)
		}
	}
}

// patchLen stores the entry length (from at to the current end, plus extra)
// into the u32 at position at.
func (w *Writer) patchLen(at, extra int) {
	binary.LittleEndian.PutUint32(w.buf[at:], uint32(len(w.buf)-at+extra))
}

func (w *Writer) appendSHB() {
	at := w.begin(BlockSHB)
	w.u32(ByteOrderMagic)
	w.u16(VersionMajor)
	w.u16(VersionMinor)
	w.u64(0xFFFFFFFFFFFFFFFF)
	w.end(at)
}

// Field limits of sysdig 0.29.3's reader.
const (
	limPath   = 1024
	limList   = 4096
	limUser   = 255
	limFDName = 1023
	limIfName = 1023
)

func (w *Writer) appendMeta(s *event.Snapshot) {
	// machine info
	at := w.begin(BlockMI)
	m := s.Machine
	w.u32(m.NumCPUs)
	w.u64(m.MemBytes)
	w.u64(m.MaxPID)
	var host [128]byte
	copy(host[:127], m.Hostname)
	w.buf = append(w.buf, host[:]...)
	w.u64(m.BootTime)
	w.u64(0)
	w.u64(0)
	w.u64(0)
	w.end(at)

	// interfaces
	at = w.begin(BlockILV2)
	for _, it := range s.Interfaces {
		name := it.Name
		if len(name) > limIfName {
			name = name[:limIfName]
		}
		alen, typ := 4, uint16(1)
		if it.IPv6 {
			alen, typ = 16, 2
		}
		w.u32(uint32(2 + 2 + 3*alen + 8 + len(name)))
		w.u16(typ)
		w.u16(uint16(len(name)))
		w.addr(it.Addr, alen)
		w.addr(it.Netmask, alen)
		w.addr(it.Broadcast, alen)
		w.u64(it.LinkSpeed)
		w.buf = append(w.buf, name...)
	}
	w.end(at)

	// the mount table, when known
	if s.Mounts != nil {
		at = w.begin(BlockML)
		for i := range s.Mounts {
			w.mountEntry(&s.Mounts[i])
		}
		w.end(at)
	}
	w.appendMountNS(s)

	// users, then groups
	at = w.begin(BlockULV2)
	for _, u := range s.Users {
		e := len(w.buf)
		w.u32(0)
		w.u8(0)
		w.u32(u.UID)
		w.u32(u.GID)
		w.str16(u.Name, limUser)
		w.str16(u.HomeDir, limUser)
		w.str16(u.Shell, limUser)
		w.patchLen(e, 0)
	}
	for _, g := range s.Groups {
		e := len(w.buf)
		w.u32(0)
		w.u8(1)
		w.u32(g.GID)
		w.str16(g.Name, limUser)
		w.patchLen(e, 0)
	}
	w.end(at)

	// threads: one block, which on a machine with many threads is tens
	// of megabytes; its length is worked out first, so that it can be
	// written out in buffer-sized pieces instead of being held whole.
	body := 0
	for i := range s.Threads {
		body += threadEntryLen(&s.Threads[i])
	}
	at, ok := w.beginSized(BlockPLV9, body)
	for i := range s.Threads {
		w.threadEntry(&s.Threads[i])
		if ok && len(w.buf) >= w.opts.BufferSize {
			if err := w.flush(); err != nil {
				return
			}
		}
	}
	if !w.endSized(at, body, ok) {
		return
	}

	// one fd list per thread
	for i := range s.Threads {
		t := &s.Threads[i]
		at = w.begin(BlockFDLV2)
		w.u64(uint64(t.TID))
		for k := range t.FDs {
			w.appendFD(&t.FDs[k])
		}
		w.end(at)
		if len(w.buf) >= w.opts.BufferSize {
			// Metadata can be large; keep whole blocks together but do not
			// hold it all in memory.
			if err := w.flush(); err != nil {
				return
			}
		}
	}
}

// threadEntry writes one thread list entry (PL_V9).
func (w *Writer) threadEntry(t *event.Thread) {
	e := len(w.buf)
	w.u32(0)
	w.u64(uint64(t.TID))
	w.u64(uint64(t.PID))
	w.u64(uint64(t.PTID))
	w.u64(uint64(t.SID))
	w.u64(uint64(t.VPGID))
	w.str16(t.Comm, limPath)
	w.str16(t.Exe, limPath)
	w.str16(t.ExePath, limPath)
	w.list16(t.Args, limList)
	w.str16(t.Cwd, limPath)
	w.u64(uint64(t.FDLimit))
	w.u32(t.Flags)
	w.u32(t.UID)
	w.u32(t.GID)
	w.u32(t.VMSizeKB)
	w.u32(t.VMRSSKB)
	w.u32(t.VMSwapKB)
	w.u64(t.PFMajor)
	w.u64(t.PFMinor)
	w.list16(t.Env, limList)
	w.u64(uint64(t.VTID))
	w.u64(uint64(t.VPID))
	w.list16(t.Cgroups, limList)
	w.str16(t.Root, limPath)
	w.u32(uint32(t.LoginUID))
	if t.ExeWritable {
		w.u8(1)
	} else {
		w.u8(0)
	}
	w.patchLen(e, 0)
}

// threadEntryLen is the length threadEntry writes for t: a u32 length,
// seven u64 ids, two u64 fault counts, the u64 fd limit, seven u32, a u8
// and eight length-prefixed strings.
func threadEntryLen(t *event.Thread) int {
	n := 4 + 7*8 + 2*8 + 8 + 7*4 + 1 + 8*2
	n += min(len(t.Comm), limPath) + min(len(t.Exe), limPath) + min(len(t.ExePath), limPath)
	n += min(len(t.Cwd), limPath) + min(len(t.Root), limPath)
	n += listLen(t.Args, limList) + listLen(t.Env, limList) + listLen(t.Cgroups, limList)
	return n
}

// listLen is the length of list joined by list16, without its prefix.
func listLen(list []string, limit int) int {
	n := 0
	for _, s := range list {
		n += len(s) + 1
		if n >= limit {
			return limit
		}
	}
	return n
}

// list16 writes list as one length-prefixed string, each item followed by
// a NUL, cut to limit bytes, without joining the items first.
func (w *Writer) list16(list []string, limit int) {
	w.u16(uint16(listLen(list, limit)))
	left := limit
	for _, s := range list {
		if left == 0 {
			return
		}
		if len(s) >= left {
			w.buf = append(w.buf, s[:left]...)
			return
		}
		w.buf = append(w.buf, s...)
		w.buf = append(w.buf, 0)
		left -= len(s) + 1
	}
}

// beginSized starts a block whose body (what follows its 8-byte header,
// before its padding and trailer) will be body bytes long, so that its
// length can be written at once and the block flushed in pieces. ok is
// false when the block is too long for its u32 length: it is then
// gathered whole as begin does, and its length is checked by endSized.
func (w *Writer) beginSized(typ uint32, body int) (at int, ok bool) {
	total := blockTotal(body)
	if total > int(^uint32(0)) {
		return w.begin(typ), false
	}
	at = len(w.buf)
	w.buf = binary.LittleEndian.AppendUint32(w.buf, typ)
	w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(total))
	w.sizedStart = w.produced() - 8
	w.inBlock = true
	return at, true
}

// endSized ends a block begun by beginSized; it fails the writer when
// the body written is not the announced length.
func (w *Writer) endSized(at, body int, ok bool) bool {
	if !ok {
		w.end(at)
		return w.err == nil
	}
	w.inBlock = false
	if got := w.produced() - w.sizedStart - 8; got != int64(body) {
		w.fail(fmt.Errorf("block of %d bytes announced as %d", got, body))
		return false
	}
	total := blockTotal(body)
	for i := 8 + body + 4; i < total; i++ {
		w.buf = append(w.buf, 0)
	}
	w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(total))
	w.written += int64(total)
	return w.err == nil
}

// blockTotal is the length of a block with a body of body bytes: its
// header, the body padded to a multiple of 4 and its u32 trailer.
func blockTotal(body int) int {
	n := 8 + body + 4
	return n + (4-n%4)%4
}

// produced returns the uncompressed bytes handed to flush so far and
// still buffered.
func (w *Writer) produced() int64 { return w.flushed + int64(len(w.buf)) }

func (w *Writer) appendFD(fd *event.FD) {
	e := len(w.buf)
	w.u32(0)
	w.u64(uint64(fd.Num))
	w.u64(fd.Ino)
	typ := fd.Type
	if typ > event.FDFileV2 {
		typ = event.FDUnsupported
	}
	w.u8(uint8(typ))
	switch typ {
	case event.FDUnknown:
	case event.FDIPv4Sock, event.FDIPv6Sock:
		n := 4
		if typ == event.FDIPv6Sock {
			n = 16
		}
		w.addr(fd.SrcIP, n)
		w.addr(fd.DstIP, n)
		w.u16(fd.SPort)
		w.u16(fd.DPort)
		w.u8(fd.L4Proto)
	case event.FDIPv4ServSock, event.FDIPv6ServSock:
		n := 4
		if typ == event.FDIPv6ServSock {
			n = 16
		}
		w.addr(fd.SrcIP, n)
		w.u16(fd.SPort)
		w.u8(fd.L4Proto)
	case event.FDUnixSock:
		w.u64(fd.UnixSrc)
		w.u64(fd.UnixDst)
		w.str16(fd.Name, limFDName)
	case event.FDFileV2:
		w.u32(fd.OpenFlags)
		w.str16(fd.Name, limFDName)
		w.u32(fd.Dev)
	default:
		w.str16(fd.Name, limFDName)
	}
	w.patchLen(e, 0)
}
