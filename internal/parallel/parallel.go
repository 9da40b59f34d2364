// Package parallel runs the iterations of a loop side by side.
package parallel

import (
	"sync"
	"sync/atomic"
)

// Each calls fn(i) for every i in [0, n) from at most workers goroutines,
// and returns when all calls have. The calls take indexes in order, so
// each worker moves through the input; fn must be safe to run
// concurrently, and records its own results and errors by index.
//
// Unlike an errgroup with a limit, Each starts its workers once, not a
// goroutine per item: with a library's worth of small items (a stat, a
// file read) the goroutines would cost as much as the work.
func Each(n, workers int, fn func(i int)) {
	EachWorker(n, workers, func(_, i int) { fn(i) })
}

// EachWorker is Each that also tells fn which worker (0 to workers-1)
// calls it, so that a worker can reuse its own buffers.
func EachWorker(n, workers int, fn func(worker, i int)) {
	workers = min(workers, n)
	if workers <= 1 {
		for i := range n {
			fn(0, i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(w, i)
			}
		}()
	}
	wg.Wait()
}
