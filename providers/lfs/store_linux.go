package lfs

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// On Linux an object is written as an unnamed file (O_TMPFILE) in its own
// directory and linked into place once complete: as atomic as a temporary
// file and a rename, without the rename between directories, and a crash
// leaves no temporary file behind. Filesystems without O_TMPFILE, and
// systems without /proc to name the file by, fall back to namedTemp.

var procFD = sync.OnceValue(func() bool {
	_, err := os.Stat("/proc/self/fd")
	return err == nil
})

func (s *Store) create(dir string) (pending, error) {
	if procFD() && !s.noTmpfile.Load() {
		fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, 0o644)
		if err == nil {
			return unnamed{os.NewFile(uintptr(fd), dir)}, nil
		}
		if !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, unix.EISDIR) && !errors.Is(err, unix.EINVAL) {
			return nil, &os.PathError{Op: "create", Path: dir, Err: err}
		}
		s.noTmpfile.Store(true)
	}
	return s.createNamed()
}

type unnamed struct{ f *os.File }

func (u unnamed) Write(p []byte) (int, error) { return u.f.Write(p) }

func (u unnamed) commit(dst string) error {
	defer u.f.Close()
	self := "/proc/self/fd/" + strconv.Itoa(int(u.f.Fd()))
	err := unix.Linkat(unix.AT_FDCWD, self, unix.AT_FDCWD, dst, unix.AT_SYMLINK_FOLLOW)
	if errors.Is(err, unix.EEXIST) {
		// A torn copy that Has rejected, or a concurrent writer of the same
		// bytes: link under a temporary name and rename over it.
		var r [8]byte
		rand.Read(r[:])
		tmp := dst + ".tmp-" + hex.EncodeToString(r[:])
		if err = unix.Linkat(unix.AT_FDCWD, self, unix.AT_FDCWD, tmp, unix.AT_SYMLINK_FOLLOW); err == nil {
			if err = os.Rename(tmp, dst); err != nil {
				os.Remove(tmp)
			}
			return err
		}
	}
	if err != nil {
		return &os.LinkError{Op: "link", Old: "(new object)", New: dst, Err: err}
	}
	return nil
}

func (u unnamed) abort() { u.f.Close() }

// prober looks objects up relative to the objects directory, opened once:
// with a library's worth of objects, resolving the store's own path again
// for each one is a good part of the cost.
type prober struct {
	fd int // -1: there is no objects directory, so no object
}

func (s *Store) prober() (prober, error) {
	fd, err := unix.Open(s.ObjectsDir(), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOENT) {
		return prober{fd: -1}, nil
	}
	if err != nil {
		return prober{}, &os.PathError{Op: "open", Path: s.ObjectsDir(), Err: err}
	}
	return prober{fd: fd}, nil
}

// has is Store.Has.
func (p prober) has(oid string, size int64) (bool, error) {
	ok, _, err := p.probe(oid, size)
	return ok, err
}

// probe is has that also returns the file's stamp (see stampOf).
func (p prober) probe(oid string, size int64) (ok bool, stamp string, err error) {
	if p.fd < 0 {
		return false, "", nil
	}
	var st unix.Stat_t
	err = unix.Fstatat(p.fd, oid[0:2]+"/"+oid[2:4]+"/"+oid, &st, 0)
	switch {
	case errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR):
		return false, "", nil
	case err != nil:
		return false, "", fmt.Errorf("lfs: stat object %s: %w", oid, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size != size {
		return false, "", nil
	}
	return true, formatStamp(st.Size, st.Mtim.Nano(), st.Ctim.Nano(), st.Ino), nil
}

// stampOf is the stamp of the file at path, "" when it is not a regular
// file.
func stampOf(path string) (string, error) {
	stamp, _, err := statStamp(path)
	return stamp, err
}

// statStamp is stampOf that also returns when the file's inode last
// changed (its ctime, which no tool can set), in nanoseconds.
func statStamp(path string) (string, int64, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return "", 0, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return "", 0, nil
	}
	return formatStamp(st.Size, st.Mtim.Nano(), st.Ctim.Nano(), st.Ino), st.Ctim.Nano(), nil
}

// infoStamp is statStamp of a regular file's FileInfo.
func infoStamp(fi os.FileInfo) (string, int64) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "", 0
	}
	return formatStamp(st.Size, st.Mtim.Nano(), st.Ctim.Nano(), st.Ino), st.Ctim.Nano()
}

func (p prober) close() {
	if p.fd >= 0 {
		unix.Close(p.fd)
	}
}

// stamp is what stat says of the object oid, for Stamper: its size, times
// and inode. ok is false when the object is not a regular file here.
func (p prober) stamp(oid string) (st [5]int64, ok bool, err error) {
	if p.fd < 0 {
		return st, false, nil
	}
	var s unix.Stat_t
	err = unix.Fstatat(p.fd, oid[0:2]+"/"+oid[2:4]+"/"+oid, &s, unix.AT_SYMLINK_NOFOLLOW)
	switch {
	case errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR):
		return st, false, nil
	case err != nil:
		return st, false, fmt.Errorf("lfs: stat object %s: %w", oid, err)
	}
	if s.Mode&unix.S_IFMT != unix.S_IFREG {
		return st, false, nil
	}
	return [5]int64{s.Size, s.Mtim.Nano(), s.Ctim.Nano(), int64(s.Ino), int64(s.Dev)}, true, nil
}
