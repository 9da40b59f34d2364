package applier_test

// These tests run the applier over the real providers (SQLite, a local git
// repository, the local LFS store), injecting a failure at each step of the
// cross-provider order, and check that a reader finds every backend either
// before or after the apply.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"scriptsync/applier"
	"scriptsync/engine"
	"scriptsync/formats/npy"
	"scriptsync/planner"
	"scriptsync/providers"
	_ "scriptsync/providers/all"
)

const pilotV1 = `Title: Fault Lines

INT. OFFICE - DAY

Phones ring.

ANA
Who moved my stapler?

EXT. ROOF - NIGHT

BEN
Not me.
`

const pilotV2 = `Title: Fault Lines

INT. OFFICE - DAY

Phones ring. Nobody answers.

ANA
Who moved my stapler?

EXT. ROOF - NIGHT

BEN
Not me.

INT. BASEMENT - NIGHT

The stapler, on a plinth.
`

const mainHCL = `
script "pilot" {
  source = "pilot.fountain"
}

bible "world" {
  source = "world.md"
  script = script.pilot
}

embedding "pilot" {
  for_each = script.pilot.scenes
  scene    = each.value
  model    = "test-model"
  source   = "vec/${each.key}.npy"
  path     = "embeddings/pilot/${each.key}.npy"
}
`

// workspace writes a configuration with version v of the screenplay.
func workspace(t *testing.T, dir string, v int) {
	t.Helper()
	pilot, world := pilotV1, "# World\n\nAn office.\n"
	if v == 2 {
		pilot, world = pilotV2, "# World\n\nAn office with a basement.\n"
	}
	files := map[string][]byte{"main.hcl": []byte(mainHCL), "pilot.fountain": []byte(pilot), "world.md": []byte(world)}
	for i := 1; i <= 3; i++ {
		vec := make([]float32, 8)
		for j := range vec {
			vec[j] = float32(i*10+j) + float32(v)/10
		}
		files[fmt.Sprintf("vec/%d.npy", i)] = npy.Encode(vec)
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// fault names where a wrapped provider fails.
type fault struct {
	provider string
	step     string // "apply", "commit", "peers"
	// noUndo makes the provider's Compensate do nothing: the process died
	// after it committed, before anyone could undo it.
	noUndo bool
}

func backends(t *testing.T, dir string, f fault) []applier.Backend {
	t.Helper()
	ws, err := engine.Open(context.Background(), engine.Options{Dir: dir, NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ws.Close)
	out := ws.Backends
	for i, b := range out {
		if b.Provider.Name() == f.provider {
			out[i].Provider = &faultyProvider{Provider: b.Provider, f: f}
		}
	}
	return out
}

type faultyProvider struct {
	providers.Provider
	f fault
}

func (p *faultyProvider) Begin(ctx context.Context, opts providers.BeginOptions) (providers.Tx, error) {
	tx, err := p.Provider.Begin(ctx, opts)
	if err != nil {
		return nil, err
	}
	ft := &faultyTx{Tx: tx, f: p.f}
	if _, ok := tx.(providers.Compensator); ok {
		return &compensableFaultyTx{ft}, nil
	}
	return ft, nil
}

var errInjected = errors.New("injected failure")

type faultyTx struct {
	providers.Tx
	f fault
}

func (t *faultyTx) Apply(ctx context.Context, changes []*providers.Change, progress providers.Progress) error {
	// Do the work first, so that the failure finds a transaction full of
	// changes to undo.
	if err := t.Tx.Apply(ctx, changes, progress); err != nil {
		return err
	}
	if t.f.step == "apply" {
		return errInjected
	}
	return nil
}

func (t *faultyTx) Commit(ctx context.Context) error {
	if t.f.step == "commit" {
		return errInjected
	}
	return t.Tx.Commit(ctx)
}

func (t *faultyTx) RecordPeers(ctx context.Context, v map[string]string) error {
	if t.f.step == "peers" {
		return errInjected
	}
	return t.Tx.(providers.PeerRecorder).RecordPeers(ctx, v)
}

func (t *faultyTx) CommittedVersion() string {
	if vr, ok := t.Tx.(providers.VersionReporter); ok {
		return vr.CommittedVersion()
	}
	return ""
}

type compensableFaultyTx struct{ *faultyTx }

func (t *compensableFaultyTx) Compensate(ctx context.Context) error {
	if t.f.noUndo {
		return nil
	}
	return t.Tx.(providers.Compensator).Compensate(ctx)
}

// snapshot digests what a reader sees: every row of every SQL table, and
// the branch's commit.
type snapshot struct{ sql, git string }

func take(t *testing.T, dir string) snapshot {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "scriptrag.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	h := sha256.New()
	for _, table := range tables {
		r, err := db.Query("SELECT * FROM " + table + " ORDER BY 1")
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := r.Columns()
		for r.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			r.Scan(ptrs...)
			fmt.Fprintf(h, "%s %v\n", table, vals)
		}
		r.Close()
	}
	out, err := exec.Command("git", "--git-dir", filepath.Join(dir, "library.git"), "rev-parse", "refs/heads/main").Output()
	if err != nil {
		t.Fatalf("git rev-parse: %v", err)
	}
	return snapshot{sql: hex.EncodeToString(h.Sum(nil)), git: strings.TrimSpace(string(out))}
}

func apply(t *testing.T, b []applier.Backend) (*applier.Result, error) {
	t.Helper()
	return applier.Apply(context.Background(), applier.Request{Backends: b})
}

func TestCrossProviderFailuresLeaveEveryBackendBefore(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is required")
	}
	for _, f := range []fault{
		{provider: "lfs", step: "apply"},
		{provider: "sql", step: "apply"},
		{provider: "git", step: "apply"},
		{provider: "lfs", step: "commit"},
		{provider: "git", step: "commit"},
		{provider: "sql", step: "peers"},
		{provider: "sql", step: "commit"},
	} {
		t.Run(f.provider+"_"+f.step, func(t *testing.T) {
			dir := t.TempDir()
			workspace(t, dir, 1)
			if _, err := apply(t, backends(t, dir, fault{})); err != nil {
				t.Fatal(err)
			}
			before := take(t, dir)
			workspace(t, dir, 2)
			_, err := apply(t, backends(t, dir, f))
			var ae *applier.ApplyError
			if !errors.Is(err, errInjected) || !errors.As(err, &ae) || !ae.RolledBack {
				t.Fatalf("apply: %v, want the injected failure, rolled back", err)
			}
			if after := take(t, dir); after != before {
				t.Fatalf("a backend moved: before %+v, after %+v", before, after)
			}
			// The next apply converges, and then nothing is left to do.
			if _, err := apply(t, backends(t, dir, fault{})); err != nil {
				t.Fatal(err)
			}
			converged := take(t, dir)
			if converged.sql == before.sql || converged.git == before.git {
				t.Fatalf("the retry did not apply: %+v", converged)
			}
			plan, err := applier.Plan(context.Background(), backends(t, dir, fault{}), planner.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if plan.HasChanges() || len(plan.Warnings) > 0 {
				t.Fatalf("after converging: changes %v, warnings %v", plan.HasChanges(), plan.Warnings)
			}
		})
	}
}

// A crash after git committed and before SQL did: git is after, SQL
// before. The next plan says so, and the next apply converges without
// repair.
func TestCrashBetweenCommitsConverges(t *testing.T) {
	dir := t.TempDir()
	workspace(t, dir, 1)
	if _, err := apply(t, backends(t, dir, fault{})); err != nil {
		t.Fatal(err)
	}
	before := take(t, dir)
	workspace(t, dir, 2)
	b := backends(t, dir, fault{provider: "sql", step: "commit"})
	for i := range b {
		if b[i].Provider.Name() == "git" {
			b[i].Provider = &faultyProvider{Provider: b[i].Provider, f: fault{provider: "git", noUndo: true}}
		}
	}
	if _, err := apply(t, b); !errors.Is(err, errInjected) {
		t.Fatalf("apply: %v", err)
	}
	half := take(t, dir)
	if half.sql != before.sql || half.git == before.git {
		t.Fatalf("want git after and SQL before, got %+v (before %+v)", half, before)
	}

	plan, err := applier.Plan(context.Background(), backends(t, dir, fault{}), planner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !plan.PeerDrift || len(plan.Warnings) != 1 || !strings.Contains(plan.Warnings[0], "stopped after git committed and before sql did") {
		t.Fatalf("warnings %q", plan.Warnings)
	}
	if len(plan.ProviderChanges("git")) != 0 || len(plan.ProviderChanges("sql")) == 0 {
		t.Fatalf("want SQL changes only; git %d, sql %d", len(plan.ProviderChanges("git")), len(plan.ProviderChanges("sql")))
	}
	res, err := apply(t, backends(t, dir, fault{}))
	if err != nil || !res.Applied {
		t.Fatalf("apply: %v %+v", err, res)
	}
	after := take(t, dir)
	if after.git != half.git {
		t.Errorf("git moved again: %s → %s", half.git, after.git)
	}
	plan, err = applier.Plan(context.Background(), backends(t, dir, fault{}), planner.Options{})
	if err != nil || plan.HasChanges() || plan.PeerDrift {
		t.Fatalf("after converging: %v, changes %v, drift %v", err, plan.HasChanges(), plan.PeerDrift)
	}
}

// A commit someone pushed to the branch outside scriptsync: the plan warns,
// and an apply with nothing else to do records the new version.
func TestOutsideCommitIsRecorded(t *testing.T) {
	dir := t.TempDir()
	workspace(t, dir, 1)
	if _, err := apply(t, backends(t, dir, fault{})); err != nil {
		t.Fatal(err)
	}
	clone := filepath.Join(t.TempDir(), "c")
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=u", "GIT_AUTHOR_EMAIL=u@x", "GIT_COMMITTER_NAME=u", "GIT_COMMITTER_EMAIL=u@x", "HOME="+t.TempDir(), "GIT_CONFIG_NOSYSTEM=1", "GIT_LFS_SKIP_SMUDGE=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("clone", "-q", filepath.Join(dir, "library.git"), clone)
	os.WriteFile(filepath.Join(clone, "NOTES.md"), []byte("ours\n"), 0o644)
	git("-C", clone, "add", "NOTES.md")
	git("-C", clone, "commit", "-qm", "notes")
	git("-C", clone, "push", "-q", "origin", "HEAD:main")

	plan, err := applier.Plan(context.Background(), backends(t, dir, fault{}), planner.Options{})
	if err != nil || plan.HasChanges() || !plan.PeerDrift {
		t.Fatalf("plan: %v, changes %v, drift %v", err, plan.HasChanges(), plan.PeerDrift)
	}
	res, err := apply(t, backends(t, dir, fault{}))
	if err != nil || res.Applied || !res.Recorded {
		t.Fatalf("apply: %v %+v", err, res)
	}
	plan, err = applier.Plan(context.Background(), backends(t, dir, fault{}), planner.Options{})
	if err != nil || plan.PeerDrift {
		t.Fatalf("after recording: %v, drift %v", err, plan.PeerDrift)
	}
}
