// SPDX-License-Identifier: Apache-2.0

package capfile

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"

	"github.com/ferret-observability/ferret/internal/event"
)

// Reader reads one capture stream: a first section (section header and
// metadata), then event blocks, possibly followed by further sections.
//
// The Event filled by Next refers to the reader's buffer and is valid until
// the following call to Next.
type Reader struct {
	br         *bufio.Reader
	gz         *gzip.Reader
	compressed bool
	off        int64 // offset of the next unread byte (uncompressed stream)

	snap       *event.Snapshot
	major      uint16
	minor      uint16
	newSection bool // a section started since the last event returned

	pending    bool // hdr holds the header of an event block not yet read
	hdrType    uint32
	hdrLen     uint32
	hdrOff     int64
	eof        bool
	buf        []byte
	conv       []byte
	num        uint64 // events read, malformed ones included
	unknownEvs uint64
	badEvs     uint64 // malformed events left out
	badErr     error  // what was wrong with the first of them
	hdr        [8]byte
}

// NewReader reads the section header and the metadata blocks of r up to the
// first event block. Gzip data (one or more members) is detected and
// decompressed.
func NewReader(r io.Reader) (*Reader, error) {
	rd := &Reader{}
	br := bufio.NewReaderSize(r, 256<<10)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("opening gzip stream: %w", err)
		}
		gz.Multistream(false)
		rd.gz = gz
		rd.compressed = true
		br = bufio.NewReaderSize(&zreader{src: br, gz: gz}, 256<<10)
	}
	rd.br = br
	n, err := rd.readHeader()
	if err != nil {
		// Shorter than a block header: a capture file only if what there
		// is starts like one.
		var shb [4]byte
		binary.LittleEndian.PutUint32(shb[:], BlockSHB)
		if k := min(n, 4); k > 0 && !bytes.Equal(rd.hdr[:k], shb[:k]) {
			return nil, errNoSHB
		}
		return nil, err
	}
	if n == 0 {
		return nil, errors.New("empty capture file")
	}
	if rd.hdrType != BlockSHB {
		if c := otherCompression(rd.hdr[:]); c != "" {
			return nil, fmt.Errorf("the file is %s-compressed; capture files can be plain or gzip only", c)
		}
		return nil, errNoSHB
	}
	if err := rd.readSection(); err != nil {
		return nil, err
	}
	rd.newSection = false
	return rd, nil
}

// otherCompression names a compression format other than gzip from its magic.
func otherCompression(b []byte) string {
	switch {
	case len(b) >= 6 && string(b[:6]) == "\xfd7zXZ\x00":
		return "xz"
	case len(b) >= 4 && string(b[:4]) == "\x28\xb5\x2f\xfd":
		return "zstd"
	case len(b) >= 3 && string(b[:3]) == "BZh":
		return "bzip2"
	}
	return ""
}

// AtEnd reports whether the stream ended before the next event: after
// NewReader, that the file holds no event at all.
func (r *Reader) AtEnd() bool { return r.eof && !r.pending }

// Snapshot returns the metadata of the current section.
func (r *Reader) Snapshot() *event.Snapshot { return r.snap }

// Version returns the section header's major and minor version.
func (r *Reader) Version() (major, minor uint16) { return r.major, r.minor }

// NewSection reports whether the event returned by the last Next call is the
// first of a new section (its metadata replaced the snapshot).
func (r *Reader) NewSection() bool { return r.newSection }

// Offset returns the number of (uncompressed) bytes consumed so far.
func (r *Reader) Offset() int64 { return r.off }

// Compressed reports whether the stream is gzip.
func (r *Reader) Compressed() bool { return r.compressed }

// Events returns the number of events read so far, malformed ones
// included (the number of the last event returned).
func (r *Reader) Events() uint64 { return r.num }

// Malformed returns how many events could not be decoded and were left out,
// and the error of the first of them.
func (r *Reader) Malformed() (uint64, error) { return r.badEvs, r.badErr }

// SkippedUnknown returns how many events of types outside the event table
// were skipped.
func (r *Reader) SkippedUnknown() uint64 { return r.unknownEvs }

// Close releases the decompressor (it does not close the underlying reader).
func (r *Reader) Close() error {
	if r.gz != nil {
		return r.gz.Close()
	}
	return nil
}

func (r *Reader) where(off int64) string {
	if r.compressed {
		return fmt.Sprintf("offset %d (uncompressed)", off)
	}
	return fmt.Sprintf("offset %d", off)
}

// readHeader reads a block header into hdrType/hdrLen. It returns the number
// of bytes read: 0 at a clean end of stream.
func (r *Reader) readHeader() (int, error) {
	r.hdrOff = r.off
	if b, err := r.br.Peek(8); err == nil {
		// straight from the read buffer, as most headers are
		r.hdrType = binary.LittleEndian.Uint32(b[0:])
		r.hdrLen = binary.LittleEndian.Uint32(b[4:])
		copy(r.hdr[:], b)
		r.br.Discard(8)
		r.off += 8
		return 8, nil
	}
	n, err := io.ReadFull(r.br, r.hdr[:])
	r.off += int64(n)
	if n == 0 && err == io.EOF {
		return 0, nil
	}
	if err != nil {
		return n, r.readErr("block header", r.hdrOff, 8, n, err)
	}
	r.hdrType = binary.LittleEndian.Uint32(r.hdr[0:])
	r.hdrLen = binary.LittleEndian.Uint32(r.hdr[4:])
	return n, nil
}

func (r *Reader) readErr(what string, off int64, want, got int, err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("reading %s at %s: expecting %d bytes, got %d (file truncated?)", what, r.where(off), want, got)
	}
	return fmt.Errorf("reading %s at %s: %w", what, r.where(off), err)
}

// readBody reads n bytes into the reusable buffer. The buffer grows with the
// data actually read, so a bogus length on a short stream does not allocate
// the declared size.
func (r *Reader) readBody(n int, what string) ([]byte, error) {
	if n <= r.br.Size() {
		// Straight from the read buffer: valid until the next read.
		b, err := r.br.Peek(n)
		m, _ := r.br.Discard(len(b))
		r.off += int64(m)
		if err != nil {
			return nil, r.readErr(what, r.hdrOff, n+8, m+8, err)
		}
		return b, nil
	}
	if n <= cap(r.buf) {
		b := r.buf[:n]
		m, err := io.ReadFull(r.br, b)
		r.off += int64(m)
		if err != nil {
			return nil, r.readErr(what, r.hdrOff, n+8, m+8, err)
		}
		return b, nil
	}
	b := r.buf[:0]
	for len(b) < n {
		step := n - len(b)
		if step > 1<<20 {
			step = 1 << 20
		}
		if cap(b)-len(b) < step {
			nb := make([]byte, len(b), max(2*cap(b), len(b)+step))
			copy(nb, b)
			b = nb
		}
		m, err := io.ReadFull(r.br, b[len(b):len(b)+step])
		r.off += int64(m)
		b = b[:len(b)+m]
		if err != nil {
			r.buf = b[:0]
			return nil, r.readErr(what, r.hdrOff, n+8, len(b)+8, err)
		}
	}
	r.buf = b[:0]
	return b, nil
}

// skipBody discards n bytes.
func (r *Reader) skipBody(n int, what string) error {
	m, err := r.br.Discard(n)
	r.off += int64(m)
	if err != nil {
		return r.readErr(what, r.hdrOff, n+8, m+8, err)
	}
	return nil
}

// readSection reads the section header whose block header was just read, and
// the metadata blocks after it, stopping at the first event block (left
// pending) or at the end of the stream.
func (r *Reader) readSection() error {
	for {
		again, err := r.readOneSection()
		if err != nil || !again {
			return err
		}
	}
}

// readOneSection reads one section header and its metadata. It reports true
// when another section header follows directly (a section without events).
func (r *Reader) readOneSection() (bool, error) {
	// libscap reads a fixed-size section header without looking at its
	// declared lengths, so a damaged length does not stop it. Options
	// (pcapng comments) are skipped only when the declared length is
	// confirmed by the trailer it points to.
	b, err := r.readBody(shbLen-12, "section header block")
	if err != nil {
		return false, err
	}
	m := binary.LittleEndian.Uint32(b[0:])
	major := binary.LittleEndian.Uint16(b[4:])
	minor := binary.LittleEndian.Uint16(b[6:])
	trailer := 4
	if l := int(r.hdrLen); l > shbLen && l%4 == 0 && l-shbLen+4 <= r.br.Size() {
		if rest, _ := r.br.Peek(l - shbLen + 4); len(rest) == l-shbLen+4 && binary.LittleEndian.Uint32(rest[len(rest)-4:]) == r.hdrLen {
			trailer = len(rest)
		}
	}
	if err := r.skipBody(trailer, "section header block"); err != nil {
		return false, err
	}
	if m != ByteOrderMagic {
		return false, fmt.Errorf("section header block at %s: invalid byte-order magic 0x%08x (not a little-endian capture file)", r.where(r.hdrOff), m)
	}
	if major >= 2 {
		return false, fmt.Errorf("section header block at %s: capture format version %d.%d is not supported (ferret reads versions 0.x and 1.x)", r.where(r.hdrOff), major, minor)
	}
	r.major, r.minor = major, minor
	sec := newSection()
	for {
		n, err := r.readHeader()
		if err != nil {
			return false, err
		}
		if n == 0 {
			r.eof = true
			break
		}
		if isEventBlock(r.hdrType) {
			r.pending = true
			break
		}
		if r.hdrType == BlockSHB {
			// A section without events: start over with the new one.
			return true, nil
		}
		if r.hdrLen < 12 || r.hdrLen > maxBlock {
			return false, fmt.Errorf("%s block at %s: bad block length %d", BlockName(r.hdrType), r.where(r.hdrOff), r.hdrLen)
		}
		name := BlockName(r.hdrType) + " block"
		if !isMetaBlock(r.hdrType) {
			if err := r.skipBody(int(r.hdrLen)-8, name); err != nil {
				return false, err
			}
			continue
		}
		b, err := r.readBody(int(r.hdrLen)-8, name)
		if err != nil {
			return false, err
		}
		var body []byte
		if t := binary.LittleEndian.Uint32(b[len(b)-4:]); t == r.hdrLen {
			body = b[:len(b)-4]
		} else if fixed, ok := r.recoverILV2(b); ok {
			body = fixed
		} else {
			return false, fmt.Errorf("%s at %s: wrong block total length, header=%d, trailer=%d", name, r.where(r.hdrOff), r.hdrLen, t)
		}
		if r.hdrType == BlockMI || r.hdrType == BlockMIInt {
			if len(body) != miBody {
				return false, fmt.Errorf("%s at %s: body is %d bytes, want %d", name, r.where(r.hdrOff), len(body), miBody)
			}
		}
		if err := sec.parse(r.hdrType, body); err != nil {
			return false, fmt.Errorf("%s at %s: %w", name, r.where(r.hdrOff), err)
		}
	}
	sec.finish()
	r.snap = sec.snap
	r.newSection = true
	if cap(r.buf) > 4<<20 {
		r.buf = nil // a large metadata block; events need far less
	}
	return false, nil
}

// recoverILV2 reads the interface list that sysdig 0.29.3 writes when it
// re-saves a capture whose interface list was V1: its declared length leaves
// out the 4-byte entry lengths, so the entries run past it (sysdig cannot
// read such files back). The entries are walked by their own lengths until
// the trailer, equal to the declared length and followed by a known block
// type or the end of the stream, is found; the extra bytes are consumed. b
// holds the bytes already read after the block header.
func (r *Reader) recoverILV2(b []byte) ([]byte, bool) {
	if r.hdrType != BlockILV2 {
		return nil, false
	}
	data := append([]byte(nil), b...)
	limit := 2*len(b) + 64 // every entry is at least 20 bytes and gains 4
	more := func(n int) bool {
		if n <= len(data) {
			return true
		}
		if n > limit {
			return false
		}
		extra := make([]byte, n-len(data))
		m, err := io.ReadFull(r.br, extra)
		r.off += int64(m)
		data = append(data, extra[:m]...)
		return err == nil
	}
	p := 0
	for {
		// the trailer follows the entries and 0-3 padding bytes
		if q := pad4(8+p) - 8; p > 0 && q+4 > len(b) && more(q+4) && binary.LittleEndian.Uint32(data[q:]) == r.hdrLen {
			next, err := r.br.Peek(4)
			if len(next) == 0 && err != nil || len(next) == 4 && knownBlock(binary.LittleEndian.Uint32(next)) {
				return data[:p], true
			}
		}
		if !more(p + 4) {
			return nil, false
		}
		v := binary.LittleEndian.Uint32(data[p:])
		if v < 16 || v > 1100 {
			return nil, false
		}
		p += 4 + int(v)
	}
}

func knownBlock(t uint32) bool {
	return t == BlockSHB || isMetaBlock(t) || isEventBlock(t)
}

func isMetaBlock(t uint32) bool {
	switch t {
	case BlockMI, BlockMIInt, BlockIL, BlockILInt, BlockILV2, BlockUL, BlockULInt, BlockULV2,
		BlockPLV1, BlockPLV1Int, BlockPLV2, BlockPLV2Int, BlockPLV3, BlockPLV3Int,
		BlockPLV4, BlockPLV5, BlockPLV6, BlockPLV7, BlockPLV8, BlockPLV9,
		BlockFDL, BlockFDLInt, BlockFDLV2, BlockML, BlockMNS:
		return true
	}
	return false
}

// Next reads the next event into ev. It returns io.EOF at the clean end of the
// stream. Events of types outside the event table are skipped without being
// counted. ev.Num is this reader's running count (starting at 1).
func (r *Reader) Next(ev *event.Event) error {
	r.newSection = false
	for {
		if !r.pending {
			if r.eof {
				return io.EOF
			}
			n, err := r.readHeader()
			if err != nil {
				return err
			}
			if n == 0 {
				r.eof = true
				return io.EOF
			}
			if !isEventBlock(r.hdrType) {
				if r.hdrType == BlockSHB {
					if err := r.readSection(); err != nil {
						return err
					}
					continue
				}
				return fmt.Errorf("block at %s: unexpected %s block after events (a new section must start with a section header)", r.where(r.hdrOff), BlockName(r.hdrType))
			}
		}
		r.pending = false
		ok, err := r.readEvent(ev)
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
	}
}

// readEvent reads the event block whose header is in hdrType/hdrLen. It
// returns false for an event of unknown type (skipped).
func (r *Reader) readEvent(ev *event.Event) (bool, error) {
	typ := r.hdrType
	large := typ == BlockEVV2Large || typ == BlockEVFV2Lrg
	flagged := typ == BlockEVF || typ == BlockEVFV2 || typ == BlockEVFV2Lrg
	v1 := typ == BlockEV || typ == BlockEVInt || typ == BlockEVF
	head := 2
	if flagged {
		head = 6
	}
	if r.hdrLen < 8 || r.hdrLen > maxBlock {
		return false, fmt.Errorf("event block at %s: bad block length %d", r.where(r.hdrOff), r.hdrLen)
	}
	n := int(r.hdrLen) - 8
	if !large && n > maxSmallEvent {
		return false, fmt.Errorf("event block at %s: block length %d greater than the non-large limit %d", r.where(r.hdrOff), n, maxSmallEvent)
	}
	b, err := r.readBody(n, "event block")
	if err != nil {
		return false, err
	}
	recMin := event.HeaderLen
	if v1 {
		recMin = 22
	}
	if len(b) < head+recMin {
		return false, fmt.Errorf("event block at %s: %d bytes is too short for an event", r.where(r.hdrOff), len(b))
	}
	cpu := binary.LittleEndian.Uint16(b)
	var flags uint32
	if flagged {
		flags = binary.LittleEndian.Uint32(b[2:])
	}
	rec := b[head:]
	if !event.Type(binary.LittleEndian.Uint16(rec[20:])).Known() {
		r.unknownEvs++
		return false, nil
	}
	if v1 {
		err = r.decodeV1(ev, rec)
	} else {
		err = ev.Decode(rec)
	}
	if err != nil && v1 {
		// libscap cannot convert it (its parameter count cannot be
		// inferred): the read ends there, as in sysdig.
		return false, fmt.Errorf("event block at %s: decoding event of type %d: %w", r.where(r.hdrOff), ev.Type, err)
	}
	if err != nil {
		// A v2 record is not checked by sysdig's reader: a malformed one
		// does not end the read. It keeps its number (later events are
		// numbered as sysdig numbers them) and is left out.
		r.num++
		r.badEvs++
		if r.badErr == nil {
			r.badErr = fmt.Errorf("event block at %s: decoding event of type %d: %w", r.where(r.hdrOff), ev.Type, err)
		}
		return false, nil
	}
	r.num++
	ev.Num = r.num
	ev.CPU = cpu
	ev.DumpFlags = flags
	return true, nil
}

// decodeV1 converts a v1 record (no nparams field) to the v2 layout, as
// libscap does when reading, and decodes it.
func (r *Reader) decodeV1(ev *event.Event, rec []byte) error {
	if err := ev.DecodeV1(rec); err != nil {
		return err
	}
	n := ev.NParams
	end := len(ev.Raw)
	out := r.conv[:0]
	out = append(out, rec[:16]...)
	out = binary.LittleEndian.AppendUint32(out, uint32(end+4))
	out = append(out, rec[20:22]...)
	out = binary.LittleEndian.AppendUint32(out, uint32(n))
	out = append(out, rec[22:end]...)
	r.conv = out
	return ev.Decode(out)
}

// zwindow is the output chunk of zlib's gzread, which sysdig reads
// compressed captures with: a chunk in which the data turns out corrupt
// (bad deflate codes, wrong checksum) is dropped whole.
const zwindow = 16384

// zreader decompresses gzip members one after the other as zlib's gzread
// does: data is released in zwindow chunks (restarting at each member), a
// chunk that ends in corrupt data is lost, a truncated stream delivers all
// it decoded, and bytes after a member that do not start another gzip
// member are ignored.
type zreader struct {
	src *bufio.Reader
	gz  *gzip.Reader
	buf []byte
	out []byte // released, not yet read
	err error  // after out is drained
}

func (z *zreader) Read(p []byte) (int, error) {
	for len(z.out) == 0 {
		if z.err != nil {
			return 0, z.err
		}
		z.fill()
	}
	n := copy(p, z.out)
	z.out = z.out[n:]
	return n, nil
}

func (z *zreader) fill() {
	if z.buf == nil {
		z.buf = make([]byte, zwindow)
	}
	n := 0
	for n < zwindow {
		m, err := z.gz.Read(z.buf[n:])
		n += m
		switch {
		case err == nil:
			continue
		case err == io.EOF: // member complete, checksum verified
			z.out = z.buf[:n]
			if magic, _ := z.src.Peek(2); len(magic) < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
				z.err = io.EOF // end of stream, or trailing garbage
				return
			}
			if rerr := z.gz.Reset(z.src); rerr != nil {
				z.err = fmt.Errorf("gzip member header: %w", rerr)
				return
			}
			z.gz.Multistream(false)
			return
		case err == io.ErrUnexpectedEOF:
			z.out = z.buf[:n] // truncated: keep what was decoded
			z.err = err
			return
		default: // corrupt: the chunk is lost, as with zlib
			z.err = err
			return
		}
	}
	z.out = z.buf[:n]
}
