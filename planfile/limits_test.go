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
