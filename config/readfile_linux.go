//go:build linux

package config

import (
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// haveStamps says whether stat gives what the digest cache keys on.
const haveStamps = true

// readFile reads a whole file with four system calls (open, fstat, read,
// close). os.ReadFile makes the file pollable first, which costs two more
// and doubles the time to read thousands of small vectors.
func readFile(path string) ([]byte, error) {
	data, _, err := readFileInto(path, nil)
	return data, err
}

// readFileInto is readFile into buf's storage when it is large enough. It
// also returns what fstat said of the file before it was read.
func readFileInto(path string, buf []byte) ([]byte, fileStamp, error) {
	// O_NONBLOCK: opening a FIFO must not wait for a writer; it is then
	// refused below, as is anything but a regular file.
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fileStamp{}, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, fileStamp{}, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, fileStamp{}, notRegular(path, fileType(st.Mode))
	}
	// Room for one byte more than the size: a read of a regular file
	// returns less than asked only at its end, so one read usually does,
	// and a file that grew meanwhile is read to its end, not cut.
	if int64(cap(buf)) < st.Size+1 {
		buf = make([]byte, 0, st.Size+1)
	}
	buf = buf[:0]
	for {
		n, err := syscall.Read(fd, buf[len(buf):cap(buf)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, fileStamp{}, &os.PathError{Op: "read", Path: path, Err: err}
		}
		buf = buf[:len(buf)+n]
		if n == 0 || len(buf) < cap(buf) {
			return buf, stampOf(&st), nil
		}
		buf = append(buf, 0)[:len(buf)]
	}
}

// statFile stats a regular file; ok is false for anything else.
func statFile(path string) (fileStamp, bool) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return fileStamp{}, false
	}
	return stampOf(&st), true
}

func stampOf(st *unix.Stat_t) fileStamp {
	return fileStamp{
		size:  int64(st.Size),
		mtime: st.Mtim.Nano(),
		ctime: st.Ctim.Nano(),
		ino:   uint64(st.Ino),
		dev:   uint64(st.Dev),
	}
}

// fileType is the os.FileMode type bits of a stat(2) mode.
func fileType(m uint32) os.FileMode {
	switch m & syscall.S_IFMT {
	case syscall.S_IFDIR:
		return os.ModeDir
	case syscall.S_IFIFO:
		return os.ModeNamedPipe
	case syscall.S_IFSOCK:
		return os.ModeSocket
	case syscall.S_IFCHR, syscall.S_IFBLK:
		return os.ModeDevice
	}
	return os.ModeIrregular
}

// dirHandle stats files by their name in a directory it opened once
// (O_PATH), not by their whole path: a plan stats every input, and
// resolving each one's path from the root again was a third of a stat's
// cost. It holds one directory at a time: the caller goes through files
// sorted by path, a directory at a time.
type dirHandle struct {
	path string // with its trailing separator
	fd   int    // -1: not open, and the stat goes by the whole path
	open bool
}

// stat is statFile(abs).
func (d *dirHandle) stat(abs string) (fileStamp, bool) {
	dir, name := filepath.Split(abs)
	if !d.open || d.path != dir {
		d.close()
		d.path, d.open = dir, true
		d.fd = -1
		if fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err == nil {
			d.fd = fd
		}
	}
	if d.fd < 0 || name == "" {
		return statFile(abs)
	}
	var st unix.Stat_t
	if err := unix.Fstatat(d.fd, name, &st, 0); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return fileStamp{}, false
	}
	return stampOf(&st), true
}

// close lets go of the directory.
func (d *dirHandle) close() {
	if d.open && d.fd >= 0 {
		unix.Close(d.fd)
	}
	d.open, d.fd = false, -1
}
