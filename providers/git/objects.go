package git

import (
	"bufio"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
)

// packThreshold is the number of new objects from which an apply writes
// one packfile instead of loose objects (git's transfer.unpackLimit is
// 100 too): a small apply stays cheap and makes no tiny pack, a large one
// makes one file instead of thousands.
const packThreshold = 100

// compression is the zlib level for new objects. git's default (-1) is
// level 6; level 1 compresses text almost as well and several times faster.
const compression = zlib.BestSpeed

// hashObject returns an object's id: SHA-1 of "<type> <size>\0<data>",
// computed by go-git's hasher.
func hashObject(t plumbing.ObjectType, data []byte) plumbing.Hash {
	return plumbing.ComputeHash(t, data)
}

type pendingObject struct {
	typ  plumbing.ObjectType
	hash plumbing.Hash
	data []byte
}

// objectWriter collects the objects an apply creates and writes the ones
// the repository does not have yet.
type objectWriter struct {
	r     *repo
	seen  map[plumbing.Hash]struct{}
	small []pendingObject // while fewer than packThreshold
	pack  *packWriter     // from packThreshold on
	// empty is set when the repository held no object when the writer
	// began (a first apply): nothing need be looked up. go-git looks for a
	// loose file through its chroot, an lstat per path component, before
	// its packs; a first apply of W(100,000) asked 100,000 times (2 CPU-s).
	// An object another process adds meanwhile is at worst written twice,
	// which git allows.
	empty bool
}

func newObjectWriter(r *repo) *objectWriter {
	return &objectWriter{r: r, seen: map[plumbing.Hash]struct{}{}, empty: noObjects(r.gitDir)}
}

// noObjects reports whether the repository at gitDir has neither a loose
// object nor a pack nor alternates (a shared clone's borrowed objects):
// its objects directory holds only info and an empty pack directory (or
// less), as initBare leaves it. Anything else, or an error, is "not
// empty".
func noObjects(gitDir string) bool {
	objects := filepath.Join(gitDir, "objects")
	entries, err := os.ReadDir(objects)
	if err != nil {
		return false
	}
	for _, e := range entries {
		switch e.Name() {
		case "info":
			if _, err := os.Lstat(filepath.Join(objects, "info", "alternates")); !errors.Is(err, os.ErrNotExist) {
				return false
			}
			continue
		case "pack":
			packs, err := os.ReadDir(filepath.Join(objects, "pack"))
			if err != nil || len(packs) > 0 {
				return false
			}
			continue
		}
		return false
	}
	return true
}

// add stages an object and returns its id. data must not change afterwards.
func (w *objectWriter) add(t plumbing.ObjectType, data []byte) (plumbing.Hash, error) {
	return w.addHashed(t, hashObject(t, data), data)
}

// addHashed is add for an object whose id the caller computed.
func (w *objectWriter) addHashed(t plumbing.ObjectType, h plumbing.Hash, data []byte) (plumbing.Hash, error) {
	if _, ok := w.seen[h]; ok {
		return h, nil
	}
	w.seen[h] = struct{}{}
	if !w.empty && w.r.has(h) {
		return h, nil
	}
	if w.pack != nil {
		return h, w.pack.write(t, h, data)
	}
	w.small = append(w.small, pendingObject{t, h, data})
	if len(w.small) < packThreshold {
		return h, nil
	}
	pw, err := newPackWriter(w.r.gitDir)
	if err != nil {
		return h, err
	}
	w.pack = pw
	for _, o := range w.small {
		if err := pw.write(o.typ, o.hash, o.data); err != nil {
			return h, err
		}
	}
	w.small = nil
	return h, nil
}

// finish writes what is staged: the packfile, or loose objects.
func (w *objectWriter) finish() error {
	if w.pack != nil {
		if err := w.pack.finish(); err != nil {
			return err
		}
		w.pack = nil
		// go-git's storage caches the list of packs.
		w.r.st.Reindex()
		return nil
	}
	// Each loose object is fsynced before the branch can point at it;
	// the fsyncs overlap when they run side by side.
	errs := make([]error, len(w.small))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, o := range w.small {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			errs[i] = writeLoose(w.r.gitDir, o.typ, o.hash, o.data)
			<-sem
		}()
	}
	wg.Wait()
	w.small = nil
	return errors.Join(errs...)
}

// abort drops a half-written packfile.
func (w *objectWriter) abort() {
	if w.pack != nil {
		w.pack.abort()
		w.pack = nil
	}
	w.small = nil
}

// zlibPool keeps deflate writers, whose state is large to allocate.
var zlibPool sync.Pool

func getZlib(w io.Writer) *zlib.Writer {
	if zw, ok := zlibPool.Get().(*zlib.Writer); ok {
		zw.Reset(w)
		return zw
	}
	zw, _ := zlib.NewWriterLevel(w, compression)
	return zw
}

func objectHeader(t plumbing.ObjectType, size int) []byte {
	b := make([]byte, 0, 32)
	b = append(b, t.Bytes()...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(size), 10)
	return append(b, 0)
}

// writeLoose writes one loose object: zlib("<type> <size>\0<data>") at
// objects/xx/yyyy..., through a synced temporary file and a rename.
func writeLoose(gitDir string, t plumbing.ObjectType, h plumbing.Hash, data []byte) (err error) {
	hex := h.String()
	dir := filepath.Join(gitDir, "objects", hex[:2])
	final := filepath.Join(dir, hex[2:])
	if _, err := os.Stat(final); err == nil {
		return nil
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("git: write object %s: %w", hex, err)
		}
	}()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "tmp_obj_")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	zw := getZlib(f)
	defer zlibPool.Put(zw)
	if _, err := zw.Write(objectHeader(t, len(data))); err != nil {
		f.Close()
		return err
	}
	if _, err := zw.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o444); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), final)
}

// packWriter writes a version 2 packfile of whole (undeltified) objects to
// a temporary file in objects/pack, and its index when it finishes.
type packWriter struct {
	dir string
	f   *os.File
	bw  *bufio.Writer
	ew  entryWriter
	zw  *zlib.Writer
	idx idxfile.Writer
	n   uint32
}

// entryWriter counts the bytes written and their CRC-32, which the index
// records per object.
type entryWriter struct {
	w   io.Writer
	off int64
	crc uint32
}

func (e *entryWriter) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	e.off += int64(n)
	e.crc = crc32.Update(e.crc, crc32.IEEETable, p[:n])
	return n, err
}

func newPackWriter(gitDir string) (*packWriter, error) {
	dir := filepath.Join(gitDir, "objects", "pack")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("git: write pack: %w", err)
	}
	f, err := os.CreateTemp(dir, "tmp_pack_")
	if err != nil {
		return nil, fmt.Errorf("git: write pack: %w", err)
	}
	pw := &packWriter{dir: dir, f: f, bw: bufio.NewWriterSize(f, 256<<10)}
	pw.ew.w = pw.bw
	pw.zw, _ = zlib.NewWriterLevel(&pw.ew, compression)
	// The object count is patched in when the pack is finished.
	if _, err := pw.ew.Write([]byte{'P', 'A', 'C', 'K', 0, 0, 0, 2, 0, 0, 0, 0}); err != nil {
		pw.abort()
		return nil, fmt.Errorf("git: write pack: %w", err)
	}
	return pw, nil
}

func (pw *packWriter) write(t plumbing.ObjectType, h plumbing.Hash, data []byte) error {
	start := pw.ew.off
	pw.ew.crc = 0
	var hdr [16]byte
	n := packEntryHeader(hdr[:0], t, len(data))
	if _, err := pw.ew.Write(n); err != nil {
		return fmt.Errorf("git: write pack: %w", err)
	}
	pw.zw.Reset(&pw.ew)
	if _, err := pw.zw.Write(data); err != nil {
		return fmt.Errorf("git: write pack: %w", err)
	}
	if err := pw.zw.Close(); err != nil {
		return fmt.Errorf("git: write pack: %w", err)
	}
	pw.idx.Add(h, uint64(start), pw.ew.crc)
	pw.n++
	return nil
}

// packEntryHeader appends an object entry's header: the type in bits 4-6 of
// the first byte, the size in 4 bits and then 7 bits per byte.
func packEntryHeader(b []byte, t plumbing.ObjectType, size int) []byte {
	c := byte(t)<<4 | byte(size&0x0f)
	size >>= 4
	for size != 0 {
		b = append(b, c|0x80)
		c = byte(size & 0x7f)
		size >>= 7
	}
	return append(b, c)
}

// finish writes the count and the trailing checksum, syncs the pack, writes
// its index, and renames both into place: the index first, so that neither
// git (which lists indexes and skips one without its pack) nor go-git
// (which lists packs and opens their index) ever sees half of it.
func (pw *packWriter) finish() (err error) {
	defer func() {
		if err != nil {
			pw.abort()
			err = fmt.Errorf("git: write pack: %w", err)
		}
	}()
	if err := pw.bw.Flush(); err != nil {
		return err
	}
	var count [4]byte
	binary.BigEndian.PutUint32(count[:], pw.n)
	if _, err := pw.f.WriteAt(count[:], 8); err != nil {
		return err
	}
	if _, err := pw.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	sum := sha1.New()
	if _, err := io.Copy(sum, pw.f); err != nil {
		return err
	}
	var checksum plumbing.Hash
	copy(checksum[:], sum.Sum(nil))
	if _, err := pw.f.Write(checksum[:]); err != nil {
		return err
	}
	if err := pw.f.Sync(); err != nil {
		return err
	}
	if err := pw.f.Close(); err != nil {
		return err
	}

	if err := pw.idx.OnFooter(checksum); err != nil {
		return err
	}
	index, err := pw.idx.Index()
	if err != nil {
		return err
	}
	base := filepath.Join(pw.dir, "pack-"+checksum.String())
	idxTmp, err := os.CreateTemp(pw.dir, "tmp_idx_")
	if err != nil {
		return err
	}
	defer os.Remove(idxTmp.Name())
	bw := bufio.NewWriter(idxTmp)
	if _, err := idxfile.NewEncoder(bw).Encode(index); err != nil {
		idxTmp.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		idxTmp.Close()
		return err
	}
	if err := idxTmp.Sync(); err != nil {
		idxTmp.Close()
		return err
	}
	if err := idxTmp.Close(); err != nil {
		return err
	}
	if _, err := os.Stat(base + ".pack"); err == nil {
		// The same pack is already there.
		_ = os.Remove(pw.f.Name())
		return nil
	}
	for _, f := range []string{idxTmp.Name(), pw.f.Name()} {
		if err := os.Chmod(f, 0o444); err != nil {
			return err
		}
	}
	if err := os.Rename(idxTmp.Name(), base+".idx"); err != nil {
		return err
	}
	return os.Rename(pw.f.Name(), base+".pack")
}

func (pw *packWriter) abort() {
	_ = pw.f.Close()
	_ = os.Remove(pw.f.Name())
}
