package fountain

import (
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"testing"
)

// The expected values in this file are what ScriptRAG's own code returned
// for the same inputs (ScreenplayUtils.parse_scene_heading, FountainParser
// with jouvence 0.4.2), run by hand; they are not derived from this
// package.

func TestScriptRAGHeading(t *testing.T) {
	tests := []struct{ heading, location, tod string }{
		{"INT. HOUSE - NIGHT", "HOUSE", "NIGHT"},
		{"EXT. PARK--DAY", "PARK--DAY", "DAY"},
		{"INT. HOUSE", "HOUSE", ""},
		{"EST. CITY SKYLINE - DAWN", "EST. CITY SKYLINE", "DAWN"},
		{"INT./EXT. CAR - MOVING - DAY", "CAR - MOVING", "DAY"},
		{"INT/EXT CAR - DAY", "INT/EXT CAR", "DAY"},
		{"I/E. CAR - DAY", "CAR", "DAY"},
		{"EXT./INT. PORCH - DUSK", "/INT. PORCH", "DUSK"},
		{"INT HOUSE - DAY", "HOUSE", "DAY"},
		{"int. kitchen - day", "kitchen", "DAY"},
		{"INT. SEMI-TRAILER - NIGHT", "SEMI-TRAILER", "NIGHT"},
		{"INT. HOUSE—NIGHT", "HOUSE—NIGHT", "NIGHT"},
		{"EXT. PIER – DUSK", "PIER – DUSK", "DUSK"},
		{"INT. CAFÉ ZOË - NUIT", "CAFÉ ZOË", ""},
		{"EXT. PIER -- LATER", "PIER -- LATER", "LATER"},
		{"INT. HOUSE - DAY #1#", "HOUSE", "DAY"},
		{"EXT. PARK #110.#", "PARK #110.#", ""},
		{"EXT. PARK #1 2#", "PARK #1 2#", ""},
		{"FLASHBACK - 1987", "FLASHBACK", ""},
		{"SNIPER SCOPE POV #12A#", "SNIPER SCOPE POV #12A#", ""},
		{"int. attic - night #3#", "attic", "NIGHT"},
		{"5 SECONDS LATER", "5 SECONDS LATER", "LATER"},
		{"INT.", "", ""},
		{"INT. HOUSE - MOMENTS LATER", "HOUSE", "LATER"},
		{"INT. DAY CARE CENTER", "DAY CARE CENTER", "DAY"},
		{"EXT. ROOF - MIDNIGHT", "ROOF", "NIGHT"},
		{"INT. HALL - LATER THAT DAY", "HALL", "DAY"},
		{"INT. HALL - CONTINUOUS", "HALL", "CONTINUOUS"},
		{"EXT. - NIGHT", "", "NIGHT"},
		{"INT. DAYS INN - SAME", "DAYS INN", ""},
		{"EXT. ROAD - DAY_TIME", "ROAD", ""},
		{"EXT. ÉDAY - X", "ÉDAY", ""},
		{"INT. A - B - ÀNIGHT", "A - B", ""},
		{"INT.  - DAY", "", "DAY"},
	}
	for _, tt := range tests {
		if got := headingLocation(tt.heading); got != tt.location {
			t.Errorf("location of %q = %q, want %q", tt.heading, got, tt.location)
		}
		if got := headingTime(tt.heading); got != tt.tod {
			t.Errorf("time of day of %q = %q, want %q", tt.heading, got, tt.tod)
		}
	}
}

func TestTitleValues(t *testing.T) {
	tests := []struct {
		input string
		want  map[string]string
		meta  map[string]any
	}{
		{"Rain.\n", nil, nil},
		{"seed:\n\nRain.\n", map[string]string{"seed": ""}, nil},
		{"FADE IN:\n\nRain.\n", map[string]string{"fade in": ""}, nil},
		{"Title: Show\nSeason: 2\nEpisode:  03 \nSeries: Night Shift\nProject: NS\n\nRain.\n",
			map[string]string{"title": "Show", "season": "2", "episode": "03 ", "series": "Night Shift", "project": "NS"},
			map[string]any{"episode": int64(3), "season": int64(2), "series_title": "Night Shift", "project_title": "NS"}},
		{"Episode: pilot\nSeason: 1_0\nShow: X\nseries_title: Y\n\nRain.\n",
			map[string]string{"episode": "pilot", "season": "1_0", "show": "X", "series_title": "Y"},
			map[string]any{"episode": "pilot", "season": int64(10), "series_title": "Y"}},
		{"\ufeffTitle: BOM\n\nRain.\n", nil, nil},
		{"Title: The Lighthouse Keepers\n    Episode 1: \"Lamp Oil\"\nCredit: Written by\nAuthor: Tomas Reyes\n\nRain.\n",
			map[string]string{"title": "The Lighthouse Keepers", "    episode 1": `"Lamp Oil"`, "credit": "Written by", "author": "Tomas Reyes"}, nil},
		{"/* x */\nTitle: After\n\nRain.\n", nil, nil},
		{"Title: Before /* hidden\n\n */ still\nAuthor: A\n\nRain.\n",
			map[string]string{"title": "Before  still", "author": "A"}, nil},
		{"Writer(s): Jo\nTitle: T\n\nRain.\n", nil, nil},
	}
	for _, tt := range tests {
		sp := mustParse(t, tt.input)
		if !reflect.DeepEqual(sp.TitleValues, tt.want) {
			t.Errorf("%q: TitleValues = %q, want %q", tt.input, sp.TitleValues, tt.want)
		}
		if got := sp.Metadata(); !reflect.DeepEqual(got, tt.meta) {
			t.Errorf("%q: Metadata() = %v, want %v", tt.input, got, tt.meta)
		}
	}
}

func TestPyInt(t *testing.T) {
	tests := []struct {
		in string
		n  int64
		ok bool
	}{
		{"3", 3, true}, {" 03 ", 3, true}, {"+7", 7, true}, {"-2", -2, true}, {"1_000", 1000, true},
		{"", 0, false}, {"_1", 0, false}, {"1__0", 0, false}, {"1_", 0, false}, {"one", 0, false},
		{"1.0", 0, false}, {"99999999999999999999", 0, false}, {"\u0663", 0, false},
	}
	for _, tt := range tests {
		if n, ok := PyInt(tt.in); n != tt.n || ok != tt.ok {
			t.Errorf("PyInt(%q) = %d, %v; want %d, %v", tt.in, n, ok, tt.n, tt.ok)
		}
	}
}

// TestScriptRAGHash checks the text each scene's hash covers: from the
// heading to the next line that starts with a capital heading prefix (an
// action line "INT. is what..." included), META blocks out, trimmed.
func TestScriptRAGHash(t *testing.T) {
	input := "Title: T\r\n\r\n" +
		"INT. A - DAY\r\n\r\nOne.\r\n/* SCRIPTRAG-META-START\r\n{}\r\nSCRIPTRAG-META-END */\r\n\r\n" +
		".FLASH\r\n\r\nTwo.\r\nINT. is what the sign says.\r\n\r\n" +
		"INT. A - DAY\r\n\r\nThree.\r\n"
	sp := mustParse(t, input)
	if len(sp.Scenes) != 3 {
		t.Fatalf("got %d scenes", len(sp.Scenes))
	}
	// From ScriptRAG's indexer, run on the same file: scene 1 runs on over
	// the forced heading, which ScriptRAG's cut does not see; scene 3 has
	// scene 1's heading, so ScriptRAG finds scene 1's text for it.
	want := []string{
		"07be184ed9565d89fd3cb677715ce4c33f9f5a7ab2f43d7bfc12cff89e9f6849",
		"b2229c17b24c8bf92cfd026eec691098585478d2975544561c6a9089992e1a7c",
		"07be184ed9565d89fd3cb677715ce4c33f9f5a7ab2f43d7bfc12cff89e9f6849",
	}
	for i, w := range want {
		if got := sp.ScriptRAGHash(sp.Scenes[i]); got != w {
			t.Errorf("scene %d: hash %s, want %s", i+1, got, w)
		}
	}
	sum := sha256.Sum256([]byte("FLASH\n\nTwo."))
	if hex.EncodeToString(sum[:]) != want[1] {
		t.Errorf("scene 2's hash is not that of its text")
	}
	if got := sp.ScriptRAGHash(&Scene{}); got != "" {
		t.Errorf("prelude hash %q", got)
	}
}
