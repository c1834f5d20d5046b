package par

import (
	"sync/atomic"
	"testing"
)

func TestForCoversEveryIndexOnce(t *testing.T) {
	for _, tc := range []struct{ n, grain int }{{0, 1}, {1, 1}, {5, 10}, {7, 1}, {1000, 3}, {4096, 1024}, {100001, 4096}} {
		counts := make([]int32, tc.n)
		var calls atomic.Int32
		For(tc.n, tc.grain, func(lo, hi int) {
			calls.Add(1)
			if hi-lo < tc.grain && hi != tc.n {
				t.Errorf("n=%d grain=%d: range [%d, %d) is below the grain and not the last", tc.n, tc.grain, lo, hi)
			}
			for i := lo; i < hi; i++ {
				atomic.AddInt32(&counts[i], 1)
			}
		})
		for i, c := range counts {
			if c != 1 {
				t.Fatalf("n=%d grain=%d: index %d visited %d times", tc.n, tc.grain, i, c)
			}
		}
		if tc.n < 2*tc.grain && calls.Load() > 1 {
			t.Errorf("n=%d grain=%d: %d calls, want 1 for a loop under two grains", tc.n, tc.grain, calls.Load())
		}
	}
}

func TestForAllocatesLittle(t *testing.T) {
	out := make([]float32, 1<<16)
	f := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			out[i]++
		}
	}
	For(len(out), 1024, f)
	if a := testing.AllocsPerRun(100, func() { For(len(out), 1024, f) }); a > 1 {
		t.Errorf("For allocates %v times a call, want at most 1", a)
	}
}
