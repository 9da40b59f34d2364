package sql

import (
	"reflect"
	"testing"
)

func TestDecodeAttrs(t *testing.T) {
	for _, in := range []string{
		`{}`, `[]`, `{"a":1,"b":-2,"c":1.5,"d":2.0,"e":1e3,"f":12345678901234567890}`,
		`{"s":"plain","t":"esc \"q\" \\ \/ \n\t\r\b\f","u":"\u00e9\ud83c\udfac","v":"\ud800"}`,
		`{"nested":{"list":[1,"x",null,true,false,{"k":[]}]}}`,
		` { "spaced" : [ 1 , 2 ] } `,
		`{"unicode":"caf\u00e9 – ünïcode ✓"}`,
		`"just a string"`, `42`, `null`,
	} {
		want, err := decodeJSON([]byte(in))
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		got, err := decodeAttrs(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("decodeAttrs(%s) = %#v, %v; want %#v", in, got, err, want)
		}
	}
	for _, bad := range []string{``, `{`, `{"a"}`, `{"a":1,}`, `[1 2]`, `"open`, `tru`, `{"a":1} x`, "\"ctl\x01\""} {
		if v, err := decodeAttrs(bad); err == nil {
			t.Errorf("decodeAttrs(%q) = %#v, want an error", bad, v)
		}
	}
}

func FuzzDecodeAttrs(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5,"x\u00e9"],"b":null}`, `[true,false]`, `"\ud83c\udfac"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, werr := decodeJSON([]byte(s))
		got, gerr := decodeAttrs(s)
		if werr == nil && (gerr != nil || !reflect.DeepEqual(got, want)) {
			t.Errorf("decodeAttrs(%q) = %#v, %v; encoding/json says %#v", s, got, gerr, want)
		}
	})
}
