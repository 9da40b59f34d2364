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

// startPeakHeapProfile keeps in path the heap profile of the highest live
// heap the run reaches (SCRIPTSYNC_PEAKHEAPPROFILE, for measuring: go tool
// pprof -sample_index=inuse_space). It looks at the live heap, as the last
// garbage collection left it, every peakHeapInterval, and writes the
// profile again each time the heap has grown by a tenth since the last
// one: the profile is of a heap within a tenth of the peak. The returned
// function stops it and reports the peak on w.
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
				fmt.Fprintf(w, "Peak live heap: %.1f MB (profiled at %.1f MB in %s)\n",
					float64(p.peak)/1e6, float64(p.profiled)/1e6, p.path)
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
