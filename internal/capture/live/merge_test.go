// SPDX-License-Identifier: Apache-2.0

package live

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
)

// rec builds a ring record of the given kind holding close-enter events
// with the given time stamps.
func rec(kind uint16, cpu uint16, flush uint64, ts ...uint64) []byte {
	var b event.Builder
	out := make([]byte, recHdrLen)
	for i, t := range ts {
		out = append(out, b.Reset(4).I64(int64(i)).Bytes(t, int64(100+cpu))...)
	}
	binary.LittleEndian.PutUint16(out[0:], kind)
	binary.LittleEndian.PutUint16(out[2:], cpu)
	binary.LittleEndian.PutUint32(out[4:], uint32(len(ts)))
	binary.LittleEndian.PutUint32(out[8:], uint32(len(out)))
	binary.LittleEndian.PutUint64(out[16:], flush)
	return out
}

func feed(t *testing.T, m *merger, r []byte) {
	t.Helper()
	b := m.buffer()
	b.buf = append(b.buf, r...)
	if err := m.add(b); err != nil {
		t.Fatalf("add: %v", err)
	}
}

func drainTS(m *merger, force uint64) []uint64 {
	var out []uint64
	for ev := m.next(force); ev != nil; ev = m.next(force) {
		out = append(out, ev.TS)
	}
	return out
}

func TestMergerOrdersByWatermark(t *testing.T) {
	type in struct {
		kind  uint16
		cpu   uint16
		flush uint64
		ts    []uint64
	}
	tests := []struct {
		name  string
		recs  []in
		force uint64
		want  []uint64
	}{
		{"single cpu waits for others", []in{{recBatch, 0, 50, []uint64{10, 20, 30}}}, 0, nil},
		{"two cpus interleave", []in{
			{recBatch, 0, 50, []uint64{10, 30, 50}},
			{recBatch, 1, 40, []uint64{20, 40}},
		}, 0, []uint64{10, 20, 30, 40}},
		{"empty flush advances", []in{
			{recBatch, 0, 100, []uint64{10, 60}},
			{recBatch, 1, 70, nil},
		}, 0, []uint64{10, 60}},
		{"singles merge in", []in{
			{recSingle, 1, 0, []uint64{15}},
			{recBatch, 0, 100, []uint64{10, 20}},
			{recBatch, 1, 100, []uint64{5, 25}},
		}, 0, []uint64{5, 10, 15, 20, 25}},
		{"force releases old events", []in{{recBatch, 0, 50, []uint64{10, 20, 30}}}, 25, []uint64{10, 20}},
		{"batches of one cpu in sequence", []in{
			{recBatch, 0, 30, []uint64{10, 20}},
			{recBatch, 0, 60, []uint64{40, 50}},
			{recBatch, 1, 60, nil},
		}, 0, []uint64{10, 20, 40, 50}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMerger(2)
			for _, r := range tt.recs {
				feed(t, m, rec(r.kind, r.cpu, r.flush, r.ts...))
			}
			got := drainTS(m, tt.force)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestMergerOfflineCPU(t *testing.T) {
	m := newMerger(3)
	feed(t, m, rec(recBatch, 0, 100, 10, 20))
	feed(t, m, rec(recBatch, 1, 100, 15))
	if got := drainTS(m, 0); len(got) != 0 {
		t.Fatalf("released %v while cpu 2 is silent", got)
	}
	m.offline(2)
	if got := drainTS(m, 0); len(got) != 3 || got[0] != 10 || got[1] != 15 || got[2] != 20 {
		t.Fatalf("after marking cpu 2 offline: %v", got)
	}
}

func TestMergerEventFields(t *testing.T) {
	m := newMerger(2)
	feed(t, m, rec(recBatch, 1, 100, 10, 20))
	feed(t, m, rec(recBatch, 0, 100))
	ev := m.next(0)
	if ev == nil || ev.Num != 1 || ev.CPU != 1 || ev.TID != 101 || ev.Type != 4 || ev.NParams != 1 {
		t.Fatalf("first event %+v", ev)
	}
	if v, _ := ev.Int(0); v != 0 {
		t.Fatalf("fd %d", v)
	}
	ev = m.next(0)
	if ev == nil || ev.Num != 2 || ev.TS != 20 {
		t.Fatalf("second event %+v", ev)
	}
	if m.next(0) != nil {
		t.Fatal("extra event")
	}
	if len(m.free) == 0 {
		t.Fatal("finished buffers are not recycled")
	}
}

func TestMergerRejectsMalformed(t *testing.T) {
	good := rec(recBatch, 0, 100, 10)
	tests := []struct {
		name string
		rec  []byte
	}{
		{"short", good[:10]},
		{"bad kind", func() []byte { r := append([]byte(nil), good...); r[0] = 9; return r }()},
		{"bad cpu", func() []byte { r := append([]byte(nil), good...); r[2] = 7; return r }()},
		{"length beyond record", func() []byte {
			r := append([]byte(nil), good...)
			binary.LittleEndian.PutUint32(r[8:], uint32(len(r)+10))
			return r
		}()},
		{"event length beyond record", func() []byte {
			r := append([]byte(nil), good...)
			binary.LittleEndian.PutUint32(r[recHdrLen+16:], 5000)
			return r
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMerger(2)
			b := m.buffer()
			b.buf = append(b.buf, tt.rec...)
			if err := m.add(b); err == nil {
				t.Fatal("accepted a malformed record")
			}
			if m.next(^uint64(0)) != nil {
				t.Fatal("malformed record produced an event")
			}
		})
	}
}

func TestMergerNoAllocs(t *testing.T) {
	m := newMerger(2)
	r0 := rec(recBatch, 0, 1000, 10, 30, 50, 70)
	r1 := rec(recBatch, 1, 1000, 20, 40, 60, 80)
	allocs := testing.AllocsPerRun(100, func() {
		for _, r := range [][]byte{r0, r1} {
			b := m.buffer()
			b.buf = append(b.buf, r...)
			_ = m.add(b)
		}
		for m.next(0) != nil {
		}
	})
	if allocs > 0 {
		t.Fatalf("%v allocations per round", allocs)
	}
}

func FuzzMergerAdd(f *testing.F) {
	f.Add(rec(recBatch, 0, 100, 10, 20))
	f.Add(rec(recSingle, 1, 0, 5))
	f.Add(rec(recBatch, 1, 7))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxRecBytes {
			return
		}
		m := newMerger(2)
		b := m.buffer()
		b.buf = append(b.buf, data...)
		_ = m.add(b)
		for ev := m.next(^uint64(0)); ev != nil; ev = m.next(^uint64(0)) {
			for i := 0; i < ev.NParams; i++ {
				_ = ev.Param(i)
			}
		}
	})
}

// TestDescriptorsMatchTable checks every descriptor against the event table
// and that every routed syscall is emitted with a full parameter list.
func TestDescriptorsMatchTable(t *testing.T) {
	d, err := buildDescs()
	if err != nil {
		t.Fatal(err)
	}
	for ty, e := range d {
		info := ty.Info()
		if info.Flags&event.FlagOldVersion != 0 {
			t.Errorf("%s (%d) is an old layout", info.Name, ty)
		}
		if want := len(info.Params) + len(trailing[ty]); int(e.Nparams) != want {
			t.Errorf("%s (%d): %d parameters, want %d", info.Name, ty, e.Nparams, want)
		}
		for i := 0; i < len(info.Params); i++ {
			p := e.P[i]
			pt := info.Params[i].Type
			if (p.Src == srcArg || p.Src == srcRet || p.Src == srcConst) && pt.Size() == 0 {
				t.Errorf("%s param %s: scalar source for %s", info.Name, info.Params[i].Name, pt)
			}
		}
	}
	routes, keepExit := buildRoutes(Options{})
	if !keepExit {
		t.Error("procexit not kept by default")
	}
	kept := 0
	for nr, r := range routes {
		if r.Keep == 0 {
			continue
		}
		kept++
		for _, ty := range []event.Type{event.Type(r.Enter), event.Type(r.Exit)} {
			if _, ok := d[ty]; !ok {
				t.Errorf("syscall %d (%s) routed to %d without a descriptor", nr, event.NativeName(nr), ty)
			}
		}
	}
	if kept < 250 {
		t.Errorf("only %d syscalls kept", kept)
	}
	for _, name := range []string{"open", "openat", "read", "write", "close", "connect", "accept4", "execve", "clone", "clone3", "sendto", "recvfrom"} {
		nr, ok := event.NativeNumber(name)
		if !ok || routes[nr].Enter == uint16(event.GenericE) {
			t.Errorf("%s is not recorded with its own events", name)
		}
	}
}

func TestRoutesFilter(t *testing.T) {
	tests := []struct {
		name     string
		opts     Options
		keep     []string
		drop     []string
		procexit bool
	}{
		{"all", Options{}, []string{"read", "getppid"}, nil, true},
		{"by name", Options{Syscalls: []string{"getppid"}}, []string{"getppid"}, []string{"read", "openat"}, false},
		{"by type", Options{EventTypes: []event.Type{306, event.ProcExit1E}}, []string{"openat"}, []string{"read"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			routes, pe := buildRoutes(tt.opts)
			if pe != tt.procexit {
				t.Errorf("procexit kept %v", pe)
			}
			for _, n := range tt.keep {
				nr, _ := event.NativeNumber(n)
				if routes[nr].Keep == 0 {
					t.Errorf("%s dropped", n)
				}
			}
			for _, n := range tt.drop {
				nr, _ := event.NativeNumber(n)
				if routes[nr].Keep != 0 {
					t.Errorf("%s kept", n)
				}
			}
		})
	}
}

// TestHeaderConstants checks the Go mirrors of bpf/probe/probe.h.
func TestHeaderConstants(t *testing.T) {
	_, self, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(self), "../../..")
	b, err := os.ReadFile(filepath.Join(root, "bpf/probe/probe.h"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^#define ([A-Z0-9_]+) (\d+)`)
	got := map[string]int{}
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		v, _ := strconv.Atoi(m[2])
		got[m[1]] = v
	}
	want := map[string]int{
		"SRC_ARG": srcArg, "SRC_RET": srcRet, "SRC_CONST": srcConst, "SRC_USTR": srcUStr, "SRC_UBUF": srcUBuf,
		"SRC_IOV": srcIOV, "SRC_IOV_SIZE": srcIOVSize, "SRC_MSG_IOV": srcMsgIOV, "SRC_MSG_SIZE": srcMsgSize,
		"SRC_SOCKADDR": srcSockaddr, "SRC_TUPLE": srcTuple, "SRC_TUPLE_RET": srcTupleRet, "SRC_UINT_AT": srcUintAt,
		"SRC_PIPE_INO": srcPipeIno, "SRC_FD_DEV": srcFDDev, "SRC_FDLIST": srcFDList, "SRC_TIMESPEC": srcTimespec,
		"SRC_SC_CODE": srcSCCode, "SRC_NATIVE_ID": srcNativeID, "SRC_PROC": srcProc, "SRC_EXIT": srcExit,
		"SRC_DYN_ARG": srcDynArg, "SRC_OPEN_MODE": srcOpenMode, "SRC_CWD": srcCwd, "SRC_SOCK_ADDR": srcSockAddr,
		"SRC_U64_AT": srcU64At, "SRC_BACKLOG": srcBacklog,
		"CV_S32": cvS32, "CV_OPEN_FLAGS": cvOpenFlags, "CV_PROT": cvProt, "CV_MMAP_FLAGS": cvMmapFlags,
		"CV_CLONE_FLAGS": cvCloneFlag, "CV_FCNTL": cvFcntl, "CV_POLL": cvPoll, "CV_ACCESS": cvAccess,
		"CV_EXECVEAT": cvExecveat, "CV_RESOLVE": cvResolve, "CV_SOCKLEVEL": cvSockLevel, "CV_MOUNT": cvMount,
		"TUP_IN": tupIn, "TUP_USER_ADDR": tupUserAddr, "TUP_USER_ADDRP": tupUserAddrP, "TUP_MSG_NAME": tupMsgName,
		"PROC_EXE": procExe, "PROC_VPID": procVPID, "PROC_CLONE_FLAGS": procCloneFlags, "PROC_ENV": procEnv,
		"EXIT_STATUS": exitStatus, "EXIT_CORE": exitCore, "MAX_PARAMS": maxParams, "NR_SYSCALLS": nrSyscalls,
		"REC_BATCH": recBatch, "REC_SINGLE": recSingle,
		"DR_RING_FULL": drRingFull, "DR_BUSY": drBusy, "DR_TRUNCATED": drTruncated, "DR_FAULT": drFault,
		"DR_NO_DESC": drNoDesc, "DR_RECORDS": drRecords, "DR_MAX": drMax,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s: header %d (present %v), Go %d", k, g, ok, v)
		}
	}
}

// BenchmarkMerger measures the reader's per-event cost after the ring:
// queueing batches of 64 events from two CPUs and releasing them in order.
func BenchmarkMerger(b *testing.B) {
	m := newMerger(2)
	var ts [2][]uint64
	for cpu := range ts {
		for i := 0; i < 64; i++ {
			ts[cpu] = append(ts[cpu], uint64(2*i+cpu+1))
		}
	}
	r0 := rec(recBatch, 0, 1000, ts[0]...)
	r1 := rec(recBatch, 1, 1000, ts[1]...)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for n < b.N {
		for _, r := range [][]byte{r0, r1} {
			bb := m.buffer()
			bb.buf = append(bb.buf, r...)
			_ = m.add(bb)
		}
		for ev := m.next(0); ev != nil; ev = m.next(0) {
			n++
		}
	}
}
