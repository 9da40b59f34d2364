package config

import (
	"reflect"
	"testing"
)

func TestFingerprintCodec(t *testing.T) {
	fp := &Fingerprint{Dir: "/lib", Config: "c", Rest: "r", Blocks: map[string]string{"script.a": "d"},
		Inputs: []InputDigest{
			{Path: "scripts/a.fountain", Sum: [32]byte{1}, Owner: "script.a"},
			{Path: "vectors/a/1.npy", Sum: [32]byte{2}, Owner: `embedding.a["1"]`},
			{Path: "vectors/a/10.npy", Sum: [32]byte{3}, Owner: `embedding.a["10"]`},
		}}
	data, err := fp.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var back Fingerprint
	if err := back.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, fp) {
		t.Fatalf("decoded %+v, want %+v", back, *fp)
	}
	for i, in := range fp.Inputs {
		if at, ok := back.inputAt(in.Path); !ok || at != i {
			t.Errorf("inputAt(%q) = %d, %v; want %d", in.Path, at, ok, i)
		}
	}
	if _, ok := back.inputAt("vectors/a/2.npy"); ok {
		t.Error("inputAt found a path the fingerprint does not hold")
	}

	// inputAt searches: inputs out of order, or one path twice, are a
	// damaged fingerprint.
	for _, inputs := range [][]InputDigest{
		{fp.Inputs[1], fp.Inputs[0]},
		{fp.Inputs[0], fp.Inputs[0]},
	} {
		bad := *fp
		bad.Inputs = inputs
		data, err := bad.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if err := new(Fingerprint).UnmarshalBinary(data); err == nil {
			t.Errorf("inputs %v: decoded", inputs)
		}
	}
}
