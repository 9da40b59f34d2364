package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"scriptsync/applier"
	"scriptsync/planner"
	"scriptsync/render"
)

// A failed apply ends the running backend's hooks with apply_errored; a
// backend that finished before it with apply_complete.
func TestProgressStreamsHooksPerBackend(t *testing.T) {
	var out bytes.Buffer
	st := render.NewStream(&out)
	p := &progress{w: &out, stream: st, every: time.Hour, start: time.Now(), stop: make(chan struct{})}
	p.update(applier.Progress{Provider: "sql", Done: 1, Total: 3})
	p.update(applier.Progress{Provider: "git", Done: 2, Total: 3, Bytes: 10})
	p.finish(false)
	var types []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		hook := m["hook"].(map[string]any)
		types = append(types, m["type"].(string)+" "+hook["resource"].(map[string]any)["addr"].(string))
	}
	want := "apply_start scriptsync_backend.sql|apply_complete scriptsync_backend.sql|apply_start scriptsync_backend.git|apply_errored scriptsync_backend.git"
	if got := strings.Join(types, "|"); got != want {
		t.Errorf("messages:\n%s\nwant:\n%s", got, want)
	}
}

// Without a terminal, a running apply reports every interval.
func TestProgressPrintsLinesWithoutATerminal(t *testing.T) {
	var out syncBuffer
	p := &progress{w: &out, every: 5 * time.Millisecond, start: time.Now(), stop: make(chan struct{})}
	p.stopped.Add(1)
	go p.tick()
	p.update(applier.Progress{Provider: "sql", Done: 4, Total: 10, Bytes: 2048})
	time.Sleep(30 * time.Millisecond)
	p.finish(true)
	if !strings.Contains(out.String(), "Still applying... [4/10 objects, 2.0 KiB, ") {
		t.Errorf("output %q", out.String())
	}
}

// syncBuffer is a bytes.Buffer safe for the ticker goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// panicWriter panics on every write, as a bug in the plan's rendering
// would.
type panicWriter struct{}

func (panicWriter) Write([]byte) (int, error) { panic("secret-config-value") }

// A panic while the plan is shown beside the apply is the apply's error,
// which rolls it back: it must not end the process from its goroutine.
func TestShowPlanTurnsAPanicIntoAnError(t *testing.T) {
	err := showPlan(panicWriter{}, &planner.Plan{}, render.Options{}).wait()
	if err == nil || !strings.Contains(err.Error(), "internal error") || strings.Contains(err.Error(), "secret-config-value") {
		t.Fatalf("showPlan into a panicking writer: %v, want an internal error without the panic's value", err)
	}
}
