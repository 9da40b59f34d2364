//go:build unix

package config

import (
	"os"
	"syscall"
)

// readFile reads a whole file with four system calls (open, fstat, read,
// close). os.ReadFile makes the file pollable first, which costs two more
// and doubles the time to read thousands of small vectors.
func readFile(path string) ([]byte, error) { return readFileInto(path, nil) }

// readFileInto is readFile into buf's storage when it is large enough.
func readFileInto(path string, buf []byte) ([]byte, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return os.ReadFile(path)
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
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		}
		buf = buf[:len(buf)+n]
		if n == 0 || len(buf) < cap(buf) {
			return buf, nil
		}
		buf = append(buf, 0)[:len(buf)]
	}
}
