package fountain

import "testing"

// TestCharacterCues covers fountain.io's cue rule: a line entirely in upper
// case, extensions in parentheses in either case, a blank line before and
// text right after.
func TestCharacterCues(t *testing.T) {
	tests := []struct {
		name, input string
		cue         string // the character's name, "" when the line is action
		ext         string
	}{
		{"plain", "\nBOB\nHi.\n", "BOB", ""},
		{"upper-case extension", "\nBOB (V.O.)\nHi.\n", "BOB", "V.O."},
		{"lower-case extension", "\nBOB (cont'd)\nHi.\n", "BOB", "cont'd"},
		{"two extensions", "\nBOB (O.S.) (cont'd)\nHi.\n", "BOB", "O.S. cont'd"},
		{"digits and apostrophes", "\nR2-D2'S TWIN 3\nBeep.\n", "R2-D2'S TWIN 3", ""},
		{"dual", "\nBOB ^\nHi.\n", "BOB", ""},
		{"lower case after a parenthetical", "\nCYBER BOSS, 40 (or any age), an ageless,\ndisembodied voice.\n", "", ""},
		{"lower case before a parenthetical", "\nBOB the builder (V.O.)\nHi.\n", "", ""},
		{"lower case in the name", "\nMcCLANE\nYippee.\n", "", ""},
		{"unclosed parenthesis", "\nBOB (v.o.\nHi.\n", "", ""},
		{"no blank line before", "Rain.\nBOB\nHi.\n", "", ""},
		{"blank line after", "\nBOB\n\nHi.\n", "", ""},
		{"forced keeps lower case", "\n@McCLANE\nYippee.\n", "McCLANE", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := mustParse(t, tt.input)
			var got, ext string
			n := 0
			for _, e := range allElements(sp) {
				if e.Type == Character {
					got, ext = e.Name, e.Extension
					n++
				}
			}
			if n > 1 || got != tt.cue || ext != tt.ext {
				t.Errorf("%d cues, last %q (%q); want %q (%q)\nelements %q", n, got, ext, tt.cue, tt.ext, show(allElements(sp)))
			}
			if tt.cue == "" {
				for _, b := range blocksOf(sp) {
					if b.Kind == DialogueBlock {
						t.Errorf("dialogue block %+v from an action line", b)
					}
				}
			}
		})
	}
}

func blocksOf(sp *Screenplay) []Block {
	var out []Block
	if sp.Prelude != nil {
		out = append(out, sp.Prelude.Blocks()...)
	}
	for _, sc := range sp.Scenes {
		out = append(out, sc.Blocks()...)
	}
	return out
}
