//go:build unix

package lfs

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A FIFO in place of the inventory or the stamps file is refused, naming
// it, instead of a read that waits for a writer forever.
func TestBookkeepingFIFOIsRefused(t *testing.T) {
	for _, name := range []string{inventoryFile, stampsFile} {
		t.Run(name, func(t *testing.T) {
			lib := fixture(t, 3, 8)
			p := newProvider(t, lib, "")
			if _, _, err := applyAll(t, p, lib); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(p.store.Dir(), name)
			if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Fatalf("mkfifo: %v", err)
			}
			q := newProvider(t, lib, "") // a new process's view of the store
			want, _ := q.Desired(lib)
			done := make(chan error, 1)
			go func() {
				_, err := q.Read(context.Background(), want)
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "not a regular file") {
					t.Fatalf("Read with a FIFO for %s: %v, want an error naming it as not a regular file", name, err)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("Read with a FIFO for %s is still waiting after 10 s", name)
			}
		})
	}
}
