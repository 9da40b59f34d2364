package render

import (
	"fmt"
	"strings"
	"testing"
)

func TestTextDiffKeepsContextAndFolds(t *testing.T) {
	var a, b []string
	for i := 0; i < 30; i++ {
		a = append(a, fmt.Sprintf("line %d", i), "")
		l := fmt.Sprintf("line %d", i)
		if i == 15 {
			l = "line fifteen"
		}
		b = append(b, l, "")
	}
	got := TextDiff(strings.Join(a, "\n"), strings.Join(b, "\n"))
	var s []string
	for _, d := range got {
		s = append(s, d.Mark+d.Text)
	}
	want := []string{
		"#(13 unchanged lines hidden)", " line 13", " line 14", "-line 15", "+line fifteen",
		" line 16", " line 17", "#(12 unchanged lines hidden)",
	}
	if strings.Join(s, "|") != strings.Join(want, "|") {
		t.Errorf("diff:\n%s\nwant:\n%s", strings.Join(s, "\n"), strings.Join(want, "\n"))
	}
}

func TestTextDiffFoldsLongDiffsWithCounts(t *testing.T) {
	var b []string
	for i := 0; i < MaxDiffLines+25; i++ {
		b = append(b, fmt.Sprintf("new %d", i))
	}
	got := TextDiff("old 1\nold 2\n", strings.Join(b, "\n"))
	changed := 0
	for _, d := range got {
		if d.Mark == "+" || d.Mark == "-" {
			changed++
		}
	}
	if changed != MaxDiffLines {
		t.Errorf("shown %d changed lines, want %d", changed, MaxDiffLines)
	}
	last := got[len(got)-1]
	if last.Mark != "#" || last.Text != "(27 more changed lines hidden: 27 added, 0 removed)" {
		t.Errorf("last line %+v", last)
	}
}
