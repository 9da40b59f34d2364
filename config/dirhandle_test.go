package config

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// A stat through a dirHandle says what a stat of the whole path says, for
// every kind of entry and as the handle moves from directory to
// directory, and the handle leaves no descriptor open.
func TestDirHandleStatsAsStatFileDoes(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, data string) {
		t.Helper()
		path := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a/1.npy", "one")
	write("a/2.npy", "two!")
	write("b/1.npy", "three")
	write("b/sub/1.npy", "four")
	if err := os.Symlink("1.npy", filepath.Join(dir, "a", "link.npy")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("b", filepath.Join(dir, "linked")); err != nil {
		t.Fatal(err)
	}
	paths := []string{
		"a/1.npy", "a/2.npy", "a/link.npy", "a/missing.npy", "a/1.npy/x",
		"b/1.npy", "b/sub", "b/sub/1.npy", "gone/1.npy", "linked/1.npy", "a/2.npy",
	}
	before := openFiles(t)
	var h dirHandle
	for _, rel := range paths {
		abs := filepath.Join(dir, filepath.FromSlash(rel))
		got, gotOK := h.stat(abs)
		want, wantOK := statFile(abs)
		if got != want || gotOK != wantOK {
			t.Errorf("%s: dirHandle says %+v, %v; statFile says %+v, %v", rel, got, gotOK, want, wantOK)
		}
	}
	// A file rewritten under a handle that is open is stat'ed afresh.
	abs := filepath.Join(dir, "a", "2.npy")
	h.stat(abs)
	write("a/2.npy", "a longer two")
	if got, _ := h.stat(abs); got.size != int64(len("a longer two")) {
		t.Errorf("after a rewrite, dirHandle says size %d", got.size)
	}
	h.close()
	h.close()
	if after := openFiles(t); after != before {
		t.Errorf("%d descriptors open before, %d after the handle's close", before, after)
	}
}

// openFiles counts the process's open descriptors, or -1 where /proc
// does not list them.
func openFiles(t *testing.T) int {
	t.Helper()
	if runtime.GOOS != "linux" {
		return -1
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(fds)
}
