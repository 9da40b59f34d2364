package markdown

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzChunks: any input chunks without a panic, chunks are numbered 1..n,
// parents point backwards, and every chunk's text comes from the input.
func FuzzChunks(f *testing.F) {
	for _, s := range []string{"", "# A\nbody\n", "intro\n\n# A\n## B\n### C\n---\nafter\n", "Title\n=====\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
		"```go\n# not a heading\n```\n", "> quote\n- item\n  1. nested\n", "<div>\nhtml\n</div>\n", "\ufeff#\n#\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		chunks := Chunks([]byte(s))
		for i, c := range chunks {
			if c.Number != i+1 {
				t.Fatalf("chunk %d numbered %d", i+1, c.Number)
			}
			if c.Parent < 0 || c.Parent >= c.Number {
				t.Fatalf("chunk %d has parent %d", c.Number, c.Parent)
			}
			if c.Level < 0 || c.Level > 6 {
				t.Fatalf("chunk %d has level %d", c.Number, c.Level)
			}
			for _, line := range strings.Split(c.Heading, "\n") { // a setext heading spans lines
				if !strings.Contains(s, strings.TrimSpace(line)) {
					t.Fatalf("chunk %d heading %q is not in the input", c.Number, c.Heading)
				}
			}
		}
		_ = Title(chunks, "bibles/x.md")
	})
}
