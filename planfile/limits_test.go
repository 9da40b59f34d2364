package planfile

import (
	"bufio"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadRefusesAGzipBomb writes a small gzip file that expands past
// MaxSize (a JSON string of spaces) and checks that reading it fails fast,
// with a clear error, without holding the expansion in memory.
func TestReadRefusesAGzipBomb(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bomb.plan")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	bw := bufio.NewWriter(zw)
	bw.WriteString(`{"magic":"scriptsync-plan","x":"`)
	chunk := []byte(strings.Repeat(" ", 1<<20))
	for range (MaxSize >> 20) + 64 {
		bw.Write(chunk)
	}
	bw.WriteString(`"}`)
	bw.Flush()
	zw.Close()
	f.Close()
	if st, _ := os.Stat(path); st.Size() > 2<<20 {
		t.Fatalf("the bomb is %d bytes: the test means a small file", st.Size())
	}

	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err = ReadFile(path)
	took := time.Since(start)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)

	if !errors.Is(err, ErrNotPlanFile) || !strings.Contains(err.Error(), "MiB once decompressed") {
		t.Fatalf("ReadFile: %v, want a plan file too large", err)
	}
	if took > 20*time.Second {
		t.Errorf("ReadFile took %s", took)
	}
	// The size is measured before anything is decoded: memory stays
	// flat.
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 16<<20 {
		t.Errorf("the heap grew by %d MiB", grew>>20)
	}
}

func TestReadRefusesAFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fifo.plan")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := ReadFile(path); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("ReadFile: %v, want not a regular file", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ReadFile waits on a FIFO")
	}
}

func TestExpansionLimitGrowsWithTheFile(t *testing.T) {
	for _, tt := range []struct{ size, want int64 }{
		{0, MaxSize},
		{1 << 20, MaxSize},                     // a bomb: 256 MiB, not 64
		{MaxSize / MaxRatio, MaxSize},          // 4 MiB
		{40 << 20, 40 << 20 * MaxRatio},        // a first apply's 40 MiB plan
		{1 << 30, (1 << 30) * int64(MaxRatio)}, // and a huge one
	} {
		if got := expansionLimit(tt.size); got != tt.want {
			t.Errorf("expansionLimit(%d) = %d, want %d", tt.size, got, tt.want)
		}
	}
}

// TestWriteRefusesWhatReadRefuses: plan -out never leaves a file that
// show and apply would refuse as expanding too far, and leaves nothing
// at the path when it refuses.
func TestWriteRefusesWhatReadRefuses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tfplan")
	sp := &SavedPlan{Digest: strings.Repeat("0", 1<<16)}
	if err := WriteFile(path, sp); err != nil {
		t.Fatalf("WriteFile within the limit: %v", err)
	}
	if _, err := ReadFile(path); errors.Is(err, ErrNotPlanFile) && strings.Contains(err.Error(), "decompressed") {
		t.Fatalf("ReadFile of what WriteFile wrote: %v", err)
	}
	os.Remove(path)

	// A limit of twice the file's size: 64 KiB of zeros compresses far
	// better than that.
	defer func(old func(int64) int64) { expansionLimit = old }(expansionLimit)
	expansionLimit = func(size int64) int64 { return 2 * size }
	err := WriteFile(path, sp)
	if err == nil || !strings.Contains(err.Error(), "once decompressed") || !strings.Contains(err.Error(), "-target") {
		t.Fatalf("WriteFile past the limit: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused plan left %s: %v", path, err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".scriptsync-plan-*")); len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}
