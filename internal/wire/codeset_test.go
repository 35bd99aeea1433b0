package wire

import (
	"math/rand/v2"
	"testing"
)

// A CodeSet answers as a map would, before and after it moves from its
// inline entries to the bitmap, and stays small enough for the stack.
func TestCodeSet(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, codeSetInline - 1, codeSetInline, codeSetInline + 1, 500} {
		var s CodeSet
		want := map[uint16]bool{}
		for range n {
			v := uint16(r.IntN(1 << 16))
			if r.IntN(4) == 0 {
				v = uint16(r.IntN(8)) // repeats
			}
			s.Add(v)
			want[v] = true
		}
		if (s.big != nil) != (len(want) > codeSetInline) {
			t.Errorf("%d distinct codes: bitmap %v", len(want), s.big != nil)
		}
		for v := range 1 << 16 {
			if s.Has(uint16(v)) != want[uint16(v)] {
				t.Fatalf("after %d adds: Has(%d) = %v, want %v", n, v, s.Has(uint16(v)), want[uint16(v)])
			}
		}
	}
}
