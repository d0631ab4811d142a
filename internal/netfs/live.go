// SPDX-License-Identifier: Apache-2.0

package netfs

import (
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// checkEvery bounds how often Live asks the kernel whether the mount table
// changed.
const checkEvery = 50 * time.Millisecond

// Live is a mount table that follows mounts and unmounts. The kernel flags a
// mountinfo file descriptor with POLLPRI when the mount namespace changes;
// Live polls it (without blocking, at most every 50 ms) and re-reads the file
// only then. Invalidate forces a re-read, e.g. after a mount event was seen.
type Live struct {
	path  string
	mu    sync.Mutex
	f     *os.File
	tab   atomic.Pointer[Table]
	dirty atomic.Bool
	last  atomic.Int64 // unix ns of the last change check
	err   error
}

// NewLive opens path (normally "/proc/self/mountinfo") and reads it.
func NewLive(path string) (*Live, error) {
	l := &Live{path: path}
	if err := l.reload(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *Live) reload() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		// A blocking descriptor opened directly stays out of the runtime's
		// epoll set; there the epoll callback would consume the change
		// notification before changed() sees it.
		fd, err := unix.Open(l.path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return &os.PathError{Op: "open", Path: l.path, Err: err}
		}
		l.f = os.NewFile(uintptr(fd), l.path)
	}
	if _, err := l.f.Seek(0, 0); err != nil {
		return err
	}
	ms, err := ParseMountinfo(l.f)
	if err != nil {
		return err
	}
	l.tab.Store(NewTable(ms))
	l.last.Store(time.Now().UnixNano())
	return nil
}

// Invalidate makes the next Table call re-read the mount table.
func (l *Live) Invalidate() { l.dirty.Store(true) }

// Table returns the current mount table.
func (l *Live) Table() *Table {
	now := time.Now().UnixNano()
	if l.dirty.Load() || now-l.last.Load() >= int64(checkEvery) {
		l.last.Store(now)
		if l.dirty.Swap(false) || l.changed() {
			if err := l.reload(); err != nil {
				l.err = err
			}
		}
	}
	return l.tab.Load()
}

func (l *Live) changed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return true
	}
	fds := []unix.PollFd{{Fd: int32(l.f.Fd()), Events: unix.POLLPRI}}
	n, err := unix.Poll(fds, 0)
	return err == nil && n > 0 && fds[0].Revents&(unix.POLLPRI|unix.POLLERR) != 0
}

// Close releases the mountinfo file.
func (l *Live) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

var (
	defaultOnce sync.Once
	defaultLive *Live
)

// Default returns the process-wide live table of /proc/self/mountinfo, or
// nil when it cannot be read.
func Default() *Live {
	defaultOnce.Do(func() {
		defaultLive, _ = NewLive("/proc/self/mountinfo")
	})
	return defaultLive
}

// Lookup finds the mount of an absolute path in the default live table.
func Lookup(p string) *Mount {
	l := Default()
	if l == nil {
		return nil
	}
	return l.Table().Lookup(p)
}
