package fountain

import (
	"fmt"
	"sort"
	"strings"
)

// checkScreenplay returns the first broken invariant of a parse, for the
// table tests and the fuzzer alike: whatever the input, these hold.
func checkScreenplay(input []byte, sp *Screenplay) error {
	s := string(input)
	if sp.body < 0 || sp.body > len(s) {
		return fmt.Errorf("body offset %d outside the input (%d bytes)", sp.body, len(s))
	}
	if strings.HasPrefix(s, bom) && sp.body < len(bom) {
		return fmt.Errorf("body offset %d inside the BOM", sp.body)
	}
	lines := lineStarts(input)
	if err := checkTitlePage(sp.TitlePage); err != nil {
		return err
	}

	// Raw: the prelude and the scenes tile the input after the title page.
	rest := s[sp.body:]
	var scenesRaw strings.Builder
	for _, sc := range sp.Scenes {
		scenesRaw.WriteString(sc.Raw)
	}
	if !strings.HasSuffix(rest, scenesRaw.String()) {
		return fmt.Errorf("scenes' Raw is not the end of the input")
	}
	at := sp.body + len(rest) - scenesRaw.Len() // where the first scene starts
	if sp.Prelude != nil {
		if sp.Prelude.Raw != s[sp.body:at] {
			return fmt.Errorf("prelude Raw %q is not the input between title page and first scene %q", sp.Prelude.Raw, s[sp.body:at])
		}
		if err := checkScene(input, lines, sp.Prelude, sp.body); err != nil {
			return fmt.Errorf("prelude: %w", err)
		}
	}
	prevLine := 0
	for i, sc := range sp.Scenes {
		if sc.Number != i+1 {
			return fmt.Errorf("scene %d has Number %d", i+1, sc.Number)
		}
		if sc.Line <= prevLine {
			return fmt.Errorf("scene %d: line %d not after %d", sc.Number, sc.Line, prevLine)
		}
		prevLine = sc.Line
		if sc.Heading == "" || strings.ContainsAny(sc.Heading, "\r\n") {
			return fmt.Errorf("scene %d: heading %q", sc.Number, sc.Heading)
		}
		first, _, _ := strings.Cut(sc.Content, "\n")
		if !strings.Contains(first, sc.Heading) {
			return fmt.Errorf("scene %d: content's first line %q lacks the heading %q", sc.Number, first, sc.Heading)
		}
		if err := checkScene(input, lines, sc, at); err != nil {
			return fmt.Errorf("scene %d: %w", sc.Number, err)
		}
		at += len(sc.Raw)
	}
	return nil
}

// lineStarts lists the offsets where the lines of input start, counting
// line breaks as lineAt does.
func lineStarts(input []byte) []int {
	starts := []int{0}
	for i := 0; i < len(input); i++ {
		if input[i] == '\n' || input[i] == '\r' && (i+1 == len(input) || input[i+1] != '\n') {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// lineOf is the 1-based line holding offset off.
func lineOf(starts []int, off int) int {
	return sort.Search(len(starts), func(i int) bool { return starts[i] > off })
}

// checkScene checks one scene whose Raw starts at offset off of input;
// lines are the input's lineStarts.
func checkScene(input []byte, lines []int, sc *Scene, off int) error {
	s := string(input)
	if off+len(sc.Raw) > len(s) || s[off:off+len(sc.Raw)] != sc.Raw {
		return fmt.Errorf("Raw is not the input at offset %d", off)
	}
	if sc.Number > 0 && sc.Raw == "" {
		return fmt.Errorf("empty Raw")
	}
	first := lineOf(lines, off)
	if sc.Line != first {
		return fmt.Errorf("Line %d, but Raw starts on line %d", sc.Line, first)
	}
	last := first
	if sc.Raw != "" {
		last = lineOf(lines, off+len(sc.Raw)-1)
	}
	c := sc.Content
	switch {
	case strings.ContainsRune(c, '\r'):
		return fmt.Errorf("content has a CR")
	case strings.HasPrefix(c, "\n") || strings.HasSuffix(c, "\n"):
		return fmt.Errorf("content %q has a leading or trailing blank line", c)
	case strings.Contains(c, "\n\n\n"):
		return fmt.Errorf("content %q has a run of blank lines", c)
	}
	for _, l := range strings.Split(c, "\n") {
		if trimRight(l) != l {
			return fmt.Errorf("content line %q has trailing space", l)
		}
	}
	prev := first - 1
	if sc.Number > 0 {
		prev = sc.Line
	}
	characters := 0
	for _, e := range sc.Elements {
		if e.Line <= prev || e.Line > last {
			return fmt.Errorf("%s at line %d: outside lines %d..%d or not after the previous element", e.Type, e.Line, prev+1, last)
		}
		prev = e.Line
		if strings.ContainsRune(e.Text, '\r') {
			return fmt.Errorf("%s at line %d has a CR", e.Type, e.Line)
		}
		if e.Type == Character {
			characters++
			if e.Name == "" || e.Name != e.Text || strings.ContainsAny(e.Name, "\n(") || strings.HasSuffix(e.Name, "^") {
				return fmt.Errorf("character at line %d: name %q, text %q", e.Line, e.Name, e.Text)
			}
		}
		if e.Type == SceneHeading {
			return fmt.Errorf("scene heading element at line %d inside a scene", e.Line)
		}
	}
	dialogues := 0
	for _, b := range sc.Blocks() {
		if b.Kind == DialogueBlock {
			dialogues++
			if b.Character == "" {
				return fmt.Errorf("dialogue block at line %d without a character", b.Line)
			}
		} else if b.Text == "" {
			return fmt.Errorf("empty action block at line %d", b.Line)
		}
	}
	if dialogues != characters {
		return fmt.Errorf("%d dialogue blocks for %d character cues", dialogues, characters)
	}
	return nil
}

func checkTitlePage(fields []TitleField) error {
	prev := 0
	for _, f := range fields {
		if f.Key == "" || f.Line <= prev || strings.ContainsAny(f.Key, ":\r\n") || strings.ContainsRune(f.Value, '\r') {
			return fmt.Errorf("title field %+v", f)
		}
		prev = f.Line
	}
	return nil
}
