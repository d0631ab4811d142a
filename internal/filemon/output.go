// SPDX-License-Identifier: Apache-2.0

package filemon

import (
	"encoding/json"
	"github.com/ferret-observability/ferret/internal/event"
	"io"
	"strconv"
	"time"

	"github.com/ferret-observability/ferret/internal/format"
)

// Writer prints records as text lines or JSON objects.
type Writer struct {
	W    io.Writer
	JSON bool
	Loc  *time.Location
	buf  []byte
	err  error
}

// textCols are the columns of the text form and their widths (a value
// wider than its column pushes the rest of its line only). The last column,
// PATH, is not padded.
var textCols = []struct {
	name  string
	width int
}{
	{"OPEN", 16}, {"CLOSE", 15}, {"DURATION", 10}, {"PID", 7}, {"TID", 7}, {"PPID", 7},
	{"COMM", 15}, {"FD", 4}, {"RESULT", 7}, {"READ", 10}, {"WRITTEN", 10}, {"END", 5},
	{"FLAGS", 24}, {"EXE", 24}, {"PATH", 0},
}

// Header is the column header of the text form.
var Header = func() string {
	var b []byte
	for _, c := range textCols {
		b = col(b, c.name, c.width)
	}
	return string(b[:len(b)-1]) + "\n"
}()

// WriteHeader prints the text header (nothing in JSON mode).
func (w *Writer) WriteHeader() error {
	if w.JSON {
		return nil
	}
	_, err := io.WriteString(w.W, Header)
	return err
}

func (w *Writer) clock(ts uint64) string {
	loc := w.Loc
	if loc == nil {
		loc = time.Local
	}
	return time.Unix(0, int64(ts)).In(loc).Format("15:04:05.000000")
}

// Result is "ok" or the errno name of a failed open.
func (r *Record) Result() string {
	if r.FD < 0 {
		return errnoName(-r.FD)
	}
	return "ok"
}

type jsonRecord struct {
	OpenTS       uint64          `json:"open_ts"`
	CloseTS      uint64          `json:"close_ts"`
	DurationNS   uint64          `json:"duration_ns"`
	PID          int64           `json:"pid"`
	TID          int64           `json:"tid"`
	PPID         int64           `json:"ppid"`
	Comm         format.JSONText `json:"comm"`
	Exe          format.JSONText `json:"exe"`
	Path         format.JSONText `json:"path"`
	Flags        string          `json:"flags"`
	FD           int64           `json:"fd"`
	Result       string          `json:"result"`
	BytesRead    uint64          `json:"bytes_read"`
	BytesWritten uint64          `json:"bytes_written"`
	End          End             `json:"end"`
	Before       bool            `json:"opened_before,omitempty"`
}

// Write prints one record.
func (w *Writer) Write(r *Record) error {
	if w.err != nil {
		return w.err
	}
	dur := uint64(0)
	if r.CloseTS > r.OpenTS {
		dur = r.CloseTS - r.OpenTS
	}
	if w.JSON {
		b, err := json.Marshal(jsonRecord{r.OpenTS, r.CloseTS, dur, r.PID, r.TID, r.PPID,
			format.JSONText(r.Comm), format.JSONText(r.Exe), format.JSONText(r.Path),
			event.OpenFlagsString(r.Flags), r.FD, r.Result(), r.BytesRead, r.BytesWritten, r.End, r.Before})
		if err != nil {
			return err
		}
		_, w.err = w.W.Write(append(b, '\n'))
		return w.err
	}
	open, durText := w.clock(r.OpenTS), strconv.FormatFloat(float64(dur)/1e9, 'f', 6, 64)
	if r.Before {
		// open before monitoring: the time and duration are lower bounds
		open, durText = "<"+open, ">"+durText
	}
	// names as recorded, with the bytes that could drive a terminal
	// shown as '.'
	exe := event.SafeString(r.Exe, false)
	if exe == "" {
		exe = "-"
	}
	vals := [...]string{open, w.clock(r.CloseTS), durText, strconv.FormatInt(r.PID, 10),
		strconv.FormatInt(r.TID, 10), strconv.FormatInt(r.PPID, 10), event.SafeString(r.Comm, false), strconv.FormatInt(r.FD, 10),
		r.Result(), strconv.FormatUint(r.BytesRead, 10), strconv.FormatUint(r.BytesWritten, 10),
		string(r.End), event.OpenFlagsString(r.Flags), exe}
	b := w.buf[:0]
	for i, v := range vals {
		b = col(b, v, textCols[i].width)
	}
	b = append(b, event.SafeString(r.Path, false)...)
	b = append(b, '\n')
	w.buf = b
	_, w.err = w.W.Write(b)
	return w.err
}

// col appends s padded with spaces to width, then one space.
func col(b []byte, s string, width int) []byte {
	b = append(b, s...)
	for i := len(s); i < width; i++ {
		b = append(b, ' ')
	}
	return append(b, ' ')
}
