package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakePeak is a peakHeap whose writes are counted, not made; a write
// during cycle lost (a collection ends meanwhile) is not kept.
func fakePeak(fail error, lost uint64) (*peakHeap, *int, *bytes.Buffer) {
	writes := new(int)
	var w bytes.Buffer
	p := &peakHeap{path: "heap.pprof", w: &w}
	p.write = func(cycle uint64) (bool, error) {
		if fail != nil {
			return false, fail
		}
		if cycle == lost && lost != 0 {
			return false, nil
		}
		*writes++
		return true, nil
	}
	return p, writes, &w
}

func TestPeakHeapWritesInTheNextCollection(t *testing.T) {
	const mb = 1_000_000
	p, writes, w := fakePeak(nil, 14)
	steps := []struct {
		live, cycle uint64 // live in MB
		writes      int
		profiled    uint64
	}{
		{0, 0, 0, 0},        // no collection yet
		{100, 1, 0, 0},      // grown: profiled in the next collection
		{100, 1, 0, 0},      // the same collection, looked at again
		{105, 2, 0, 0},      // the next one: ready (its profile may not be published yet)
		{105, 2, 1, 100},    // and written: collection 1's heap
		{110, 3, 1, 100},    // within a tenth: nothing
		{111, 4, 1, 100},    // a tenth more: pending
		{120, 4, 1, 100},    // (a later look at the same collection cannot see more; kept as the higher)
		{50, 5, 1, 100},     // ready
		{50, 5, 2, 120},     // written, though the heap shrank since
		{60, 6, 2, 120},     // below the profile: nothing
		{1000, 7, 2, 120},   // pending
		{1000, 9, 2, 120},   // two collections between looks: missed, and pending again
		{1000, 10, 2, 120},  // ready
		{1000, 10, 3, 1000}, // written
		{2000, 13, 3, 1000}, // pending
		{2000, 14, 3, 1000}, // ready
		{2000, 14, 3, 1000}, // a collection ended during the write: not kept; pending again, at 14
		{2000, 15, 3, 1000}, // ready
		{1500, 16, 3, 1000}, // too late (collection 15's profile is out): missed; 1500 pending
	}
	for i, s := range steps {
		p.observe(s.live*mb, s.cycle)
		if *writes != s.writes || p.profiled != s.profiled*mb {
			t.Fatalf("step %d (live %d MB, cycle %d): %d writes, profiled %d; want %d, %d MB", i, s.live, s.cycle, *writes, p.profiled, s.writes, s.profiled)
		}
	}
	if p.peak != 2000*mb || p.pending != 1500*mb {
		t.Errorf("peak %d, pending %d; want 2000 MB, 1500 MB", p.peak, p.pending)
	}
	p.finish(func() (uint64, bool) { return 1800 * mb, true })
	if *writes != 4 || p.profiled != 1800*mb || p.pending != 0 || p.peak != 2000*mb {
		t.Errorf("after finish: %d writes, profiled %d, pending %d, peak %d; want 4, 1800 MB, 0, 2000 MB", *writes, p.profiled, p.pending, p.peak)
	}
	p.finish(func() (uint64, bool) { t.Fatal("a second finish collects again"); return 0, false })
	p.report()
	if want := "Peak live heap: 2000.0 MB (the profile in heap.pprof shows the heap at 1800.0 MB; the peak itself was missed: its next collection came between two looks, or the run ended first)\n"; w.String() != want {
		t.Errorf("report = %q, want %q", w.String(), want)
	}
}

// At the end, a forced collection that finds what the run let go of does
// not replace the profile of its peak.
func TestPeakHeapFinishKeepsTheLargerProfile(t *testing.T) {
	p, writes, w := fakePeak(nil, 0)
	for _, s := range [][2]uint64{{100e6, 1}, {100e6, 2}, {100e6, 2}, {300e6, 3}} {
		p.observe(s[0], s[1])
	}
	if *writes != 1 || p.pending != 300e6 {
		t.Fatalf("%d writes, pending %d; want 1, 300 MB", *writes, p.pending)
	}
	p.finish(func() (uint64, bool) { return 105e6, true })
	p.report()
	if *writes != 1 || p.profiled != 100e6 {
		t.Errorf("%d writes, profiled %d; want the 100 MB profile kept", *writes, p.profiled)
	}
	if want := "Peak live heap: 300.0 MB (the profile in heap.pprof shows the heap at 100.0 MB; the peak itself was missed: its next collection came between two looks, or the run ended first)\n"; w.String() != want {
		t.Errorf("report = %q, want %q", w.String(), want)
	}
}

func TestPeakHeapStopsWritingAtTheFirstFailure(t *testing.T) {
	p, writes, w := fakePeak(errors.New("disk full"), 0)
	p.observe(100, 1)
	p.observe(200, 2)
	p.observe(200, 2) // fails
	p.observe(400, 3)
	p.observe(800, 4)
	p.observe(800, 4)
	p.finish(func() (uint64, bool) { t.Fatal("a failed profile collects at the end"); return 0, false })
	p.report()
	if *writes != 0 {
		t.Errorf("%d writes; want none", *writes)
	}
	want := "Warning: SCRIPTSYNC_PEAKHEAPPROFILE: disk full\nPeak live heap: 0.0 MB (no profile written)\n"
	if p.peak != 800 || w.String() != want {
		t.Errorf("peak %d, report %q; want 800, %q", p.peak, w.String(), want)
	}
}

// A profile written before a failed write stays, and the report names it.
func TestPeakHeapReportsALaterFailure(t *testing.T) {
	p, _, w := fakePeak(nil, 0)
	p.observe(100e6, 1)
	p.observe(100e6, 2)
	p.observe(100e6, 2) // written
	p.write = func(uint64) (bool, error) { return false, errors.New("disk full") }
	p.observe(200e6, 3)
	p.observe(200e6, 4)
	p.observe(200e6, 4) // fails
	p.report()
	want := "Warning: SCRIPTSYNC_PEAKHEAPPROFILE: disk full\nPeak live heap: 200.0 MB (the profile in heap.pprof shows the heap at 100.0 MB; the peak itself was missed: its next collection came between two looks, or the run ended first; a later write failed)\n"
	if w.String() != want {
		t.Errorf("report = %q, want %q", w.String(), want)
	}
}

func TestPeakHeapReportWithoutACollection(t *testing.T) {
	p, writes, w := fakePeak(nil, 0)
	p.observe(0, 0)
	p.finish(func() (uint64, bool) { t.Fatal("nothing pending, nothing to collect"); return 0, false })
	p.report()
	if *writes != 0 || !strings.Contains(w.String(), "no garbage collection ran") {
		t.Errorf("%d writes, report %q", *writes, w.String())
	}
}

// A failed write leaves no temporary file.
func TestPeakHeapWriteFileCleansUp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "heap.pprof")
	if err := os.MkdirAll(filepath.Join(path, "x"), 0o755); err != nil { // the rename over it fails
		t.Fatal(err)
	}
	p := &peakHeap{path: path}
	if _, err := p.writeFile(func() bool { return true }); err == nil || !strings.Contains(err.Error(), "write "+path) {
		t.Errorf("writeFile over a directory: %v", err)
	}
	if left, _ := filepath.Glob(path + ".*.tmp"); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

var peakHeapSink, peakHeapGarbage []byte

//go:noinline
func allocatePeakHeapBlock(n int) []byte { return make([]byte, n) }

// collections lets the runtime start n collections of its own, one at a
// time, by making garbage (runtime.GC would publish the heap profile at
// once, which no collection of a real run does), and gives the sampler
// time to look twice after each.
func collections(n uint32) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	for end := m.NumGC + n; m.NumGC < end; {
		for start := m.NumGC; m.NumGC == start; runtime.ReadMemStats(&m) {
			peakHeapGarbage = make([]byte, 1<<20)
		}
		time.Sleep(3 * peakHeapInterval)
	}
}

// pprofReady builds go tool pprof once, outside any test's deadline: the
// toolchain builds it on first use.
var pprofReady = sync.OnceFunc(func() { exec.Command("go", "tool", "pprof", "-h").Run() })

// The profile left at the end is the one of the peak: it holds live the
// block that made the peak, though the heap shrank after it.
func TestPeakHeapProfileIsTakenAtThePeak(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heap.pprof")
	if err := os.WriteFile(path, []byte("an earlier run's profile"), 0o644); err != nil {
		t.Fatal(err)
	}
	pprofReady()
	var report bytes.Buffer
	stop := startPeakHeapProfile(path, &report)
	t.Cleanup(stop)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the earlier profile is still there (%v)", err)
	}

	const block = 64 << 20
	peakHeapSink = allocatePeakHeapBlock(block)
	deadline := time.Now().Add(20 * time.Second)
	for inuseMB(t, path, "allocatePeakHeapBlock") < block>>20 {
		if time.Now().After(deadline) {
			t.Fatalf("no profile holding the block was written to %s", path)
		}
		collections(1)
	}
	peakHeapSink = nil
	collections(3)
	stop()
	stop() // a second call does nothing

	m := regexp.MustCompile(`^Peak live heap: ([0-9.]+) MB \(the profile in (.*) shows the heap at ([0-9.]+) MB\)\n$`).FindStringSubmatch(report.String())
	if m == nil {
		t.Fatalf("report = %q", report.String())
	}
	peak, _ := strconv.ParseFloat(m[1], 64)
	profiled, _ := strconv.ParseFloat(m[3], 64)
	if peak < block/1e6 || profiled < block/1e6 || profiled > peak || m[2] != path {
		t.Errorf("report = %q: want a peak and a profile of at least %.1f MB in %s", report.String(), float64(block)/1e6, path)
	}
	if mb := inuseMB(t, path, "allocatePeakHeapBlock"); mb < block>>20 {
		t.Errorf("the profile left in %s holds %.1f MiB live from allocatePeakHeapBlock, want the %d MiB of the peak", path, mb, block>>20)
	}
	if left, _ := filepath.Glob(path + ".*.tmp"); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// A run whose heap grew since the last collection is profiled at its end.
func TestPeakHeapProfileOfAShortRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heap.pprof")
	var report bytes.Buffer
	old := peakHeapInterval
	peakHeapInterval = time.Hour // only the first and the last look
	defer func() { peakHeapInterval = old }()
	pprofReady()
	runtime.GC()
	stop := startPeakHeapProfile(path, &report)
	t.Cleanup(stop)
	time.Sleep(10 * time.Millisecond)              // the first look
	peakHeapSink = allocatePeakHeapBlock(32 << 20) // after the last collection the looks see, or the one it starts
	stop()
	if mb := inuseMB(t, path, "allocatePeakHeapBlock"); mb < 32 {
		t.Errorf("the profile holds %.1f MiB from allocatePeakHeapBlock, want 32 (report %q)", mb, report.String())
	}
	peakHeapSink = nil
}

// A profile taken while a collection ended is not kept.
func TestPeakHeapWriteFileDropsAStaleProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heap.pprof")
	p := &peakHeap{path: path}
	if kept, err := p.writeFile(func() bool { return false }); kept || err != nil {
		t.Errorf("writeFile = %v, %v; want false, nil", kept, err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("%s was written (%v)", path, err)
	}
	if left, _ := filepath.Glob(path + ".*.tmp"); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
	if kept, err := p.writeFile(func() bool { return true }); !kept || err != nil {
		t.Errorf("writeFile = %v, %v; want true, nil", kept, err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("%s was not written: %v", path, err)
	}
}

// Only a regular file at the path is taken for an earlier profile.
func TestPeakHeapProfileRefusesWhatIsNotAFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "heap.pprof")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var report bytes.Buffer
	startPeakHeapProfile(dir, &report)()
	if want := "Warning: SCRIPTSYNC_PEAKHEAPPROFILE: " + dir + " is not a regular file\n"; report.String() != want {
		t.Errorf("report = %q, want %q", report.String(), want)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Errorf("the directory at the path was removed (%v)", err)
	}
}

func TestPeakHeapProfileNamesAPathItCannotWriteAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "heap.pprof")
	var report bytes.Buffer
	stop := startPeakHeapProfile(path, &report)
	re := `^Warning: SCRIPTSYNC_PEAKHEAPPROFILE: cannot write ` + regexp.QuoteMeta(path) + `: .*no such file or directory\n$`
	if got := report.String(); !regexp.MustCompile(re).MatchString(got) {
		t.Errorf("report before stop = %q, want it to match %s", got, re)
	}
	stop()
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Errorf("%s was created (%v)", filepath.Dir(path), err)
	}
}

// inuseMB is what go tool pprof says the heap profile at path holds live
// of what fn allocated, in MiB (pprof's MB); 0 when there is no profile.
func inuseMB(t *testing.T, path, fn string) float64 {
	t.Helper()
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return 0
	}
	out, err := exec.Command("go", "tool", "pprof", "-top", "-sample_index=inuse_space", "-unit=MB",
		"-nodefraction=0", "-show="+fn+"$", path).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool pprof %s: %v\n%s", path, err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 6 && strings.HasSuffix(f[5], "."+fn) {
			mb, err := strconv.ParseFloat(strings.TrimSuffix(f[0], "MB"), 64)
			if err != nil {
				t.Fatalf("go tool pprof: %q: %v", line, err)
			}
			return mb
		}
	}
	return 0
}
