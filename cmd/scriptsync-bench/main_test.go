package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"scriptsync/internal/workload"
)

// TestScenario runs the bench's steps on a small library with a freshly
// built scriptsync, as the command does, and checks what each reports.
func TestScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("builds scriptsync")
	}
	bin := filepath.Join(t.TempDir(), "scriptsync")
	if err := build(bin); err != nil {
		t.Fatal(err)
	}
	w, err := workload.Generate(filepath.Join(t.TempDir(), "lib"), workload.Options{Scenes: 120, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	steps, err := scenario(bin, w)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ name, result string }{
		{"cold apply", "added, 0 changed, 0 destroyed"},
		{"no-op plan", "No changes"},
		{"no-op plan, no cache (CI)", "No changes"},
		{"no-op apply", "0 added, 0 changed, 0 destroyed"},
		// The edited vector's LFS object changes at its address (the
		// inventory records the old one, which the apply removes).
		{"one-scene edit: plan", "0 to add, 6 to change, 0 to destroy"},
		{"one-scene edit: apply", "0 added, 6 changed, 0 destroyed"},
		// The scene, its embedding row, LFS object and pointer file; its
		// script's row and file.
		{"one-scene add: plan", "4 to add, 2 to change, 0 to destroy"},
		{"one-scene add: apply", "4 added, 2 changed, 0 destroyed"},
		{"one-scene edit: plan -out", "0 to add, 6 to change, 0 to destroy"},
		{"one-scene edit: apply FILE", "0 added, 6 changed, 0 destroyed"},
		{"one-script delete: apply", "0 added, 0 changed,"},
	}
	if len(steps) != len(want) {
		t.Fatalf("%d steps, want %d", len(steps), len(want))
	}
	for i, s := range steps {
		if s.name != want[i].name || !strings.Contains(s.result, want[i].result) || s.wall <= 0 || s.rss <= 0 {
			t.Errorf("step %d: %+v, want %q reporting %q", i, s, want[i].name, want[i].result)
		}
	}
	var out bytes.Buffer
	printTable(&out, [][]step{steps, steps})
	if got := out.String(); strings.Count(got, "\n") != 2+len(want) || !strings.Contains(got, "| no-op plan ") {
		t.Errorf("table:\n%s", got)
	}
}
