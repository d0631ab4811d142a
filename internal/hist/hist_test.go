// SPDX-License-Identifier: Apache-2.0

package hist

import (
	"math"
	"math/rand/v2"
	"testing"
)

// bucketSlow is the definition of the layout, written plainly.
func bucketSlow(v uint64) int {
	if v == 0 {
		return 0
	}
	d := 0
	for p := uint64(10); d < Decades-1 && v >= p; p *= 10 {
		d++
	}
	p := uint64(1)
	for i := 0; i < d; i++ {
		p *= 10
	}
	return 1 + d*Steps + int(v/p) - 1
}

func TestBucketBoundaries(t *testing.T) {
	for i := 1; i < NumBuckets; i++ {
		lo := Lower(i)
		if got := Bucket(lo); got != i {
			t.Fatalf("Bucket(Lower(%d)=%d) = %d", i, lo, got)
		}
		if got := Bucket(lo - 1); got != i-1 {
			t.Fatalf("Bucket(%d) = %d, want %d", lo-1, got, i-1)
		}
		if i < NumBuckets-1 && float64(Lower(i+1)) != Upper(i) {
			t.Fatalf("Upper(%d) = %g, next lower %d", i, Upper(i), Lower(i+1))
		}
	}
	if got := Bucket(math.MaxUint64); got != NumBuckets-1 {
		t.Fatalf("Bucket(MaxUint64) = %d", got)
	}
	if UpperInt(NumBuckets-1) != math.MaxUint64 || UpperInt(5) != Lower(6) {
		t.Fatal("UpperInt")
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		v := r.Uint64() >> (r.IntN(64))
		if Bucket(v) != bucketSlow(v) {
			t.Fatalf("Bucket(%d) = %d, want %d", v, Bucket(v), bucketSlow(v))
		}
	}
	for _, c := range []struct {
		v uint64
		b int
	}{{0, 0}, {1, 1}, {9, 9}, {10, 10}, {19, 10}, {20, 11}, {99, 18}, {100, 19}, {1500, 1 + 3*9}} {
		if got := Bucket(c.v); got != c.b {
			t.Errorf("Bucket(%d) = %d, want %d", c.v, got, c.b)
		}
	}
}

func TestHist(t *testing.T) {
	var h Hist
	for _, v := range []uint64{0, 5, 5, 12, 300, 999} {
		h.Add(v)
	}
	if h.Count != 6 || h.Sum != 1321 {
		t.Fatalf("count %d sum %g", h.Count, h.Sum)
	}
	lo, hi, ok := h.Range()
	if !ok || lo != 0 || hi != Bucket(999) {
		t.Fatalf("range %d %d %v", lo, hi, ok)
	}
	if q := h.Quantile(0.5); q != 5 {
		t.Errorf("median %d", q)
	}
	if q := h.Quantile(1); q != 900 {
		t.Errorf("max %d", q)
	}
	var m Hist
	m.Merge(&h)
	m.Merge(&h)
	if m.Count != 12 || m.Counts[Bucket(5)] != 4 {
		t.Fatalf("merge %+v", m.Count)
	}
	m.Reset()
	if _, _, ok := m.Range(); ok || m.Quantile(0.5) != 0 {
		t.Fatal("reset")
	}
}

func TestGrid(t *testing.T) {
	g := NewGrid(10, 3)
	g.Add(25, 1)
	g.Add(29, 1)
	g.Add(41, 2)
	g.Add(41, 7) // out of range column: ignored
	if g.Start != 20 || g.Rows() != 3 || g.Cell(0, 1) != 2 || g.Cell(2, 2) != 1 || g.Total() != 3 {
		t.Fatalf("start %d rows %d total %d", g.Start, g.Rows(), g.Total())
	}
	g.Add(3, 0) // earlier than the first event: rows added in front
	if g.Start != 0 || g.Rows() != 5 || g.Cell(0, 0) != 1 || g.Cell(2, 1) != 2 || g.Cell(4, 2) != 1 {
		t.Fatalf("after prepend: start %d rows %d", g.Start, g.Rows())
	}
	if g.RowOf(45) != 4 || g.RowOf(50) != -1 || g.RowStart(3) != 30 || g.Max() != 2 {
		t.Fatal("RowOf/RowStart/Max")
	}
	g.Extend(75)
	if g.Rows() != 8 || g.Total() != 4 {
		t.Fatalf("extend rows %d", g.Rows())
	}
	lo, hi, ok := g.ColRange()
	if !ok || lo != 0 || hi != 2 {
		t.Fatal("ColRange")
	}
}

func TestSums(t *testing.T) {
	s := NewSums(100)
	s.Add(150, []byte("b"), 10)
	s.Add(160, []byte("a"), 10)
	s.Add(350, []byte("c"), 5)
	s.Add(351, []byte("b"), 1)
	s.Add(20, []byte("a"), 1) // earlier interval
	if s.Start != 0 || s.Rows() != 4 || s.Keys() != 3 {
		t.Fatalf("start %d rows %d keys %d", s.Start, s.Rows(), s.Keys())
	}
	top := s.Top(2)
	if len(top) != 2 || s.Key(top[0]) != "a" || s.Key(top[1]) != "b" {
		t.Fatalf("top %v", top)
	}
	if s.Value(top[0], 0) != 1 || s.Value(top[0], 1) != 10 || s.Value(top[1], 3) != 1 || s.Total(top[1]) != 11 {
		t.Fatal("values")
	}
}

func TestNoAllocation(t *testing.T) {
	var h Hist
	g := NewGrid(1000, NumBuckets)
	g.Add(0, 0)
	g.Extend(1 << 20)
	s := NewSums(1 << 30)
	key := []byte("curl")
	s.Add(0, key, 1)
	n := testing.AllocsPerRun(1000, func() {
		for v := uint64(1); v < 1<<20; v = v*3 + 1 {
			h.Add(v)
			g.Add(v, Bucket(v))
			s.Add(v, key, v)
		}
	})
	if n != 0 {
		t.Fatalf("%v allocations per run", n)
	}
}

func BenchmarkGridAdd(b *testing.B) {
	g := NewGrid(1e9, NumBuckets)
	var ts uint64
	for i := 0; i < b.N; i++ {
		ts += 997
		g.Add(ts, Bucket(ts%1e7))
	}
}

func TestNativeBounds(t *testing.T) {
	b := NativeBounds()
	for j := 1; j < NativeBuckets; j++ {
		// Below a few ns, whole nanoseconds can round two bounds to the
		// same value (an empty bucket); they never decrease.
		if b[j] < b[j-1] || (b[j] == b[j-1] && b[j] > 10) {
			t.Fatalf("bounds %d, %d not increasing: %d %d", j-1, j, b[j-1], b[j])
		}
	}
	// Index 0 of the schema is 1 s, index -4 is 0.5 s, index 4 is 2 s.
	for _, c := range []struct {
		i    int
		want uint64
	}{{0, 1e9}, {-4, 5e8}, {4, 2e9}, {-40, 976562}, {1, 1189207115}} {
		if got := b[c.i-NativeFirst]; got != c.want {
			t.Errorf("bound of index %d: %d ns, want %d", c.i, got, c.want)
		}
	}
	if b[0] != 1 {
		t.Errorf("first bound %d ns", b[0])
	}
	for _, c := range []struct {
		v uint64
		i int
	}{{1, -119}, {1e9, 0}, {1e9 + 1, 1}, {5e8, -4}, {5e8 + 1, -3}, {1189207115, 1}, {1189207116, 2}, {1e15, NativeFirst + NativeBuckets - 1}} {
		if got := NativeBucket(&b, c.v) + NativeFirst; got != c.i {
			t.Errorf("NativeBucket(%d) = index %d, want %d", c.v, got, c.i)
		}
	}
}
