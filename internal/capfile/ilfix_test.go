// SPDX-License-Identifier: Apache-2.0

package capfile

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
)

// shortenIL rewrites the IL_V2 block of a capture the way sysdig 0.29.3 does
// when re-saving a capture with a V1 interface list: header and trailer
// declare 4 bytes per entry less than the block really has.
func shortenIL(t *testing.T, data []byte, entries int) []byte {
	t.Helper()
	out := append([]byte(nil), data...)
	for p := 0; p+8 <= len(out); {
		typ := binary.LittleEndian.Uint32(out[p:])
		l := int(binary.LittleEndian.Uint32(out[p+4:]))
		if typ == BlockILV2 {
			short := uint32(l - 4*entries)
			binary.LittleEndian.PutUint32(out[p+4:], short)
			binary.LittleEndian.PutUint32(out[p+l-4:], short)
			return out
		}
		p += l
	}
	t.Fatal("no interface list block")
	return nil
}

func TestShortInterfaceListRecovered(t *testing.T) {
	snap := testSnapshot()
	evs := scenario().Events()[:10]
	data := shortenIL(t, rewrite(t, snap, evs, WriterOptions{}), len(snap.Interfaces))
	got, gotEvs, err := readAll(t, data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, snap) || len(gotEvs) != len(evs) {
		t.Fatalf("snapshot or events lost: %d events", len(gotEvs))
	}
	// A wrong trailer that is not this pattern is still an error.
	bad := append([]byte(nil), data...)
	for p := 0; ; {
		l := int(binary.LittleEndian.Uint32(bad[p+4:]))
		if binary.LittleEndian.Uint32(bad[p:]) == BlockILV2 {
			binary.LittleEndian.PutUint32(bad[p+4:], uint32(l-2))
			break
		}
		p += l
	}
	if _, _, err := readAll(t, bad); err == nil {
		t.Fatal("corrupted interface list accepted")
	}
}

// TestReadSysdigRewriteOfV1InterfaceList reads what `sysdig -r
// curl_google.scap -w` produces (sysdig itself cannot read it back).
func TestReadSysdigRewriteOfV1InterfaceList(t *testing.T) {
	bin := needSysdig(t)
	orig := trace(t, "curl_google.scap")
	out := filepath.Join(t.TempDir(), "rewrite.scap")
	if b, err := exec.Command(bin, "-r", orig, "-w", out).CombinedOutput(); err != nil {
		t.Fatalf("sysdig: %v: %s", err, b)
	}
	want, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	ws, wevs, err := readAll(t, want)
	if err != nil {
		t.Fatal(err)
	}
	gs, gevs, err := readAll(t, got)
	if err != nil {
		t.Fatalf("reading sysdig's rewrite: %v", err)
	}
	if !reflect.DeepEqual(gs.Interfaces, ws.Interfaces) {
		t.Fatalf("interfaces %+v, want %+v", gs.Interfaces, ws.Interfaces)
	}
	if len(gevs) != len(wevs) {
		t.Fatalf("%d events, want %d", len(gevs), len(wevs))
	}
	for i := range wevs {
		if !bytes.Equal(gevs[i].Raw[20:], wevs[i].Raw[20:]) {
			t.Fatalf("event %d differs", i+1)
		}
	}
}
