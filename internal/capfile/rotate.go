// SPDX-License-Identifier: Apache-2.0

package capfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ferret-observability/ferret/internal/event"
)

// Options configure a capture written to files, with sysdig's rotation
// options. With none of SizeMB, Seconds and EventsPerFile set a single file
// is written under the given name.
type Options struct {
	WriterOptions
	// SizeMB (-C) starts a new file before an event once the current one is
	// larger than SizeMB million bytes. Files are named path0, path1, ...
	// (zero-padded to the digits of Limit when Limit is set).
	SizeMB int
	// Seconds (-G) starts a new file when an event is Seconds or more later
	// than the start of the current file. A name containing '%' is expanded
	// with strftime(3) conversions at the file's start time; otherwise a
	// counter is appended.
	Seconds int
	// Limit (-W) bounds the number of files: the counter wraps around and
	// older files are overwritten (with strftime names, the file previously
	// in that slot is removed).
	Limit int
	// EventsPerFile (-e) starts a new file every EventsPerFile events
	// (counting as sysdig does: the first file receives one event fewer).
	// Files are named path0, path1, ...
	EventsPerFile uint64
	// Snapshot, when set, supplies the current state for each new file, so
	// every file is self-contained. Without it every file repeats the first
	// snapshot.
	Snapshot func() *event.Snapshot
	// Perm is the mode of created files (default 0600).
	Perm os.FileMode
	// Location is the time zone of strftime names (default time.Local).
	Location *time.Location
}

// FileWriter writes events to a capture file, rotating as configured.
type FileWriter struct {
	base  string
	opts  Options
	first *event.Snapshot

	f   *os.File
	w   *Writer
	cur string

	index      int
	eventCount uint64
	lastTime   int64 // seconds, start of the current time slice
	timeSet    bool
	past       []string
	files      []string
	err        error
	closed     bool
	pending    []string              // container metadata for the first file, not yet opened
	pendingNS  []event.MountNSRecord // mount-namespace records, likewise
}

// Create opens the capture file(s) at path and writes snap as the first
// file's metadata. With Seconds and a strftime name, the first file is
// created when the first event arrives (its time names the file).
func Create(path string, snap *event.Snapshot, opts Options) (*FileWriter, error) {
	if opts.Perm == 0 {
		opts.Perm = 0o600
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	fw := &FileWriter{base: path, opts: opts, first: snap}
	if opts.Seconds > 0 && opts.Limit > 0 {
		fw.past = make([]string, opts.Limit)
	}
	if fw.lazy() {
		return fw, nil
	}
	if err := fw.open(fw.nextName(), snap); err != nil {
		return nil, err
	}
	return fw, nil
}

func (fw *FileWriter) lazy() bool {
	return fw.opts.Seconds > 0 && strings.Contains(fw.base, "%")
}

// Path returns the name of the file being written.
func (fw *FileWriter) Path() string { return fw.cur }

// Files returns every file name opened so far, in order.
func (fw *FileWriter) Files() []string { return fw.files }

// AddContainer queues container metadata for the file being written (or the
// first one, not yet opened); see Writer.AddContainer. Files opened by a
// rotation carry every container of their snapshot.
func (fw *FileWriter) AddContainer(json string) {
	if fw.w != nil {
		fw.w.AddContainer(json)
		return
	}
	fw.pending = append(fw.pending, json)
}

// AddMountNS queues a mount-namespace record for the file being written
// (or the first one, not yet opened); see Writer.AddMountNS. Files opened
// by a rotation carry the namespaces of their snapshot.
func (fw *FileWriter) AddMountNS(rec event.MountNSRecord) {
	if fw.w != nil {
		fw.w.AddMountNS(rec)
		return
	}
	fw.pendingNS = append(fw.pendingNS, rec)
}

// WriteEvent writes ev, first switching to a new file when a rotation limit
// is reached.
func (fw *FileWriter) WriteEvent(ev *event.Event) error {
	if fw.err != nil {
		return fw.err
	}
	if fw.closed {
		return errClosed
	}
	if fw.w == nil {
		// Lazy first file of a strftime-named time rotation.
		fw.lastTime, fw.timeSet = int64(ev.TS/1e9), true
		fw.eventCount++
		if err := fw.open(fw.nextName(), fw.first); err != nil {
			return err
		}
	} else if fw.needNext(ev) {
		if err := fw.rotate(); err != nil {
			return err
		}
	}
	if err := fw.w.WriteEvent(ev); err != nil {
		fw.err = fmt.Errorf("%s: %w", fw.cur, err)
		return fw.err
	}
	return nil
}

func (fw *FileWriter) needNext(ev *event.Event) bool {
	fw.eventCount++
	o := &fw.opts
	if o.Seconds > 0 {
		sec := int64(ev.TS / 1e9)
		if !fw.timeSet {
			fw.lastTime, fw.timeSet = sec, true
		} else if sec-fw.lastTime >= int64(o.Seconds) {
			fw.lastTime = sec
			return true
		}
	}
	if o.SizeMB > 0 && fw.w.Written() > int64(o.SizeMB)*1000000 {
		return true
	}
	if o.EventsPerFile > 0 && fw.eventCount >= o.EventsPerFile {
		fw.eventCount = 0
		return true
	}
	return false
}

func (fw *FileWriter) rotate() error {
	if err := fw.closeCurrent(); err != nil {
		fw.err = err
		return err
	}
	snap := fw.first
	if fw.opts.Snapshot != nil {
		if s := fw.opts.Snapshot(); s != nil {
			snap = s
		}
	}
	return fw.open(fw.nextName(), snap)
}

// nextName computes the next file name the way sysdig's cycle writer does.
func (fw *FileWriter) nextName() string {
	o := &fw.opts
	if o.Limit > 0 && fw.index >= o.Limit {
		fw.index = 0
	}
	name := fw.base
	if o.Seconds > 0 {
		if strings.Contains(fw.base, "%") {
			name = strftime(fw.base, time.Unix(fw.lastTime, 0).In(o.Location))
			if o.Limit > 0 {
				if old := fw.past[fw.index]; old != "" && old != name {
					os.Remove(old)
				}
				fw.past[fw.index] = name
			}
		} else {
			name = fw.base + strconv.Itoa(fw.index)
		}
	}
	if o.SizeMB > 0 {
		digits := 0
		for l := o.Limit; l > 0; l /= 10 {
			digits++
		}
		name += fmt.Sprintf("%0*d", digits, fw.index)
	}
	if o.EventsPerFile > 0 {
		name = fw.base + strconv.Itoa(fw.index)
	}
	fw.index++
	return name
}

func (fw *FileWriter) open(name string, snap *event.Snapshot) error {
	f, err := createPrivate(name, fw.opts.Perm)
	if err != nil {
		fw.err = fmt.Errorf("creating capture file: %w", err)
		return fw.err
	}
	w, err := NewWriter(f, snap, fw.opts.WriterOptions)
	if err != nil {
		f.Close()
		fw.err = fmt.Errorf("%s: %w", name, err)
		return fw.err
	}
	fw.f, fw.w, fw.cur = f, w, name
	fw.files = append(fw.files, name)
	for _, js := range fw.pending {
		w.AddContainer(js)
	}
	for _, rec := range fw.pendingNS {
		w.AddMountNS(rec)
	}
	fw.pending, fw.pendingNS = nil, nil
	return nil
}

func (fw *FileWriter) closeCurrent() error {
	if fw.w == nil {
		return nil
	}
	err := fw.w.Close()
	if cerr := fw.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("closing capture file: %w", cerr)
	}
	fw.w, fw.f = nil, nil
	if err != nil {
		return fmt.Errorf("%s: %w", fw.cur, err)
	}
	return nil
}

// Flush writes buffered events of the current file.
func (fw *FileWriter) Flush() error {
	if fw.err != nil {
		return fw.err
	}
	if fw.w == nil {
		return nil
	}
	if err := fw.w.Flush(); err != nil {
		fw.err = fmt.Errorf("%s: %w", fw.cur, err)
	}
	return fw.err
}

// Close flushes and closes the current file, leaving it readable. A
// strftime-named time rotation that received no event creates its file now.
func (fw *FileWriter) Close() error {
	if fw.closed {
		return fw.err
	}
	fw.closed = true
	if fw.w == nil && fw.err == nil && fw.lazy() {
		fw.lastTime = time.Now().Unix()
		if err := fw.open(fw.nextName(), fw.first); err != nil {
			return err
		}
	}
	err := fw.closeCurrent()
	if fw.err != nil {
		return fw.err
	}
	return err
}

// strftime expands the common strftime(3) conversions of layout.
func strftime(layout string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(layout); i++ {
		c := layout[i]
		if c != '%' || i+1 == len(layout) {
			b.WriteByte(c)
			continue
		}
		i++
		switch layout[i] {
		case 'Y':
			b.WriteString(strconv.Itoa(t.Year()))
		case 'C':
			fmt.Fprintf(&b, "%02d", t.Year()/100)
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'e':
			fmt.Fprintf(&b, "%2d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'I':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			fmt.Fprintf(&b, "%02d", h)
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'p':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'a':
			b.WriteString(t.Weekday().String()[:3])
		case 'A':
			b.WriteString(t.Weekday().String())
		case 'b', 'h':
			b.WriteString(t.Month().String()[:3])
		case 'B':
			b.WriteString(t.Month().String())
		case 'u':
			wd := int(t.Weekday())
			if wd == 0 {
				wd = 7
			}
			b.WriteString(strconv.Itoa(wd))
		case 'w':
			b.WriteString(strconv.Itoa(int(t.Weekday())))
		case 's':
			b.WriteString(strconv.FormatInt(t.Unix(), 10))
		case 'Z':
			name, _ := t.Zone()
			b.WriteString(name)
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 'F':
			b.WriteString(t.Format("2006-01-02"))
		case 'T':
			b.WriteString(t.Format("15:04:05"))
		case 'R':
			b.WriteString(t.Format("15:04"))
		case 'D':
			b.WriteString(t.Format("01/02/06"))
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(layout[i])
		}
	}
	return b.String()
}

// createPrivate creates or truncates the capture file name with mode perm,
// also when it already exists with a wider mode: captures hold whole
// environments. In a sticky world-writable directory (/tmp) a symbolic
// link is never followed, since anyone could have planted it there.
func createPrivate(name string, perm os.FileMode) (*os.File, error) {
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	dir := filepath.Dir(name)
	shared := false
	if st, err := os.Stat(dir); err == nil && st.Mode()&os.ModeSticky != 0 && st.Mode().Perm()&0o002 != 0 {
		shared = true
		flags |= syscall.O_NOFOLLOW
	}
	f, err := os.OpenFile(name, flags, perm)
	if err != nil {
		if shared && errors.Is(err, syscall.ELOOP) {
			return nil, fmt.Errorf("%s is a symbolic link in the sticky world-writable directory %s: refusing to follow it", name, dir)
		}
		return nil, err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: setting mode %04o: %w", name, perm, err)
	}
	return f, nil
}
