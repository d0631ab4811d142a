// SPDX-License-Identifier: Apache-2.0

package state

import "strings"

// Path resolution: file names of opens and chdirs made absolute against
// the process's working directory or a directory fd, as sysdig does.

// ResolvePath resolves name relative to dirfd (-100 = the cwd) of t the way
// sysdig shows it in arguments: absolute names are cleaned; relative ones
// are joined to the directory's name (nothing when dirfd is not known).
//
// A dirfd that is not open, or open without a name (a pipe, an unnamed
// socket), gives no base at all, so the path stays relative: sysdig asks
// /proc of the machine it runs on for such an fd, which knows nothing of
// the capture's processes.
func (s *State) ResolvePath(t *Thread, dirfd int64, name string) string {
	if dirfd != -100 && dirfd != 0xffffff9c && t != nil {
		if d := t.fds.Get(dirfd); d != nil && d.Name == "" {
			dirfd = -1 // not open: no base
		}
	}
	return s.resolve(t, dirfd, name, "")
}

// ResolveEmpty is ResolvePath for a path argument that is present but
// empty: sysdig appends nothing to the base, which is then the resolved
// path (the cwd for a plain path).
func (s *State) ResolveEmpty(t *Thread, dirfd int64) string {
	if dirfd != -100 && dirfd != 0xffffff9c && t != nil {
		if d := t.fds.Get(dirfd); d != nil && d.Name == "" {
			dirfd = -1
		}
	}
	return s.resolveEmpty(t, dirfd, "")
}

// OpenPath resolves the name of an open relative to dirfd as sysdig's
// open parser names the new fd: a directory fd that is not open gives the
// base "<UNKNOWN>"; a present but empty name (empty true) names the base.
func (s *State) OpenPath(t *Thread, dirfd int64, name string, empty bool) string {
	if empty {
		return s.resolveEmpty(t, dirfd, "<UNKNOWN>")
	}
	return s.resolve(t, dirfd, name, "<UNKNOWN>")
}

func (s *State) resolveEmpty(t *Thread, dirfd int64, unknown string) string {
	return joinPath(s.pathBase(t, dirfd, unknown), "")
}

// pathBase is the directory a relative path is resolved from: the cwd for
// AT_FDCWD, the directory fd's name otherwise, unknown when neither is known.
func (s *State) pathBase(t *Thread, dirfd int64, unknown string) string {
	base := unknown
	if dirfd == -100 || dirfd == 0xffffff9c {
		if t != nil {
			// the cwd as it is, even when empty (a thread sysdig
			// created without one): concatenate_paths then adds nothing
			return s.Cwd(t)
		}
	} else if t != nil {
		if d := t.fds.Get(dirfd); d != nil {
			base = d.Name + "/"
		}
	}
	if base == "" {
		base = unknown
	}
	return base
}

// resolve is ResolvePath with the base used when dirfd is not an open fd
// (sysdig names such files "<UNKNOWN>name").
func (s *State) resolve(t *Thread, dirfd int64, name, unknown string) string {
	if i := strings.IndexByte(name, 0); i >= 0 {
		name = name[:i] // a C string
	}
	if name == "" {
		return name
	}
	name = pathChars(name)
	if name[0] == '/' {
		return cleanPath(name)
	}
	return joinPath(s.pathBase(t, dirfd, unknown), name)
}

// joinPath appends the relative path name to base as sysdig does: base is
// kept as it is, name's "." and empty components are dropped and each ".."
// removes the last component written so far (never the root); a trailing
// slash is dropped except for the root.
func joinPath(base, name string) string {
	out := make([]byte, 0, len(base)+len(name)+1)
	out = append(out, base...)
	sep := false
	for len(name) > 0 {
		seg := name
		if i := strings.IndexByte(name, '/'); i >= 0 {
			seg, name = name[:i], name[i+1:]
		} else {
			name = ""
		}
		switch seg {
		case "", ".":
		case "..":
			if len(out) == 1 && out[0] == '/' {
				break
			}
			if n := len(out); n > 0 && out[n-1] == '/' {
				out = out[:n-1]
			}
			if i := lastSlash(out); i >= 0 {
				out = out[:i+1]
			} else {
				out = out[:0]
			}
			sep = false
		default:
			if sep {
				out = append(out, '/')
			}
			out = append(out, seg...)
			sep = true
		}
	}
	if n := len(out); n > 1 && out[n-1] == '/' {
		out = out[:n-1]
	}
	return string(out)
}

func lastSlash(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == '/' {
			return i
		}
	}
	return -1
}

// Cwd returns the working directory of t's process, kept on its main
// thread (threads share it; a secondary thread's own is not read). With the
// main thread unknown it is empty: sysdig's get_cwd looks the main thread
// up, which adds it unknown and without a cwd.
func (s *State) Cwd(t *Thread) string {
	if t == nil {
		return ""
	}
	if p := s.Process(t); p != nil {
		return p.Cwd
	}
	return ""
}

// cleanPath removes "//", "/./" and resolves "/../" without touching the
// file system; a trailing slash is dropped except for the root.
func cleanPath(p string) string {
	clean := true
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && i+1 < len(p) && (p[i+1] == '/' || p[i+1] == '.') {
			clean = false
			break
		}
	}
	if clean && (len(p) <= 1 || p[len(p)-1] != '/') {
		return p
	}
	parts := make([]string, 0, 8)
	start := 0
	for i := 0; i <= len(p); i++ {
		if i == len(p) || p[i] == '/' {
			seg := p[start:i]
			start = i + 1
			switch seg {
			case "", ".":
			case "..":
				if len(parts) > 0 {
					parts = parts[:len(parts)-1]
				}
			default:
				parts = append(parts, seg)
			}
		}
	}
	n := 1
	for _, x := range parts {
		n += len(x) + 1
	}
	b := make([]byte, 0, n)
	for _, x := range parts {
		b = append(b, '/')
		b = append(b, x...)
	}
	if len(b) == 0 {
		return "/"
	}
	return string(b)
}
