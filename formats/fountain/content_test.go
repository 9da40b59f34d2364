package fountain

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// A scene written with LF, then in other line endings and encodings, must
// parse to the same scenes and elements, with lines and Raw true to each
// input.
const kitchen = "Title: The Kettle\n" +
	"\n" +
	"INT. KITCHEN - NIGHT #1#\n" +
	"\n" +
	"The kettle screams. [[louder?]]\n" +
	"\n" +
	"MARTA (O.S.)\n" +
	"(calling)\n" +
	"Turn it off!\n" +
	"\n" +
	"OSKAR ^\n" +
	"I can't hear you!\n" +
	"\n" +
	"CUT TO:\n" +
	"\n" +
	"EXT. GARDEN - NIGHT\n" +
	"\n" +
	"Rain."

func TestLineEndings(t *testing.T) {
	want := mustParse(t, kitchen)
	variants := map[string]string{
		"CRLF":                  strings.ReplaceAll(kitchen, "\n", "\r\n"),
		"lone CR":               strings.ReplaceAll(kitchen, "\n", "\r"),
		"final newline":         kitchen + "\n",
		"BOM":                   bom + kitchen,
		"BOM and CRLF":          bom + strings.ReplaceAll(kitchen, "\n", "\r\n") + "\r\n",
		"trailing spaces":       strings.ReplaceAll(kitchen, "\n", "  \t\n"),
		"mixed line endings":    mixEndings(kitchen),
		"blank lines of spaces": strings.ReplaceAll(kitchen, "\n\n", "\n \t \n"),
	}
	for name, input := range variants {
		t.Run(name, func(t *testing.T) {
			got := mustParse(t, input)
			if !reflect.DeepEqual(got.TitlePage, want.TitlePage) {
				t.Errorf("title page %+v, want %+v", got.TitlePage, want.TitlePage)
			}
			if len(got.Scenes) != len(want.Scenes) {
				t.Fatalf("scenes %q, want %q", headings(got), headings(want))
			}
			for i, sc := range got.Scenes {
				w := want.Scenes[i]
				if sc.Heading != w.Heading || sc.Line != w.Line || sc.Content != w.Content || sc.FountainNumber != w.FountainNumber {
					t.Errorf("scene %d: %q line %d content %q, want %q line %d content %q", i+1, sc.Heading, sc.Line, sc.Content, w.Heading, w.Line, w.Content)
				}
				if !reflect.DeepEqual(sc.Elements, w.Elements) {
					t.Errorf("scene %d elements:\n%q\nwant\n%q", i+1, show(sc.Elements), show(w.Elements))
				}
			}
		})
	}
}

// mixEndings ends the lines of an LF text with "\r", "\r\n" and "\n" in
// turn; never a lone "\r" right before a "\n", which would read as one
// CRLF.
func mixEndings(s string) string {
	var b strings.Builder
	for i, l := range strings.Split(s, "\n") {
		if i > 0 {
			b.WriteString([]string{"\n", "\r", "\r\n"}[i%3])
		}
		b.WriteString(l)
	}
	return b.String()
}

func TestContent(t *testing.T) {
	sp := mustParse(t, kitchen)
	want := "INT. KITCHEN - NIGHT #1#\n" +
		"\n" +
		"The kettle screams.\n" +
		"\n" +
		"MARTA (O.S.)\n" +
		"(calling)\n" +
		"Turn it off!\n" +
		"\n" +
		"OSKAR ^\n" +
		"I can't hear you!\n" +
		"\n" +
		"CUT TO:"
	if got := sp.Scenes[0].Content; got != want {
		t.Errorf("content:\n%s\nwant:\n%s", got, want)
	}

	input := "\n\n" +
		"INT. ATTIC - DAY   \n" +
		"\n\n\n" +
		"= Marta finds the letters.\n" +
		"Dust.\t\n" +
		"/* A cut paragraph.\n" +
		"\n" +
		"Over two. */\n" +
		"\n" +
		"## Beat\n" +
		"\n" +
		"    Indented action stays indented.\n" +
		"[[A note alone on its line.]]\n" +
		"\n\n"
	sp = mustParse(t, input)
	if len(sp.Scenes) != 1 {
		t.Fatalf("scenes %q", headings(sp))
	}
	want = "INT. ATTIC - DAY\n\nDust.\n\n    Indented action stays indented."
	if got := sp.Scenes[0].Content; got != want {
		t.Errorf("content %q, want %q", got, want)
	}
	equalLines(t, "elements", show(sp.Scenes[0].Elements), []string{
		"7 synopsis: Marta finds the letters.",
		"8 action: Dust.",
		"13 section: Beat level=2",
		"15 action:     Indented action stays indented.",
	})
	if sp.Scenes[0].Raw != input[2:] {
		t.Errorf("Raw %q", sp.Scenes[0].Raw)
	}
}

// The boneyard opens in the first scene and closes after the heading of
// the second: that heading is cut, and what follows the boneyard belongs to
// the first scene.
func TestBoneyardAcrossScenes(t *testing.T) {
	input := "INT. KITCHEN - NIGHT\n" + // 1
		"\n" +
		"Marta pours tea. /* The old ending.\n" + // 3
		"\n" +
		"EXT. GARDEN - NIGHT\n" + // 5
		"\n" +
		"Rain on the roses. */ She drinks.\n" + // 7
		"\n" +
		"INT. HALL - NIGHT\n" + // 9
		"\n" +
		"The clock strikes.\n"
	sp := mustParse(t, input)
	equalLines(t, "headings", headings(sp), []string{"INT. KITCHEN - NIGHT", "INT. HALL - NIGHT"})
	one := sp.Scenes[0]
	equalLines(t, "scene 1", show(one.Elements), []string{"3 action: Marta pours tea.\n She drinks."})
	if want := "INT. KITCHEN - NIGHT\n\nMarta pours tea.\n She drinks."; one.Content != want {
		t.Errorf("content %q, want %q", one.Content, want)
	}
	if !strings.Contains(one.Raw, "EXT. GARDEN") {
		t.Errorf("Raw %q lost the boneyard", one.Raw)
	}
	if sp.Scenes[1].Line != 9 {
		t.Errorf("scene 2 on line %d", sp.Scenes[1].Line)
	}
}

func TestNoteInsideDialogue(t *testing.T) {
	input := "INT. KITCHEN - NIGHT\n\nMARTA\n(low) [[or loud?]]\nWhere is [[the]] it?\n[[Cut:\nthe next line]]\nThe key.\n"
	sp := mustParse(t, input)
	blocks := sp.Scenes[0].Blocks()
	want := []Block{{Kind: DialogueBlock, Character: "MARTA", Parenthetical: "(low)", Text: "Where is  it?\nThe key.", Line: 3}}
	if !reflect.DeepEqual(blocks, want) {
		t.Errorf("blocks %+v, want %+v", blocks, want)
	}
	if c := sp.Scenes[0].Content; strings.Contains(c, "[[") || strings.Contains(c, "loud") || strings.Contains(c, "next line") {
		t.Errorf("content %q keeps a note", c)
	}
}

func TestParseBody(t *testing.T) {
	sc, err := ParseBody([]byte("NOTE: the title page does not exist here.\n\nKIM\nHere we go again.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Number != 0 || sc.Heading != "" || sc.Line != 1 {
		t.Errorf("scene %+v", sc)
	}
	equalLines(t, "elements", show(sc.Elements), []string{"1 action: NOTE: the title page does not exist here.", "3 character: KIM", "4 dialogue: Here we go again."})
	if want := "NOTE: the title page does not exist here.\n\nKIM\nHere we go again."; sc.Content != want {
		t.Errorf("content %q", sc.Content)
	}

	for _, tt := range []struct {
		input string
		line  int
	}{
		{"Rain.\n\nINT. ER - NIGHT\n\nMore rain.\n", 3},
		{"INT. ER - NIGHT\n", 1},
		{"Rain.\r\n\r\n.FLASHBACK\r\n", 3},
		{"/* INT. CUT - DAY */\nRain.\n\n\nEXT. ROOF - DAY", 5},
	} {
		_, err := ParseBody([]byte(tt.input))
		var e *Error
		if !errors.As(err, &e) || e.Line != tt.line || !strings.Contains(e.Msg, "scene heading") {
			t.Errorf("ParseBody(%q) = %v, want a scene heading error on line %d", tt.input, err, tt.line)
		}
	}

	// A heading-like line without its blank lines is action, also here.
	sc, err = ParseBody([]byte("Rain.\nINT. ER - NIGHT\n"))
	if err != nil || len(sc.Elements) != 1 {
		t.Errorf("ParseBody: %v, %q", err, show(sc.Elements))
	}

	for _, input := range []string{"", "\n\n", bom, " \t\n"} {
		sc, err := ParseBody([]byte(input))
		if err != nil || sc == nil || len(sc.Elements) != 0 || sc.Content != "" || sc.Raw != strings.TrimPrefix(input, bom) {
			t.Errorf("ParseBody(%q) = %+v, %v", input, sc, err)
		}
	}
}
