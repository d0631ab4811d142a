// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/event"
)

// TestFullStructs renders the unabbreviated forms of -v from known bytes.
func TestFullStructs(t *testing.T) {
	le := binary.LittleEndian
	st := make([]byte, 144)
	le.PutUint64(st[0:], 0xfe00) // makedev(0xfe, 0)
	le.PutUint64(st[8:], 464)
	le.PutUint64(st[16:], 1)
	le.PutUint32(st[24:], 0100644)
	le.PutUint64(st[48:], 37587)
	le.PutUint64(st[56:], 4096)
	le.PutUint64(st[64:], 80)
	le.PutUint64(st[72:], 1796224223)
	le.PutUint64(st[80:], 18952326)
	le.PutUint64(st[88:], 1777320873)
	le.PutUint64(st[104:], 1777320873)
	r := &renderer{strSize: 32, full: true, loc: time.UTC}
	appendStat(r, nil, st)
	want := `{st_dev=makedev(0xfe, 0), st_ino=464, st_mode=S_IFREG|0644, st_nlink=1, st_uid=0, st_gid=0, st_blksize=4096, st_blocks=80, st_size=37587, ` +
		`st_atime=1796224223 /* 2026-12-02T15:10:23.018952326+0000 */, st_atime_nsec=18952326, st_mtime=1777320873 /* 2026-04-27T20:14:33+0000 */, st_mtime_nsec=0, ` +
		`st_ctime=1777320873 /* 2026-04-27T20:14:33+0000 */, st_ctime_nsec=0}`
	if got := string(r.b); got != want {
		t.Errorf("stat:\n got %s\nwant %s", got, want)
	}
	r = &renderer{strSize: 32}
	appendStat(r, nil, st)
	if got := string(r.b); got != "{st_mode=S_IFREG|0644, st_size=37587, ...}" {
		t.Errorf("abbreviated stat: %s", got)
	}

	var d []byte
	ent := func(ino, off uint64, typ byte, name string) {
		l := (19 + len(name) + 1 + 7) &^ 7
		e := make([]byte, l)
		le.PutUint64(e[0:], ino)
		le.PutUint64(e[8:], off)
		le.PutUint16(e[16:], uint16(l))
		e[18] = typ
		copy(e[19:], name)
		d = append(d, e...)
	}
	ent(1549, 3858631191341668647, 4, ".")
	ent(1550, 9223372036854775807, 8, "conda.bash")
	r = &renderer{strSize: 32, full: true}
	r.dirents(d, true)
	want = `[{d_ino=1549, d_off=3858631191341668647, d_reclen=24, d_type=DT_DIR, d_name="."}, {d_ino=1550, d_off=9223372036854775807, d_reclen=32, d_type=DT_REG, d_name="conda.bash"}]`
	if got := string(r.b); got != want {
		t.Errorf("dirents:\n got %s\nwant %s", got, want)
	}

	uts := make([]byte, 390)
	for k, s := range []string{"Linux", "vm", "6.1.0", "#1 SMP", "x86_64", "(none)"} {
		copy(uts[65*k:], s)
	}
	r = &renderer{strSize: 32, full: true}
	appendUtsname(r, nil, uts)
	want = `{sysname="Linux", nodename="vm", release="6.1.0", version="#1 SMP", machine="x86_64", domainname="(none)"}`
	if got := string(r.b); got != want {
		t.Errorf("utsname:\n got %s\nwant %s", got, want)
	}

	tio := make([]byte, 36)
	le.PutUint32(tio[0:], 0o2400)    // ICRNL|IXON
	le.PutUint32(tio[4:], 5)         // OPOST|ONLCR
	le.PutUint32(tio[8:], 0o277)     // B38400|CS8|CREAD
	le.PutUint32(tio[12:], 0o105073) // ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE
	copy(tio[17:], []byte{3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0xf, 0x17, 0x16})
	want = `{c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, c_cflag=B38400|CS8|CREAD, c_lflag=ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE, ` +
		`c_line=N_TTY, c_cc=[[VINTR]=0x3, [VQUIT]=0x1c, [VERASE]=0x7f, [VKILL]=0x15, [VEOF]=0x4, [VTIME]=0, [VMIN]=0x1, [VSWTC]=0, [VSTART]=0x11, [VSTOP]=0x13, ` +
		`[VSUSP]=0x1a, [VEOL]=0, [VREPRINT]=0x12, [VDISCARD]=0xf, [VWERASE]=0x17, [VLNEXT]=0x16, [VEOL2]=0, [17]=0, [18]=0]}`
	if got := string(appendTermios(nil, tio, ConstAbbrev, true)); got != want {
		t.Errorf("termios:\n got %s\nwant %s", got, want)
	}

	// arrays of strings: -s elements when abbreviated, all with -v
	var strv []byte
	for k := 0; k < 4; k++ {
		strv = append(strv, 'a'+byte(k), 0)
	}
	r = &renderer{strSize: 2}
	r.strv(strv)
	if got := string(r.b); got != `["a", "b", ...]` {
		t.Errorf("abbreviated strv: %s", got)
	}
	r = &renderer{strSize: 2, full: true}
	r.strv(strv)
	if got := string(r.b); got != `["a", "b", "c", "d"]` {
		t.Errorf("full strv: %s", got)
	}
}

// TestFullCopies: -v copies execve's environment strings, not their number,
// and leaves the table's own copies alone.
func TestFullCopies(t *testing.T) {
	nr, _ := event.NativeNumber("execve")
	kind := func(raw []event.RawSyscall) event.RawKind {
		for _, c := range raw[nr].Enter {
			if c.Arg == 2 {
				return c.Kind
			}
		}
		return 0
	}
	base := Copies()
	if k := kind(FullCopies(base, nil)); k != event.RawPtrCount {
		t.Errorf("abbreviated envp copy %d", k)
	}
	none, _ := ParseSet("none")
	if k := kind(FullCopies(base, none)); k != event.RawStrv {
		t.Errorf("-v envp copy %d", k)
	}
	if k := kind(Copies()); k != event.RawPtrCount {
		t.Errorf("table changed: envp copy %d", k)
	}
}
