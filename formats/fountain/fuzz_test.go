package fountain

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzSeeds cover every element and the tricky cases once each; the files
// under testdata/fuzz/FuzzParse add whole documents and past crashers.
var fuzzSeeds = []string{
	"",
	"Title: The Kettle\nCredit: by\nAuthor: A. Writer\nDraft date: today\nContact:\n\tme\n\tthere\n\nFADE IN:\n\n",
	"INT. KITCHEN - NIGHT #1A#\n\nThe kettle screams.\n",
	"EXT. PARK--DAY\n\nINT./EXT. CAR - DAY\n\nI/E CAR\n\nEST. CITY\n\nint/ext house\n",
	".FLASHBACK #I-1-A#\n\n...and then\n\n..two\n",
	"MARTA (V.O.) (CONT'D)\n(quietly)\nHello.\n  \nAgain.\n\nOSKAR ^\nHi.\n",
	"@McCLANE\nYippee.\n\n!FORCED ACTION\n\nTHE END\n",
	"Rain.\n\nCUT TO:\n\n> Fade to white.\n\n> THE END <\n\n~la la\n~la\n",
	"# Act One\n## Scene\n= synopsis\n\n===\n\n",
	"A [[note]] B\n[[multi\nline]] C\n\nD /* bone\n\nINT. CUT - DAY\n\n*/ E\n",
	"/* unclosed\n\n[[ unclosed\n\n",
	"Rain.\r\n\r\nINT. CRLF - DAY\r\n\r\nMARTA\r\nHi.",
	"a\rb\r\rINT. CR - DAY\r\rx",
	bom + "Title: BOM\n\nINT. A - B\n",
	"*italic* **bold** _under_ \\*escaped\\*\n",
	"\tTabs\t\n   Spaces   \n",
	"MARTA\nWhere [[or what]] is it?\n",
	"INT. HOUSE - DAY\nNo blank line after.\n",
	"Rain.\nINT. HOUSE - DAY\n\n",
}

// FuzzParse checks that no input panics or hangs, that errors are *Error
// only for input that is not text, and that every parse keeps the
// invariants of checkScreenplay. It also hides markers in boneyard and
// notes at the start of every line and checks that none of them reaches
// any output, and parses the input as a scene body.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sp, err := Parse(data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Line < 1 {
				t.Fatalf("error %v (%T), want *Error with a line", err, err)
			}
			if utf8.Valid(data) && bytes.IndexByte(data, 0) < 0 {
				t.Fatalf("text rejected: %v", err)
			}
			return
		}
		if err := checkScreenplay(data, sp); err != nil {
			t.Fatal(err)
		}
		again, _ := Parse(data)
		if !reflect.DeepEqual(sp, again) {
			t.Fatal("two parses differ")
		}

		body, err := ParseBody(data)
		if err == nil {
			if body.Number != 0 || body.Heading != "" || body.Raw != strings.TrimPrefix(string(data), bom) {
				t.Fatalf("body scene %+v", body)
			}
			if err := checkScene(data, lineStarts(data), body, len(data)-len(body.Raw)); err != nil {
				t.Fatalf("body: %v", err)
			}
		} else if !strings.Contains(err.Error(), "scene heading") {
			t.Fatalf("ParseBody: %v", err)
		}

		const mark = "Qz7"
		if bytes.Contains(data, []byte(mark)) {
			return
		}
		marked := withMarkers(data, mark)
		sp, err = Parse(marked)
		if err != nil {
			t.Fatalf("marked input: %v", err)
		}
		if err := checkScreenplay(marked, sp); err != nil {
			t.Fatalf("marked input: %v", err)
		}
		if where := leaks(sp, mark); where != "" {
			t.Fatalf("hidden text reached %s", where)
		}
	})
}

// withMarkers puts a boneyard and a note holding mark at the start of every
// line (after a BOM). Whatever the text around them, each is hidden: as a
// boneyard or note of its own, or inside one opened earlier.
func withMarkers(data []byte, mark string) []byte {
	bone, note := []byte("/*"+mark+"*/"), []byte("[["+mark+"]]")
	out := make([]byte, 0, len(data)*2+32)
	if bytes.HasPrefix(data, []byte(bom)) {
		out = append(out, bom...)
		data = data[len(bom):]
	}
	out = append(out, bone...)
	for i, c := range data {
		out = append(out, c)
		if c == '\n' || c == '\r' && (i+1 == len(data) || data[i+1] != '\n') {
			if i%2 == 0 {
				out = append(out, bone...)
			} else {
				out = append(out, note...)
			}
		}
	}
	return out
}

// leaks names the first output of a parse that contains mark, or "".
func leaks(sp *Screenplay, mark string) string {
	for _, f := range sp.TitlePage {
		if strings.Contains(f.Key+f.Value, mark) {
			return "title field " + f.Key
		}
	}
	scenes := sp.Scenes
	if sp.Prelude != nil {
		scenes = append([]*Scene{sp.Prelude}, scenes...)
	}
	for _, sc := range scenes {
		if strings.Contains(sc.Content+sc.Heading+sc.Location+sc.TimeOfDay+sc.FountainNumber, mark) {
			return "scene " + sc.Heading
		}
		for _, e := range sc.Elements {
			if strings.Contains(e.Text+e.Name+e.Extension, mark) {
				return e.Type.String() + " element"
			}
		}
		for _, b := range sc.Blocks() {
			if strings.Contains(b.Text+b.Parenthetical+b.Character+b.Extension, mark) {
				return "block"
			}
		}
	}
	return ""
}
