package fountain

import (
	"bytes"
	"reflect"
	"testing"
	"unsafe"
)

// ownedInputs cover the parser's paths that slice the input: a title page,
// a BOM, CRLF line endings, boneyard and notes, and input it refuses.
var ownedInputs = []string{
	"",
	"Title: Harbour Lights\nAuthor: Wren\n\nINT. NET LOFT - DAWN\n\nWren counts the nets.\n\nWREN\n(quietly)\nTwelve.\n",
	bom + "EXT. QUAY - NIGHT\r\n\r\nFog.\r\n\r\nDESMOND ^\r\nWho's there?\r\n",
	"INT. SHED - DAY\n\n/* gone */ Rain [[a note]] on the roof.\n\n.FLASHBACK\n\n> THE END <\n",
	"INT. SHED - DAY\n\nA NUL\x00 byte.\n",
	"INT. SHED - DAY\n\nBad \xff UTF-8.\n",
}

// TestParseOwnedIsParseWithoutACopy checks that ParseOwned gives what
// Parse gives, that its text lies in the caller's bytes rather than a copy
// (what a library's cold apply saves), and that Parse's does not: changing
// the bytes afterwards leaves Parse's screenplay as it was.
func TestParseOwnedIsParseWithoutACopy(t *testing.T) {
	for _, in := range ownedInputs {
		want, wantErr := Parse([]byte(in))
		data := []byte(in)
		got, err := ParseOwned(data)
		if !reflect.DeepEqual(err, wantErr) {
			t.Fatalf("ParseOwned(%q) error = %v, Parse's = %v", in, err, wantErr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("ParseOwned(%q) = %+v, Parse gives %+v", in, got, want)
		}
		if got == nil || len(got.Scenes) == 0 {
			continue
		}
		for _, sc := range got.Scenes {
			if !within(sc.Raw, data) {
				t.Errorf("ParseOwned(%q): scene %d's Raw is a copy, not in the input's bytes", in, sc.Number)
			}
		}

		copied := []byte(in)
		sp, err := Parse(copied)
		if err != nil {
			t.Fatal(err)
		}
		raw := sp.Scenes[0].Raw
		for i := range copied {
			copied[i] = 'x'
		}
		if raw != want.Scenes[0].Raw || within(raw, copied) {
			t.Errorf("Parse(%q) shares the caller's bytes: its first scene became %q", in, raw)
		}
	}
}

// within reports whether s's bytes are a part of b's storage.
func within(s string, b []byte) bool {
	if s == "" || len(b) == 0 {
		return false
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return p >= lo && p+uintptr(len(s)) <= lo+uintptr(len(b)) && bytes.Contains(b, []byte(s))
}
