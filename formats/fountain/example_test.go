package fountain_test

import (
	"fmt"

	"scriptsync/formats/fountain"
)

func ExampleParse() {
	sp, err := fountain.Parse([]byte(`Title: Night Shift
Author: A. Writer

INT. ER - NIGHT #1#

Rain hammers the ambulance bay. [[louder]]

NURSE KIM (V.O.)
(tired)
Here we go again.

EXT. ROOF - DAWN

Kim watches the sun come up.
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sp.Title(), "by", sp.Author())
	for _, sc := range sp.Scenes {
		fmt.Printf("%d %q at %q (%s)\n", sc.Number, sc.Heading, sc.Location, sc.TimeOfDay)
		for _, b := range sc.Blocks() {
			if b.Kind == fountain.DialogueBlock {
				fmt.Printf("  %s (%s) %s: %q\n", b.Character, b.Extension, b.Parenthetical, b.Text)
			} else {
				fmt.Printf("  action: %q\n", b.Text)
			}
		}
	}
	// Output:
	// Night Shift by A. Writer
	// 1 "INT. ER - NIGHT #1#" at "ER" (NIGHT)
	//   action: "Rain hammers the ambulance bay."
	//   NURSE KIM (V.O.) (tired): "Here we go again."
	// 2 "EXT. ROOF - DAWN" at "ROOF" (DAWN)
	//   action: "Kim watches the sun come up."
}

func ExampleParseBody() {
	_, err := fountain.ParseBody([]byte("Rain.\n\nINT. ER - NIGHT\n\nMore rain.\n"))
	fmt.Println(err)
	// Output:
	// line 3: scene heading "INT. ER - NIGHT" inside a scene's content: a scene block holds one scene, its heading goes in the heading attribute
}
