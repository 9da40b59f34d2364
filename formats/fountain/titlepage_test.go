package fountain

import (
	"reflect"
	"testing"
)

func TestTitlePage(t *testing.T) {
	input := "Title:\n" +
		"\t_**BRICK & STEEL**_\n" +
		"\t_**FULL RETIREMENT**_\n" +
		"Credit: Written by\n" +
		"Author: Stu Maschwitz [[check spelling]]\n" +
		"Source: Story by KTM\n" +
		"Draft date: 1/20/2012\n" +
		"Contact:\n" +
		"    Next Level Productions\n" +
		"    1588 Mission Dr.\n" +
		"    Solvang, CA 93463\n" +
		"Notes: A note\n" +
		"   continued.\n" +
		"\n" +
		"\n" +
		"EXT. BRICK'S PATIO - DAY\n" +
		"\n" +
		"Notes: not a title page key here.\n"
	sp := mustParse(t, input)
	want := []TitleField{
		{"Title", "_**BRICK & STEEL**_\n_**FULL RETIREMENT**_", 1},
		{"Credit", "Written by", 4},
		{"Author", "Stu Maschwitz", 5},
		{"Source", "Story by KTM", 6},
		{"Draft date", "1/20/2012", 7},
		{"Contact", "Next Level Productions\n1588 Mission Dr.\nSolvang, CA 93463", 8},
		{"Notes", "A note\ncontinued.", 12},
	}
	if !reflect.DeepEqual(sp.TitlePage, want) {
		t.Errorf("title page:\ngot  %+v\nwant %+v", sp.TitlePage, want)
	}
	// As ScriptRAG reads them: both lines, emphasis and notes kept.
	if got := sp.Title(); got != "_**BRICK & STEEL**_\n_**FULL RETIREMENT**_" {
		t.Errorf("Title() = %q", got)
	}
	if got := sp.Author(); got != "Stu Maschwitz [[check spelling]]" {
		t.Errorf("Author() = %q", got)
	}
	if v, ok := sp.Field("DRAFT DATE"); !ok || v != "1/20/2012" {
		t.Errorf("Field(DRAFT DATE) = %q, %v", v, ok)
	}
	if _, ok := sp.Field("Revision"); ok {
		t.Error("Field(Revision) found")
	}
	if len(sp.Scenes) != 1 || sp.Scenes[0].Line != 16 || sp.Prelude != nil {
		t.Fatalf("scenes %q, prelude %v", headings(sp), sp.Prelude)
	}
	equalLines(t, "scene", show(sp.Scenes[0].Elements), []string{"18 action: Notes: not a title page key here."})
	if sp.body != len(input)-len(sp.Scenes[0].Raw) {
		t.Errorf("body starts at %d, want the heading", sp.body)
	}
}

func TestTitlePageStart(t *testing.T) {
	tests := []struct {
		name   string
		input  string
		fields []string // keys
		first  string   // first body element
	}{
		{"no title page", "Marta waits.\n", nil, "1 action: Marta waits."},
		{"key with empty value", "seed:\n\nMarta waits.\n", []string{"seed"}, "3 action: Marta waits."},
		{"any key", "Revision: blue\nWatermark: DRAFT\n\nMarta waits.\n", []string{"Revision", "Watermark"}, "4 action: Marta waits."},
		{"ends at the first blank line", "Title: One\n\nTitle: Two\n", []string{"Title"}, "3 action: Title: Two"},
		{"only at the very start", "\nTitle: One\n", nil, "2 action: Title: One"},
		{"after a boneyard line", "/* old draft */\nTitle: One\n\nRain.\n", []string{"Title"}, "4 action: Rain."},
		{"after a BOM", bom + "Title: One\n\nRain.\n", []string{"Title"}, "3 action: Rain."},
		{"lone FADE IN: is no title page", "FADE IN:\n\nRain.\n", nil, "1 action: FADE IN:"},
		{"upper-case key with indented value", "TITLE:\n\tTHE KETTLE\n\nRain.\n", []string{"TITLE"}, "4 action: Rain."},
		{"a heading is no key", "INT. HOUSE: KITCHEN - DAY\n\nRain.\n", nil, "3 action: Rain."},
		{"a URL is no key", "https://example.com/script\n", nil, "1 action: https://example.com/script"},
		{"a key starts with a letter", "1999: the year\n", nil, "1 action: 1999: the year"},
		{"unindented continuation", "Title: The\nKettle\n\nRain.\n", []string{"Title"}, "4 action: Rain."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := mustParse(t, tt.input)
			var keys []string
			for _, f := range sp.TitlePage {
				keys = append(keys, f.Key)
			}
			if !reflect.DeepEqual(keys, tt.fields) {
				t.Errorf("keys %q, want %q", keys, tt.fields)
			}
			els := show(allElements(sp))
			if len(els) == 0 || els[0] != tt.first {
				t.Errorf("elements %q, want first %q", els, tt.first)
			}
		})
	}
}

// TestTitleAndAuthor checks Title and Author against what ScriptRAG's
// parser returned for the same inputs (run by hand with its FountainParser).
func TestTitleAndAuthor(t *testing.T) {
	tests := []struct {
		input, title, author string
	}{
		{"Title: *The* _Kettle_\n", "*The* _Kettle_", ""},
		// "  Part One:" reads as a key of its own.
		{"Title:\n  Part One:\n  THE   KETTLE\n", "", ""},
		{"Title: Escaped \\*stars\\* and snake\\_case\n", "Escaped \\*stars\\* and snake\\_case", ""},
		{"Title: One\nTitle: Two\n\nRain.\n", "Two", ""},
		{"Credit: Written by\nAuthor: A. Writer\n", "", "A. Writer"},
		{"Credit: Written by\nAuthors: A. Writer & B. Writer\n", "", "A. Writer & B. Writer"},
		{"Writer: C. Writer\nCredit: by\n", "", "C. Writer"},
		{"Author:\nWriter: D. Writer\n", "", ""},
		{"Credit: Jo Bloggs\n", "", ""},
		{"Title : Spaced\nWritten by: Jo\n\nRain.\n", "", "Jo"},
		{"Author:\n\tA. Writer\n\tB. Writer\n", "", "A. Writer\nB. Writer"},
		{"Title: CR\r\n\tTwo\r\n\r\nRain.\r\n", "CR\nTwo", ""},
		{"Rain.\n", "", ""},
	}
	for _, tt := range tests {
		sp := mustParse(t, tt.input)
		if got := sp.Title(); got != tt.title {
			t.Errorf("%q: Title() = %q, want %q", tt.input, got, tt.title)
		}
		if got := sp.Author(); got != tt.author {
			t.Errorf("%q: Author() = %q, want %q", tt.input, got, tt.author)
		}
	}
}
