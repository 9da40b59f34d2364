package render

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"scriptsync/planner"
	"scriptsync/providers"
)

// bigPlan edits one scene in each of n scripts, each edit with lines
// changed lines.
func bigPlan(n, lines int) *planner.Plan {
	p := &planner.Plan{}
	for i := 0; i < n; i++ {
		var before, after strings.Builder
		for l := 0; l < lines; l++ {
			fmt.Fprintf(&before, "Line %d of script %d, as it was.\n", l, i)
			fmt.Fprintf(&after, "Line %d of script %d, as it is now.\n", l, i)
		}
		addr := fmt.Sprintf(`script.s%03d.scenes["1"]`, i)
		p.Changes = append(p.Changes, &providers.Change{Provider: "sql", Action: providers.Update,
			Before: &providers.Object{Address: addr, Type: "scene", Attrs: map[string]any{"text": before.String()}},
			After:  &providers.Object{Address: addr, Type: "scene", Attrs: map[string]any{"text": after.String()}}})
	}
	return p
}

func TestMarkdownFitsACommentWithoutCuttingADiff(t *testing.T) {
	p := bigPlan(400, 30)
	var buf bytes.Buffer
	if err := Markdown(&buf, p, MarkdownOptions{PlanFile: "pr.plan"}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if len(out) > CommentLimit {
		t.Fatalf("comment is %d characters, over %d", len(out), CommentLimit)
	}
	if !strings.Contains(out, "This plan is larger than a comment can hold") || !strings.Contains(out, "scriptsync show pr.plan") {
		t.Errorf("no note on the summarised sections:\n%s", out[len(out)-2000:])
	}
	// Every section shown is whole: as many closing tags and fences as
	// opening ones.
	if o, c := strings.Count(out, "<details>"), strings.Count(out, "</details>"); o != c || o == 0 {
		t.Errorf("%d <details> and %d </details>", o, c)
	}
	if n := strings.Count(out, "```"); n%2 != 0 {
		t.Errorf("%d code fences: a diff was cut", n)
	}
	// The summarised ones are listed by name, the first of them too.
	shown := strings.Count(out, "<details>")
	if want := fmt.Sprintf("- `script.s%03d`: 1 change", shown); !strings.Contains(out, want) {
		t.Errorf("summary lacks %q", want)
	}
	if !strings.Contains(out, "**Plan: 0 to add, 400 to change, 0 to destroy.**") {
		t.Error("totals missing")
	}
}

func TestMarkdownSmallPlanIsWhole(t *testing.T) {
	var buf bytes.Buffer
	if err := Markdown(&buf, bigPlan(3, 2), MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "larger than a comment") || strings.Count(out, "<details>") != 3 {
		t.Errorf("small plan:\n%s", out)
	}
	for _, want := range []string{"| sql | 0 | 3 | 0 |", "- Line 1 of script 2, as it was.", "+ Line 1 of script 2, as it is now."} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
}

func TestMarkdownShowsDrift(t *testing.T) {
	p := bigPlan(1, 1)
	p.Drift = []*providers.Change{{Provider: "sql", Action: providers.Update,
		Before: &providers.Object{Address: "series.s", Type: "series", Attrs: map[string]any{"title": "A"}}}}
	var buf bytes.Buffer
	if err := Markdown(&buf, p, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "Drift: 1 object changed outside scriptsync") || !strings.Contains(buf.String(), "`- series.s`** deleted outside scriptsync") {
		t.Errorf("drift:\n%s", buf.String())
	}
}
