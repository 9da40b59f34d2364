package fountain

import "strconv"

var elementNames = [...]string{
	Action:        "action",
	SceneHeading:  "scene heading",
	Character:     "character",
	Dialogue:      "dialogue",
	Parenthetical: "parenthetical",
	Transition:    "transition",
	Centered:      "centered",
	Lyrics:        "lyrics",
	PageBreak:     "page break",
	Section:       "section",
	Synopsis:      "synopsis",
}

// String names the element type in lower case, as messages print it.
func (t ElementType) String() string {
	if t >= 0 && int(t) < len(elementNames) {
		return elementNames[t]
	}
	return "element(" + strconv.Itoa(int(t)) + ")"
}

// String is "action" or "dialogue".
func (k BlockKind) String() string {
	switch k {
	case ActionBlock:
		return "action"
	case DialogueBlock:
		return "dialogue"
	}
	return "block(" + strconv.Itoa(int(k)) + ")"
}
