package planner

import (
	"errors"
	"testing"

	"scriptsync/providers"
)

func TestTargetThatMatchesNothing(t *testing.T) {
	in := []Input{{Provider: "sql", Desired: []*providers.Object{
		{Address: `script.episode["1"]`, Type: "script", Resource: "script.episode", Hash: "a"},
		{Address: `script.episode["1"].scenes["2"]`, Type: "scene", Resource: "script.episode", Hash: "b"},
		{Address: "series.keepers", Type: "series", Resource: "series.keepers", Hash: "c"},
	}, Actual: &providers.State{Objects: []*providers.Object{{Address: "bible.old", Type: "bible", Hash: "d"}}}}}
	for target, want := range map[string]string{
		`script.episode[1]`: `script.episode["1"]`,
		"series.nope":       "series.keepers",
		"bible.ol":          "bible.old",
		"zzz.qqq":           "",
	} {
		_, err := Make(in, Options{Targets: []string{target}})
		var te *TargetError
		if !errors.As(err, &te) || te.Target != target || te.Closest != want {
			t.Errorf("-target %s: %v, want a TargetError suggesting %q", target, err, want)
		}
	}
	for _, target := range []string{`script.episode["1"]`, "script.episode", "bible.old", `script.episode["1"].scenes`} {
		p, err := Make(in, Options{Targets: []string{target}})
		if err != nil {
			t.Errorf("-target %s: %v", target, err)
			continue
		}
		if len(p.Warnings) == 0 || p.Warnings[0] != targetWarning {
			t.Errorf("-target %s: warnings %q, want the targeting warning", target, p.Warnings)
		}
	}
}
