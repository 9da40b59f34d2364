package config

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"time"
)

// A library names a vector file per scene, and a plan needs each one's
// digest and header, never its contents. The digest cache remembers them
// between runs, keyed by what stat says of the file, the way git's index
// remembers blob ids: a file whose size, times, inode and device are
// unchanged is not read again. It is only a cache: it lives outside the
// configuration (Options.CacheDir), a run without it reads every file, and
// an apply still reads and checks each vector it writes.
//
// A file changed in the same clock tick as it was hashed could keep its
// times; an entry is therefore trusted only when the file's inode changed
// (ctime, which no tool can set) well before it was hashed (racyMargin),
// as git treats racily clean entries.

// fileStamp is what stat says of a file; the zero stamp is unknown.
type fileStamp struct {
	size, mtime, ctime int64 // nanoseconds since the epoch
	ino, dev           uint64
}

// racyMargin is how long before its hashing a file must have last changed
// for its entry to be trusted.
const racyMargin = time.Second

// digestEntry is what the cache knows of one vector file.
type digestEntry struct {
	stamp    fileStamp
	hashedAt int64 // when it was read, nanoseconds since the epoch
	sum      [sha256.Size]byte
	dims     int64
	offset   int64
}

func (e *digestEntry) trusted() bool {
	return e.stamp.ctime < e.hashedAt-int64(racyMargin)
}

// digestCache is the cache of one configuration directory.
type digestCache struct {
	path   string
	loaded chan struct{} // closed once old is read
	old    cacheRows

	mu    sync.Mutex
	now   map[string]digestEntry // entries this run used or made
	dirty bool
	// keptAll is set once every entry of old is kept too (see keepAll).
	keptAll bool
}

// cacheRows are the entries of a cache file, sorted by path: a plan looks
// up every input, and a sorted slice is read in a fraction of the time a
// map takes to build.
type cacheRows struct {
	paths   []string
	entries []digestEntry
}

func (r *cacheRows) Len() int           { return len(r.paths) }
func (r *cacheRows) Less(i, j int) bool { return r.paths[i] < r.paths[j] }
func (r *cacheRows) Swap(i, j int) {
	r.paths[i], r.paths[j] = r.paths[j], r.paths[i]
	r.entries[i], r.entries[j] = r.entries[j], r.entries[i]
}

// find returns the entry for path, if there is one.
func (r *cacheRows) find(path string) (digestEntry, bool) {
	i, ok := slices.BinarySearch(r.paths, path)
	if !ok {
		return digestEntry{}, false
	}
	return r.entries[i], true
}

// findAfter is find for a caller that looks paths up in their order: at
// is where the last one was found (-1 at first), and the entries just
// after it are tried before a search. It finds what find finds, whatever
// the order of the calls.
func (r *cacheRows) findAfter(path string, at *int) (digestEntry, bool) {
	i := *at + 1
	for end := min(i+4, len(r.paths)); i < end && r.paths[i] < path; i++ {
	}
	if i >= len(r.paths) || r.paths[i] != path {
		var ok bool
		if i, ok = slices.BinarySearch(r.paths, path); !ok {
			return digestEntry{}, false
		}
	}
	*at = i
	return r.entries[i], true
}

// digestCacheMagic starts the cache file; another version is ignored.
const digestCacheMagic = "scriptsync digest cache 1\n"

// openDigestCache starts reading the cache of the configuration in dir
// from cacheDir, in the background. It returns nil when cacheDir is empty
// or stat is not available.
func openDigestCache(cacheDir, dir string) *digestCache {
	if cacheDir == "" || !haveStamps {
		return nil
	}
	key := sha256.Sum256([]byte(dir))
	c := &digestCache{
		path:   filepath.Join(cacheDir, hex.EncodeToString(key[:16])+".digests"),
		loaded: make(chan struct{}),
		now:    map[string]digestEntry{},
	}
	go func() {
		defer close(c.loaded)
		c.old = readDigestCache(c.path)
	}()
	return c
}

// known returns what the cache read for the file at path, if anything;
// the caller checks it against the file (stamp, trusted) before use. A
// nil cache knows nothing.
func (c *digestCache) known(path string) (digestEntry, bool) {
	if c == nil {
		return digestEntry{}, false
	}
	<-c.loaded
	return c.old.find(path)
}

// knownAfter is known for a caller that looks paths up in their order
// (see cacheRows.findAfter).
func (c *digestCache) knownAfter(path string, at *int) (digestEntry, bool) {
	if c == nil {
		return digestEntry{}, false
	}
	<-c.loaded
	return c.old.findAfter(path, at)
}

// use keeps an entry that was still good for the next run.
func (c *digestCache) use(path string, e digestEntry) {
	c.mu.Lock()
	c.now[path] = e
	c.mu.Unlock()
}

// keepAll keeps every entry the cache read for the next run, as use would
// one by one: for a run that found every file the cache knows unchanged.
func (c *digestCache) keepAll() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.keptAll = true
	c.mu.Unlock()
}

// store records what a read of the file at path found.
func (c *digestCache) store(path string, e digestEntry) {
	c.mu.Lock()
	c.now[path] = e
	c.dirty = true
	c.mu.Unlock()
}

// save writes the entries this run used or made, when they differ from
// what was read, replacing the file atomically. A cache that cannot be
// written is no error: the next run reads the files.
func (c *digestCache) save() {
	if c == nil {
		return
	}
	<-c.loaded
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.dirty && (c.keptAll || len(c.now) == c.old.Len()) {
		return
	}
	replaceCacheFile(c.path, func(w *bufio.Writer) error {
		c.write(w)
		return nil
	})
}

// write writes the cache file's contents.
func (c *digestCache) write(w *bufio.Writer) {
	w.WriteString(digestCacheMagic)
	var buf [binary.MaxVarintLen64 + 8*8 + sha256.Size]byte
	write := func(path string, e digestEntry) {
		b := binary.AppendUvarint(buf[:0], uint64(len(path)))
		w.Write(b)
		w.WriteString(path)
		b = buf[:0]
		for _, v := range []int64{e.stamp.size, e.stamp.mtime, e.stamp.ctime, int64(e.stamp.ino), int64(e.stamp.dev), e.hashedAt, e.dims, e.offset} {
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
		b = append(b, e.sum[:]...)
		w.Write(b)
	}
	// In path order, the entries of this run over those read when every
	// one read is kept.
	fresh := slices.Sorted(maps.Keys(c.now))
	var old []string
	if c.keptAll {
		old = c.old.paths
	}
	for i, j := 0, 0; i < len(old) || j < len(fresh); {
		switch {
		case j == len(fresh) || (i < len(old) && old[i] < fresh[j]):
			write(old[i], c.old.entries[i])
			i++
		default:
			if i < len(old) && old[i] == fresh[j] {
				i++
			}
			write(fresh[j], c.now[fresh[j]])
			j++
		}
	}
}

// replaceCacheFile writes a cache file through fill and puts it in place
// atomically, its directory made if need be. It gives up silently, fill's
// error included, leaving the old file: a cache that cannot be written is
// no error, the next run reads the files.
func replaceCacheFile(path string, fill func(*bufio.Writer) error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return
	}
	w := bufio.NewWriterSize(f, 256<<10)
	err = fill(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
}

// readDigestCache reads a cache file; a missing, foreign or damaged one
// reads as empty.
func readDigestCache(path string) cacheRows {
	data, err := readFile(path) // not waiting on a FIFO in its place
	if err != nil {
		return cacheRows{}
	}
	out, err := parseDigestCache(data)
	if err != nil {
		return cacheRows{}
	}
	return out
}

var errDigestCache = errors.New("damaged digest cache")

func parseDigestCache(data []byte) (cacheRows, error) {
	rest, ok := bytes.CutPrefix(data, []byte(digestCacheMagic))
	if !ok {
		return cacheRows{}, errDigestCache
	}
	// The paths are cut from one copy of the file, not allocated one by one.
	text := string(rest)
	const fixed = 8*8 + sha256.Size
	guess := len(rest) / (fixed + 32)
	out := cacheRows{paths: make([]string, 0, guess), entries: make([]digestEntry, 0, guess)}
	for pos := 0; pos < len(rest); {
		n, k := binary.Uvarint(rest[pos:])
		left := uint64(len(rest) - pos)
		if k <= 0 || n > left-uint64(k) || left-uint64(k)-n < fixed {
			return cacheRows{}, errDigestCache
		}
		pos += k
		out.paths = append(out.paths, text[pos:pos+int(n)])
		pos += int(n)
		var v [8]int64
		for i := range v {
			v[i] = int64(binary.LittleEndian.Uint64(rest[pos+8*i:]))
		}
		e := digestEntry{
			stamp:    fileStamp{size: v[0], mtime: v[1], ctime: v[2], ino: uint64(v[3]), dev: uint64(v[4])},
			hashedAt: v[5], dims: v[6], offset: v[7],
		}
		copy(e.sum[:], rest[pos+64:pos+fixed])
		pos += fixed
		out.entries = append(out.entries, e)
	}
	// This build writes the entries in order; an older one did not, and a
	// path twice is damage.
	if !sort.IsSorted(&out) {
		sort.Stable(&out)
	}
	for i := 1; i < len(out.paths); i++ {
		if out.paths[i] == out.paths[i-1] {
			return cacheRows{}, errDigestCache
		}
	}
	return out, nil
}
