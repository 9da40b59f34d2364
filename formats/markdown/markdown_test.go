package markdown

import (
	"testing"
)

func TestChunkMarkdown(t *testing.T) {
	src := "\ufeffIntro text.\r\n\r\n# World\r\nThe city.\n\n## Hospital\nSt. Agatha's.\n\n```\n# not a heading\n```\n\n### Wards #\nThree.\n\n## People\nKim.\n#NoSpace is text\n"
	chunks := Chunks([]byte(src))
	type c struct {
		heading string
		level   int
		parent  int
		content string
	}
	// What ScriptRAG's BibleParser returned for the same file (run by hand),
	// but for the BOM, which it keeps in the first chunk.
	want := []c{
		{"", 0, 0, "Intro text."},
		{"World", 1, 0, "The city."},
		{"Hospital", 2, 2, "St. Agatha's.\n```\n# not a heading\n\n```"},
		{"Wards", 3, 3, "Three."},
		{"People", 2, 2, "Kim.\n#NoSpace is text"},
	}
	if len(chunks) != len(want) {
		t.Fatalf("got %d chunks, want %d: %+v", len(chunks), len(want), chunks)
	}
	for i, w := range want {
		g := chunks[i]
		if g.Number != i+1 || g.Heading != w.heading || g.Level != w.level || g.Parent != w.parent || g.Content != w.content {
			t.Errorf("chunk %d = %+v, want %+v", i+1, g, w)
		}
		if len(g.ContentHash) != 64 {
			t.Errorf("chunk %d has no content hash", i+1)
		}
	}
}

func TestChunkMarkdownNoPreamble(t *testing.T) {
	chunks := Chunks([]byte("# Only\nbody\n"))
	if len(chunks) != 1 || chunks[0].Heading != "Only" || chunks[0].Number != 1 {
		t.Fatalf("got %+v", chunks)
	}
}

// TestChunkMarkdownShapes covers the rest of ScriptRAG's chunking; the
// expected chunks are what its BibleParser returned for the same input.
func TestChunkMarkdownShapes(t *testing.T) {
	src := "Intro text before any heading,\non two lines.\n\n# The World\n\nParagraph one with *emphasis*.\n\nParagraph two.\n\n" +
		"## Places\n\n- The lighthouse\n- The village\n  with a pub\n\n> A quote\n> on two lines\n\n---\n\nAfter the break.\n\n" +
		"### Deep\n\n```go\nx := 1\n```\n\n    indented code\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n#### Deeper\n\n## Empty\n\n" +
		"## People\nSetext Heading\n--------------\n\n<div>html</div>\n\nLast words.\n\n# Trailing heading\n"
	type c struct {
		heading string
		level   int
		parent  int
		content string
	}
	want := []c{
		{"", 0, 0, "Intro text before any heading,\non two lines."},
		{"The World", 1, 0, "Paragraph one with *emphasis*.\nParagraph two."},
		{"Places", 2, 2, "The lighthouse\nThe village\nwith a pub\nA quote\non two lines"},
		{"Places", 2, 2, "After the break."}, // a thematic break splits the section
		{"Deep", 3, 4, "```go\nx := 1\n\n```\n```\nindented code\n\n```\n[TABLE]\na\nb\n1\n2"},
		{"Deeper", 4, 5, ""},
		{"Empty", 2, 2, ""},
		{"People", 2, 2, ""},
		{"Setext Heading", 2, 2, "Last words."}, // the HTML block is left out; the trailing heading dropped
	}
	chunks := Chunks([]byte(src))
	if len(chunks) != len(want) {
		t.Fatalf("got %d chunks, want %d: %+v", len(chunks), len(want), chunks)
	}
	for i, w := range want {
		g := chunks[i]
		if g.Number != i+1 || g.Heading != w.heading || g.Level != w.level || g.Parent != w.parent || g.Content != w.content {
			t.Errorf("chunk %d = %+v, want %+v", i+1, g, w)
		}
	}
	// ScriptRAG's parent stack: after H1, H3, H3 the second H3 finds the
	// empty level-2 slot and has no parent.
	skip := Chunks([]byte("# A\n\na\n\n### B\n\nb\n\n### C\n\nc\n"))
	if len(skip) != 3 || skip[1].Parent != 1 || skip[2].Parent != 0 {
		t.Errorf("skipped level: %+v", skip)
	}
	if got := Chunks([]byte("# Only a heading\n")); len(got) != 1 || got[0].Heading != "Only a heading" || got[0].Content != "" {
		t.Errorf("a lone heading: %+v", got)
	}
}

func TestBibleTitle(t *testing.T) {
	// The trailing level-1 heading has no content, so ScriptRAG drops it:
	// the file name gives the title.
	chunks := Chunks([]byte("## Not level one\n\nx\n\n# The World\n"))
	if got := Title(chunks, "bibles/world.bible.md"); got != "World.Bible" {
		t.Errorf("title %q", got)
	}
	if got := Title(Chunks([]byte("## Sub\n\nx\n")), "bibles/night_shift-notes.bible.md"); got != "Night Shift Notes.Bible" {
		t.Errorf("fallback title %q", got)
	}
	if got := Title(Chunks([]byte("# World\n\nx\n")), "x.md"); got != "World" {
		t.Errorf("title %q", got)
	}
}
