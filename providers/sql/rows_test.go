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

func TestWithKeyJSONMatchesCanonical(t *testing.T) {
	for _, tt := range []struct {
		m    map[string]any
		k, v string
	}{
		{nil, "content_hash", "abc123"},
		{map[string]any{}, "parenthetical", "(quietly)"},
		{nil, "parenthetical", `(says "no")`},
		{nil, "parenthetical", "(à voix basse)"},
		{map[string]any{"fountain_number": "12A"}, "content_hash", "abc"},
	} {
		want, err := canonicalJSON(withKey(tt.m, tt.k, tt.v))
		if err != nil {
			t.Fatal(err)
		}
		got, err := withKeyJSON(tt.m, tt.k, tt.v)
		if err != nil || got != string(want) {
			t.Errorf("withKeyJSON(%v, %q, %q) = %v, %v; want %s", tt.m, tt.k, tt.v, got, err, want)
		}
	}
}
