// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	"bufio"
	"io"
	"reflect"
	"sync"
)

// Chisels writing to the same destination share one buffer, so that the
// lines of several chisels run together come out in the order they were
// printed.
var (
	outMu sync.Mutex
	outs  = map[io.Writer]*sharedOut{}
)

type sharedOut struct {
	bw   *bufio.Writer
	refs int
}

// acquireOut returns the buffered writer for w, creating it on first use.
func acquireOut(w io.Writer) *bufio.Writer {
	if !reflect.TypeOf(w).Comparable() {
		return bufio.NewWriterSize(w, 64<<10)
	}
	outMu.Lock()
	defer outMu.Unlock()
	s := outs[w]
	if s == nil {
		s = &sharedOut{bw: bufio.NewWriterSize(w, 64<<10)}
		outs[w] = s
	}
	s.refs++
	return s.bw
}

// releaseOut drops one reference to w's writer (flushed by the caller).
func releaseOut(w io.Writer) {
	if !reflect.TypeOf(w).Comparable() {
		return
	}
	outMu.Lock()
	defer outMu.Unlock()
	if s := outs[w]; s != nil {
		s.refs--
		if s.refs <= 0 {
			delete(outs, w)
		}
	}
}
