package lfs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"scriptsync/formats/lfspointer"
	"strings"
	"sync"
	"sync/atomic"
)

// ErrContentMismatch is wrapped by Store.AddFile when the source's SHA-256
// or size is not the object id it was asked to store.
var ErrContentMismatch = errors.New("lfs: content does not match its oid")

// Store is a Git LFS local object store, laid out as git-lfs lays out
// <git dir>/lfs: objects at objects/aa/bb/<oid>, temporary files in tmp, so
// that the stock client finds what scriptsync stored and the other way round.
//
// Objects are immutable and named by their content, so writers need no
// lock: a temporary file renamed into place is either absent or complete,
// and two writers of one oid write the same bytes.
type Store struct {
	dir string // the lfs directory: <git dir>/lfs

	// made caches the fan-out directories already created, sparing a
	// MkdirAll per object when thousands are stored.
	made sync.Map
	// noTmpfile is set once the filesystem refuses unnamed files
	// (store_linux.go).
	noTmpfile atomic.Bool
	// inv remembers the inventory this process last read or wrote (see
	// invcodec.go): an apply reads it for its stamp and again in Finish.
	inv invMemo
}

// NewStore returns the store in dir, normally <git dir>/lfs. It touches
// nothing until it is written to.
func NewStore(dir string) *Store {
	return &Store{dir: dir}
}

// Dir is the store's lfs directory.
func (s *Store) Dir() string { return s.dir }

// ObjectsDir is where objects live: <Dir>/objects.
func (s *Store) ObjectsDir() string { return filepath.Join(s.dir, "objects") }

// Path is where the object oid lives. oid must be 64 lowercase hex digits.
func (s *Store) Path(oid string) string {
	return filepath.Join(s.dir, "objects", oid[0:2], oid[2:4], oid)
}

// Init creates the store's directories. It is idempotent.
func (s *Store) Init() error {
	for _, d := range []string{s.ObjectsDir(), filepath.Join(s.dir, "tmp")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("lfs: create store: %w", err)
		}
	}
	return nil
}

// Has reports whether the store holds oid with the given size. A file of
// another size is a torn write from a crash (objects are never fsynced, see
// writeObject) and does not count: the next apply writes it again.
func (s *Store) Has(oid string, size int64) (bool, error) {
	st, err := os.Stat(s.Path(oid))
	switch {
	case errors.Is(err, os.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("lfs: stat object %s: %w", oid, err)
	}
	return st.Mode().IsRegular() && st.Size() == size, nil
}

// Open opens the object oid for reading.
func (s *Store) Open(oid string) (*os.File, error) {
	f, err := os.Open(s.Path(oid))
	if err != nil {
		return nil, fmt.Errorf("lfs: open object %s: %w", oid, err)
	}
	return f, nil
}

// copyBufs recycles copy buffers: storing 10,000 small objects should not
// allocate 10,000 of them.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// AddFile stores the file at src as object oid. It always reads src and
// checks that its SHA-256 and size are oid and size, returning an error
// wrapping ErrContentMismatch when they are not, so that a file edited
// after the plan never lands under the planned oid. When the store already
// holds oid it writes nothing. added reports whether it wrote the object.
func (s *Store) AddFile(ctx context.Context, src, oid string, size int64) (added bool, err error) {
	return s.addFile(ctx, src, oid, size, false)
}

// addFile is AddFile; with replace, it writes the object even when its
// file is there (a copy changed in place, see stamp.go).
func (s *Store) addFile(ctx context.Context, src, oid string, size int64, replace bool) (added bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	in, err := os.Open(src)
	if err != nil {
		return false, &sourceError{err}
	}
	defer in.Close()
	have, err := s.Has(oid, size)
	if err != nil {
		return false, err
	}
	if have && !replace {
		return false, checkContent(in, nil, oid, size)
	}
	return true, s.writeObject(in, oid, size)
}

// Add stores the bytes r yields as object oid, checking them as AddFile
// does.
func (s *Store) Add(ctx context.Context, r io.Reader, oid string, size int64) (added bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	have, err := s.Has(oid, size)
	if err != nil || have {
		return false, err
	}
	return true, s.writeObject(r, oid, size)
}

// writeObject copies r into a new file in the object's directory, checks
// it, and only then gives it its name, so that an object is either absent
// or complete. It does not fsync: a crash can at worst leave a short file,
// which Has does not count, and the apply that follows writes it again;
// syncing every small vector would cost more than the whole apply.
// writeObject's errors do not name the provider: its callers (Apply, the
// copy to a local remote) do.
func (s *Store) writeObject(r io.Reader, oid string, size int64) error {
	dst := s.Path(oid)
	if err := s.mkdir(filepath.Dir(dst)); err != nil {
		return err
	}
	f, err := s.create(filepath.Dir(dst))
	if err != nil {
		return fmt.Errorf("store object %s: %w", oid, err)
	}
	if err := checkContent(r, f, oid, size); err != nil {
		f.abort()
		return err
	}
	if err := f.commit(dst); err != nil {
		return fmt.Errorf("store object %s: %w", oid, err)
	}
	return nil
}

// pending is an object file being written: invisible until commit.
type pending interface {
	io.Writer
	// commit closes the file and makes it visible at dst, replacing
	// whatever is there (a torn copy, or the same bytes from a concurrent
	// writer).
	commit(dst string) error
	// abort closes and discards the file.
	abort()
}

// namedTemp is a pending object in <Dir>/tmp, renamed into place, as
// git-lfs does. It works everywhere, but a rename between directories is
// the slowest step of storing thousands of small objects, so Linux uses an
// unnamed file instead (store_linux.go).
type namedTemp struct{ *os.File }

func (s *Store) createNamed() (pending, error) {
	tmpDir := filepath.Join(s.dir, "tmp")
	if err := s.mkdir(tmpDir); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(tmpDir, "object-*")
	if err != nil {
		return nil, err
	}
	return namedTemp{f}, nil
}

func (t namedTemp) commit(dst string) error {
	// git-lfs leaves objects world-readable (subject to umask); CreateTemp
	// made the file 0600.
	err := t.Chmod(0o644)
	if cerr := t.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(t.Name(), dst)
	}
	if err != nil {
		os.Remove(t.Name())
	}
	return err
}

func (t namedTemp) abort() {
	t.Close()
	os.Remove(t.Name())
}

// checkContent reads r to its end, copying it to w when w is not nil, and
// compares its digest and length with oid and size.
func checkContent(r io.Reader, w io.Writer, oid string, size int64) error {
	h := sha256.New()
	dst := io.Writer(h)
	if w != nil {
		dst = io.MultiWriter(h, w)
	}
	buf := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(buf)
	// Read one byte past size so that a longer file is caught without
	// reading all of it.
	n, err := io.CopyBuffer(dst, io.LimitReader(r, size+1), *buf)
	if err != nil {
		return fmt.Errorf("store object %s: %w", oid, err)
	}
	if n != size {
		if n > size {
			return &mismatchError{fmt.Sprintf("it is longer than %d bytes", size)}
		}
		return &mismatchError{fmt.Sprintf("it has %d bytes, want %d", n, size)}
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != oid {
		return &mismatchError{fmt.Sprintf("its SHA-256 is %s, want %s", got, oid)}
	}
	return nil
}

// sourceError is a source file that cannot be opened, told apart from
// errors of the store itself.
type sourceError struct{ err error }

func (e *sourceError) Error() string { return e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

// mismatchError is ErrContentMismatch with what differs.
type mismatchError struct{ detail string }

func (e *mismatchError) Error() string        { return ErrContentMismatch.Error() + ": " + e.detail }
func (e *mismatchError) Is(target error) bool { return target == ErrContentMismatch }

func (s *Store) mkdir(dir string) error {
	if _, ok := s.made.Load(dir); ok {
		return nil
	}
	// Most fan-out directories are new and their parent exists: one mkdir
	// instead of MkdirAll's stat calls.
	err := os.Mkdir(dir, 0o755)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		err = os.MkdirAll(dir, 0o755)
	} else {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("lfs: create store directory: %w", err)
	}
	s.made.Store(dir, struct{}{})
	return nil
}

// validOID reports whether s is a lowercase hex SHA-256, the only form the
// store and the Batch API accept. It guards Path and every URL built from
// an oid.
func validOID(s string) bool { return lfspointer.ValidOID(s) }

// LocalObjectPath implements providers.LocalObjects: the stored file of
// oid, or "" when the store does not hold it.
func (p *Provider) LocalObjectPath(oid string) string {
	if len(oid) != 64 || strings.Trim(oid, "0123456789abcdef") != "" {
		return ""
	}
	path := p.store.Path(oid)
	if _, err := os.Stat(path); err != nil {
		return ""
	}
	return path
}
