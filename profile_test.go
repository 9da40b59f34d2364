package main

import (
	"bytes"
	"compress/gzip"
	"io"
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

var peakHeapSink []byte

//go:noinline
func allocatePeakHeapBlock(n int) []byte { return make([]byte, n) }

// The profile left at the end is the one taken at the peak: it names the
// allocation that made the peak, though the heap shrank after it.
func TestPeakHeapProfileIsTakenAtThePeak(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heap.pprof")
	var report bytes.Buffer
	stop := startPeakHeapProfile(path, &report)

	const block = 64 << 20
	peakHeapSink = allocatePeakHeapBlock(block)
	runtime.GC()
	waitForProfileOf(t, path, "allocatePeakHeapBlock")
	peakHeapSink = nil
	runtime.GC()
	time.Sleep(3 * peakHeapInterval) // a few looks at the smaller heap
	stop()
	stop() // a second call does nothing

	m := regexp.MustCompile(`^Peak live heap: ([0-9.]+) MB \(the profile in (.*) was written at ([0-9.]+) MB\)\n$`).FindStringSubmatch(report.String())
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
	if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("%s.tmp is left behind (%v)", path, err)
	}
}

func TestPeakHeapProfileReportsAFailedWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "heap.pprof")
	var report bytes.Buffer
	runtime.GC() // a live heap to profile
	startPeakHeapProfile(path, &report)()
	if got := report.String(); !regexp.MustCompile(`^Warning: SCRIPTSYNC_PEAKHEAPPROFILE: .*missing/heap\.pprof\.tmp: no such file or directory\n$`).MatchString(got) {
		t.Errorf("report = %q", got)
	}
}

// waitForProfileOf waits until the profile at path names fn.
func waitForProfileOf(t *testing.T, path, fn string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !profileNames(t, path, fn) {
		if time.Now().After(deadline) {
			t.Fatalf("no profile naming %s was written to %s", fn, path)
		}
		time.Sleep(peakHeapInterval)
	}
}

// profileNames reports whether the pprof file at path holds the string fn
// (its string table names every function of its samples).
func profileNames(t *testing.T, path, fn string) bool {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s is not a gzipped profile: %v", path, err)
	}
	b, err := io.ReadAll(z)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return bytes.Contains(b, []byte(fn))
}

// inuseMB is what go tool pprof says the heap profile at path holds live
// of what fn allocated, in MiB (pprof's MB).
func inuseMB(t *testing.T, path, fn string) float64 {
	t.Helper()
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
