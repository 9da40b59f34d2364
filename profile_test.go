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
	"testing"
	"time"
)

// fakePeak is a peakHeap whose writes are counted, not made.
func fakePeak(fail error) (*peakHeap, *int, *bytes.Buffer) {
	writes := new(int)
	var w bytes.Buffer
	p := &peakHeap{path: "heap.pprof", w: &w}
	p.write = func() error {
		*writes++
		return fail
	}
	return p, writes, &w
}

func TestPeakHeapWritesAfterTheNextCollection(t *testing.T) {
	const mb = 1_000_000
	p, writes, w := fakePeak(nil)
	steps := []struct {
		live, cycle uint64 // live in MB
		writes      int
		profiled    uint64
	}{
		{0, 0, 0, 0},        // no collection yet
		{100, 1, 0, 0},      // grown: profiled at the next collection
		{100, 1, 0, 0},      // the same collection, looked at again
		{105, 2, 1, 100},    // the next one: collection 1's heap is written
		{110, 3, 1, 100},    // within a tenth: nothing
		{111, 4, 1, 100},    // a tenth more: pending
		{120, 4, 1, 100},    // (a later look at the same collection cannot see more; kept as the higher)
		{50, 5, 2, 120},     // written, though the heap shrank since
		{60, 6, 2, 120},     // below the profile: nothing
		{1000, 9, 2, 120},   // collections came faster than the looks
		{2000, 10, 3, 1000}, // 1000 written; 2000 pending
		{3000, 11, 4, 2000},
	}
	for i, s := range steps {
		p.observe(s.live*mb, s.cycle)
		if *writes != s.writes || p.profiled != s.profiled*mb {
			t.Fatalf("step %d (live %d MB, cycle %d): %d writes, profiled %d; want %d, %d MB", i, s.live, s.cycle, *writes, p.profiled, s.writes, s.profiled)
		}
	}
	if p.peak != 3000*mb || p.pending != 3000*mb {
		t.Errorf("peak %d, pending %d; want 3000 MB, 3000 MB", p.peak, p.pending)
	}
	p.finish(func() (uint64, bool) { return 2500 * mb, true })
	if *writes != 5 || p.profiled != 2500*mb || p.pending != 0 || p.peak != 3000*mb {
		t.Errorf("after finish: %d writes, profiled %d, pending %d, peak %d; want 5, 2500 MB, 0, 3000 MB", *writes, p.profiled, p.pending, p.peak)
	}
	p.finish(func() (uint64, bool) { t.Fatal("a second finish collects again"); return 0, false })
	p.report()
	if want := "Peak live heap: 3000.0 MB (the profile in heap.pprof shows the heap at 2500.0 MB)\n"; w.String() != want {
		t.Errorf("report = %q, want %q", w.String(), want)
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
	if err := p.writeFile(); err == nil || !strings.Contains(err.Error(), "write "+path) {
		t.Errorf("writeFile over a directory: %v", err)
	}
	if left, _ := filepath.Glob(path + ".*.tmp"); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestPeakHeapStopsWritingAtTheFirstFailure(t *testing.T) {
	p, writes, w := fakePeak(errors.New("disk full"))
	p.observe(100, 1)
	p.observe(200, 2) // fails
	p.observe(400, 3)
	p.observe(800, 4)
	p.finish(func() (uint64, bool) { t.Fatal("a failed profile collects at the end"); return 0, false })
	p.report()
	if *writes != 1 {
		t.Errorf("%d writes; want 1", *writes)
	}
	want := "Warning: SCRIPTSYNC_PEAKHEAPPROFILE: disk full\nPeak live heap: 0.0 MB (no profile written)\n"
	if p.peak != 800 || w.String() != want {
		t.Errorf("peak %d, report %q; want 800, %q", p.peak, w.String(), want)
	}
}

func TestPeakHeapReportWithoutACollection(t *testing.T) {
	p, writes, w := fakePeak(nil)
	p.observe(0, 0)
	p.finish(func() (uint64, bool) { t.Fatal("nothing pending, nothing to collect"); return 0, false })
	p.report()
	if *writes != 0 || !strings.Contains(w.String(), "no garbage collection ran") {
		t.Errorf("%d writes, report %q", *writes, w.String())
	}
}

var peakHeapSink, peakHeapGarbage []byte

//go:noinline
func allocatePeakHeapBlock(n int) []byte { return make([]byte, n) }

// collections lets the runtime start n collections of its own, by making
// garbage: runtime.GC would publish the heap profile at once, which no
// collection of a real run does.
func collections(n uint32) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	for end := m.NumGC + n; m.NumGC < end; runtime.ReadMemStats(&m) {
		for range 64 {
			peakHeapGarbage = make([]byte, 1<<20)
		}
		time.Sleep(time.Millisecond)
	}
}

// The profile left at the end is the one of the peak: it holds live the
// block that made the peak, though the heap shrank after it.
func TestPeakHeapProfileIsTakenAtThePeak(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heap.pprof")
	if err := os.WriteFile(path, []byte("an earlier run's profile"), 0o644); err != nil {
		t.Fatal(err)
	}
	var report bytes.Buffer
	stop := startPeakHeapProfile(path, &report)
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
		time.Sleep(2 * peakHeapInterval)
	}
	peakHeapSink = nil
	for range 3 {
		collections(1)
		time.Sleep(2 * peakHeapInterval)
	}
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
	runtime.GC()
	stop := startPeakHeapProfile(path, &report)
	time.Sleep(10 * time.Millisecond)              // the first look
	peakHeapSink = allocatePeakHeapBlock(32 << 20) // after the last collection the looks see, or the one it starts
	stop()
	if mb := inuseMB(t, path, "allocatePeakHeapBlock"); mb < 32 {
		t.Errorf("the profile holds %.1f MiB from allocatePeakHeapBlock, want 32 (report %q)", mb, report.String())
	}
	peakHeapSink = nil
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
