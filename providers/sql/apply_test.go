package sql

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"scriptsync/library"
	"scriptsync/providers"
)

// applyChanges runs changes in a transaction that is always rolled back.
func applyChanges(t *testing.T, p *Provider, changes []*providers.Change, progress providers.Progress) error {
	t.Helper()
	ctx := context.Background()
	tx, err := p.Begin(ctx, providers.BeginOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Read(ctx, nil); err != nil {
		t.Fatal(err)
	}
	return tx.Apply(ctx, changes, progress)
}

func TestApplyRefusesChangesThatDoNotFit(t *testing.T) {
	p := sqliteBackend.open(t)
	lib := fixture(t, t.TempDir())
	apply(t, p, lib)
	desired := mustDesired(t, p, lib)
	st, err := p.Read(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	actual := map[string]*providers.Object{}
	for _, o := range st.Objects {
		actual[o.Address] = o
	}
	series := desired[len(desired)-1]
	if series.Address != "series.night_shift" {
		t.Fatalf("last desired object %s", series.Address)
	}
	ghost := *series
	ghost.Address = "series.ghost"
	stale := *actual["series.night_shift"]
	stale.Hash = "0000"
	noPayload := *series
	noPayload.Payload = nil
	noPayload.Hash = "different"
	for _, tc := range []struct {
		name     string
		change   *providers.Change
		conflict bool
		msg      string
	}{
		{"create of an existing object", &providers.Change{Action: providers.Create, After: series}, true, "series.night_shift already exists"},
		{"update of an unmanaged object", &providers.Change{Action: providers.Update, Before: &ghost, After: &ghost}, true, "series.ghost is not managed"},
		{"delete of an unmanaged object", &providers.Change{Action: providers.Delete, Before: &ghost}, true, "series.ghost is not managed"},
		{"update planned from another version", &providers.Change{Action: providers.Update, Before: &stale, After: series}, true, "changed since the plan was made"},
		{"update without payload", &providers.Change{Action: providers.Update, Before: actual["series.night_shift"], After: &noPayload}, false, "has no *library.Series payload"},
		{"unknown action", &providers.Change{Action: "move", Before: actual["series.night_shift"], After: series}, false, `unknown action "move"`},
		{"create without After", &providers.Change{Action: providers.Create}, false, "malformed create"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := applyChanges(t, p, []*providers.Change{tc.change}, nil)
			if err == nil || !strings.Contains(err.Error(), tc.msg) || errors.Is(err, providers.ErrConflict) != tc.conflict {
				t.Errorf("Apply: %v; want %q (conflict %v)", err, tc.msg, tc.conflict)
			}
		})
	}
}

func TestApplyProgress(t *testing.T) {
	p := sqliteBackend.open(t)
	lib := fixture(t, t.TempDir())
	desired := mustDesired(t, p, lib)
	changes := plan(desired, nil)
	objects := 0
	err := applyChanges(t, p, changes, func(n int, bytes int64) { objects += n })
	if err != nil {
		t.Fatal(err)
	}
	if objects != len(changes) {
		t.Errorf("progress told of %d objects, want %d", objects, len(changes))
	}
}

// TestApplySwaps exchanges unique values between objects in one apply:
// the numbers of two outline scenes and the paths of two scripts.
func TestApplySwaps(t *testing.T) {
	p := sqliteBackend.open(t)
	p.checkout = "/checkout" // file_path follows the repository path
	lib := fixture(t, t.TempDir())
	second := &library.Script{Meta: library.Meta{Address: "script.two"}, Title: "Two", Path: "scripts/two.fountain",
		Source: "two.fountain", ContentHash: sha("two")}
	lib.Scripts = append(lib.Scripts, second)
	apply(t, p, lib)
	ids := sqliteBackend.ids(t, p)

	outline := script(lib, "script.spinoff")
	outline.Scenes[0].Number, outline.Scenes[1].Number = 2, 1
	pilot := script(lib, "script.pilot")
	pilot.Path, second.Path = second.Path, pilot.Path
	if c := apply(t, p, lib); len(c) != 4 {
		t.Fatalf("%d changes, want 4", len(c))
	}
	if got := sqliteBackend.ids(t, p); got["scene.spinoff_open"] != ids["scene.spinoff_open"] || got["script.two"] != ids["script.two"] {
		t.Errorf("rows changed: %v -> %v", ids, got)
	}
	if got := sqliteBackend.strings(t, p, "SELECT file_path FROM scripts WHERE title = 'Two'"); got[0] != "/checkout/scripts/pilot.fountain" {
		t.Errorf("path %q", got[0])
	}
	if got := sqliteBackend.ints(t, p, "SELECT scene_number FROM scenes WHERE heading = 'INT. ER - NIGHT'"); got[0] != 2 {
		t.Errorf("number %d", got[0])
	}
}

func TestTxAfterEnd(t *testing.T) {
	ctx := context.Background()
	p := sqliteBackend.open(t)
	tx, err := p.Begin(ctx, providers.BeginOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if v := tx.(providers.VersionReporter).CommittedVersion(); v != "" {
		t.Errorf("CommittedVersion of an empty commit = %q", v)
	}
	if _, err := tx.Read(ctx, nil); !errors.Is(err, errTxDone) {
		t.Errorf("Read after Commit: %v", err)
	}
	if err := tx.Apply(ctx, nil, nil); !errors.Is(err, errTxDone) {
		t.Errorf("Apply after Commit: %v", err)
	}
	if err := tx.Commit(ctx); !errors.Is(err, errTxDone) {
		t.Errorf("second Commit: %v", err)
	}
}

// TestApplyIgnoresOrder applies a plan in reverse: Apply orders writes by
// type itself, so any order the planner picks within its rules works.
func TestApplyIgnoresOrder(t *testing.T) {
	ctx := context.Background()
	p := sqliteBackend.open(t)
	lib := fixture(t, t.TempDir())
	changes := plan(mustDesired(t, p, lib), nil)
	slices.Reverse(changes)
	tx, err := p.Begin(ctx, providers.BeginOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if st, err := tx.Read(ctx, nil); err != nil || st.Version != "" {
		t.Fatalf("Tx.Read of a new database: %+v, %v", st, err)
	}
	if err := tx.Apply(ctx, changes, nil); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if c := pending(t, p, lib); len(c) != 0 {
		t.Errorf("%d changes after a reversed apply", len(c))
	}
}
