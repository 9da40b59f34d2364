package address

import (
	"strings"
	"testing"
)

func TestWithin(t *testing.T) {
	for _, tc := range []struct {
		addr, target string
		want         bool
	}{
		{"script.pilot", "script.pilot", true},
		{`script.pilot.scenes["3"]`, "script.pilot", true},
		{`embedding.pilot["3"]`, "embedding.pilot", true},
		{"script.pilot2", "script.pilot", false},
		{"script.pil", "script.pilot", false},
	} {
		if got := Within(tc.addr, tc.target); got != tc.want {
			t.Errorf("Within(%q, %q) = %t", tc.addr, tc.target, got)
		}
	}
	if !WithinAny("series.x", nil) || WithinAny("series.x", []string{"series.y", "script"}) || !WithinAny("series.x", []string{"script", "series.x"}) {
		t.Error("WithinAny")
	}
}

func TestFormatAndSplit(t *testing.T) {
	k := "3"
	for _, tc := range []struct{ addr, name, key string }{
		{Of("embedding", "pilot", &k), "pilot", "3"},
		{Of("series", "night", nil), "night", ""},
		{Scene("script.pilot", 12), "pilot", "12"},
		{Character("script.pilot", `DR. "KIM"`), "pilot", `DR. "KIM"`},
	} {
		if name, key := NameKey(tc.addr); name != tc.name || key != tc.key {
			t.Errorf("NameKey(%s) = %q, %q, want %q, %q", tc.addr, name, key, tc.name, tc.key)
		}
		if err := CheckTarget(tc.addr); err != nil {
			t.Errorf("CheckTarget(%s): %v", tc.addr, err)
		}
	}
	for _, bad := range []string{"", " ", "script.", `embedding.pilot["3"`, "1abc"} {
		if CheckTarget(bad) == nil {
			t.Errorf("CheckTarget(%q) accepted it", bad)
		}
	}
}

func FuzzNameKey(f *testing.F) {
	for _, s := range []string{`embedding.pilot["3"]`, "series.x", `script.a.scenes["1"]`, `x["`, "", "."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		name, key := NameKey(addr)
		if !strings.Contains(addr, name) {
			t.Fatalf("NameKey(%q) = %q, %q: the name is not part of the address", addr, name, key)
		}
		if key != "" {
			if got := Of("t", name, &key); !Within(got, "t."+name) {
				t.Fatalf("Of(t, %q, %q) = %q is not within t.%s", name, key, got, name)
			}
		}
	})
}
