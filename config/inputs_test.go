package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// prefetchAhead hands every file over whatever order they are taken in:
// in its own order past its window, backwards (each file not read yet is
// read in place, never waited for), and twice.
func TestPrefetchAheadAnyOrder(t *testing.T) {
	dir := t.TempDir()
	const n = 3*aheadWindow + 5
	rels := make([]string, n)
	for i := range rels {
		rels[i] = fmt.Sprintf("f%03d.txt", i)
		if err := os.WriteFile(filepath.Join(dir, rels[i]), []byte(rels[i]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	upper := func(b []byte) any { return strings.ToUpper(string(b)) }
	for _, order := range []string{"forward", "backward"} {
		t.Run(order, func(t *testing.T) {
			in := newInputs(dir)
			defer in.stop()
			in.prefetchAhead(rels, upper)
			finished := make(chan struct{})
			go func() {
				defer close(finished)
				for k := range n {
					i := k
					if order == "backward" {
						i = n - 1 - k
					}
					data, _, prepared, err := in.takePrepared(rels[i])
					if err != nil || string(data) != rels[i] {
						t.Errorf("%s: %q, %v", rels[i], data, err)
					}
					if prepared != nil && prepared != strings.ToUpper(rels[i]) {
						t.Errorf("%s: prepared %v", rels[i], prepared)
					}
				}
				if data, _, prepared, err := in.takePrepared(rels[0]); err != nil || string(data) != rels[0] || prepared != nil {
					t.Errorf("taken again: %q, %v, %v", data, prepared, err)
				}
			}()
			select {
			case <-finished:
			case <-time.After(30 * time.Second):
				t.Fatal("takePrepared blocked")
			}
		})
	}
}

// prefetchAhead reads no more than its window beyond what was taken.
func TestPrefetchAheadWindow(t *testing.T) {
	dir := t.TempDir()
	rels := make([]string, 2*aheadWindow)
	for i := range rels {
		rels[i] = fmt.Sprintf("f%03d.txt", i)
		if err := os.WriteFile(filepath.Join(dir, rels[i]), []byte(rels[i]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	in := newInputs(dir)
	defer in.stop()
	read := func() int {
		in.mu.Lock()
		defer in.mu.Unlock()
		return len(in.files)
	}
	settle := func(want int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for read() < want && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(20 * time.Millisecond) // room to overshoot, if it would
		if got := read(); got != want {
			t.Fatalf("%d files read ahead, want %d", got, want)
		}
	}
	in.prefetchAhead(rels, func(b []byte) any { return len(b) })
	settle(aheadWindow)
	for i := range 3 {
		if _, _, prepared, err := in.takePrepared(rels[i]); err != nil || prepared != len(rels[i]) {
			t.Fatalf("%s: prepared %v, %v", rels[i], prepared, err)
		}
	}
	settle(aheadWindow + 3)
}
