//go:build unix

package config

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A cache file that is not a regular file (a FIFO nobody writes to, say)
// reads as empty: opening the caches must not wait on it.
func TestCachesIgnoreFIFO(t *testing.T) {
	cache, dir := t.TempDir(), "/some/config"
	bc := openBlockCache(cache, dir)
	if err := syscall.Mkfifo(bc.path, 0o600); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	dc := &digestCache{path: filepath.Join(cache, "x.digests")}
	if err := syscall.Mkfifo(dc.path, 0o600); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	done := make(chan bool)
	go func() {
		blocks := openBlockCache(cache, dir)
		rows := readDigestCache(dc.path)
		done <- len(blocks.old) == 0 && len(rows.paths) == 0
	}()
	select {
	case empty := <-done:
		if !empty {
			t.Fatal("a FIFO read as a cache")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("opening a cache waits on a FIFO")
	}
}
