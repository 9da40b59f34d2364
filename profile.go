package main

// Profiles for measuring, asked for by environment variables (see Main);
// they are not part of the product's interface.

import (
	"fmt"
	"io"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"sync"
	"time"
)

// startCPUProfile writes a CPU profile to path until the returned function
// is called: SCRIPTSYNC_CPUPROFILE, for measuring (go tool pprof).
func startCPUProfile(path string) func() {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Warning: SCRIPTSYNC_CPUPROFILE:", err)
		return nil
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "Warning: SCRIPTSYNC_CPUPROFILE:", err)
		f.Close()
		return nil
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// writeHeapProfile writes the allocations of the run to path:
// SCRIPTSYNC_MEMPROFILE, for measuring (go tool pprof -sample_index=alloc_space).
func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Warning: SCRIPTSYNC_MEMPROFILE:", err)
		return
	}
	defer f.Close()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, "Warning: SCRIPTSYNC_MEMPROFILE:", err)
	}
}

// peakHeapInterval is how often startPeakHeapProfile looks at the heap.
const peakHeapInterval = 50 * time.Millisecond

// startPeakHeapProfile keeps in path a heap profile taken near the highest
// live heap the run reaches (SCRIPTSYNC_PEAKHEAPPROFILE, for measuring: go
// tool pprof -sample_index=inuse_space). It looks at the live heap, as the
// last garbage collection left it, every peakHeapInterval, and writes the
// profile again each time the heap has grown by a tenth since the last
// one. The returned function stops it and reports on w the peak and the
// live heap when the profile was written. The runtime's heap profile lags
// the heap by up to two collections (runtime.MemProfile), so its total is
// below that figure: it tells what the heap is made of, the peak how big
// it got. Forcing a collection before each write would make the profile
// current, at the cost of marking about ten times the final heap over a
// run.
func startPeakHeapProfile(path string, w io.Writer) func() {
	p := &peakHeap{path: path, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(peakHeapInterval)
		defer t.Stop()
		for {
			p.look()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			<-stopped
			p.look()
			switch {
			case p.err != nil:
				fmt.Fprintln(w, "Warning: SCRIPTSYNC_PEAKHEAPPROFILE:", p.err)
			case p.profiled == 0:
				fmt.Fprintln(w, "Warning: SCRIPTSYNC_PEAKHEAPPROFILE: no heap was profiled: no garbage collection ran")
			default:
				fmt.Fprintf(w, "Peak live heap: %.1f MB (the profile in %s was written at %.1f MB)\n",
					float64(p.peak)/1e6, p.path, float64(p.profiled)/1e6)
			}
		})
	}
}

type peakHeap struct {
	path     string
	sample   []metrics.Sample
	peak     uint64 // the highest live heap seen
	profiled uint64 // the live heap when path was last written
	err      error  // the first failed write; then it stops writing
}

func (p *peakHeap) look() {
	metrics.Read(p.sample)
	if p.sample[0].Value.Kind() != metrics.KindUint64 {
		return // not reported by this runtime: nothing is profiled
	}
	live := p.sample[0].Value.Uint64()
	p.peak = max(p.peak, live)
	// Zero: no garbage collection has run yet.
	if p.err != nil || live == 0 || (p.profiled > 0 && live <= p.profiled+p.profiled/10) {
		return
	}
	if p.err = p.write(); p.err == nil {
		p.profiled = live
	}
}

// write replaces path with the heap profile, whole.
func (p *peakHeap) write() error {
	tmp := p.path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	err = pprof.Lookup("heap").WriteTo(f, 0)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p.path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
