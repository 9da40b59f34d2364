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
	"strings"
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
// live heap, to within a tenth, when the collections allow it
// (SCRIPTSYNC_PEAKHEAPPROFILE, for measuring: go tool pprof
// -sample_index=inuse_space). An earlier file at path is removed first.
//
// Every peakHeapInterval it reads the live heap the last garbage
// collection found. The runtime publishes a collection's heap profile at
// the next collection's mark termination (runtime/mgc.go: mProf_Flush;
// only runtime.GC publishes its own, at the end of its sweep), so when the
// live heap has grown by a tenth over the profiled one, the profile is
// written in the next collection's lifetime: on the second look that finds
// exactly one more collection ended (the first may fall between the
// count's increment and the publication), and kept only if no collection
// ended while it was written. A growth whose next collection passes
// between two looks is missed, and the report says so. At the
// end, a growth still unprofiled is profiled after one forced collection
// if that collection still finds it. The returned function stops it and
// reports on w; a path it cannot write is reported at once.
func startPeakHeapProfile(path string, w io.Writer) func() {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/cycles/total:gc-cycles"}}
	read := func() (live, cycle uint64, ok bool) {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 || sample[1].Value.Kind() != metrics.KindUint64 {
			return 0, 0, false // not reported by this runtime: nothing is profiled
		}
		return sample[0].Value.Uint64(), sample[1].Value.Uint64(), true
	}
	p := &peakHeap{path: path, w: w}
	p.write = func(cycle uint64) (bool, error) {
		return p.writeFile(func() bool {
			if cycle == 0 {
				return true
			}
			_, now, ok := read()
			return ok && now == cycle
		})
	}
	if err := p.check(); err != nil {
		p.fail(err)
		return func() {}
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
				runtime.GC()
				live, _, ok := read()
				return live, ok
			})
			p.report()
		})
	}
}

type peakHeap struct {
	path string
	w    io.Writer
	// write writes the heap profile to path, published during collection
	// cycle; false when a collection ended meanwhile (then nothing is
	// written). Cycle 0: the profile a forced collection just published.
	write func(cycle uint64) (bool, error)

	peak     uint64 // the highest live heap seen
	profiled uint64 // the live heap of the collection the profile shows; 0: none yet
	// pending is a live heap grown by a tenth over profiled, found by
	// collection pendingCycle; ready is set by the first look after the
	// next collection ended.
	pending, pendingCycle uint64
	ready                 bool
	err                   error // the first failure; then nothing more is written
}

// above reports whether live is a tenth over the profiled heap.
func (p *peakHeap) above(live uint64) bool { return live > p.profiled+p.profiled/10 }

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
		if cycle > p.pendingCycle+1 {
			p.pending = 0 // missed: the profile published now is a later collection's
		} else if !p.ready {
			p.ready = true
			return
		} else {
			wrote, err := p.write(cycle)
			if err != nil {
				p.fail(err)
				return
			}
			if wrote {
				p.profiled = p.pending
			}
			p.pending = 0
		}
	}
	if p.above(live) && live > p.pending {
		p.pending, p.pendingCycle, p.ready = live, cycle, false
	}
}

// finish profiles a growth still unprofiled: collect forces a collection,
// which publishes the heap profile as it found the heap, and returns the
// live heap it found. Nothing is written when that collection finds less
// than a tenth over the profiled heap: the end of a run has usually let
// go of what made its peak.
func (p *peakHeap) finish(collect func() (live uint64, ok bool)) {
	if p.pending == 0 || p.err != nil {
		return
	}
	p.pending = 0
	live, ok := collect()
	if !ok || !p.above(live) {
		return
	}
	p.peak = max(p.peak, live)
	if _, err := p.write(0); err != nil {
		p.fail(err)
		return
	}
	p.profiled = live
}

func (p *peakHeap) report() {
	mb := func(n uint64) float64 { return float64(n) / 1e6 }
	switch {
	case p.peak == 0:
		fmt.Fprintln(p.w, "Warning: SCRIPTSYNC_PEAKHEAPPROFILE: no garbage collection ran, so no heap was profiled")
	case p.profiled == 0:
		fmt.Fprintf(p.w, "Peak live heap: %.1f MB (no profile written)\n", mb(p.peak))
	default:
		var notes []string
		if p.above(p.peak) {
			notes = append(notes, "the peak itself was missed: its next collection came between two looks, or the run ended first")
		}
		if p.err != nil {
			notes = append(notes, "a later write failed")
		}
		note := ""
		if len(notes) > 0 {
			note = "; " + strings.Join(notes, "; ")
		}
		fmt.Fprintf(p.w, "Peak live heap: %.1f MB (the profile in %s shows the heap at %.1f MB%s)\n",
			mb(p.peak), p.path, mb(p.profiled), note)
	}
}

func (p *peakHeap) fail(err error) {
	if p.err == nil {
		p.err = err
		fmt.Fprintf(p.w, "Warning: SCRIPTSYNC_PEAKHEAPPROFILE: %v\n", err)
	}
}

// check makes sure path can be written, and removes a profile an earlier
// run left there; anything but a regular file at path is refused.
func (p *peakHeap) check() error {
	if fi, err := os.Lstat(p.path); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", p.path)
	}
	f, err := p.temp()
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

// temp creates a temporary file beside path, to be renamed over it.
func (p *peakHeap) temp() (*os.File, error) {
	return os.CreateTemp(filepath.Dir(p.path), filepath.Base(p.path)+".*.tmp")
}

// writeFile replaces path with the heap profile, whole, if still() holds
// after the profile was taken; it reports whether it did.
func (p *peakHeap) writeFile(still func() bool) (bool, error) {
	f, err := p.temp()
	if err != nil {
		return false, fmt.Errorf("write %s: %w", p.path, err)
	}
	err = pprof.Lookup("heap").WriteTo(f, 0)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	keep := err == nil && still()
	if keep {
		err = os.Rename(f.Name(), p.path)
	}
	if err != nil || !keep {
		os.Remove(f.Name())
	}
	if err != nil {
		return false, fmt.Errorf("write %s: %w", p.path, err)
	}
	return keep, nil
}
