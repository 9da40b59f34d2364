package config

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
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
	rows := readDigestCache(files[0])
	if rows.Len() != 1 {
		t.Fatalf("cache entries: %v, want one", rows.paths)
	}
	c := &digestCache{path: files[0], loaded: make(chan struct{}), now: map[string]digestEntry{}, dirty: true}
	close(c.loaded)
	e := rows.entries[0]
	f(&e)
	c.now[rows.paths[0]] = e
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
	if found, ok := got.find("/a/v.npy"); err != nil || got.Len() != 1 || !ok || found != e {
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

// An entry for each path, told apart by its size.
func cacheEntry(size int64) digestEntry {
	return digestEntry{stamp: fileStamp{size: size, mtime: 1, ctime: 2, ino: 3, dev: 4}, hashedAt: 5, dims: -1}
}

func TestDigestCacheSaveMergesInPathOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.digests")
	write := func(now map[string]digestEntry, old cacheRows, keepAll bool) cacheRows {
		t.Helper()
		c := &digestCache{path: path, loaded: make(chan struct{}), old: old, now: now, dirty: true, keptAll: keepAll}
		close(c.loaded)
		c.save()
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := parseDigestCache(data)
		if err != nil {
			t.Fatal(err)
		}
		if !sort.IsSorted(&rows) {
			t.Fatalf("saved out of order: %q", rows.paths)
		}
		return rows
	}
	first := write(map[string]digestEntry{"/d/c": cacheEntry(3), "/d/a": cacheEntry(1), "/d/b": cacheEntry(2)}, cacheRows{}, false)
	if got := strings.Join(first.paths, " "); got != "/d/a /d/b /d/c" {
		t.Fatalf("first save: %s", got)
	}
	// Kept: every entry read, the replaced one as replaced, the new ones
	// in their place.
	kept := write(map[string]digestEntry{"/d/b": cacheEntry(20), "/d/0": cacheEntry(0), "/d/bb": cacheEntry(25), "/d/z": cacheEntry(26)}, first, true)
	var got []string
	for i, p := range kept.paths {
		got = append(got, fmt.Sprintf("%s=%d", p, kept.entries[i].stamp.size))
	}
	if want := "/d/0=0 /d/a=1 /d/b=20 /d/bb=25 /d/c=3 /d/z=26"; strings.Join(got, " ") != want {
		t.Fatalf("kept: %s, want %s", strings.Join(got, " "), want)
	}
	// Not kept: only what this run used or made.
	used := write(map[string]digestEntry{"/d/c": cacheEntry(3)}, kept, false)
	if got := strings.Join(used.paths, " "); got != "/d/c" {
		t.Fatalf("used only: %s", got)
	}
}

func TestDigestCacheReadsAnyOrderButNoPathTwice(t *testing.T) {
	file := func(paths ...string) []byte {
		b := []byte(digestCacheMagic)
		for _, p := range paths {
			b = binary.AppendUvarint(b, uint64(len(p)))
			b = append(b, p...)
			b = append(b, make([]byte, 8*8+sha256.Size)...)
			binary.LittleEndian.PutUint64(b[len(b)-8*8-sha256.Size:], uint64(len(p)))
		}
		return b
	}
	rows, err := parseDigestCache(file("/x/c", "/x/a", "/x/bb"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/x/a", "/x/bb", "/x/c"} {
		if e, ok := rows.find(p); !ok || e.stamp.size != int64(len(p)) {
			t.Errorf("find(%s) = %v, %v", p, e, ok)
		}
	}
	if _, ok := rows.find("/x/b"); ok {
		t.Error("found a path that is not there")
	}
	if _, err := parseDigestCache(file("/x/a", "/x/b", "/x/a")); err == nil {
		t.Error("a path twice parsed")
	}
}

// findAfter finds what find finds, for lookups in order, out of order,
// of paths the cache does not hold and from any starting point.
func TestDigestCacheFindAfterFindsWhatFindFinds(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var rows cacheRows
		n := rng.IntN(40)
		for i := range n {
			if rng.IntN(3) > 0 { // gaps: paths the cache does not hold
				rows.paths = append(rows.paths, fmt.Sprintf("/lib/vectors/s%03d.npy", i))
				rows.entries = append(rows.entries, digestEntry{dims: int64(i)})
			}
		}
		at := rng.IntN(len(rows.paths)+2) - 1
		for range 60 {
			k := rng.IntN(n + 2)
			if rng.IntN(4) > 0 && at >= 0 && at+1 < len(rows.paths) { // mostly the next ones
				k = int(rows.entries[at].dims) + 1 + rng.IntN(3)
			}
			path := fmt.Sprintf("/lib/vectors/s%03d.npy", k)
			want, wantOK := rows.find(path)
			before := at
			got, gotOK := rows.findAfter(path, &at)
			if got != want || gotOK != wantOK {
				t.Fatalf("round %d: findAfter(%s, %d) = %+v, %v; find says %+v, %v", round, path, before, got, gotOK, want, wantOK)
			}
			if gotOK && rows.paths[at] != path {
				t.Fatalf("round %d: findAfter(%s) left at on %s", round, path, rows.paths[at])
			}
		}
	}
}
