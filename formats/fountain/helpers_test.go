package fountain

import (
	"fmt"
	"strings"
	"testing"
)

// show renders elements one per string, compact enough for table tests:
// "3 action: He runs.", "5 character: BOB (V.O.) ^".
func show(els []Element) []string {
	out := make([]string, 0, len(els))
	for _, e := range els {
		s := fmt.Sprintf("%d %s: %s", e.Line, e.Type, e.Text)
		switch e.Type {
		case Character:
			if e.Name != e.Text {
				s += " name=" + e.Name
			}
			if e.Extension != "" {
				s += " (" + e.Extension + ")"
			}
			if e.Dual {
				s += " ^"
			}
		case Section:
			s += fmt.Sprintf(" level=%d", e.Level)
		}
		out = append(out, s)
	}
	return out
}

// allElements are the prelude's and the scenes' elements in order.
func allElements(sp *Screenplay) []Element {
	var els []Element
	if sp.Prelude != nil {
		els = append(els, sp.Prelude.Elements...)
	}
	for _, sc := range sp.Scenes {
		els = append(els, sc.Elements...)
	}
	return els
}

func mustParse(t testing.TB, input string) *Screenplay {
	t.Helper()
	sp, err := Parse([]byte(input))
	if err != nil {
		t.Fatalf("Parse(%q): %v", input, err)
	}
	if err := checkScreenplay([]byte(input), sp); err != nil {
		t.Fatalf("Parse(%q): %v", input, err)
	}
	return sp
}

func equalLines(t testing.TB, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\ngot:\n\t%s\nwant:\n\t%s", what, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

func headings(sp *Screenplay) []string {
	var out []string
	for _, sc := range sp.Scenes {
		out = append(out, sc.Heading)
	}
	return out
}
