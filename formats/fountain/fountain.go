package fountain

// Screenplay is a parsed Fountain document.
type Screenplay struct {
	// TitlePage holds the title page's fields in file order.
	TitlePage []TitleField
	// TitleValues is the title page as ScriptRAG's parser (jouvence) reads
	// it: lower-cased keys to values, multi-line values joined with "\n",
	// emphasis kept; nil when it finds none. ScriptRAG takes the script's
	// title, author, season, episode, series and project from it; Title,
	// Author and Metadata do the same. It can differ from TitlePage: an
	// indented "Episode 1: Pilot" under "Title:" is a key of its own here.
	TitleValues map[string]string
	// Prelude holds what comes before the first scene heading (a cold open
	// written as action, say), as a scene with Number 0 and no heading; nil
	// when no element comes before it. A prelude of sections and synopses
	// alone has an empty Content.
	Prelude *Scene
	// Scenes are the scenes in file order; Scenes[i].Number == i+1.
	Scenes []*Scene

	// src is the input, for ScriptRAGHash.
	src string
	// body is the offset in the input where the body starts: after a BOM,
	// the title page and the blank lines that end it. The prelude's and the
	// scenes' Raw cover the input from there on.
	body int
}

// TitleField is one key of the title page. Multi-line values (indented
// continuation lines) are joined with "\n", indentation removed.
type TitleField struct {
	Key   string // as written, e.g. "Draft date"
	Value string
	Line  int // 1-based line of the key
}

// ElementType classifies a line or paragraph of a screenplay.
type ElementType int

const (
	Action ElementType = iota
	SceneHeading
	Character
	Dialogue
	Parenthetical
	Transition
	Centered
	Lyrics
	PageBreak
	Section
	Synopsis
)

// Element is one element of a scene's body, in file order.
type Element struct {
	Type ElementType
	// Text is the element's text with forcing characters (!, @, >, ~, .)
	// and, for a character cue, the extension and ^ removed; emphasis
	// markers (*, _) are kept. Multi-line elements (an action paragraph, a
	// dialogue block's lines) are joined with "\n".
	Text string
	Line int // 1-based line where the element starts
	// Character cues only:
	Name      string // the character's name, extensions stripped: "KIM"
	Extension string // "V.O.", "O.S.", "CONT'D" (several joined by " "), "" when none
	Dual      bool   // the cue ended with ^
	// Sections only: the number of # characters.
	Level int
}

// Scene is a scene heading and everything up to the next one.
type Scene struct {
	Number         int    // 1-based position in the screenplay
	FountainNumber string // "12A" from a trailing #12A#, "" when none
	Heading        string // the heading line as written, trimmed, without a forcing "."; scene number kept, as ScriptRAG stores it
	Location       string // "HOUSE" from "INT. HOUSE - NIGHT", as ScriptRAG reads it ("PARK--DAY" from "EXT. PARK--DAY")
	TimeOfDay      string // "NIGHT", as ScriptRAG reads it ("LATER" from "MOMENTS LATER"); "" when it finds none
	Line           int    // 1-based line of the heading; for the prelude and ParseBody, the line where Raw starts
	// Raw is the exact input from the start of the heading line to the start
	// of the next heading line (or the end of the input): a substring of the
	// input.
	Raw string
	// Content is the scene as text: line endings normalised to "\n",
	// boneyard and notes removed, trailing spaces removed, runs of blank
	// lines collapsed to one, no leading or trailing blank lines. It starts
	// with the heading line as written (forcing "." and scene number
	// included). Sections and synopses are structure, not content: they are
	// Elements but not in Content.
	Content string
	// Elements are the body's elements (not the heading) in order.
	Elements []Element
}

// BlockKind tells a dialogue block from an action paragraph.
type BlockKind int

const (
	ActionBlock BlockKind = iota
	DialogueBlock
)

// Block is a unit of a scene as ScriptRAG stores it: one dialogue block (a
// cue, its parentheticals and its lines) or one action paragraph.
type Block struct {
	Kind BlockKind
	// Dialogue blocks: the speaker, as Element.Name/Extension/Dual.
	Character string
	Extension string
	Dual      bool
	// Parenthetical joins the block's parentheticals with "\n", "" when none.
	Parenthetical string
	// Text is the dialogue (its lines joined with "\n", parentheticals
	// excluded) or the action paragraph.
	Text string
	Line int
}
