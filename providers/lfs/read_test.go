package lfs

import (
	"context"
	"os"
	"reflect"
	"testing"

	"scriptsync/internal/lfstest"
	"scriptsync/providers"
)

func addresses(objs []*providers.Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.Address)
	}
	return out
}

func TestReadLocal(t *testing.T) {
	ctx := context.Background()
	lib := fixture(t, 3, 8)
	p := newProvider(t, lib, "")
	want, _ := p.Desired(lib)

	// No repository yet: empty, no error.
	state, err := p.Read(ctx, want)
	if err != nil || len(state.Objects) != 0 || state.Version != "" {
		t.Fatalf("Read before anything exists = %+v, %v", state, err)
	}

	if _, _, err := applyAll(t, p, lib); err != nil {
		t.Fatal(err)
	}
	state, err = p.Read(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	if len(state.Objects) != len(want) {
		t.Fatalf("Read = %v, want every object", addresses(state.Objects))
	}
	for i, o := range state.Objects {
		w := *want[i]
		w.Payload = nil
		// Attributes are compared as made, not as the functions that make
		// them.
		got := *o
		got.Attrs, w.Attrs = got.Attributes(), w.Attributes()
		got.AttrsFunc, w.AttrsFunc = nil, nil
		if o.Payload != nil || !reflect.DeepEqual(got, w) {
			t.Fatalf("Read object %d = %+v, want %+v", i, got, w)
		}
	}

	// Objects that are not wanted are never reported, even though the store
	// holds them: the planner must never delete an LFS object.
	state, err = p.Read(ctx, want[:1])
	if err != nil || len(state.Objects) != 1 || state.Objects[0].Address != want[0].Address {
		t.Fatalf("Read(one) = %v, %v", addresses(state.Objects), err)
	}
	state, err = p.Read(ctx, nil)
	if err != nil || len(state.Objects) != 0 {
		t.Fatalf("Read(none) = %v, %v", addresses(state.Objects), err)
	}

	// A torn object (a crash mid-write) is not present.
	if err := os.Truncate(p.store.Path(want[1].Hash), 10); err != nil {
		t.Fatal(err)
	}
	state, _ = p.Read(ctx, want)
	if got := addresses(state.Objects); len(got) != 2 || got[1] != want[2].Address {
		t.Fatalf("Read with a torn object = %v", got)
	}
}

func TestReadRemote(t *testing.T) {
	ctx := context.Background()
	srv := lfstest.Start(t)
	lib := fixture(t, 4, 8)
	p := newProvider(t, lib, srv.Endpoint)
	want, _ := p.Desired(lib)

	// Local only: the server lacks them, so none is present.
	local := newProvider(t, lib, "")
	if _, _, err := applyAll(t, local, lib); err != nil {
		t.Fatal(err)
	}
	state, err := p.Read(ctx, want)
	if err != nil || len(state.Objects) != 0 {
		t.Fatalf("Read with objects only local = %v, %v", addresses(state.Objects), err)
	}

	// On the server too (one of them, as another client would have
	// uploaded it).
	if _, err := srv.Add(readFile(t, lib.Dir+"/"+lib.Embeddings[2].Source)); err != nil {
		t.Fatal(err)
	}
	state, err = p.Read(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	if got := addresses(state.Objects); len(got) != 1 || got[0] != want[2].Address {
		t.Fatalf("Read = %v, want only %s", got, want[2].Address)
	}

	// On the server but not in the local store: not present either.
	if err := os.Remove(p.store.Path(want[2].Hash)); err != nil {
		t.Fatal(err)
	}
	batches := srv.Stats().Batch
	state, err = p.Read(ctx, want)
	if err != nil || len(state.Objects) != 0 {
		t.Fatalf("Read = %v, %v", addresses(state.Objects), err)
	}
	if srv.Stats().Batch != batches+1 {
		t.Errorf("Read made %d batch requests, want 1", srv.Stats().Batch-batches)
	}
}

func TestReadRemoteErrors(t *testing.T) {
	ctx := context.Background()
	srv := lfstest.Start(t)
	lib := fixture(t, 2, 8)
	p := newProvider(t, lib, srv.Endpoint)
	if _, _, err := applyAll(t, p, lib); err != nil {
		t.Fatal(err)
	}
	want, _ := p.Desired(lib)
	srv.Inject(lfstest.ObjectError, 1)
	if _, err := p.Read(ctx, want); err == nil {
		t.Fatal("Read hid a per-object error")
	}
	srv.Close()
	if _, err := p.Read(ctx, want); err == nil {
		t.Fatal("Read of an unreachable server succeeded")
	}
}
