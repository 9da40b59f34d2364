package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"scriptsync/applier"
	"scriptsync/cli"
	"scriptsync/engine"
)

// driftsBeforeLock are changes made behind scriptsync's back between an
// apply's load (where the memo was found to hold) and its locks. (A
// managed SQL row updated and the branch moved were checked too: the
// apply notices those under its locks.)
var driftsBeforeLock = map[string]func(t *testing.T, dir string){
	"lfs object removed": func(t *testing.T, dir string) {
		var victim string
		filepath.WalkDir(filepath.Join(dir, "library.git", "lfs", "objects"), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && victim == "" {
				victim = p
			}
			return nil
		})
		if victim == "" {
			t.Fatal("no LFS object in the store")
		}
		if err := os.Remove(victim); err != nil {
			t.Fatal(err)
		}
	},
}

// TestApplyNoticesDriftUnderLocks: an apply opened while the memo
// held (engine.Options.Scope, as `scriptsync apply` opens it), with
// nothing or one file changed, whose backends drift before it takes its
// locks, applies what a full apply under those locks would: it repairs
// the drift, and the plan after it has nothing to do.
func TestApplyNoticesDriftUnderLocks(t *testing.T) {
	for _, edit := range []string{"nothing changed", "one file changed"} {
		for name, drift := range driftsBeforeLock {
			t.Run(edit+"/"+name, func(t *testing.T) {
				dir := t.TempDir()
				if err := copyLibrary("examples/series", dir); err != nil {
					t.Fatal(err)
				}
				if code, out := runCode(t, dir, "apply", "-auto-approve"); code != 0 {
					t.Fatalf("first apply: exit %d\n%s", code, out)
				}
				if edit == "one file changed" {
					if err := appendFile(filepath.Join(dir, "agents", "foghorn_counter.md"), "\nCounts twice.\n"); err != nil {
						t.Fatal(err)
					}
				}
				ctx := context.Background()
				ws, err := engine.Open(ctx, engine.Options{Dir: dir, Scope: true, Warm: true, Getenv: func(string) string { return "" }})
				if err != nil {
					t.Fatal(err)
				}
				defer ws.Close()
				if ws.Config.Scope == nil {
					t.Fatalf("the apply did not take the path of what changed (%s)", ws.GaveWay())
				}
				drift(t, dir)
				res, err := ws.Apply(ctx, applier.Request{Outputs: ws.OutputsJSON()})
				if err != nil {
					t.Fatalf("apply: %v", err)
				}
				code, out := runCode(t, dir, "plan", "-detailed-exitcode")
				if code != 0 {
					t.Fatalf("after an apply under the locks (its plan had changes: %v), the plan has work left (exit %d): the apply missed what drifted before it locked\n%s",
						res.Plan.HasChanges(), code, out)
				}
			})
		}
	}
}

// TestOutputOnlyApplyAsks: an apply whose only change is an
// output's value asks before recording it, as Terraform's does, and
// records nothing when told no.
func TestOutputOnlyApplyAsks(t *testing.T) {
	dir := t.TempDir()
	main := "script \"a\" {\n  title = \"A\"\n}\noutput \"title\" {\n  value = \"Night Shift\"\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out := runCode(t, dir, "apply", "-auto-approve"); code != 0 {
		t.Fatalf("first apply: exit %d\n%s", code, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(strings.Replace(main, "Night", "Day", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	code := cli.Run(cli.Env{Args: []string{"scriptsync", "-no-color", "apply"}, Dir: dir, Stdin: strings.NewReader("no\n"),
		Stdout: &out, Stderr: &out, StdinIsTerminal: true, Getenv: func(string) string { return "" }, Context: context.Background()})
	if !strings.Contains(out.String(), "Do you want to perform these actions?") || code == 0 {
		t.Errorf("the apply did not ask before recording a new output value (exit %d)\n%s", code, out.String())
	}
	if _, got := runCode(t, dir, "output", "-raw", "title"); got != "Night Shift" {
		t.Errorf("after the apply was refused, output title is %q, want the value recorded before, \"Night Shift\"", got)
	}
}
