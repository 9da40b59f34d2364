package config

import (
	"testing"
)

func TestChunkMarkdown(t *testing.T) {
	src := "\ufeffIntro text.\r\n\r\n# World\r\nThe city.\n\n## Hospital\nSt. Agatha's.\n\n```\n# not a heading\n```\n\n### Wards #\nThree.\n\n## People\nKim.\n#NoSpace is text\n"
	chunks := chunkMarkdown([]byte(src))
	type c struct {
		heading string
		level   int
		parent  int
		content string
	}
	want := []c{
		{"", 0, 0, "Intro text."},
		{"World", 1, 0, "The city."},
		{"Hospital", 2, 2, "St. Agatha's.\n\n```\n# not a heading\n```"},
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
	chunks := chunkMarkdown([]byte("# Only\nbody\n"))
	if len(chunks) != 1 || chunks[0].Heading != "Only" || chunks[0].Number != 1 {
		t.Fatalf("got %+v", chunks)
	}
}

func TestCheckText(t *testing.T) {
	if err := checkText([]byte("fine\ntext\n")); err != nil {
		t.Errorf("valid text rejected: %v", err)
	}
	if err := checkText([]byte("a\nb\x00")); err == nil || err.Error() != "line 2: binary data (a NUL byte); expected UTF-8 text" {
		t.Errorf("NUL: %v", err)
	}
	if err := checkText([]byte("a\n\nb\xff")); err == nil || err.Error() != "line 3: invalid UTF-8; expected UTF-8 text" {
		t.Errorf("invalid UTF-8: %v", err)
	}
}
