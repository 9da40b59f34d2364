package lfs

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"scriptsync/formats/npy"
	"scriptsync/internal/lfstest"
	"scriptsync/library"
	"scriptsync/providers"
)

func TestApplyLocal(t *testing.T) {
	lib := fixture(t, 3, 16)
	// A fourth embedding of the same vector as the first.
	dup := *lib.Embeddings[0]
	dup.Address = `embedding.e["dup"]`
	lib.Embeddings = append(lib.Embeddings, &dup)
	p := newProvider(t, lib, "")

	objects, bytes_, err := applyAll(t, p, lib)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, e := range lib.Embeddings {
		total += e.Size
	}
	if objects != 4 || bytes_ != total {
		t.Fatalf("progress = %d objects, %d bytes; want 4, %d", objects, bytes_, total)
	}
	for _, e := range lib.Embeddings {
		got := readFile(t, p.store.Path(e.OID))
		if !bytes.Equal(got, readFile(t, filepath.Join(lib.Dir, e.Source))) {
			t.Fatalf("%s: stored object differs from its source", e.Address)
		}
	}
	n := 0
	filepath.WalkDir(p.store.ObjectsDir(), func(_ string, d os.DirEntry, _ error) error {
		if !d.IsDir() {
			n++
		}
		return nil
	})
	if n != 3 {
		t.Fatalf("%d objects in the store, want 3 (identical vectors share one)", n)
	}

	// Everything is there now: a second plan has nothing to do.
	want, _ := p.Desired(lib)
	state, err := p.Read(context.Background(), want)
	if err != nil || len(state.Objects) != 4 {
		t.Fatalf("Read after apply = %v, %v", addresses(state.Objects), err)
	}
}

func TestApplyUploads(t *testing.T) {
	srv := lfstest.Start(t)
	lib := fixture(t, 5, 16)
	p := newProvider(t, lib, srv.Endpoint)
	objects, _, err := applyAll(t, p, lib)
	if err != nil || objects != 5 {
		t.Fatalf("apply = %d objects, %v", objects, err)
	}
	for _, e := range lib.Embeddings {
		got, err := srv.Object(e.OID)
		if err != nil || !bytes.Equal(got, readFile(t, filepath.Join(lib.Dir, e.Source))) {
			t.Fatalf("%s: server copy differs: %v", e.Address, err)
		}
	}
	if st := srv.Stats(); st.Upload != 5 || st.Verify != 5 {
		t.Fatalf("stats = %+v", st)
	}

	// An unchanged library is never uploaded again.
	objects, _, err = applyAll(t, p, lib)
	if err != nil || objects != 0 || srv.Stats().Upload != 5 {
		t.Fatalf("second apply = %d objects, %v, %d uploads", objects, err, srv.Stats().Upload)
	}

	// One edited vector: one upload.
	e := lib.Embeddings[3]
	data := npy.Encode([]float32{9, 9, 9})
	if err := os.WriteFile(filepath.Join(lib.Dir, e.Source), data, 0o644); err != nil {
		t.Fatal(err)
	}
	*e = *embedding("00003", e.Source, data)
	objects, _, err = applyAll(t, p, lib)
	if err != nil || objects != 1 || srv.Stats().Upload != 6 || !srv.Has(e.OID) {
		t.Fatalf("apply after an edit = %d objects, %v, stats %+v", objects, err, srv.Stats())
	}
}

func TestApplyUploadsWhatTheServerLacks(t *testing.T) {
	// The local store has everything (an earlier apply without a remote);
	// the server gets every object the plan creates.
	srv := lfstest.Start(t)
	lib := fixture(t, 3, 4)
	if _, _, err := applyAll(t, newProvider(t, lib, ""), lib); err != nil {
		t.Fatal(err)
	}
	if _, _, err := applyAll(t, newProvider(t, lib, srv.Endpoint), lib); err != nil {
		t.Fatal(err)
	}
	for _, e := range lib.Embeddings {
		if !srv.Has(e.OID) {
			t.Fatalf("%s not uploaded", e.Address)
		}
	}
}

func TestApplyFailsCleanly(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, lib *library.Library, srv *lfstest.Server)
		want  string
	}{
		{
			name: "source edited after the plan",
			setup: func(t *testing.T, lib *library.Library, _ *lfstest.Server) {
				os.WriteFile(filepath.Join(lib.Dir, lib.Embeddings[1].Source), npy.Encode([]float32{1}), 0o644)
			},
			want: `lfs: embedding.e["00001"]: vectors/00001.npy changed since the plan was made (it has 132 bytes, want 192); run plan again`,
		},
		{
			name: "source removed after the plan",
			setup: func(t *testing.T, lib *library.Library, _ *lfstest.Server) {
				os.Remove(filepath.Join(lib.Dir, lib.Embeddings[2].Source))
			},
			want: `lfs: embedding.e["00002"]: vectors/00002.npy was removed since the plan was made; run plan again`,
		},
		{
			name: "server refuses uploads",
			setup: func(t *testing.T, _ *library.Library, srv *lfstest.Server) {
				srv.Inject(lfstest.UploadError500, -1)
			},
			want: "injected upload failure (gave up after 6 attempts)",
		},
		{
			name: "verification fails",
			setup: func(t *testing.T, _ *library.Library, srv *lfstest.Server) {
				srv.Inject(lfstest.VerifyFail, 1)
			},
			want: "the upload did not arrive intact",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := lfstest.Start(t)
			lib := fixture(t, 3, 16)
			p := newProvider(t, lib, srv.Endpoint)
			want, _ := p.Desired(lib)
			tc.setup(t, lib, srv)
			tx, err := p.Begin(ctx, providers.BeginOptions{})
			if err != nil {
				t.Fatal(err)
			}
			err = tx.Apply(ctx, creates(want), nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Apply = %v\nwant an error containing %q", err, tc.want)
			}
			if err := tx.Rollback(ctx); err != nil {
				t.Fatal(err)
			}
			// Nothing the git commit could point at is missing from the
			// server without Apply having failed: every object the server
			// claims, it holds.
			srv.Reset()
			state, err := p.Read(ctx, want)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range state.Objects {
				if !srv.Has(o.Hash) {
					t.Errorf("%s reads as present but the server lacks it", o.Address)
				}
			}
		})
	}
}

func TestApplyIgnoresDeletesAndNoOps(t *testing.T) {
	lib := fixture(t, 2, 4)
	p := newProvider(t, lib, "")
	want, _ := p.Desired(lib)
	tx, _ := p.Begin(context.Background(), providers.BeginOptions{})
	changes := []*providers.Change{
		{Provider: "lfs", Action: providers.Delete, Before: want[0]},
		{Provider: "lfs", Action: providers.NoOp, Before: want[1], After: want[1]},
	}
	if err := tx.Apply(context.Background(), changes, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p.store.ObjectsDir()); !os.IsNotExist(err) {
		t.Fatalf("Apply of deletes touched the store: %v", err)
	}
	if reg, _ := providers.Lookup("lfs"); reg.Commit != providers.CommitUnreferenced {
		t.Fatalf("lfs registers commit class %s, not unreferenced: the applier would commit it last", reg.Commit)
	}
}

func TestApplyNeedsThePayload(t *testing.T) {
	lib := fixture(t, 1, 4)
	p := newProvider(t, lib, "")
	want, _ := p.Desired(lib)
	o := *want[0]
	o.Payload = nil // a plan read from a file, not joined with the configuration
	tx, _ := p.Begin(context.Background(), providers.BeginOptions{})
	err := tx.Apply(context.Background(), creates([]*providers.Object{&o}), nil)
	if err == nil || !strings.Contains(err.Error(), "carries no embedding") {
		t.Fatalf("Apply = %v", err)
	}
}

func TestApplyToFileRemote(t *testing.T) {
	lib := fixture(t, 2, 4)
	p, diags := New(config(lib.Dir, nil, map[string]string{"remote": "mirror.git"}, nil))
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if _, _, err := applyAll(t, p.(*Provider), lib); err == nil || !strings.Contains(err.Error(), "mirror.git: it is not a repository on this machine") {
		t.Fatalf("apply to a missing file remote = %v", err)
	}
	if err := os.Mkdir(filepath.Join(lib.Dir, "mirror.git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, _, err := applyAll(t, p.(*Provider), lib); err != nil {
		t.Fatal(err)
	}
	for _, e := range lib.Embeddings {
		mirror := filepath.Join(lib.Dir, "mirror.git", "lfs", "objects", e.OID[:2], e.OID[2:4], e.OID)
		if !bytes.Equal(readFile(t, mirror), readFile(t, filepath.Join(lib.Dir, e.Source))) {
			t.Fatalf("%s: mirror copy differs", e.Address)
		}
	}
}
