package lfs

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"strconv"
	"sync"

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
