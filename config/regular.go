package config

import (
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// notRegular is the error for an input that is not a regular file: a
// device would never end (/dev/zero), a FIFO would wait for a writer.
func notRegular(path string, mode os.FileMode) error {
	kind := "not a regular file"
	switch {
	case mode&os.ModeDir != 0:
		kind = "a directory"
	case mode&os.ModeNamedPipe != 0:
		kind = "a FIFO (named pipe)"
	case mode&os.ModeSocket != 0:
		kind = "a socket"
	case mode&os.ModeDevice != 0:
		kind = "a device"
	}
	return fmt.Errorf("%s is %s; scriptsync reads only regular files", path, kind)
}

// maxNesting bounds how deeply brackets nest in a configuration file: the
// HCL parser and evaluator recurse once per level, and 100,000 levels
// exhaust the stack. Real configurations nest a handful.
const maxNesting = 256

// checkNesting refuses source whose (, [ and { nest deeper than
// maxNesting. It counts them in strings too, since a template's ${...}
// nests like any expression; text that opens 256 brackets it never
// closes is no screenplay.
func checkNesting(src []byte) error {
	depth, line := 0, 1
	for _, c := range src {
		switch c {
		case '\n':
			line++
		case '(', '[', '{':
			depth++
			if depth > maxNesting {
				return fmt.Errorf("line %d: brackets nest more than %d deep", line, maxNesting)
			}
		case ')', ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}

// withoutStacks cuts the Go stack trace that go-cty appends to the
// message of a function that panicked: it means nothing to a user and may
// quote values. The panic's own message stays.
func withoutStacks(diags hcl.Diagnostics) hcl.Diagnostics {
	for _, d := range diags {
		if i := strings.Index(d.Detail, "\ngoroutine "); i >= 0 {
			d.Detail = strings.TrimSpace(d.Detail[:i]) + " (an internal error in scriptsync: please report it)"
		}
	}
	return diags
}
