package git

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

const blobA = "0123456789abcdef0123456789abcdef01234567"

func TestShardRoundTrip(t *testing.T) {
	entries := []*manifestEntry{
		{Address: `embedding.pilot["3"]`, Path: "vectors/pilot/3.npy", Blob: blobA, Size: 131},
		{Address: "script.pilot", Path: `scripts/odd "name" \ back.fountain`, Blob: blobA, Size: 0, Resource: "script.pilot"},
		{Address: "script.x", Path: "scripts/ünïcødé\ttab.fountain", Blob: blobA, Size: 1 << 40, Resource: `script.pilot["x"]`},
	}
	data := encodeShard(entries)
	if !json.Valid(data) {
		t.Fatalf("not JSON:\n%s", data)
	}
	if !strings.Contains(string(data), "\n    {\"address\":\"embedding.pilot[\\\"3\\\"]\",\"path\":\"vectors/pilot/3.npy\",\"blob\":\""+blobA+"\",\"size\":131},\n") {
		t.Errorf("shard layout:\n%s", data)
	}
	got, err := decodeShard(data, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Through encoding/json too, as a user's tool would rewrite it.
	var f manifestFile
	mustf(t, json.Unmarshal(data, &f), "unmarshal")
	pretty, _ := json.MarshalIndent(f, "", "\t")
	slow, err := decodeShard(pretty, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range entries {
		want := *e
		if want.Resource == "" {
			want.Resource = want.Address
		}
		want.shard = shardOf(want.Resource)
		if !reflect.DeepEqual(*got[i], want) || !reflect.DeepEqual(*slow[i], want) {
			t.Errorf("entry %d: fast %+v, slow %+v, want %+v", i, *got[i], *slow[i], want)
		}
	}
	// The fast path reads quoted keys and backslashes itself (the
	// library's addresses), and leaves other escapes to encoding/json.
	if fast, ok := decodeShardFast(encodeShard(entries[:2])); !ok || len(fast) != 2 ||
		fast[0].Address != entries[0].Address || fast[1].Path != entries[1].Path {
		t.Errorf("fast path on quotes and backslashes: ok %v, %+v", ok, fast)
	}
	if _, ok := decodeShardFast(encodeShard(entries[2:])); ok {
		t.Errorf("fast path read a \\u escape")
	}
	if empty := encodeShard(nil); !json.Valid(empty) {
		t.Errorf("empty shard %q", empty)
	}
}

func TestShardErrors(t *testing.T) {
	entry := func(s string) string {
		return `{"format_version": 1, "files": [` + s + `]}`
	}
	tests := []struct{ in, msg string }{
		{"{", "not valid JSON"},
		{`{"format_version": 2, "files": []}`, "format_version 2"},
		{entry(`{"address":"a","path":"p","blob":"xyz","size":1}`), "not a 40-digit object id"},
		{entry(`{"address":"a","blob":"` + blobA + `","size":1}`), "no address or path"},
		{entry(`{"address":"a","path":"p","blob":"` + blobA + `","size":-1}`), "negative size"},
	}
	for _, tt := range tests {
		if _, err := decodeShard([]byte(tt.in), 5); err == nil || !strings.Contains(err.Error(), tt.msg) || !strings.Contains(err.Error(), ".scriptsync/manifest/005.json") {
			t.Errorf("decodeShard(%s) = %v, want %q", tt.in, err, tt.msg)
		}
	}
}

func TestManifestAdd(t *testing.T) {
	m := newManifest()
	a := &manifestEntry{Address: "script.a", Path: "a", Blob: blobA, shard: shardOf("script.a")}
	mustf(t, m.add(a, a.shard), "add")
	if len(m.dirty) != 0 {
		t.Errorf("dirty after a clean read: %v", m.dirty)
	}
	if err := m.add(&manifestEntry{Address: "script.a", Path: "b", Blob: blobA}, 0); err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Errorf("duplicate address: %v", err)
	}
	if err := m.add(&manifestEntry{Address: "script.b", Path: "a", Blob: blobA}, 0); err == nil || !strings.Contains(err.Error(), "path a is listed for script.a and script.b") {
		t.Errorf("duplicate path: %v", err)
	}
	c := &manifestEntry{Address: "script.c", Path: "c", Blob: blobA, shard: shardOf("script.c")}
	wrong := (c.shard + 1) % shards
	mustf(t, m.add(c, wrong), "add to the wrong shard")
	if !m.dirty[wrong] || !m.dirty[c.shard] {
		t.Errorf("misplaced entry does not mark both shards: %v", m.dirty)
	}
}

func TestShardNames(t *testing.T) {
	for name, want := range map[string]int{
		"000.json": 0, "03f.json": 63, "fff.json": 4095, "00.json": shards, "3f.json": shards + 63,
		"40.json": -1, "ff.json": -1, "1000.json": -1, "0A.json": -1, "0aB.json": -1, "0a.json": shards + 10,
		"a.json": -1, "000.txt": -1, "zzz.json": -1, "+01.json": -1, "-01.json": -1,
	} {
		id, ok := shardName(name)
		if (want < 0 && ok) || (want >= 0 && (!ok || id != want)) {
			t.Errorf("shardName(%q) = %d, %v, want %d", name, id, ok, want)
		}
	}
	for i := 0; i < shards+legacyShards; i++ {
		if id, ok := shardName(strings.TrimPrefix(shardPath(i), ManifestDir+"/")); !ok || id != i {
			t.Errorf("shard %d: path %s", i, shardPath(i))
		}
	}
	// Every instance of a block is in the block's shard.
	if a, b, c := shardOf(`embedding.pilot["1"]`), shardOf(`embedding.pilot["2"]`), shardOf("embedding.pilot"); a != b || b != c {
		t.Errorf("embedding.pilot's instances in shards %d, %d, %d", a, b, c)
	}
}
