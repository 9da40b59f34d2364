package render

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// A comment stays under CommentLimit however large the outputs' values
// are: the "Changes to outputs" block is part of what Markdown budgets
// (summarised when it does not fit), not an unbudgeted head.
func TestMarkdownOutputsFitAComment(t *testing.T) {
	var titles []any
	for i := range 4000 {
		titles = append(titles, fmt.Sprintf("Scene heading number %d of a long season", i))
	}
	outputs := []OutputChange{{Name: "headings", Action: "update", Before: titles[:10], After: titles}}
	var buf bytes.Buffer
	if err := Markdown(&buf, bigPlan(3, 2), MarkdownOptions{PlanFile: "pr.plan", Outputs: outputs}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if len(out) > CommentLimit {
		t.Fatalf("comment is %d characters, over %d", len(out), CommentLimit)
	}
	if !strings.Contains(out, "headings") {
		t.Errorf("the output's change is not even named")
	}
}
