package fountain

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestBadInput(t *testing.T) {
	tests := []struct {
		name  string
		input string
		line  int
		msg   string
	}{
		{"invalid UTF-8", "Title: X\n\nINT. HOUSE - DAY\n\nCaf\xe9 au lait.\n", 5, "invalid UTF-8"},
		{"truncated rune at the end", "Rain.\r\nSnow \xe2\x82", 2, "invalid UTF-8"},
		{"invalid UTF-8 after lone CRs", "a\rb\rc\xff", 3, "invalid UTF-8"},
		{"UTF-16", "\xff\xfeT\x00i\x00", 1, "binary data"},
		{"NUL", "Rain.\n\nSn\x00ow.\n", 3, "binary data"},
		{"PNG", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 3, "binary data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for fn, parse := range map[string]func([]byte) error{
				"Parse":     func(b []byte) error { _, err := Parse(b); return err },
				"ParseBody": func(b []byte) error { _, err := ParseBody(b); return err },
			} {
				err := parse([]byte(tt.input))
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("%s: got %v, want *Error", fn, err)
				}
				if e.Line != tt.line || !strings.Contains(e.Msg, tt.msg) {
					t.Errorf("%s: got %q, want line %d and %q", fn, err, tt.line, tt.msg)
				}
				if want := "line " + strconv.Itoa(tt.line) + ": "; !strings.HasPrefix(err.Error(), want) {
					t.Errorf("%s: Error() = %q, want prefix %q", fn, err.Error(), want)
				}
			}
		})
	}
}

func TestEmptyInput(t *testing.T) {
	for _, input := range []string{"", "\n", "\r\n\r\n", "   \t  \n\n", bom, bom + "\n", "/* nothing */", "[[just a note]]\n"} {
		sp := mustParse(t, input)
		if len(sp.Scenes) != 0 || sp.Prelude != nil || len(sp.TitlePage) != 0 {
			t.Errorf("Parse(%q) = %+v, want an empty screenplay", input, sp)
		}
	}
}

// Hostile shapes that a naive scanner handles in quadratic time. They must
// simply parse; a regression shows as a test that does not finish.
func TestHostileInput(t *testing.T) {
	const n = 200_000
	tests := map[string]string{
		"unclosed boneyards":                 strings.Repeat("/* ", n),
		"unclosed notes":                     strings.Repeat("[[ ", n),
		"notes across blank":                 strings.Repeat("[[a\n\n", n) + "]]",
		"lone CRs":                           strings.Repeat("A\r", n),
		"one long line":                      strings.Repeat("x", 5*n),
		"synopses after a heading candidate": strings.Repeat("\nINT. A\n"+strings.Repeat("= s\n", 50), n/100),
		"spacers in dialogue":                "BOB\nhi\n" + strings.Repeat("  \n", n),
		"nested openers":                     strings.Repeat("/*[[", n) + strings.Repeat("]]*/", n),
		"cues":                               strings.Repeat("\nBOB\n", n),
		"one long dialogue block":            "BOB\n" + strings.Repeat("(aside)\nhi\n", n),
		"title page of continuations":        "Title: x\n" + strings.Repeat("\tmore\n", n),
	}
	for name, input := range tests {
		t.Run(name, func(t *testing.T) {
			mustParse(t, input)
			if _, err := ParseBody([]byte(input)); err != nil && !strings.Contains(err.Error(), "scene heading") {
				t.Errorf("ParseBody: %v", err)
			}
		})
	}
}

// TestLargeInput parses a 50 MB screenplay: all of it, every scene.
func TestLargeInput(t *testing.T) {
	if testing.Short() {
		t.Skip("50 MB input; skipped with -short")
	}
	data, scenes := benchScreenplay(50 << 20)
	sp, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(sp.Scenes) != scenes {
		t.Fatalf("got %d scenes, want %d", len(sp.Scenes), scenes)
	}
	last := sp.Scenes[len(sp.Scenes)-1]
	if last.Number != scenes || !strings.HasSuffix(string(data), last.Raw) {
		t.Errorf("last scene %d %q", last.Number, last.Heading)
	}
}

func TestLineOfAgreesWithLineAt(t *testing.T) {
	input := []byte("a\r\nb\rc\n\r\n\rd")
	starts := lineStarts(input)
	for off := 0; off <= len(input); off++ {
		if got, want := lineOf(starts, off), lineAt(input, off); got != want {
			t.Errorf("offset %d: lineOf %d, lineAt %d", off, got, want)
		}
	}
}
