package git

import (
	"fmt"
	"reflect"
	"sort"
	"testing"
)

// A partial read takes the entries asked for and those with a resource of
// their own, and a shard merged back after a change is the shard a whole
// read would have written.
func TestScanShardAndMerge(t *testing.T) {
	// Forty entries of shard 0, every tenth with a resource of its own (of
	// a block of shard 0 too).
	blocks := func(prefix string, n int) []string {
		var out []string
		for i := 0; len(out) < n && i < 1<<20; i++ {
			if b := fmt.Sprintf("%s%d", prefix, i); shardOf(b) == 0 {
				out = append(out, b)
			}
		}
		if len(out) < n {
			t.Fatalf("found %d blocks of shard 0", len(out))
		}
		return out
	}
	own := blocks("embedding.own", 4)
	var entries []*manifestEntry
	for i, b := range blocks("embedding.e", 40) {
		addr := fmt.Sprintf(`%s["%03d"]`, b, i)
		entries = append(entries, &manifestEntry{Address: addr, Path: fmt.Sprintf(`vectors/%03d "q" \.npy`, i), Blob: blobA, Size: int64(i)})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Address < entries[j].Address })
	for i := 7; i < len(entries); i += 10 {
		entries[i].Resource = fmt.Sprintf(`%s["%d"]`, own[i/10], i)
	}
	data := encodeShard(entries)
	keys := map[string]bool{}
	for _, a := range []string{entries[3].Address, entries[20].Address, `embedding.absent`} {
		keys[string(appendJSONString(nil, a))] = true
	}
	got, pointer, ok := scanShard(data, keys)
	if !ok {
		t.Fatal("a shard as encodeShard writes it was not scanned")
	}
	if pointer {
		t.Error("the entries left have paths scriptsync never writes, yet one counts as a pointer file that stays")
	}
	// Pointer files at paths scriptsync writes: one left is one that stays.
	valid := make([]*manifestEntry, len(entries))
	for i, e := range entries {
		c := *e
		c.Path = fmt.Sprintf("vectors/%03d.npy", i)
		valid[i] = &c
	}
	if _, pointer, ok := scanShard(encodeShard(valid), keys); !ok || !pointer {
		t.Errorf("the entries left are *.npy pointer files of embeddings: pointer %v, ok %v", pointer, ok)
	}
	every := map[string]bool{}
	for _, e := range entries {
		every[string(appendJSONString(nil, e.Address))] = true
	}
	if _, pointer, _ := scanShard(encodeShard(valid), every); pointer {
		t.Error("every entry taken, yet one left is a pointer file")
	}
	mustf(t, checkShard(got, 0), "check")
	var addrs []string
	for _, e := range got {
		addrs = append(addrs, e.Address)
	}
	var want []string
	for _, i := range []int{3, 7, 17, 20, 27, 37} {
		want = append(want, entries[i].Address)
	}
	if !reflect.DeepEqual(addrs, want) {
		t.Fatalf("took %q, want %q", addrs, want)
	}

	// Changed and dropped through the partial manifest, then merged: the
	// same shard as the whole manifest changed alike writes.
	part, whole := newManifest(), newManifest()
	mustf(t, part.addPartial(got, 0, data), "add partial")
	all, err := decodeShard(data, 0)
	mustf(t, err, "decode")
	for _, e := range all {
		mustf(t, whole.add(e, 0), "add")
	}
	for _, m := range []*manifest{part, whole} {
		changed := *m.byAddress[entries[3].Address]
		changed.Blob, changed.Size = "89abcdef0123456789abcdef0123456789abcdef", 99
		m.put(&changed)
		m.remove(entries[20].Address)
	}
	_, mine := part.dirtyShards()
	merged, err := part.merged(0, mine[0])
	mustf(t, err, "merge")
	_, full := whole.dirtyShards()
	if a, b := encodeShard(merged), encodeShard(full[0]); string(a) != string(b) {
		t.Fatalf("merged shard\n%s\nwant\n%s", a, b)
	}

	// Another escape leaves the shard to decodeShard.
	odd := []byte(manifestHeader + "\n    {\"address\":\"script.\\u0041\",\"path\":\"a\",\"blob\":\"" + blobA + "\",\"size\":1}\n  ]\n}\n")
	if _, _, ok := scanShard(odd, keys); ok {
		t.Fatal(`an address escaped with \u was scanned`)
	}
	if _, _, ok := scanShard([]byte(`{"files": []}`), keys); ok {
		t.Fatal("another layout was scanned")
	}
}
