package fountain

import (
	"reflect"
	"testing"
)

func TestBlocks(t *testing.T) {
	input := "INT. DINER - NIGHT\n" + // 1
		"\n" +
		"Rain on the windows.\n" + // 3
		"A neon sign buzzes.\n" +
		"\n" +
		"KIM (V.O.)\n" + // 6
		"(tired)\n" +
		"Another night.\n" +
		"(beat)\n" +
		"Another shift.\n" + // 10
		"Another coffee.\n" +
		"\n" +
		"LOU\n" + // 13
		"Refill?\n" +
		"\n" +
		"KIM ^\n" + // 16
		"Refill.\n" +
		"\n" +
		"> INTERMISSION <\n" + // 19
		"\n" +
		"~Coffee, coffee\n" + // 21
		"\n" +
		"JUKEBOX\n" + // 23
		"(static)\n" +
		"\n" +
		"SMASH CUT TO:\n" + // 26
		"\n" +
		"===\n" +
		"\n" +
		"# Act Two\n" + // 30
		"\n" +
		"= Lou gets bad news.\n" +
		"\n" +
		"!\n" + // 34
		"\n" +
		"The door opens.\n" // 36
	sp := mustParse(t, input)
	got := sp.Scenes[0].Blocks()
	want := []Block{
		{Kind: ActionBlock, Text: "Rain on the windows.\nA neon sign buzzes.", Line: 3},
		{Kind: DialogueBlock, Character: "KIM", Extension: "V.O.", Parenthetical: "(tired)\n(beat)", Text: "Another night.\nAnother shift.\nAnother coffee.", Line: 6},
		{Kind: DialogueBlock, Character: "LOU", Text: "Refill?", Line: 13},
		{Kind: DialogueBlock, Character: "KIM", Dual: true, Text: "Refill.", Line: 16},
		{Kind: ActionBlock, Text: "INTERMISSION", Line: 19},
		{Kind: ActionBlock, Text: "Coffee, coffee", Line: 21},
		{Kind: DialogueBlock, Character: "JUKEBOX", Parenthetical: "(static)", Line: 23},
		{Kind: ActionBlock, Text: "The door opens.", Line: 36},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d blocks, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("block %d:\ngot  %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if b := (&Scene{}).Blocks(); b != nil {
		t.Errorf("empty scene: %+v", b)
	}
}

func TestStrings(t *testing.T) {
	if Character.String() != "character" || PageBreak.String() != "page break" || ElementType(99).String() != "element(99)" {
		t.Error("ElementType.String")
	}
	if DialogueBlock.String() != "dialogue" || ActionBlock.String() != "action" || BlockKind(7).String() != "block(7)" {
		t.Error("BlockKind.String")
	}
}
