package providertest

import (
	"context"
	"errors"
	"sort"
	"testing"
	"time"

	"scriptsync/library"
	"scriptsync/planner"
	"scriptsync/providers"
)

// Subject is one backend under test, made fresh for each case.
type Subject struct {
	// Provider is built on a backend that does not exist yet.
	Provider providers.Provider
	// Commit is the provider's registered commit class.
	Commit providers.CommitClass
	// Library is what the cases write. Changed is another library for the
	// same backend in which at least one of Library's objects changed (or
	// is gone, or is new).
	Library, Changed *library.Library
	// Open returns another provider on the same backend, as a second
	// scriptsync process would build it.
	Open func(t *testing.T) providers.Provider
	// Interfere changes the backend behind the back of tx, which has read
	// it, as another writer that ignores the lock would (a backend whose
	// lock keeps other connections out may write through tx's own), so
	// that tx's Apply or Commit must fail with ErrConflict.
	Interfere func(t *testing.T, tx providers.Tx)
	// Unlocked declares that Begin takes no lock because transactions
	// cannot harm each other (a content-addressed store): the lock and
	// conflict cases then check that two transactions both succeed,
	// Interfere is not used, and a rolled-back transaction may leave the
	// objects it stored, which nothing refers to.
	Unlocked bool
	// Known lists the cases (by subtest name) in which the provider is
	// known to break its promise, each with the reason and the issue that
	// tracks it; they are skipped with that message, never passed.
	Known map[string]string
}

// Run runs the conformance suite: every promise of the providers contract
// that can be checked from outside, one subtest each. newSubject is called
// once per subtest, with the subtest's t, and must return a Subject on a
// fresh, missing backend.
func Run(t *testing.T, newSubject func(t *testing.T) *Subject) {
	for _, c := range []struct {
		name string
		test func(*testing.T, *Subject)
	}{
		{"MissingBackendReadsEmpty", testMissing},
		{"RoundTrip", testRoundTrip},
		{"RollbackLeavesBackendAsBeginFoundIt", testRollback},
		{"SecondBeginLocks", testLock},
		{"ConcurrentCommitConflicts", testConflict},
		{"CompensateIsIdempotent", testCompensate},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newSubject(t)
			if reason, ok := s.Known[c.name]; ok {
				t.Skip("known to fail: " + reason)
			}
			c.test(t, s)
		})
	}
}

func desired(t *testing.T, p providers.Provider, lib *library.Library) []*providers.Object {
	t.Helper()
	objs, diags := p.Desired(lib)
	if diags.HasErrors() {
		t.Fatalf("Desired: %s", diags.Error())
	}
	if len(objs) == 0 {
		t.Fatal("Desired returned no objects: the subject's library must want some")
	}
	return objs
}

// plan diffs want against a state.
func plan(t *testing.T, p providers.Provider, want []*providers.Object, st *providers.State) *planner.Plan {
	t.Helper()
	pl, err := planner.Make([]planner.Input{{Provider: p.Name(), Desired: want, Actual: st}}, planner.Options{})
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return pl
}

// begin opens a transaction and applies lib's plan in it.
func begin(t *testing.T, p providers.Provider, lib *library.Library) providers.Tx {
	t.Helper()
	tx, changes := beginRead(t, p, lib)
	if err := tx.Apply(context.Background(), changes, nil); err != nil {
		t.Fatalf("Tx.Apply: %v", err)
	}
	return tx
}

// beginRead opens a transaction and plans lib in it.
func beginRead(t *testing.T, p providers.Provider, lib *library.Library) (providers.Tx, []*providers.Change) {
	t.Helper()
	ctx := context.Background()
	want := desired(t, p, lib)
	tx, err := p.Begin(ctx, providers.BeginOptions{LockTimeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	t.Cleanup(func() { _ = tx.Rollback(context.Background()) })
	st, err := tx.Read(ctx, want)
	if err != nil {
		t.Fatalf("Tx.Read: %v", err)
	}
	pl := plan(t, p, want, st)
	if !pl.HasChanges() {
		t.Fatal("the library makes no changes: the subject's libraries must differ from the backend")
	}
	return tx, pl.ProviderChanges(p.Name())
}

// apply writes lib and commits.
func apply(t *testing.T, p providers.Provider, lib *library.Library) {
	t.Helper()
	if err := begin(t, p, lib).Commit(context.Background()); err != nil {
		t.Fatalf("Commit: %v", err)
	}
}

func read(t *testing.T, p providers.Provider, want []*providers.Object) *providers.State {
	t.Helper()
	st, err := p.Read(context.Background(), want)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return st
}

// hashes maps the state's objects' addresses to their hashes.
func hashes(st *providers.State) map[string]string {
	out := map[string]string{}
	for _, o := range st.Objects {
		out[o.Address] = o.Hash
	}
	return out
}

func sameState(t *testing.T, what string, got, want *providers.State) {
	t.Helper()
	if got.Version != want.Version {
		t.Errorf("%s: version %q, want %q", what, got.Version, want.Version)
	}
	g, w := hashes(got), hashes(want)
	var diffs []string
	for a, h := range w {
		if g[a] != h {
			diffs = append(diffs, a)
		}
	}
	for a := range g {
		if _, ok := w[a]; !ok {
			diffs = append(diffs, a)
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		t.Errorf("%s: objects differ at %v", what, diffs)
	}
}

func testMissing(t *testing.T, s *Subject) {
	st := read(t, s.Provider, desired(t, s.Provider, s.Library))
	if st.Version != "" || len(st.Objects) != 0 {
		t.Errorf("a missing backend reads as version %q with %d objects, want \"\" and none", st.Version, len(st.Objects))
	}
}

func testRoundTrip(t *testing.T, s *Subject) {
	apply(t, s.Provider, s.Library)
	want := desired(t, s.Provider, s.Library)
	st := read(t, s.Provider, want)
	actual := map[string]*providers.Object{}
	for _, o := range st.Objects {
		actual[o.Address] = o
	}
	for _, o := range want {
		a, ok := actual[o.Address]
		switch {
		case !ok:
			t.Errorf("%s: not read back", o.Address)
		case a.Hash != o.Hash || a.Type != o.Type || a.MatchHash != o.MatchHash:
			t.Errorf("%s: read back as %s %s (match %q), want %s %s (match %q)", o.Address, a.Type, a.Hash, a.MatchHash, o.Type, o.Hash, o.MatchHash)
		}
	}
	if pl := plan(t, s.Provider, want, st); pl.HasChanges() {
		t.Errorf("the plan after apply is not a no-op: %+v", pl.Summary())
	}
	// Another process sees the same.
	if other := read(t, s.Open(t), want); other.Version != st.Version {
		t.Errorf("another provider on the backend reads version %q, want %q", other.Version, st.Version)
	}
}

func testRollback(t *testing.T, s *Subject) {
	ctx := context.Background()
	apply(t, s.Provider, s.Library)
	want := desired(t, s.Provider, s.Library)
	changed := desired(t, s.Provider, s.Changed)
	before := read(t, s.Provider, want)
	beforeChanged := read(t, s.Provider, changed)
	tx := begin(t, s.Provider, s.Changed)
	if err := tx.Rollback(ctx); err != nil {
		t.Fatalf("Rollback: %v", err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Errorf("a second Rollback: %v", err)
	}
	sameState(t, "after Rollback", read(t, s.Provider, want), before)
	// An unlocked, content-addressed store may keep what the transaction
	// stored: no one refers to it, and the next apply finds it there.
	if !s.Unlocked {
		sameState(t, "after Rollback, asked for the changed library", read(t, s.Provider, changed), beforeChanged)
	}
	if pl := plan(t, s.Provider, want, read(t, s.Provider, want)); pl.HasChanges() {
		t.Errorf("after Rollback the original library plans changes: %+v", pl.Summary())
	}
}

func testLock(t *testing.T, s *Subject) {
	ctx := context.Background()
	first, err := s.Provider.Begin(ctx, providers.BeginOptions{})
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	defer first.Rollback(ctx)
	other := s.Open(t)
	second, err := other.Begin(ctx, providers.BeginOptions{LockTimeout: 200 * time.Millisecond})
	if s.Unlocked {
		if err != nil {
			t.Fatalf("a second Begin on an unlocked backend: %v", err)
		}
		_ = second.Rollback(ctx)
		return
	}
	var le *providers.LockError
	if !errors.As(err, &le) {
		if second != nil {
			_ = second.Rollback(ctx)
		}
		t.Fatalf("a second Begin while the first holds the lock: %v, want a *LockError", err)
	}
	if le.Provider != s.Provider.Name() {
		t.Errorf("the LockError names provider %q, want %q", le.Provider, s.Provider.Name())
	}
	if err := first.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	third, err := other.Begin(ctx, providers.BeginOptions{LockTimeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("Begin after the first transaction ended: %v", err)
	}
	_ = third.Rollback(ctx)
}

func testConflict(t *testing.T, s *Subject) {
	ctx := context.Background()
	apply(t, s.Provider, s.Library)
	if s.Unlocked {
		// Two transactions that overlap both land, and the result is
		// what either would have made.
		a, aChanges := beginRead(t, s.Provider, s.Changed)
		b, bChanges := beginRead(t, s.Open(t), s.Changed)
		if err := a.Apply(ctx, aChanges, nil); err != nil {
			t.Fatalf("first Apply: %v", err)
		}
		if err := b.Apply(ctx, bChanges, nil); err != nil {
			t.Fatalf("second, overlapping Apply: %v", err)
		}
		if err := a.Commit(ctx); err != nil {
			t.Fatalf("first Commit: %v", err)
		}
		if err := b.Commit(ctx); err != nil {
			t.Fatalf("second, overlapping Commit: %v", err)
		}
		want := desired(t, s.Provider, s.Changed)
		if pl := plan(t, s.Provider, want, read(t, s.Provider, want)); pl.HasChanges() {
			t.Errorf("after both commits the library plans changes: %+v", pl.Summary())
		}
		return
	}
	if s.Interfere == nil {
		t.Fatal("the subject is locked but gives no Interfere to commit behind a transaction's back")
	}
	want := desired(t, s.Provider, s.Changed)
	tx, err := s.Provider.Begin(ctx, providers.BeginOptions{LockTimeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	defer tx.Rollback(ctx)
	st, err := tx.Read(ctx, want)
	if err != nil {
		t.Fatalf("Tx.Read: %v", err)
	}
	s.Interfere(t, tx)
	err = tx.Apply(ctx, plan(t, s.Provider, want, st).ProviderChanges(s.Provider.Name()), nil)
	if err == nil {
		err = tx.Commit(ctx)
	}
	if !errors.Is(err, providers.ErrConflict) {
		t.Fatalf("Apply and Commit after another writer moved the backend: %v, want ErrConflict", err)
	}
}

func testCompensate(t *testing.T, s *Subject) {
	if s.Commit != providers.CommitUndoable {
		t.Skipf("commit class %s: nothing to compensate", s.Commit)
	}
	ctx := context.Background()
	apply(t, s.Provider, s.Library)
	want := desired(t, s.Provider, s.Library)
	before := read(t, s.Provider, want)
	tx := begin(t, s.Provider, s.Changed)
	c, ok := tx.(providers.Compensator)
	if !ok {
		t.Fatalf("the provider registers as undoable, but its Tx (%T) is no Compensator", tx)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	for i := range 2 {
		if err := c.Compensate(ctx); err != nil {
			t.Fatalf("Compensate #%d: %v", i+1, err)
		}
	}
	after := read(t, s.Provider, want)
	if pl := plan(t, s.Provider, want, after); pl.HasChanges() {
		t.Errorf("after Compensate the original library plans changes: %+v", pl.Summary())
	}
	if len(hashes(after)) != len(hashes(before)) {
		t.Errorf("after Compensate %d objects, before the Tx %d", len(after.Objects), len(before.Objects))
	}
}
