package render

import (
	"fmt"
	"math/rand/v2"
	"reflect"
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

// A create's or a delete's text, walked, is what aligning it with nothing
// gives, line for line.
func TestTextDiffOneSidedIsTheAlignedDiff(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"", " ", "\t", "\r", "INT. HARBOUR - NIGHT", "MARA", "(quietly)", "We sail at dawn.", "a\r", "  spaced  "}
	texts := []any{nil, "", "\n", "\n\n", "one", "one\n", 42, true}
	for range 500 {
		n := rng.IntN(120)
		lines := make([]string, n)
		for i := range lines {
			lines[i] = pieces[rng.IntN(len(pieces))]
		}
		text := strings.Join(lines, "\n")
		if rng.IntN(2) == 0 {
			text += "\n"
		}
		texts = append(texts, text)
	}
	for _, text := range texts {
		for _, other := range []any{nil, "", 7} {
			if got, want := TextDiff(other, text), alignedDiff(other, text); !reflect.DeepEqual(got, want) {
				t.Fatalf("TextDiff(%#v, %q)\n = %#v\nwant %#v", other, text, got, want)
			}
			if got, want := TextDiff(text, other), alignedDiff(text, other); !reflect.DeepEqual(got, want) {
				t.Fatalf("TextDiff(%q, %#v)\n = %#v\nwant %#v", text, other, got, want)
			}
		}
	}
}

// attrLine prints what the format it stands for prints.
func TestAttrLineIsItsFormat(t *testing.T) {
	for _, name := range []string{"", "text", "scène", "名前", "a_long_attribute_name_for_padding"} {
		for _, width := range []int{0, 3, len(name), len(name) + 1, 40, 100} {
			var b strings.Builder
			p := &printer{w: &b}
			p.attrLine("+", name, width, `"value"`)
			if want := fmt.Sprintf("      %s %-*s = %s\n", "+", width, name, `"value"`); b.String() != want {
				t.Errorf("attrLine(%q, %d) = %q, want %q", name, width, b.String(), want)
			}
		}
	}
}

// A created text is walked, not aligned: a handful of allocations
// whatever its length, where the line diff makes one per line.
func TestTextDiffOfACreateDoesNotAlign(t *testing.T) {
	text := strings.Repeat("MARA\nWe sail at dawn.\n\n", 500)
	if n := testing.AllocsPerRun(20, func() { TextDiff(nil, text) }); n > 5 {
		t.Errorf("TextDiff(nil, a 1,500-line text) makes %.0f allocations, want at most 5", n)
	}
}

// failAfter accepts n bytes, then fails every write.
type failAfter struct {
	n       int
	written strings.Builder
}

func (w *failAfter) Write(b []byte) (int, error) {
	if len(b) > w.n {
		w.written.Write(b[:w.n])
		k := w.n
		w.n = 0
		return k, fmt.Errorf("disk full")
	}
	w.n -= len(b)
	w.written.Write(b)
	return len(b), nil
}

// attrLine fails where printf failed, and writes nothing after.
func TestAttrLineStopsAtAWriteError(t *testing.T) {
	line := fmt.Sprintf("      %s %-*s = %s\n", "+", 12, "text", `"value"`)
	for n := 0; n <= len(line); n++ {
		w := &failAfter{n: n}
		p := &printer{w: w}
		p.attrLine("+", "text", 12, `"value"`)
		if (p.err != nil) != (n < len(line)) || w.written.String() != line[:n] {
			t.Errorf("after %d bytes: err = %v, wrote %q; want %q", n, p.err, w.written.String(), line[:n])
		}
		if p.err != nil {
			w.n = 1 << 20 // the writer would take more now
			p.attrLine("+", "more", 12, `"value"`)
			if w.written.String() != line[:n] {
				t.Errorf("after %d bytes: wrote %q after the error", n, w.written.String()[n:])
			}
		}
	}
}
