//go:build unix

package lfs

import "syscall"

// openNonblock opens a file without waiting for a FIFO's writer.
const openNonblock = syscall.O_NONBLOCK
