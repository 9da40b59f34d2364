package lfs

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"scriptsync/formats/npy"
	"scriptsync/library"
	"scriptsync/providers"
)

// A scoped read reports an embedding new to the inventory as a full Read
// does: not at all when another entry names its oid (even one out of the
// scope) or the store lacks it; an object the store holds under no entry
// is for a full Read. An entry of the scope no embedding wants any more is
// reported, to be deleted.
func TestReadScopeNewAndGone(t *testing.T) {
	ctx := context.Background()
	lib := fixture(t, 6, 4)
	p := newProvider(t, lib, "")
	applyPlan(t, p, lib, false)
	all, _ := p.Desired(lib)
	stamp, err := p.Stamp(ctx, all, "")
	if err != nil {
		t.Fatal(err)
	}
	add := func(name string, data []byte) *library.Library {
		src := "vectors/" + name + ".npy"
		if err := os.WriteFile(filepath.Join(lib.Dir, src), data, 0o644); err != nil {
			t.Fatal(err)
		}
		next := &library.Library{Dir: lib.Dir, Embeddings: slices.Clone(lib.Embeddings[:5])} // the sixth is gone
		next.Embeddings = append(next.Embeddings, embedding(name, src, data))
		return next
	}
	unnamed := npy.Encode([]float32{7, 7, 7, 7})
	cases := []struct {
		name string
		next *library.Library
		ok   bool
	}{
		{"a copy of an embedding outside the scope", add("copy", readFile(t, filepath.Join(lib.Dir, lib.Embeddings[0].Source))), true},
		{"a new vector", add("new", npy.Encode([]float32{5, 5, 5, 5})), true},
		{"a vector the store holds unnamed", add("unnamed", unnamed), false},
	}
	// The unnamed object is in the store, as another client would leave it.
	e := embedding("x", "x", unnamed)
	if err := os.MkdirAll(filepath.Dir(p.store.Path(e.OID)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p.store.Path(e.OID), unnamed, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		added := c.next.Embeddings[len(c.next.Embeddings)-1]
		resources := map[string]bool{added.Resource: true, lib.Embeddings[5].Resource: true, lib.Embeddings[4].Resource: true}
		want, _ := p.Desired(c.next)
		var scoped []*providers.Object
		for _, o := range want {
			if resources[o.Resource] {
				scoped = append(scoped, o)
			}
		}
		st, err := p.ReadScope(ctx, scoped, resources, stamp)
		if !c.ok {
			if !errors.Is(err, providers.ErrScope) {
				t.Errorf("%s: got %v, want ErrScope", c.name, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		full, err := p.Read(ctx, want)
		if err != nil {
			t.Fatal(err)
		}
		var got, wantAddrs []string
		for _, o := range st.Objects {
			got = append(got, o.Address+" "+o.Hash)
		}
		for _, o := range full.Objects {
			if resources[o.Address] { // an address is its resource here
				wantAddrs = append(wantAddrs, o.Address+" "+o.Hash)
			}
		}
		slices.Sort(got)
		slices.Sort(wantAddrs)
		if !slices.Equal(got, wantAddrs) {
			t.Errorf("%s: the scoped read reports %q, the full one %q", c.name, got, wantAddrs)
		}
	}
}

// inventoryOf's binary search finds a block's entries as a decode of the
// whole file does, among blocks whose names are prefixes of each other
// and keys that need escaping.
func TestInventoryOfFindsWhatDecodingFinds(t *testing.T) {
	blocks := []string{"embedding.e", "embedding.e0", "embedding.e[", "embedding.eX", "embedding.é", "script.e", "embedding.a<b", "embedding.q\"uote"}
	keys := []string{"", `["1"]`, `["2"]`, `["10"]`, `["a\"b"]`, `["é"]`, `["<"]`, "[\"\u2028\"]", "[\"bad\xff\"]", "[\"tab\t&\"]", `[0]`, "0", "x"}
	r := rand.New(rand.NewPCG(5, 6))
	oid := func() string { return fmt.Sprintf("%064x", r.Uint64()) }
	searched, lossy := 0, 0 // lossy: searched with a key that may not decode
	for n := range 300 {
		inv := inventory{}
		for range r.IntN(40) {
			inv[blocks[r.IntN(len(blocks))]+keys[r.IntN(len(keys))]] = entry{OID: oid(), Size: r.Int64N(9), Source: "v.npy"}
		}
		if n%7 == 0 {
			// Entries read leaves out: they are not returned either.
			inv[blocks[r.IntN(len(blocks))]+`["bad"]`] = entry{OID: "not an oid", Size: 1}
		}
		data, err := encodeInventory(inv)
		if err != nil {
			t.Fatal(err)
		}
		resources := map[string]bool{}
		for range 1 + r.IntN(4) {
			resources[blocks[r.IntN(len(blocks))]+keys[r.IntN(len(keys))]] = true
		}
		for a := range inv {
			if r.IntN(3) == 0 {
				resources[a] = true
			}
		}
		hasLossy := slices.ContainsFunc(slices.Collect(maps.Keys(inv)), lossyKey)
		got, ok := inventoryOf(data, resources)
		if !ok {
			if !hasLossy {
				t.Fatalf("case %d: not searched, and no key may be lost: %q", n, slices.Sorted(maps.Keys(inv)))
			}
			continue
		}
		searched++
		if hasLossy {
			lossy++
		}
		// What a full read finds: an address that is not UTF-8 comes back
		// with U+FFFD in place of its bytes, under another address.
		decoded, _, err := decodeInventoryLayout(data)
		if err != nil {
			t.Fatal(err)
		}
		want := inventory{}
		for a, e := range decoded {
			if resources[a] && validOID(e.OID) {
				want[a] = e
			}
		}
		if !maps.Equal(got, want) {
			t.Fatalf("case %d: resources %q\ngot  %v\nwant %v", n, slices.Sorted(maps.Keys(resources)), got, want)
		}
	}
	if searched < 100 || lossy == 0 {
		t.Errorf("%d cases searched, %d of them with a key that may not decode: want at least 100, and some of those", searched, lossy)
	}
	if _, ok := inventoryOf([]byte("{\n  \"objects\": {\n    \"embedding.e\": {}\n  }\n}\n"), map[string]bool{"embedding.e": true}); ok {
		t.Fatal("an entry not in encodeInventory's layout was read")
	}
}
