package sql

import "testing"

func TestSimpleJSONMatchesCanonical(t *testing.T) {
	for _, m := range []map[string]any{
		{"content_hash": "abc123"},
		{"parenthetical": "(quietly)", "n": int64(-3), "i": 7},
		{"b": "x", "a": "y", "c": "z", "d": ""},
		{"quote": `say "hi"`}, {"uni": "café"}, {"f": 1.5}, {"nl": "a\nb"}, {"lt": "<b>"},
	} {
		want, err := canonicalJSON(m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := jsonValue(m)
		if err != nil || got != string(want) {
			t.Errorf("jsonValue(%v) = %v, %v; want %s", m, got, err, want)
		}
	}
}
