package cli

import (
	"os"
	"os/signal"
	"syscall"
)

// holdBrokenPipe keeps a write to a closed stdout or stderr pipe from
// killing the process until release is called: the write fails with EPIPE
// instead, as a write to any other file does (Go's runtime raises SIGPIPE
// for those two descriptors only while nothing is notified of it). An
// apply that shows its plan while the providers write (planShow) holds it
// meanwhile, so that a reader that went away (`| head`) fails the plan's
// write, which rolls the apply back, instead of killing the process
// part-way through. Everywhere else a closed pipe ends the process as it
// ends git's: the other outputs, such as -json's stream, are written
// before the providers write, or report without checking for errors.
func holdBrokenPipe() (release func()) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGPIPE)
	return func() { signal.Stop(c) }
}
