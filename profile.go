package main

// Profiles for measuring, asked for by environment variables (see Main);
// they are not part of the product's interface.

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
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
var peakHeapInterval = 50 * time.Millisecond

// startPeakHeapProfile keeps in path a heap profile of the run's highest
// live heap, to within a tenth (SCRIPTSYNC_PEAKHEAPPROFILE, for measuring:
// go tool pprof -sample_index=inuse_space). Every peakHeapInterval it reads
// the live heap the last garbage collection found; when that has grown by
// a tenth since the heap last profiled, it writes the profile once the
// next collection has ended. The runtime publishes a collection's heap
// profile at the end of the collection after it (runtime.MemProfile), so
// the file shows the heap as the collection that saw the growth found it
// (or a later one, when collections come faster than the looks). A growth
// that no collection followed before the end is profiled after one
// forced collection, as the heap is then. The returned function stops it
// and reports the peak on w; a path it cannot write is reported at once.
func startPeakHeapProfile(path string, w io.Writer) func() {
	p := &peakHeap{path: path, w: w, gc: runtime.GC}
	p.write = p.writeFile
	if err := p.check(); err != nil {
		p.fail(err)
		return func() {}
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/cycles/total:gc-cycles"}}
	read := func() (live, cycle uint64, ok bool) {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 || sample[1].Value.Kind() != metrics.KindUint64 {
			return 0, 0, false // not reported by this runtime: nothing is profiled
		}
		return sample[0].Value.Uint64(), sample[1].Value.Uint64(), true
	}
	look := func() {
		if live, cycle, ok := read(); ok {
			p.observe(live, cycle)
		}
	}
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(peakHeapInterval)
		defer t.Stop()
		for {
			look()
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
			look()
			p.finish(func() (uint64, bool) {
				p.gc()
				live, _, ok := read()
				return live, ok
			})
			p.report()
		})
	}
}

type peakHeap struct {
	path  string
	w     io.Writer
	write func() error // writes the heap profile to path
	gc    func()       // a forced collection

	peak     uint64 // the highest live heap seen
	profiled uint64 // the live heap of the collection the profile shows; 0: none yet
	// pending is a live heap grown by a tenth over profiled, found by
	// collection pendingCycle: it is written once that collection's heap
	// profile is published, at the end of the next one.
	pending, pendingCycle uint64
	err                   error // the first failure; then nothing more is written
}

// observe takes a look at the heap: live as the last collection, the
// cycle'th, found it.
func (p *peakHeap) observe(live, cycle uint64) {
	if cycle == 0 || live == 0 {
		return // no collection has ended yet
	}
	p.peak = max(p.peak, live)
	if p.err != nil {
		return
	}
	if p.pending > 0 && cycle > p.pendingCycle {
		if err := p.write(); err != nil {
			p.fail(err)
			return
		}
		p.profiled, p.pending = p.pending, 0
	}
	if live > p.profiled+p.profiled/10 && live > p.pending {
		p.pending, p.pendingCycle = live, cycle
	}
}

// finish profiles a growth that no collection has followed: collect
// forces one, which publishes the heap profile as that collection found
// the heap, and returns the live heap it found.
func (p *peakHeap) finish(collect func() (live uint64, ok bool)) {
	if p.pending == 0 || p.err != nil {
		return
	}
	live, ok := collect()
	if !ok || live == 0 {
		return
	}
	p.peak = max(p.peak, live)
	if err := p.write(); err != nil {
		p.fail(err)
		return
	}
	p.profiled, p.pending = live, 0
}

func (p *peakHeap) report() {
	switch {
	case p.peak == 0:
		fmt.Fprintln(p.w, "Warning: SCRIPTSYNC_PEAKHEAPPROFILE: no garbage collection ran, so no heap was profiled")
	case p.err != nil || p.profiled == 0:
		fmt.Fprintf(p.w, "Peak live heap: %.1f MB (no profile written)\n", float64(p.peak)/1e6)
	default:
		fmt.Fprintf(p.w, "Peak live heap: %.1f MB (the profile in %s shows the heap at %.1f MB)\n",
			float64(p.peak)/1e6, p.path, float64(p.profiled)/1e6)
	}
}

func (p *peakHeap) fail(err error) {
	if p.err == nil {
		p.err = err
		fmt.Fprintf(p.w, "Warning: SCRIPTSYNC_PEAKHEAPPROFILE: %v\n", err)
	}
}

// check makes sure path can be written, and removes a profile an earlier
// run left there.
func (p *peakHeap) check() error {
	f, err := os.CreateTemp(filepath.Dir(p.path), filepath.Base(p.path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", p.path, err)
	}
	f.Close()
	os.Remove(f.Name())
	if err := os.Remove(p.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove the earlier %s: %w", p.path, err)
	}
	return nil
}

// writeFile replaces path with the heap profile, whole.
func (p *peakHeap) writeFile() error {
	f, err := os.CreateTemp(filepath.Dir(p.path), filepath.Base(p.path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", p.path, err)
	}
	err = pprof.Lookup("heap").WriteTo(f, 0)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p.path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", p.path, err)
	}
	return nil
}
