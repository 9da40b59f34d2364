package sql

import (
	"encoding/json"
	"reflect"
	"testing"
)

// stringList must read whatever listJSON writes exactly as encoding/json
// does, whichever path it takes.
func TestStringList(t *testing.T) {
	for _, l := range [][]string{
		nil,
		{"script.pilot"},
		{"script.pilot", `script.pilot.characters["KIM"]`, `script.pilot.characters["DR. \"DOC\" O'NEIL"]`},
		{`back\slash`, "tab\there", "<html> & co", "naïve", "", "a,b", `"`, `\`},
	} {
		enc := listJSON(l)
		got, err := stringList(enc)
		if err != nil {
			t.Fatalf("stringList(%s): %v", enc, err)
		}
		if len(l) == 0 {
			l = nil
		}
		if !reflect.DeepEqual(got, l) {
			t.Errorf("stringList(%s) = %q, want %q", enc, got, l)
		}
	}
}

func FuzzStringList(f *testing.F) {
	for _, s := range []string{`["a"]`, `["a","b\"c"]`, `["\\"]`, `["\u0041"]`, `["a",]`, `[ "a"]`, `["a"`, `[""]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := plainStringList(s)
		if !ok {
			return
		}
		var want []string
		if err := json.Unmarshal([]byte(s), &want); err != nil {
			t.Fatalf("plainStringList(%q) = %q, but encoding/json rejects it: %v", s, got, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("plainStringList(%q) = %q, encoding/json reads %q", s, got, want)
		}
	})
}
