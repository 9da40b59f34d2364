package lfs

import (
	"context"
	"os"
	"testing"
	"time"

	"scriptsync/library"
	"scriptsync/planner"
	"scriptsync/providers"
)

// applyPlan plans lib against p with the generic planner, applies and
// commits it, and finishes unless rollback is set (then it rolls back).
func applyPlan(t *testing.T, p *Provider, lib *library.Library, rollback bool) *planner.Plan {
	t.Helper()
	ctx := context.Background()
	want, diags := p.Desired(lib)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	tx, err := p.Begin(ctx, providers.BeginOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	st, err := tx.Read(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := planner.Make([]planner.Input{{Provider: "lfs", Desired: want, Actual: st}}, planner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Apply(ctx, pl.ProviderChanges("lfs"), nil); err != nil {
		t.Fatal(err)
	}
	if rollback {
		if err := tx.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		return pl
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tx.(providers.Finisher).Finish(ctx); err != nil {
		t.Fatal(err)
	}
	return pl
}

func planOf(t *testing.T, p *Provider, lib *library.Library) *planner.Plan {
	t.Helper()
	want, _ := p.Desired(lib)
	st, err := p.Read(context.Background(), want)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := planner.Make([]planner.Input{{Provider: "lfs", Desired: want, Actual: st}}, planner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return pl
}

func TestFinishRemovesUnreferencedObjects(t *testing.T) {
	lib := fixture(t, 3, 4)
	p := newProvider(t, lib, "")
	applyPlan(t, p, lib, false)
	all := append([]*library.Embedding(nil), lib.Embeddings...)
	if pl := planOf(t, p, lib); pl.HasChanges() {
		t.Fatalf("after the first apply: %+v", pl.Summary())
	}

	// Dropping one embedding: the plan deletes it; a rollback keeps it.
	dropped := all[2]
	lib.Embeddings = all[:2]
	pl := applyPlan(t, p, lib, true)
	if s := pl.Summary(); s.Destroy != 1 || s.Add != 0 {
		t.Fatalf("plan after dropping one = %+v", s)
	}
	if _, err := os.Stat(p.store.Path(dropped.OID)); err != nil {
		t.Fatalf("after a rollback the dropped object must still be stored: %v", err)
	}
	applyPlan(t, p, lib, false)
	if _, err := os.Stat(p.store.Path(dropped.OID)); !os.IsNotExist(err) {
		t.Fatalf("after the apply the dropped object is still stored: %v", err)
	}
	if pl := planOf(t, p, lib); pl.HasChanges() {
		t.Fatalf("after the apply the plan is not empty: %+v", pl.Summary())
	}

	// An oid another managed address still names stays.
	twin := *all[0]
	twin.Address, twin.Resource = `embedding.e["twin"]`, `embedding.e["twin"]`
	lib.Embeddings = []*library.Embedding{all[0], all[1], &twin}
	applyPlan(t, p, lib, false)
	lib.Embeddings = []*library.Embedding{all[1], &twin}
	applyPlan(t, p, lib, false)
	if _, err := os.Stat(p.store.Path(all[0].OID)); err != nil {
		t.Fatalf("an object a managed twin names was removed: %v", err)
	}

	// Nothing wanted: everything scriptsync stored goes.
	lib.Embeddings = nil
	applyPlan(t, p, lib, false)
	for _, e := range all {
		if _, err := os.Stat(p.store.Path(e.OID)); !os.IsNotExist(err) {
			t.Errorf("%s still stored after its last reference went: %v", e.Address, err)
		}
	}
	if st, _ := p.Read(context.Background(), nil); len(st.Objects) != 0 {
		t.Errorf("Read after removing everything = %v", addresses(st.Objects))
	}
}

func TestFinishWaitsForRunningApplies(t *testing.T) {
	lib := fixture(t, 2, 4)
	p := newProvider(t, lib, "")
	applyPlan(t, p, lib, false)
	ctx := context.Background()
	// Another apply that found the objects stored is running.
	other, err := p.Begin(ctx, providers.BeginOptions{})
	if err != nil {
		t.Fatal(err)
	}
	kept := lib.Embeddings[0]
	lib.Embeddings = lib.Embeddings[1:]
	done := make(chan struct{})
	go func() {
		defer close(done)
		applyPlan(t, p, lib, false)
	}()
	select {
	case <-done:
		t.Fatal("Finish removed objects while another apply held the store")
	case <-time.After(300 * time.Millisecond):
	}
	if _, err := os.Stat(p.store.Path(kept.OID)); err != nil {
		t.Fatalf("object removed while another apply runs: %v", err)
	}
	other.Rollback(ctx)
	<-done
	if _, err := os.Stat(p.store.Path(kept.OID)); !os.IsNotExist(err) {
		t.Fatalf("object not removed after the other apply ended: %v", err)
	}
}
