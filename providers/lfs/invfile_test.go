package lfs

import (
	"crypto/sha256"
	"os"
	"strings"
	"testing"
	"time"
)

// The inventory file's bytes are kept between reads in one process only
// while its stamp holds and it had changed well before the read.
func TestInventoryFileKept(t *testing.T) {
	s := NewStore(t.TempDir())
	inv := inventory{"embedding.e[\"1\"]": {OID: strings.Repeat("a", 64), Size: 3, Source: "v/1.npy"}}
	if err := s.saveInventory(inv); err != nil {
		t.Fatal(err)
	}
	real, err := os.ReadFile(s.inventoryPath())
	if err != nil {
		t.Fatal(err)
	}
	read := func(what string) []byte {
		t.Helper()
		data, sum, err := s.inventoryFile()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if sha256.Sum256(data) != sum {
			t.Fatalf("%s: the SHA-256 returned is not that of the bytes returned", what)
		}
		return data
	}
	if got := read("first read"); string(got) != string(real) {
		t.Fatalf("first read:\n%s\nwant the file's bytes:\n%s", got, real)
	}

	// A lie planted in what the process kept shows whether it is believed.
	lie := []byte("{\n  \"objects\": {}\n}\n")
	plant := func(readAt func(f invFile) int64) {
		s.inv.mu.Lock()
		defer s.inv.mu.Unlock()
		s.inv.file.data, s.inv.file.sum = lie, sha256.Sum256(lie)
		s.inv.file.readAt = readAt(s.inv.file)
	}
	plant(func(f invFile) int64 { return f.readAt })
	if got := read("a file written just before it was read"); string(got) != string(real) {
		t.Fatalf("the file had changed just before the read (racily): it must be read again, but the bytes are\n%s", got)
	}
	plant(func(f invFile) int64 { return f.changed + int64(10*racyMargin) })
	if got := read("an unchanged file read long after it changed"); string(got) != string(lie) {
		t.Fatalf("an unchanged file is not read again; got\n%s\nwant the planted bytes", got)
	}

	// Any change to the file is seen: new contents of the same size,
	// written in place (the same inode), and a file put in its place.
	time.Sleep(50 * time.Millisecond) // past the timestamps' coarse clock tick
	same := []byte(string(real[:len(real)-3]) + "}\n\n")
	if len(same) != len(real) {
		t.Fatal("the rewrite must keep the size")
	}
	if err := os.WriteFile(s.inventoryPath(), same, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := read("rewritten in place"); string(got) != string(same) {
		t.Fatalf("a file rewritten in place to the same size is read again; got\n%s", got)
	}
	plant(func(f invFile) int64 { return f.changed + int64(10*racyMargin) })
	inv["embedding.e[\"2\"]"] = entry{OID: strings.Repeat("b", 64), Size: 4, Source: "v/2.npy"}
	if err := s.saveInventory(inv); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(s.inventoryPath())
	if err != nil {
		t.Fatal(err)
	}
	if got := read("replaced"); string(got) != string(want) {
		t.Fatalf("a file put in its place is read; got\n%s\nwant\n%s", got, want)
	}

	// No file is an error callers tell apart.
	if err := os.Remove(s.inventoryPath()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.inventoryFile(); !os.IsNotExist(err) {
		t.Fatalf("no inventory file: err %v, want one that is os.ErrNotExist", err)
	}
}
