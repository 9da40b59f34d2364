package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"scriptsync/planner"
	"scriptsync/providers"
)

func managed() []Managed {
	return []Managed{{Provider: "sql", Object: &providers.Object{Address: "series.s", Type: "series",
		Attrs: map[string]any{"title": "S", "token": "secret"}, Sensitive: []string{"token"}}}}
}

func TestStateHidesSensitiveValues(t *testing.T) {
	var js, text bytes.Buffer
	if err := TerraformState(&js, managed(), "test", nil); err != nil {
		t.Fatal(err)
	}
	if err := State(&text, managed()); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"json": js.String(), "text": text.String()} {
		if strings.Contains(out, "secret") {
			t.Errorf("%s state shows a sensitive value:\n%s", name, out)
		}
	}
	var doc TFState
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	rs := doc.Values.RootModule.Resources
	if doc.FormatVersion != TerraformStateVersion || len(rs) != 1 || rs[0].Values["title"] != "S" || rs[0].Values["token"] != nil ||
		!rs[0].SensitiveValues["token"] || rs[0].Scriptsync.Backend != "sql" {
		t.Errorf("state JSON %s", js.String())
	}
	if !strings.Contains(text.String(), `token = (sensitive value)`) {
		t.Errorf("text state:\n%s", text.String())
	}
}

func TestValidationJSON(t *testing.T) {
	var buf bytes.Buffer
	r := hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: 2, Column: 3, Byte: 10}, End: hcl.Pos{Line: 2, Column: 8, Byte: 15}}
	valid, err := ValidationJSON(&buf, hcl.Diagnostics{
		{Severity: hcl.DiagWarning, Summary: "w"},
		{Severity: hcl.DiagError, Summary: "e", Subject: &r},
	})
	if err != nil {
		t.Fatal(err)
	}
	if valid {
		t.Error("a configuration with an error is valid")
	}
	out := buf.String()
	for _, want := range []string{`"error_count": 1`, `"warning_count": 1`, `"filename": "main.hcl"`, `"line": 2`} {
		if !strings.Contains(out, want) {
			t.Errorf("validation JSON lacks %s:\n%s", want, out)
		}
	}
}

func TestPlanJSONRoundTrip(t *testing.T) {
	p := &planner.Plan{Changes: []*providers.Change{{Provider: "sql", Action: providers.Create,
		After: &providers.Object{Address: `embedding.pilot["3"]`, Type: "embedding", Attrs: map[string]any{"model": "m"}, Size: 12}}}}
	jp := PlanJSON(p)
	if c := jp.ResourceChanges[0]; c.Name != "pilot" || c.Index != "3" || c.Size != 12 {
		t.Errorf("change %+v", c)
	}
	back := PlanFromJSON(jp)
	if len(back.Changes) != 1 || back.Changes[0].Action != providers.Create || back.Changes[0].After.Address != `embedding.pilot["3"]` {
		t.Errorf("plan from JSON %+v", back.Changes)
	}
}

func TestCompactWarningsShowFirstSentences(t *testing.T) {
	p := &planner.Plan{Warnings: []string{"git is at abc, but the last apply recorded def in sql. Either that apply stopped, or not.", "one more"}}
	var full, compact bytes.Buffer
	if err := Plan(&full, p, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := Plan(&compact, p, Options{CompactWarnings: true}); err != nil {
		t.Fatal(err)
	}
	want := "Warnings:\n  - git is at abc, but the last apply recorded def in sql\n  - one more\n\nTo see the full warning notes, run scriptsync without -compact-warnings.\n\n"
	if !strings.HasPrefix(compact.String(), want) || strings.Contains(compact.String(), "Either") {
		t.Errorf("compact:\n%s", compact.String())
	}
	if !strings.Contains(full.String(), "Either that apply stopped") {
		t.Errorf("full:\n%s", full.String())
	}
}
