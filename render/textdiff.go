package render

import (
	"fmt"
	"strings"

	"scriptsync/providers"
)

// Limits that keep a plan readable: a diff shows Context unchanged lines
// around each change and at most MaxDiffLines changed lines per attribute;
// the rest is folded into a count.
const (
	Context      = 2
	MaxDiffLines = 40
)

// diffOp is one line of a line diff: ' ' kept, '-' removed, '+' added.
type diffOp struct {
	kind byte
	text string
}

// lineDiff diffs two texts by lines (longest common subsequence; scenes,
// bibles and agents are small enough, and the table is bounded below).
func lineDiff(a, b []string) []diffOp {
	// Trim the common head and tail first: an edit is usually local.
	head := 0
	for head < len(a) && head < len(b) && a[head] == b[head] {
		head++
	}
	tail := 0
	for tail < len(a)-head && tail < len(b)-head && a[len(a)-1-tail] == b[len(b)-1-tail] {
		tail++
	}
	var ops []diffOp
	for _, l := range a[:head] {
		ops = append(ops, diffOp{' ', l})
	}
	ma, mb := a[head:len(a)-tail], b[head:len(b)-tail]
	if len(ma)*len(mb) > 4_000_000 {
		// Too big to align: all of one, then all of the other.
		for _, l := range ma {
			ops = append(ops, diffOp{'-', l})
		}
		for _, l := range mb {
			ops = append(ops, diffOp{'+', l})
		}
	} else {
		ops = append(ops, lcs(ma, mb)...)
	}
	for _, l := range a[len(a)-tail:] {
		ops = append(ops, diffOp{' ', l})
	}
	return ops
}

func lcs(a, b []string) []diffOp {
	n, m := len(a), len(b)
	t := make([][]int32, n+1)
	for i := range t {
		t[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				t[i][j] = t[i+1][j+1] + 1
			} else {
				t[i][j] = max(t[i+1][j], t[i][j+1])
			}
		}
	}
	var ops []diffOp
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			ops = append(ops, diffOp{' ', a[i]})
			i++
			j++
		case t[i+1][j] >= t[i][j+1]:
			ops = append(ops, diffOp{'-', a[i]})
			i++
		default:
			ops = append(ops, diffOp{'+', b[j]})
			j++
		}
	}
	for ; i < n; i++ {
		ops = append(ops, diffOp{'-', a[i]})
	}
	for ; j < m; j++ {
		ops = append(ops, diffOp{'+', b[j]})
	}
	return ops
}

// isText reports whether an attribute value is shown as lines.
func isText(v any) bool {
	s, ok := v.(string)
	return ok && strings.Contains(s, "\n")
}

func splitLines(v any) []string {
	s, _ := v.(string)
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// DiffLine is one line of a folded text diff, for every rendering: Mark
// is "+", "-", " ", or "#" for a fold ("(12 unchanged lines hidden)").
type DiffLine struct {
	Mark string `json:"mark"`
	Text string `json:"text"`
}

// TextDiff diffs two attribute values shown as lines (nil before for a
// create, nil after for a delete), keeping Context lines around changes
// and at most MaxDiffLines changed lines, folding the rest with counts.
// Blank lines are dropped: Fountain separates elements with them, and a
// diff reads better without.
func TextDiff(before, after any) []DiffLine {
	// A create or a delete (and an attribute that appears or goes) has
	// nothing to align: a cold apply shows every scene's text this way.
	b, _ := before.(string)
	a, _ := after.(string)
	switch {
	case b == "" && a == "":
		return nil
	case b == "":
		return oneSided(a, "+")
	case a == "":
		return oneSided(b, "-")
	}
	return alignedDiff(before, after)
}

// oneSided is TextDiff when one side has no lines: every non-blank line
// of text is added (mark "+") or removed ("-"), the first MaxDiffLines
// shown and the rest counted. It walks the text where alignedDiff would
// split, filter and align it.
func oneSided(text, mark string) []DiffLine {
	out := make([]DiffLine, 0, min(MaxDiffLines+1, strings.Count(text, "\n")+1))
	skipped := 0
	for rest := strings.TrimSuffix(text, "\n"); ; {
		line, more, found := strings.Cut(rest, "\n")
		if strings.TrimSpace(line) != "" {
			if len(out) < MaxDiffLines {
				out = append(out, DiffLine{mark, line})
			} else {
				skipped++
			}
		}
		if !found {
			break
		}
		rest = more
	}
	if skipped > 0 {
		added, removed := skipped, 0
		if mark == "-" {
			added, removed = 0, skipped
		}
		out = append(out, DiffLine{"#", fmt.Sprintf("(%d more changed lines hidden: %d added, %d removed)", skipped, added, removed)})
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// alignedDiff is TextDiff by a line diff of the two sides.
func alignedDiff(before, after any) []DiffLine {
	a, b := nonBlank(splitLines(before)), nonBlank(splitLines(after))
	ops := lineDiff(a, b)
	keep := make([]bool, len(ops))
	for i, op := range ops {
		if op.kind == ' ' {
			continue
		}
		for k := max(0, i-Context); k <= min(len(ops)-1, i+Context); k++ {
			keep[k] = true
		}
	}
	var out []DiffLine
	hidden, shown, skippedAdd, skippedDel := 0, 0, 0, 0
	flush := func() {
		if hidden > 0 {
			out = append(out, DiffLine{"#", fmt.Sprintf("(%d unchanged %s hidden)", hidden, plural(hidden, "line", "lines"))})
			hidden = 0
		}
	}
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			if keep[i] && shown < MaxDiffLines {
				flush()
				out = append(out, DiffLine{" ", ops[i].text})
			} else {
				hidden++
			}
			i++
			continue
		}
		// A run of changes: its removed lines, then its added ones. When
		// the run does not fit, show as many of each as fit, half and
		// half, so that a rewritten passage shows old and new.
		var dels, adds []string
		for ; i < len(ops) && ops[i].kind != ' '; i++ {
			if ops[i].kind == '-' {
				dels = append(dels, ops[i].text)
			} else {
				adds = append(adds, ops[i].text)
			}
		}
		room := MaxDiffLines - shown
		nd, na := len(dels), len(adds)
		if nd+na > room {
			nd = min(len(dels), max(room/2, room-len(adds)))
			na = min(len(adds), room-nd)
		}
		if nd+na > 0 {
			flush()
		}
		for _, l := range dels[:nd] {
			out = append(out, DiffLine{"-", l})
		}
		for _, l := range adds[:na] {
			out = append(out, DiffLine{"+", l})
		}
		shown += nd + na
		skippedDel += len(dels) - nd
		skippedAdd += len(adds) - na
	}
	if skippedAdd+skippedDel > 0 {
		hidden = 0
		out = append(out, DiffLine{"#", fmt.Sprintf("(%d more changed lines hidden: %d added, %d removed)", skippedAdd+skippedDel, skippedAdd, skippedDel)})
	}
	flush()
	return out
}

func nonBlank(lines []string) []string {
	out := lines[:0:0]
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// VectorNote describes an embedding's change from its Notes (see
// engine's annotate), or "" when there are none.
func VectorNote(notes map[string]any) string {
	d, ok := notes["dimensions"]
	if !ok {
		return ""
	}
	s := "vector: " + FormatValue(normalizeJSON(d)) + " dimensions"
	if was, ok := notes["dimensions_before"]; ok {
		s += " (was " + FormatValue(normalizeJSON(was)) + ")"
	}
	dist, has := notes["cosine_distance"]
	switch {
	case !has:
	case dist == nil:
		s += "; distance from the applied vector unknown"
		if why, ok := notes["cosine_distance_note"].(string); ok {
			s += " (" + why + ")"
		}
	default:
		if f, ok := dist.(float64); ok {
			s += fmt.Sprintf("; moved by cosine distance %.4f from the applied vector", f)
		}
	}
	return s
}

// NoteText is the text before and after that a plan noted for a change
// whose attributes do not hold it (an agent file), if any.
func NoteText(c *providers.Change) (before, after any, ok bool) {
	t, ok := c.Notes["text"].(map[string]any)
	if !ok {
		return nil, nil, false
	}
	return t["before"], t["after"], true
}
