package fountain

import (
	"strings"
	"testing"
)

// TestElements classifies one kind of line per case, with the cases the
// spec's rules make tricky. Lines are 1-based and true to the input.
func TestElements(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []string
	}{
		// Action.
		{"action paragraph keeps its line breaks", "The kettle screams.\nNobody moves.\n\nThen everybody does.\n",
			[]string{"1 action: The kettle screams.\nNobody moves.", "4 action: Then everybody does."}},
		{"action keeps leading indentation", "\tIndented with a tab.\n    And spaces.\n",
			[]string{"1 action: \tIndented with a tab.\n    And spaces."}},
		{"forced action", "!SUDDENLY THE LIGHTS GO OUT\n",
			[]string{"1 action: SUDDENLY THE LIGHTS GO OUT"}},
		{"forced action joins its paragraph", "She counts.\n!ONE. TWO.\nThree.\n",
			[]string{"1 action: She counts.\nONE. TWO.\nThree."}},
		{"all caps with nothing after is action", "\nTHE HOUSE EXPLODES\n",
			[]string{"2 action: THE HOUSE EXPLODES"}},
		{"all caps with a blank line after is action", "THE HOUSE EXPLODES\n\nSilence.\n",
			[]string{"1 action: THE HOUSE EXPLODES", "3 action: Silence."}},
		{"all caps inside a paragraph is action", "Marta turns.\nSTOP\nShe runs.\n",
			[]string{"1 action: Marta turns.\nSTOP\nShe runs."}},
		{"digits only are no character", "23\nskidoo\n",
			[]string{"1 action: 23\nskidoo"}},
		{"ellipsis starts action, not a heading", "Silence.\n\n...and then the phone rings.\n\nMarta stares.\n",
			[]string{"1 action: Silence.", "3 action: ...and then the phone rings.", "5 action: Marta stares."}},
		{"two dots start action", "..FOO\n",
			[]string{"1 action: ..FOO"}},
		{"emphasis and escapes are kept", "*Italic*, **bold**, _under_ and \\*not\\* emphasis.\n",
			[]string{`1 action: *Italic*, **bold**, _under_ and \*not\* emphasis.`}},

		// Characters and dialogue.
		{"character and dialogue", "MARTA\nWhere is the key?\n",
			[]string{"1 character: MARTA", "2 dialogue: Where is the key?"}},
		{"dialogue keeps its line breaks", "MARTA\nWhere is it?\nWhere is the key?\n",
			[]string{"1 character: MARTA", "2 dialogue: Where is it?\nWhere is the key?"}},
		{"extensions", "MARTA (V.O.)\nHello.\n\nOSKAR (O.S.) (CONT'D)\nHi.\n",
			[]string{"1 character: MARTA (V.O.)", "2 dialogue: Hello.", "4 character: OSKAR (O.S. CONT'D)", "5 dialogue: Hi."}},
		{"lower-case extension", "HANS (on the radio)\nCome in.\n",
			[]string{"1 character: HANS (on the radio)", "2 dialogue: Come in."}},
		{"letters and digits", "R2D2\nBeep.\n",
			[]string{"1 character: R2D2", "2 dialogue: Beep."}},
		{"indented cue and dialogue", "\t\tMARTA\n\tHello.\n",
			[]string{"1 character: MARTA", "2 dialogue: Hello."}},
		{"forced character", "@McCLANE\nYippee.\n",
			[]string{"1 character: McCLANE", "2 dialogue: Yippee."}},
		{"forced character with extension", "@van Dyke (V.O.)\nHello.\n",
			[]string{"1 character: van Dyke (V.O.)", "2 dialogue: Hello."}},
		{"forced character without dialogue is action", "@McCLANE\n\nHe waits.\n",
			[]string{"1 action: @McCLANE", "3 action: He waits."}},
		{"forced character needs a blank line before", "He waits.\n@McCLANE\nHi.\n",
			[]string{"1 action: He waits.\n@McCLANE\nHi."}},
		{"forced character is never a transition", "\n@CUT TO:\n\n",
			[]string{"2 action: @CUT TO:"}},
		{"accented capitals", "ÉMILIE\nBonjour.\n\nZOË (O.S.)\nHallo.\n",
			[]string{"1 character: ÉMILIE", "2 dialogue: Bonjour.", "4 character: ZOË (O.S.)", "5 dialogue: Hallo."}},
		{"accented lower case is no character", "ÉMILIé\nBonjour.\n",
			[]string{"1 action: ÉMILIé\nBonjour."}},
		{"letters without case are no character", "李雷\n你好。\n",
			[]string{"1 action: 李雷\n你好。"}},
		{"a lone dot is action", ".\n",
			[]string{"1 action: ."}},
		{"mixed case is no character", "Marta\nHello.\n",
			[]string{"1 action: Marta\nHello."}},
		{"no character without a blank line before", "She says\nMARTA\nHello.\n",
			[]string{"1 action: She says\nMARTA\nHello."}},
		{"parentheticals", "MARTA\n(quietly)\nHello.\n(beat)\nGoodbye.\n",
			[]string{"1 character: MARTA", "2 parenthetical: (quietly)", "3 dialogue: Hello.", "4 parenthetical: (beat)", "5 dialogue: Goodbye."}},
		{"two spaces keep dialogue going", "MARTA\nFirst verse.\n  \nSecond verse.\n",
			[]string{"1 character: MARTA", "2 dialogue: First verse.\n\nSecond verse."}},
		{"three spaces end dialogue", "MARTA\nFirst.\n   \nSecond.\n",
			[]string{"1 character: MARTA", "2 dialogue: First.", "4 action: Second."}},
		{"dual dialogue", "BRICK\nScrew retirement.\n\nSTEEL ^\nScrew retirement.\n",
			[]string{"1 character: BRICK", "2 dialogue: Screw retirement.", "4 character: STEEL ^", "5 dialogue: Screw retirement."}},
		{"dual dialogue with extension", "STEEL (O.S.)^\nNo.\n\nBRICK ^ (V.O.)\nYes.\n",
			[]string{"1 character: STEEL (O.S.) ^", "2 dialogue: No.", "4 character: BRICK (V.O.) ^", "5 dialogue: Yes."}},
		{"a heading-like line inside dialogue is dialogue", "MARTA\nINT. IS A PREFIX\n",
			[]string{"1 character: MARTA", "2 dialogue: INT. IS A PREFIX"}},
		{"forcing characters inside dialogue are dialogue", "MARTA\n!Hey\n> there <\n~la\n",
			[]string{"1 character: MARTA", "2 dialogue: !Hey\n> there <\n~la"}},

		// Transitions.
		{"transition", "Marta leaves.\n\nCUT TO:\n\nRain.\n",
			[]string{"1 action: Marta leaves.", "3 transition: CUT TO:", "5 action: Rain."}},
		{"transition at the end", "Marta leaves.\n\nSMASH CUT TO:",
			[]string{"1 action: Marta leaves.", "3 transition: SMASH CUT TO:"}},
		{"forced transition", "Marta leaves.\n\n> Burn to White.\n",
			[]string{"1 action: Marta leaves.", "3 transition: Burn to White."}},
		{"FADE OUT: is no transition", "Marta leaves.\n\nFADE OUT:\n",
			[]string{"1 action: Marta leaves.", "3 action: FADE OUT:"}},
		{"transition needs a blank line after", "\nCUT TO:\nMarta leaves.\n",
			[]string{"2 character: CUT TO:", "3 dialogue: Marta leaves."}},
		{"lower-case to: is action", "\nCut to:\n\n",
			[]string{"2 action: Cut to:"}},

		// Centered, lyrics, page breaks.
		{"centered", "> THE END <\n",
			[]string{"1 centered: THE END"}},
		{"centered lines join", ">Part One<\n>  The Kettle  <\n",
			[]string{"1 centered: Part One\nThe Kettle"}},
		{"lyrics", "~Row, row, row your boat\n~Gently down the stream\n",
			[]string{"1 lyrics: Row, row, row your boat\nGently down the stream"}},
		{"page break", "One.\n\n===\n\nTwo.\n",
			[]string{"1 action: One.", "3 page break: ", "5 action: Two."}},
		{"page break of many", "==========\n",
			[]string{"1 page break: "}},

		// Sections and synopses: structure, looked through by blank-line rules.
		{"sections", "# Act One\n\n## The Kettle\n\n###Cold open\n",
			[]string{"1 section: Act One level=1", "3 section: The Kettle level=2", "5 section: Cold open level=3"}},
		{"synopsis", "= Marta learns the truth.\n",
			[]string{"1 synopsis: Marta learns the truth."}},
		{"synopsis does not break an action paragraph", "Marta runs.\n= she is late\nShe trips.\n",
			[]string{"1 action: Marta runs.\nShe trips.", "2 synopsis: she is late"}},
		{"two equals are a synopsis", "==\n",
			[]string{"1 synopsis: ="}},

		// Notes and boneyard: hidden before classification.
		{"inline note", "Marta waits. [[too slow?]] Then runs.\n",
			[]string{"1 action: Marta waits.  Then runs."}},
		{"note spanning lines", "Marta waits. [[this beat\nneeds work]] She runs.\n",
			[]string{"1 action: Marta waits.\n She runs."}},
		{"note inside dialogue", "MARTA\nWhere [[or: what]] is it?\n[[alt: cut this line]]\nThe key.\n",
			[]string{"1 character: MARTA", "2 dialogue: Where  is it?\nThe key."}},
		{"note on the cue line", "MARTA [[older?]]\nHi.\n",
			[]string{"1 character: MARTA", "2 dialogue: Hi."}},
		{"note across a blank line is text", "Marta waits. [[a note\n\nthat never ends]]\n",
			[]string{"1 action: Marta waits. [[a note", "3 action: that never ends]]"}},
		{"note across two spaces", "Waits. [[a note\n  \nthat goes on]] Runs.\n",
			[]string{"1 action: Waits.\n Runs."}},
		{"boneyard inline", "Marta /* slowly */ runs.\n",
			[]string{"1 action: Marta  runs."}},
		{"boneyard of whole paragraphs", "One.\n\n/*\nTwo.\n\nMARTA\nThree.\n*/\n\nFour.\n",
			[]string{"1 action: One.", "10 action: Four."}},
		{"a hidden line is not blank", "MARTA\n/* (angrily) */\nHello.\n",
			[]string{"1 character: MARTA", "3 dialogue: Hello."}},
		{"unclosed boneyard is text", "One /* two\n\nthree.\n",
			[]string{"1 action: One /* two", "3 action: three."}},
		{"boneyard inside a note", "A [[note /* x */ y]] B\n",
			[]string{"1 action: A  B"}},
		{"note inside a boneyard", "A /* [[ */ B ]]\n",
			[]string{"1 action: A  B ]]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := mustParse(t, tt.input)
			if len(sp.Scenes) != 0 {
				t.Errorf("got scenes %q, want none", headings(sp))
			}
			equalLines(t, "elements", show(allElements(sp)), tt.want)

			// The same text as a scene body gives the same elements.
			body, err := ParseBody([]byte(tt.input))
			if err != nil {
				t.Fatalf("ParseBody: %v", err)
			}
			equalLines(t, "ParseBody elements", show(body.Elements), tt.want)
		})
	}
}

// TestSceneHeadings covers what starts a scene, and what looks like it
// but does not.
func TestSceneHeadings(t *testing.T) {
	type scene struct{ heading, number, location, tod string }
	tests := []struct {
		name  string
		input string
		want  []scene // nil: no scene
	}{
		{"INT.", "INT. HOUSE - NIGHT\n", []scene{{"INT. HOUSE - NIGHT", "", "HOUSE", "NIGHT"}}},
		{"EXT. with double dash", "EXT. PARK--DAY\n", []scene{{"EXT. PARK--DAY", "", "PARK--DAY", "DAY"}}},
		{"no time of day", "INT. HOUSE\n", []scene{{"INT. HOUSE", "", "HOUSE", ""}}},
		{"EST", "EST. CITY SKYLINE - DAWN\n", []scene{{"EST. CITY SKYLINE - DAWN", "", "EST. CITY SKYLINE", "DAWN"}}},
		{"INT./EXT.", "INT./EXT. CAR - MOVING - DAY\n", []scene{{"INT./EXT. CAR - MOVING - DAY", "", "CAR - MOVING", "DAY"}}},
		{"INT/EXT", "INT/EXT CAR - DAY\n", []scene{{"INT/EXT CAR - DAY", "", "INT/EXT CAR", "DAY"}}},
		{"I/E", "I/E. CAR - DAY\n", []scene{{"I/E. CAR - DAY", "", "CAR", "DAY"}}},
		{"EXT./INT.", "EXT./INT. PORCH - DUSK\n", []scene{{"EXT./INT. PORCH - DUSK", "", "/INT. PORCH", "DUSK"}}},
		{"space instead of dot", "INT HOUSE - DAY\n", []scene{{"INT HOUSE - DAY", "", "HOUSE", "DAY"}}},
		{"lower case", "int. kitchen - day\n", []scene{{"int. kitchen - day", "", "kitchen", "DAY"}}},
		{"hyphen inside a word", "INT. SEMI-TRAILER - NIGHT\n", []scene{{"INT. SEMI-TRAILER - NIGHT", "", "SEMI-TRAILER", "NIGHT"}}},
		{"em dash", "INT. HOUSE\u2014NIGHT\n", []scene{{"INT. HOUSE—NIGHT", "", "HOUSE—NIGHT", "NIGHT"}}},
		{"en dash", "EXT. PIER \u2013 DUSK\n", []scene{{"EXT. PIER – DUSK", "", "PIER – DUSK", "DUSK"}}},
		{"unicode location", "INT. CAFÉ ZOË - NUIT\n", []scene{{"INT. CAFÉ ZOË - NUIT", "", "CAFÉ ZOË", ""}}},
		{"spaced double dash", "EXT. PIER -- LATER\n", []scene{{"EXT. PIER -- LATER", "", "PIER -- LATER", "LATER"}}},
		{"trailing spaces and tabs", "INT. HOUSE - DAY  \t\n", []scene{{"INT. HOUSE - DAY", "", "HOUSE", "DAY"}}},
		{"indented", "   INT. HOUSE - DAY\n", []scene{{"INT. HOUSE - DAY", "", "HOUSE", "DAY"}}},
		{"scene number", "INT. HOUSE - DAY #1#\n", []scene{{"INT. HOUSE - DAY #1#", "1", "HOUSE", "DAY"}}},
		{"scene number with letter", "INT. HOUSE - DAY #1A#\n", []scene{{"INT. HOUSE - DAY #1A#", "1A", "HOUSE", "DAY"}}},
		{"scene number with dashes", "EXT. PARK - DAY #I-1-A#\n", []scene{{"EXT. PARK - DAY #I-1-A#", "I-1-A", "PARK", "DAY"}}},
		{"scene number with dot", "EXT. PARK #110.#\n", []scene{{"EXT. PARK #110.#", "110.", "PARK #110.#", ""}}},
		{"not a scene number", "EXT. PARK #1 2#\n", []scene{{"EXT. PARK #1 2#", "", "PARK #1 2#", ""}}},
		{"forced heading", ".FLASHBACK - 1987\n", []scene{{"FLASHBACK - 1987", "", "FLASHBACK", ""}}},
		{"forced heading with number", ".SNIPER SCOPE POV #12A#\n", []scene{{"SNIPER SCOPE POV #12A#", "12A", "SNIPER SCOPE POV #12A#", ""}}},
		{"forced heading with prefix", ".int. attic - night #3#\n", []scene{{"int. attic - night #3#", "3", "attic", "NIGHT"}}},
		{"forced heading of a digit", ".5 SECONDS LATER\n", []scene{{"5 SECONDS LATER", "", "5 SECONDS LATER", "LATER"}}},
		{"heading at the end without newline", "Rain.\n\nEXT. PARK - DAY", []scene{{"EXT. PARK - DAY", "", "PARK", "DAY"}}},
		{"two scenes", "INT. A - DAY\n\nOne.\n\nEXT. B - NIGHT\n\nTwo.\n", []scene{{"INT. A - DAY", "", "A", "DAY"}, {"EXT. B - NIGHT", "", "B", "NIGHT"}}},

		{"prefix needs dot or space", "EXTERIOR HOUSE - DAY\n\nINTERIOR DESIGN\n\nINT.\n", []scene{{"INT.", "", "", ""}}},
		{"no blank line before stays action", "Rain.\nINT. HOUSE - DAY\n\nMarta.\n", nil},
		{"no blank line after stays action", "INT. HOUSE - DAY\nMarta waits.\n", nil},
		{"no blank line after, all caps, is no character", "\nEXT. PARK - DAY\nTHE WIND HOWLS\n", nil},
		{"ellipsis is no forced heading", "...FLASHBACK\n", nil},
		{"dot space is no forced heading", ". FLASHBACK\n", nil},
		{"forced heading needs blank lines", "Rain.\n.FLASHBACK\n\n", nil},
		{"forced heading without blank after is no character", "\n.FLASHBACK\nMarta, age 8.\n", nil},
		{"forced action wins", "!INT. HOUSE - DAY\n", nil},
		{"heading inside dialogue", "MARTA\nEXT. PARK - DAY\n\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := mustParse(t, tt.input)
			var got []scene
			for _, sc := range sp.Scenes {
				got = append(got, scene{sc.Heading, sc.FountainNumber, sc.Location, sc.TimeOfDay})
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got scenes %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("scene %d: got %q, want %q", i+1, got[i], tt.want[i])
				}
			}
			if len(tt.want) == 0 {
				for _, e := range allElements(sp) {
					if e.Type == Character && strings.ContainsAny(e.Name, ".") {
						t.Errorf("heading-like line became character %q", e.Name)
					}
				}
			}
		})
	}
}

func TestSceneSplit(t *testing.T) {
	input := "FADE IN:\n\n" +
		"INT. KITCHEN - NIGHT #1#\n" + // 3
		"\n" +
		"The kettle screams.\n" + // 5
		"\n" +
		"# Act Two\n" + // 7
		"\n" +
		".GARDEN #2#\n" + // 9
		"\n" +
		"MARTA\n" + // 11
		"Who's there?\n"
	sp := mustParse(t, input)
	if sp.Prelude == nil {
		t.Fatal("no prelude")
	}
	equalLines(t, "prelude", show(sp.Prelude.Elements), []string{"1 action: FADE IN:"})
	if len(sp.Scenes) != 2 {
		t.Fatalf("got %d scenes", len(sp.Scenes))
	}
	one, two := sp.Scenes[0], sp.Scenes[1]
	if one.Number != 1 || one.Line != 3 || one.FountainNumber != "1" || two.Number != 2 || two.Line != 9 || two.Heading != "GARDEN #2#" || two.FountainNumber != "2" {
		t.Errorf("scenes: %+v / %+v", one, two)
	}
	if want := "INT. KITCHEN - NIGHT #1#\n\nThe kettle screams.\n\n# Act Two\n\n"; one.Raw != want {
		t.Errorf("scene 1 Raw %q, want %q", one.Raw, want)
	}
	// The section is an element of the scene it sits in, but not content.
	equalLines(t, "scene 1", show(one.Elements), []string{"5 action: The kettle screams.", "7 section: Act Two level=1"})
	if want := "INT. KITCHEN - NIGHT #1#\n\nThe kettle screams."; one.Content != want {
		t.Errorf("scene 1 Content %q, want %q", one.Content, want)
	}
	if want := ".GARDEN #2#\n\nMARTA\nWho's there?"; two.Content != want {
		t.Errorf("scene 2 Content %q, want %q", two.Content, want)
	}
}
