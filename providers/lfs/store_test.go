package lfs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStoreAddFile(t *testing.T) {
	t.Run("platform", func(t *testing.T) { testStoreAddFile(t, false) })
	t.Run("named temporary files", func(t *testing.T) { testStoreAddFile(t, true) })
}

func testStoreAddFile(t *testing.T, named bool) {
	ctx := context.Background()
	dir := t.TempDir()
	data := []byte("a vector, more or less")
	sum := sha256.Sum256(data)
	oid := hex.EncodeToString(sum[:])
	src := filepath.Join(dir, "v.npy")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	s := NewStore(filepath.Join(dir, "repo.git", "lfs"))
	s.noTmpfile.Store(named)

	if ok, err := s.Has(oid, int64(len(data))); ok || err != nil {
		t.Fatalf("Has on an empty store = %v, %v", ok, err)
	}
	added, err := s.AddFile(ctx, src, oid, int64(len(data)))
	if err != nil || !added {
		t.Fatalf("AddFile = %v, %v", added, err)
	}
	want := filepath.Join(dir, "repo.git", "lfs", "objects", oid[:2], oid[2:4], oid)
	if s.Path(oid) != want {
		t.Fatalf("Path = %s, want %s", s.Path(oid), want)
	}
	if got := readFile(t, want); !bytes.Equal(got, data) {
		t.Fatalf("stored %q", got)
	}
	if st, _ := os.Stat(want); st.Mode().Perm() != 0o644 {
		t.Errorf("object mode = %v, want 0644", st.Mode().Perm())
	}
	if ok, _ := s.Has(oid, int64(len(data))); !ok {
		t.Fatal("Has = false after AddFile")
	}
	if ok, _ := s.Has(oid, int64(len(data))+1); ok {
		t.Fatal("Has = true for the wrong size")
	}

	// Present: nothing is written, but the source is still checked.
	added, err = s.AddFile(ctx, src, oid, int64(len(data)))
	if err != nil || added {
		t.Fatalf("second AddFile = %v, %v", added, err)
	}
	if err := os.WriteFile(src, []byte("edited after the plan!"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddFile(ctx, src, oid, int64(len(data))); !errors.Is(err, ErrContentMismatch) {
		t.Fatalf("AddFile of an edited source = %v, want ErrContentMismatch", err)
	}

	// A source that does not match is never stored, and leaves no
	// temporary file behind.
	other := strings.Repeat("c", 64)
	for _, size := range []int64{22, 5, 100} {
		_, err := s.AddFile(ctx, src, other, size)
		if !errors.Is(err, ErrContentMismatch) {
			t.Fatalf("AddFile(size %d) = %v, want ErrContentMismatch", size, err)
		}
	}
	if _, err := os.Stat(s.Path(other)); !os.IsNotExist(err) {
		t.Fatalf("a mismatched object was stored: %v", err)
	}
	if tmp, _ := os.ReadDir(filepath.Join(s.Dir(), "tmp")); len(tmp) != 0 {
		t.Fatalf("temporary files left: %v", tmp)
	}
}

func TestStoreIgnoresTornObjects(t *testing.T) {
	t.Run("platform", func(t *testing.T) { testStoreIgnoresTornObjects(t, false) })
	t.Run("named temporary files", func(t *testing.T) { testStoreIgnoresTornObjects(t, true) })
}

func testStoreIgnoresTornObjects(t *testing.T, named bool) {
	s := NewStore(t.TempDir())
	s.noTmpfile.Store(named)
	data := []byte("complete object")
	sum := sha256.Sum256(data)
	oid := hex.EncodeToString(sum[:])
	// A crash left a short file in place.
	if err := os.MkdirAll(filepath.Dir(s.Path(oid)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.Path(oid), data[:3], 0o644); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.Has(oid, int64(len(data))); ok {
		t.Fatal("a torn object counts as present")
	}
	added, err := s.Add(context.Background(), bytes.NewReader(data), oid, int64(len(data)))
	if err != nil || !added {
		t.Fatalf("Add = %v, %v", added, err)
	}
	if got := readFile(t, s.Path(oid)); !bytes.Equal(got, data) {
		t.Fatalf("object = %q after repair", got)
	}
	entries, _ := os.ReadDir(filepath.Dir(s.Path(oid)))
	if len(entries) != 1 {
		t.Fatalf("object directory holds %v, want only the object", entries)
	}
}
