package cli

import (
	"os"
	"os/signal"
	"syscall"
)

// holdBrokenPipe keeps a write to a closed stdout or stderr pipe from
// killing the process until release is called: the write fails with EPIPE
// instead, as a write to any other file does (Go's runtime raises SIGPIPE
// for those two descriptors only while nothing is notified of it). An apply
// holds it while it writes, so that a reader that went away (`| head`)
// makes it roll back and release its locks instead of dying part-way.
// Outside an apply a closed pipe ends the process as it ends git's.
func holdBrokenPipe() (release func()) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGPIPE)
	return func() { signal.Stop(c) }
}
