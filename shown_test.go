package main

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"scriptsync/cli"
)

// cutWriter takes n bytes, then refuses every write, as a closed pipe
// does; with n of math.MaxInt, it is a buffer for writers on several
// goroutines.
type cutWriter struct {
	mu  sync.Mutex
	n   int
	buf bytes.Buffer
}

var errCut = errors.New("the reader went away")

func (w *cutWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.buf.Len()+len(p) > w.n {
		return 0, errCut
	}
	return w.buf.Write(p)
}

func (w *cutWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// With -auto-approve the plan is written while the providers apply it.
// The apply commits only once the whole plan is written: when the output
// fails part-way, nothing changes, and when it does not, the plan comes
// whole and before any progress report.
func TestAutoApprovedApplyCommitsOnlyWhatItShowed(t *testing.T) {
	dir := t.TempDir()
	outlineConfig(t, dir, 400)
	apply := func(stdout interface{ Write([]byte) (int, error) }) (string, int) {
		var errb bytes.Buffer
		code := cli.Run(cli.Env{Args: []string{"scriptsync", "apply", "-auto-approve", "-no-color"}, Dir: dir,
			Stdout: stdout, Stderr: &errb, Context: context.Background(),
			Getenv: func(k string) string {
				if k == "SCRIPTSYNC_PROGRESS_INTERVAL" {
					return "1ms"
				}
				return ""
			}})
		return errb.String(), code
	}

	first := run(t, dir, "plan", "-no-color")
	m := regexp.MustCompile(`Plan: (\d+) to add, 0 to change, 0 to destroy\.`).FindStringSubmatch(first)
	if m == nil {
		t.Fatalf("the first plan has no summary:\n%s", tail(first, 400))
	}
	n, want := m[1], m[0]

	cut := &cutWriter{n: 64 << 10}
	errOut, code := apply(cut)
	if code != 1 || !strings.Contains(errOut, errCut.Error()) {
		t.Fatalf("apply with its output cut: exit %d, want 1 and the write error:\n%s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "scriptrag.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the apply whose plan could not be shown left its database (%v)", err)
	}
	if plan := run(t, dir, "plan", "-no-color"); !strings.Contains(plan, want) {
		t.Errorf("after the cut apply, the plan is not the first one's:\n%s", tail(plan, 400))
	}

	out := &cutWriter{n: math.MaxInt}
	if errOut, code := apply(out); code != 0 {
		t.Fatalf("apply: exit %d:\n%s", code, errOut)
	}
	text := out.String()
	summary := strings.Index(text, want)
	done := strings.Index(text, "Apply complete! Resources: "+n+" added")
	if summary < 0 || done < summary {
		t.Fatalf("the plan's summary, then the apply's, are not in the output:\n%s", tail(text, 2000))
	}
	if first := strings.Index(text, "Still applying"); first >= 0 && first < summary {
		t.Errorf("a progress report came inside the plan, at %d before its summary at %d", first, summary)
	}
	if got := strings.Count(text[:summary], " will be created"); strconv.Itoa(got) != n {
		t.Errorf("the plan shows %d objects created, want %s", got, n)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// A reader that goes away (`apply -auto-approve | head`) fails the plan's
// writes with EPIPE: the apply rolls back, says why on stderr and exits 1,
// rather than being killed by SIGPIPE part-way through its writes.
func TestAutoApprovedApplyIntoAClosedPipeRollsBack(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGPIPE")
	}
	dir := t.TempDir()
	outlineConfig(t, dir, 400)
	want := regexp.MustCompile(`Plan: \d+ to add, 0 to change, 0 to destroy\.`).FindString(run(t, dir, "plan", "-no-color"))
	if want == "" {
		t.Fatal("the first plan has no summary")
	}

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close() // no reader: every write to w fails with EPIPE
	var errb bytes.Buffer
	cmd := exec.Command("scriptsync", "apply", "-auto-approve", "-no-color") // this test binary, as testscript.Main set it up
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, w, &errb
	err = cmd.Run()
	w.Close()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("apply into a closed pipe: %v, want exit status 1\n%s", err, errb.String())
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		t.Fatalf("apply into a closed pipe was killed by %v\n%s", ws.Signal(), errb.String())
	}
	if exit.ExitCode() != 1 || !strings.Contains(errb.String(), "broken pipe") {
		t.Fatalf("apply into a closed pipe: exit %d, want 1 and the write error:\n%s", exit.ExitCode(), errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "scriptrag.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the apply whose plan could not be shown left its database (%v)", err)
	}
	if plan := run(t, dir, "plan", "-no-color"); !strings.Contains(plan, want) {
		t.Errorf("after the apply into a closed pipe, the plan is not the first one's:\n%s", tail(plan, 400))
	}
	// With its locks released, the next apply goes through.
	run(t, dir, "apply", "-auto-approve", "-no-color")
}
