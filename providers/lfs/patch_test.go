package lfs

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"scriptsync/formats/npy"
	"scriptsync/library"
	"scriptsync/planner"
	"scriptsync/providers"
)

// patchLayout's bytes are encodeInventory's of the inventory it changes,
// on keys and sources that need escaping too.
func TestPatchLayout(t *testing.T) {
	odd := []string{"", "plain", `q"uote`, `back\slash`, "<html>&", "tab\there", "é", "line\u2028sep", "\x01ctl", "bad\xffutf8"}
	r := rand.New(rand.NewPCG(3, 4))
	pick := func() string { return odd[r.IntN(len(odd))] }
	oid := func() string { return fmt.Sprintf("%064x", r.Uint64()) }
	insertions := 0 // cases with an insertion patched
	for n := range 200 {
		inv := inventory{}
		for i := range n % 12 {
			inv[fmt.Sprintf("embedding.e[%q]%s", fmt.Sprint(i), pick())] = entry{OID: oid(), Size: r.Int64N(1 << 20), Source: pick()}
		}
		data, err := encodeInventory(inv)
		if err != nil {
			t.Fatal(err)
		}
		want := maps.Clone(inv)
		put := map[string]*entry{}
		for _, a := range slices.Sorted(maps.Keys(inv)) {
			switch r.IntN(3) {
			case 0: // replaced
				e := entry{OID: oid(), Size: r.Int64N(9), Source: pick()}
				put[a], want[a] = &e, e
			case 1: // removed
				put[a] = nil
				delete(want, a)
			}
		}
		put["embedding.absent"] = nil // removing what is not there is nothing
		inserted := 0
		for i := range r.IntN(3) {
			a := fmt.Sprintf("embedding.e[%q]%s", fmt.Sprint(i*5+r.IntN(5)), pick())
			if _, ok := inv[a]; ok {
				continue
			}
			e := entry{OID: oid(), Size: 7, Source: pick()}
			put[a], want[a] = &e, e
			inserted++
		}
		got, old, ok := patchLayout(data, put)
		if !ok {
			// Only an insertion among keys that may not decode to their
			// addresses is left to the decoding path.
			if inserted == 0 || !slices.ContainsFunc(slices.Collect(maps.Keys(inv)), lossyKey) {
				t.Fatalf("case %d: not patched: %q, put %q", n, slices.Sorted(maps.Keys(inv)), slices.Sorted(maps.Keys(put)))
			}
			continue
		}
		wantData, _ := encodeInventory(want)
		if !bytes.Equal(got, wantData) {
			t.Fatalf("case %d: patched\n%s\nwant\n%s", n, got, wantData)
		}
		if inserted > 0 {
			insertions++
		}
		changed := 0
		for a, e := range put {
			if _, was := inv[a]; was && (e == nil || *e != inv[a]) {
				changed++
			}
		}
		if len(old) < changed {
			t.Fatalf("case %d: %d old entries, want at least %d", n, len(old), changed)
		}
	}
	if insertions < 50 {
		t.Errorf("%d cases patched an insertion, want at least 50", insertions)
	}
	if _, _, ok := patchLayout([]byte(`{"objects":{}}`), map[string]*entry{}); ok {
		t.Fatal("another layout was patched")
	}
}

// compareKey orders an encoded key as strings.Compare orders the address
// it encodes, through every escape encoding/json writes, and refuses only
// keys that may not decode to their address.
func TestCompareKey(t *testing.T) {
	parts := []string{"", "a", "b", "[", `"`, `\`, "/", "<", ">", "&", "\n", "\t", "\r", "\b", "\f", "\x01", "\x1f", "\x7f", "é", "\u2028", "\u2029", "\ufffd", "\xff", "€", "𝄞"}
	r := rand.New(rand.NewPCG(7, 8))
	word := func() string {
		var b strings.Builder
		for range r.IntN(4) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		return b.String()
	}
	compared, refused := 0, 0
	for range 20000 {
		a, b := word(), word()
		if r.IntN(4) == 0 {
			b = a + word()
		}
		got, ok := compareKey(appendString(nil, a), b)
		if !ok {
			if !lossyKey(a) {
				t.Fatalf("the key of %q, %s, was refused", a, appendString(nil, a))
			}
			refused++
			continue
		}
		compared++
		if want := strings.Compare(a, b); got != want {
			t.Fatalf("compareKey(%s, %q) = %d, want %d", appendString(nil, a), b, got, want)
		}
	}
	if compared < 10000 || refused == 0 {
		t.Errorf("%d compared and %d refused: want both", compared, refused)
	}
}

// lossyKey reports whether a's key in an inventory file may not decode to
// a: encoding/json writes bytes that are not UTF-8 as \ufffd.
func lossyKey(a string) bool {
	return strings.Contains(string(appendString(nil, a)), `\ufffd`)
}

// A scoped apply that edits the inventory and the stamps in place leaves
// the files, the memo's stamp and the store that decoding them leaves.
func TestFinishPatchedEqualsFinish(t *testing.T) {
	ctx := t.Context()
	dirs := [2]string{}
	for k := range dirs {
		lib := fixture(t, 12, 4)
		p := newProvider(t, lib, "")
		applyPlan(t, p, lib, false)
		dirs[k] = p.store.Dir()
		want, _ := p.Desired(lib)
		base, err := p.Stamp(ctx, want, "")
		if err != nil {
			t.Fatal(err)
		}
		// Two vectors change: one to the content of a third, whose object
		// stays, and one to new content, so that its old object goes.
		next := &library.Library{Dir: lib.Dir, Embeddings: slices.Clone(lib.Embeddings)}
		data2 := readFile(t, filepath.Join(lib.Dir, lib.Embeddings[2].Source))
		data3 := npy.Encode([]float32{9, 9, 9, 9})
		for i, data := range map[int][]byte{1: data2, 3: data3} {
			e := lib.Embeddings[i]
			if err := os.WriteFile(filepath.Join(lib.Dir, e.Source), data, 0o644); err != nil {
				t.Fatal(err)
			}
			next.Embeddings[i] = embedding(fmt.Sprintf("%05d", i), e.Source, data)
		}
		// One embedding goes, and a new one comes: its entry is inserted.
		gone := next.Embeddings[11]
		data4 := npy.Encode([]float32{4, 4, 4, 4})
		if err := os.WriteFile(filepath.Join(lib.Dir, "vectors/new.npy"), data4, 0o644); err != nil {
			t.Fatal(err)
		}
		next.Embeddings[11] = embedding("00005a", "vectors/new.npy", data4)
		resources := map[string]bool{next.Embeddings[1].Resource: true, next.Embeddings[3].Resource: true,
			gone.Resource: true, next.Embeddings[11].Resource: true}
		all, _ := p.Desired(next)
		var scoped []*providers.Object
		for _, o := range all {
			if resources[o.Resource] {
				scoped = append(scoped, o)
			}
		}
		ptx, err := p.Begin(ctx, providers.BeginOptions{})
		if err != nil {
			t.Fatal(err)
		}
		st, err := ptx.(providers.ScopeReader).ReadScope(ctx, scoped, resources, base)
		if err != nil {
			t.Fatal(err)
		}
		pl, err := planner.Make([]planner.Input{{Provider: "lfs", Desired: scoped, Actual: st}}, planner.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(pl.Changes) != 4 {
			t.Fatalf("run %d: %d changes, want 4", k, len(pl.Changes))
		}
		if err := ptx.Apply(ctx, pl.ProviderChanges("lfs"), nil); err != nil {
			t.Fatal(err)
		}
		if err := ptx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if k == 1 {
			// The decoding path: the stamp's inventory digest is not the
			// file's.
			p.mu.Lock()
			p.base = slices.Clone(p.base)
			p.base[0] ^= 1
			p.mu.Unlock()
		}
		stamp, err := p.StampScope(ctx, scoped, resources, "")
		if err != nil {
			t.Fatal(err)
		}
		if k == 0 {
			// The patching path, taken without a fallback.
			if patched, ok := p.patchedStamp(scoped, resources, base); !ok || !bytes.Equal(patched, stamp) {
				t.Fatalf("patchedStamp: %v", ok)
			}
			x := ptx.(*tx)
			if done, err := p.store.finishPatched(x.seen, x.changes, x.written, base[:32]); !done || err != nil {
				t.Fatalf("finishPatched: %v, %v", done, err)
			}
			x.lock.unlock()
		} else if err := ptx.(providers.Finisher).Finish(ctx); err != nil {
			t.Fatal(err)
		}
		if same, err := p.Unchanged(ctx, stamp); err != nil || !same {
			t.Fatalf("run %d: the scoped stamp does not hold after Finish (%v)", k, err)
		}
		if full, err := p.Stamp(ctx, all, ""); err != nil || !bytes.Equal(full, stamp) {
			t.Fatalf("run %d: the scoped stamp is not the full one (%v)", k, err)
		}
		if pl := planOf(t, p, next); pl.HasChanges() {
			t.Fatalf("run %d: the apply did not converge: %v", k, pl.Changes)
		}
	}
	if a, b := readFile(t, filepath.Join(dirs[0], inventoryFile)), readFile(t, filepath.Join(dirs[1], inventoryFile)); !bytes.Equal(a, b) {
		t.Errorf("the inventory differs:\npatched\n%s\ndecoded\n%s", a, b)
	}
	// The stamps name the same objects (their times and inodes differ).
	stamped := func(dir string) []string {
		var out []string
		for _, line := range bytes.Split(readFile(t, filepath.Join(dir, stampsFile)), []byte("\n")) {
			if oid, stamp, ok := bytes.Cut(line, []byte(" ")); ok && string(stamp) != unverified {
				out = append(out, string(oid))
			}
		}
		return out
	}
	if a, b := stamped(dirs[0]), stamped(dirs[1]); !slices.Equal(a, b) || len(a) != 11 {
		t.Errorf("stamped objects: patched %v, decoded %v; want the same 11", a, b)
	}
	list := func(dir string) []string {
		var out []string
		filepath.WalkDir(filepath.Join(dir, "objects"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				out = append(out, filepath.Base(p))
			}
			return nil
		})
		return out
	}
	if a, b := list(dirs[0]), list(dirs[1]); !slices.Equal(a, b) || len(a) != 11 {
		t.Errorf("stored objects: patched %v, decoded %v; want the same 11", a, b)
	}
}
