package parallel

import (
	"sync/atomic"
	"testing"
)

func TestEachCallsEveryIndexOnce(t *testing.T) {
	for _, tt := range []struct{ n, workers int }{{0, 4}, {1, 4}, {5, 1}, {1000, 4}, {3, 8}, {10, 0}} {
		calls := make([]atomic.Int32, tt.n)
		var running, peak atomic.Int32
		Each(tt.n, tt.workers, func(i int) {
			r := running.Add(1)
			for p := peak.Load(); r > p && !peak.CompareAndSwap(p, r); p = peak.Load() {
			}
			calls[i].Add(1)
			running.Add(-1)
		})
		for i := range calls {
			if c := calls[i].Load(); c != 1 {
				t.Errorf("n=%d workers=%d: index %d called %d times", tt.n, tt.workers, i, c)
			}
		}
		if p := int(peak.Load()); p > max(tt.workers, 1) {
			t.Errorf("n=%d workers=%d: %d calls ran at once", tt.n, tt.workers, p)
		}
	}
}
