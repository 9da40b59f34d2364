package fountain

import "strings"

// Blocks returns the scene's dialogue blocks and action paragraphs in order,
// as the dialogues and actions tables store them. A dialogue block is a
// character cue with the parentheticals and dialogue below it; action,
// centered text and lyrics each give an action block (one per paragraph;
// an empty one, such as a lone "!", gives none). Headings, transitions,
// page breaks, sections and synopses give no block.
func (s *Scene) Blocks() []Block {
	n := 0
	for i := range s.Elements {
		switch s.Elements[i].Type {
		case Character, Action, Centered, Lyrics:
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]Block, 0, n)
	els := s.Elements
	for i := 0; i < len(els); i++ {
		e := &els[i]
		switch e.Type {
		case Action, Centered, Lyrics:
			if e.Text != "" {
				out = append(out, Block{Kind: ActionBlock, Text: e.Text, Line: e.Line})
			}
		case Character:
			j := i + 1
			for j < len(els) && (els[j].Type == Dialogue || els[j].Type == Parenthetical) {
				j++
			}
			out = append(out, Block{
				Kind:          DialogueBlock,
				Character:     e.Name,
				Extension:     e.Extension,
				Dual:          e.Dual,
				Parenthetical: joinType(els[i+1:j], Parenthetical),
				Text:          joinType(els[i+1:j], Dialogue),
				Line:          e.Line,
			})
			i = j - 1
		}
	}
	return out
}

// joinType joins the texts of the elements of type typ with "\n": free for
// the common single element, one allocation otherwise.
func joinType(els []Element, typ ElementType) string {
	n, size, last := 0, 0, ""
	for k := range els {
		if els[k].Type == typ {
			n++
			size += len(els[k].Text)
			last = els[k].Text
		}
	}
	if n <= 1 {
		return last
	}
	var b strings.Builder
	b.Grow(size + n - 1)
	first := true
	for k := range els {
		if els[k].Type == typ {
			if !first {
				b.WriteByte('\n')
			}
			b.WriteString(els[k].Text)
			first = false
		}
	}
	return b.String()
}
