// Package needs is how a test says what its environment must provide
// (PostgreSQL's server, git-lfs, node and fountain-js, the Fountain corpus)
// and what happens without it: on a developer machine the test skips, and
// the package prints one line naming what it skipped and how to enable it;
// in CI (CI=true) the test fails, so a missing install step cannot pass as
// a green run.
//
// A package that uses it runs its tests through Run:
//
//	func TestMain(m *testing.M) { os.Exit(needs.Run(m)) }
//
// go test hides a passing package's output, so the summary goes to the
// terminal (/dev/tty) when there is one, and to standard error otherwise
// (shown with -v or when the package fails).
package needs

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
)

var (
	mu      sync.Mutex
	skipped = map[string]int{} // what is missing, with how to enable it -> tests skipped
)

// Missing skips t, or fails it when CI=true, because what (for example
// "PostgreSQL's server binaries") is not available; enable says how to
// provide it, err why it was found missing.
func Missing(t testing.TB, what, enable string, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s: required when CI=true (%s): %v", what, enable, err)
	}
	key := what + " (" + enable + ")"
	mu.Lock()
	skipped[key]++
	mu.Unlock()
	t.Skipf("skipped: %s is not available (%s): %v", what, enable, err)
}

// Run runs the package's tests and then prints the summary of what they
// skipped, if anything. It returns m.Run's exit code.
func Run(m *testing.M) int {
	code := m.Run()
	if line := Summary(); line != "" {
		w := os.Stderr
		if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
			defer tty.Close()
			w = tty
		}
		fmt.Fprintln(w, line)
	}
	return code
}

// Summary is the one line Run prints: how many tests were skipped, and for
// want of what; "" when none were.
func Summary() string {
	mu.Lock()
	defer mu.Unlock()
	if len(skipped) == 0 {
		return ""
	}
	keys := make([]string, 0, len(skipped))
	n := 0
	for k, c := range skipped {
		keys = append(keys, fmt.Sprintf("%s: %d", k, c))
		n += c
	}
	sort.Strings(keys)
	if len(skipped) == 1 {
		for k := range skipped {
			keys[0] = k // the count is the total
		}
	}
	pkg := "tests"
	if exe, err := os.Executable(); err == nil {
		pkg = strings.TrimSuffix(strings.TrimSuffix(exe[strings.LastIndexByte(exe, '/')+1:], ".exe"), ".test")
	}
	tests := "tests"
	if n == 1 {
		tests = "test"
	}
	return fmt.Sprintf("%s: skipped %d %s for want of %s", pkg, n, tests, strings.Join(keys, "; "))
}
