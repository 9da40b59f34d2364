package config

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"scriptsync/formats/npy"
)

// vectorConfig declares one embedding, of the vector in v.npy.
const vectorConfig = `
script "o" {}
scene "a" {
  script  = script.o
  number  = 1
  heading = "INT. A - DAY"
}
embedding "e" {
  scene  = scene.a
  model  = "m"
  source = "v.npy"
}`

// loadOID loads the configuration with a digest cache and returns the
// vector's digest as the library has it.
func loadOID(t *testing.T, dir, cacheDir string) string {
	t.Helper()
	cfg, diags := Load(Options{Dir: dir, CacheDir: cacheDir})
	if diags.HasErrors() {
		t.Fatalf("Load: %s", diags.Error())
	}
	return cfg.Library.Embeddings[0].OID
}

// rewriteCache applies f to every entry of the one cache file in dir.
func rewriteCache(t *testing.T, cacheDir string, f func(*digestEntry)) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(cacheDir, "*.digests"))
	if len(files) != 1 {
		t.Fatalf("cache files: %q, want one", files)
	}
	entries := readDigestCache(files[0])
	if len(entries) != 1 {
		t.Fatalf("cache entries: %v, want one", entries)
	}
	c := &digestCache{path: files[0], loaded: make(chan struct{}), now: map[string]digestEntry{}, dirty: true}
	close(c.loaded)
	for path, e := range entries {
		f(&e)
		c.now[path] = e
	}
	c.save()
}

func TestDigestCache(t *testing.T) {
	if !haveStamps {
		t.Skip("no file stamps on this system")
	}
	v1 := npy.Encode([]float32{1, 2, 3})
	dir := writeFiles(t, map[string]string{"main.hcl": vectorConfig, "v.npy": string(v1)})
	cacheDir := t.TempDir()
	sum := sha256.Sum256(v1)
	real := hex.EncodeToString(sum[:])

	if got := loadOID(t, dir, cacheDir); got != real {
		t.Fatalf("first load: oid %s, want %s", got, real)
	}
	// A lie planted in the cache shows whether it is believed.
	lie := sha256.Sum256([]byte("not the vector"))
	rewriteCache(t, cacheDir, func(e *digestEntry) { e.sum = lie })
	if got := loadOID(t, dir, cacheDir); got != real {
		t.Fatalf("the file was hashed just now (racily): the cache must not be trusted, but the oid is %s", got)
	}
	// The same entry, hashed long after the file last changed: trusted.
	rewriteCache(t, cacheDir, func(e *digestEntry) { e.sum, e.hashedAt = lie, e.stamp.ctime+int64(10*racyMargin) })
	if got := loadOID(t, dir, cacheDir); got != hex.EncodeToString(lie[:]) {
		t.Fatalf("an unchanged file with a trusted entry is not read again; oid %s, want the planted %x", got, lie)
	}
	// Any change to the file (here: new contents, same size) is seen. The
	// planted hashedAt claims the file was hashed seconds after it was
	// written; make that so for its timestamps' coarse clock too.
	time.Sleep(50 * time.Millisecond)
	v2 := npy.Encode([]float32{3, 2, 1})
	if err := os.WriteFile(filepath.Join(dir, "v.npy"), v2, 0o644); err != nil {
		t.Fatal(err)
	}
	sum2 := sha256.Sum256(v2)
	if got := loadOID(t, dir, cacheDir); got != hex.EncodeToString(sum2[:]) {
		t.Fatalf("after the file changed: oid %s, want %x", got, sum2)
	}
	// Without a cache directory nothing is remembered or read.
	if got := loadOID(t, dir, ""); got != hex.EncodeToString(sum2[:]) {
		t.Fatalf("without a cache: oid %s, want %x", got, sum2)
	}
}

func TestDigestCacheFileIsCheckedOnRead(t *testing.T) {
	e := digestEntry{stamp: fileStamp{size: 5, mtime: 6, ctime: 7, ino: 8, dev: 9}, hashedAt: 10, dims: 3, offset: 128}
	e.sum[0] = 0xab
	path := filepath.Join(t.TempDir(), "c.digests")
	c := &digestCache{path: path, loaded: make(chan struct{}), now: map[string]digestEntry{"/a/v.npy": e}, dirty: true}
	close(c.loaded)
	c.save()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseDigestCache(data)
	if err != nil || len(got) != 1 || got["/a/v.npy"] != e {
		t.Fatalf("round trip: %v, %v", got, err)
	}
	for n := range len(data) {
		if _, err := parseDigestCache(data[:n]); err == nil && n != len(digestCacheMagic) {
			t.Errorf("a cache cut at %d of %d bytes parsed", n, len(data))
		}
	}
	if _, err := parseDigestCache([]byte("scriptsync digest cache 0\n")); err == nil {
		t.Error("another version parsed")
	}
}
