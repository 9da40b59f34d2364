package lfs

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"
)

// marshalIndent is what the inventory file held before encodeInventory
// wrote it directly, and what it must still hold byte for byte.
func marshalIndent(t *testing.T, inv inventory) []byte {
	t.Helper()
	data, err := json.MarshalIndent(struct {
		Objects inventory `json:"objects"`
	}{inv}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(data, '\n')
}

func TestInventoryCodec(t *testing.T) {
	odd := []string{"", "plain", `q"uote`, `back\slash`, "<html>&", "tab\there", "é ünïcode", "line\u2028sep", "\x01ctl", "bad\xffutf8", "emoji 🎬"}
	r := rand.New(rand.NewPCG(1, 2))
	pick := func() string { return odd[r.IntN(len(odd))] }
	cases := []inventory{nil, {}}
	for n := range 40 {
		inv := inventory{}
		for i := range n * 3 {
			inv[fmt.Sprintf("embedding.e%d[%q]%s", n, fmt.Sprint(i), pick())] = entry{
				OID: fmt.Sprintf("%064x", r.Uint64()), Size: r.Int64N(1 << 40), Source: pick()}
		}
		cases = append(cases, inv)
	}
	for i, inv := range cases {
		got, err := encodeInventory(inv)
		if err != nil {
			t.Fatal(err)
		}
		want := marshalIndent(t, inv)
		if string(got) != string(want) {
			t.Fatalf("case %d: encodeInventory differs from json.MarshalIndent:\n%s\nwant\n%s", i, got, want)
		}
		var viaJSON struct {
			Objects inventory `json:"objects"`
		}
		if err := json.Unmarshal(want, &viaJSON); err != nil {
			t.Fatal(err)
		}
		dec, err := decodeInventory(got)
		if err != nil {
			t.Fatal(err)
		}
		if len(dec) != len(viaJSON.Objects) || (len(dec) > 0 && !reflect.DeepEqual(dec, viaJSON.Objects)) {
			t.Fatalf("case %d: decodeInventory differs from json.Unmarshal:\n%v\nwant\n%v", i, dec, viaJSON.Objects)
		}
	}
}

// A file in another layout (edited by hand, compact) is still read.
func TestInventoryDecodeOtherLayouts(t *testing.T) {
	for _, doc := range []string{
		`{"objects":{"embedding.a":{"oid":"` + fmt.Sprintf("%064x", 7) + `","size":3}}}`,
		"{\n  \"objects\": {\n    \"embedding.a\": {\n      \"size\": 3,\n      \"oid\": \"" + fmt.Sprintf("%064x", 7) + "\"\n    }\n  }\n}\n",
	} {
		inv, err := decodeInventory([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if e := inv["embedding.a"]; len(inv) != 1 || e.Size != 3 || e.OID != fmt.Sprintf("%064x", 7) {
			t.Fatalf("%s: got %v", doc, inv)
		}
	}
	if _, err := decodeInventory([]byte(`{"objects": {`)); err == nil {
		t.Fatal("a torn inventory decoded")
	}
}

// The inventory an apply reads twice is decoded once, and a copy is what
// each reader gets; a file written since is read again.
func TestInventoryMemo(t *testing.T) {
	s := NewStore(t.TempDir())
	oid := fmt.Sprintf("%064x", 9)
	inv := inventory{"embedding.a": {OID: oid, Size: 3}}
	if err := s.saveInventory(inv); err != nil {
		t.Fatal(err)
	}
	got, err := s.loadInventory()
	if err != nil || !reflect.DeepEqual(got, inv) {
		t.Fatalf("load: %v %v", got, err)
	}
	got["embedding.b"] = entry{OID: oid, Size: 3} // the caller's copy
	again, err := s.loadInventory()
	if err != nil || !reflect.DeepEqual(again, inv) {
		t.Fatalf("a caller's edit reached the memo: %v %v", again, err)
	}
	if data, err := s.inv.encode(inv); err != nil || string(data) != string(marshalIndent(t, inv)) {
		t.Fatalf("encode from the memo: %s %v", data, err)
	}
	other := inventory{"embedding.c": {OID: oid, Size: 4, Source: "v/c.npy"}}
	if data, err := s.inv.encode(other); err != nil || string(data) != string(marshalIndent(t, other)) {
		t.Fatalf("encode of another inventory: %s %v", data, err)
	}
	// Another process replaces the file: the next load reads it.
	if err := os.WriteFile(s.inventoryPath(), marshalIndent(t, other), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := s.loadInventory(); err != nil || !reflect.DeepEqual(got, other) {
		t.Fatalf("load after a rewrite: %v %v", got, err)
	}
}
