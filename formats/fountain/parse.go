package fountain

import (
	"strconv"
	"strings"
	"unsafe"
)

const bom = "\xef\xbb\xbf"

// Parse parses a Fountain document: an optional title page, then the body,
// split into scenes at its scene headings. It fails only for input that is
// not a screenplay (binary data, invalid UTF-8), with an *Error; empty or
// blank input is a screenplay with no scenes.
func Parse(data []byte) (*Screenplay, error) {
	if err := checkText(data); err != nil {
		return nil, err
	}
	return parse(string(data)), nil
}

// ParseOwned is Parse for bytes that nobody modifies afterwards: the
// screenplay's text shares data's storage instead of a copy of it, so a
// caller that keeps both (a script's bytes and its scenes) holds the text
// once. Modifying data while the screenplay is in use changes its text.
func ParseOwned(data []byte) (*Screenplay, error) {
	if err := checkText(data); err != nil {
		return nil, err
	}
	return parse(unsafe.String(unsafe.SliceData(data), len(data))), nil
}

// parse parses s, which checkText accepted.
func parse(s string) *Screenplay {
	p := newParser(s, false)
	sp := &Screenplay{TitlePage: p.titlePage()}
	sp.body = p.bodyStart(sp.TitlePage != nil)
	p.run()
	sp.Prelude = p.prelude
	sp.src = p.s
	sp.TitleValues = titleValues(p.s)
	if len(p.scenes) > 0 {
		sp.Scenes = make([]*Scene, len(p.scenes))
		for i := range p.scenes {
			sp.Scenes[i] = &p.scenes[i]
		}
	}
	return sp
}

// ParseBody parses the body of one scene without its heading, as a scene
// block's content holds it: no title page (a first line "NOTE: x" is
// action), and a scene heading anywhere is an *Error naming its line. The
// scene has Number 0 and no heading; Raw is the input after a BOM.
func ParseBody(data []byte) (*Scene, error) {
	if err := checkText(data); err != nil {
		return nil, err
	}
	p := newParser(string(data), true)
	p.bodyStart(false)
	if err := p.run(); err != nil {
		return nil, err
	}
	return p.prelude, nil
}

// parser turns the visible lines of the input into a title page, scenes and
// elements in one pass, with one line of look-ahead (more only to look
// through sections and synopses after a heading candidate).
type parser struct {
	s      string
	sc     scanner
	cur    line
	nxt    line
	hasNxt bool
	single bool // ParseBody: one scene's body, where a heading is an error

	prevBlank  bool // the last line that counts for the blank-line rules was blank
	inDialogue bool
	open       int    // index in elems[from:] of the element that lines may extend, or -1
	text       joiner // the open element's text

	// elems[from:] are the scene's elements. elems is a chunk of an arena
	// that scenes take their Elements from without a copy (copying them
	// with the GC's write barriers was a third of the parse).
	elems    []Element
	from     int
	scene    Scene  // the scene being read (Number 0: the prelude)
	headed   bool   // scene has a heading
	rawStart int    // scene's first byte
	content  joiner // scene's content
	blankAt  int    // offset of the first blank line pending in content, or -1

	scenes  []Scene
	prelude *Scene
}

func newParser(s string, single bool) *parser {
	from := 0
	if strings.HasPrefix(s, bom) {
		from = len(bom)
	}
	p := &parser{s: s, single: single, open: -1, blankAt: -1, rawStart: from}
	p.sc = newScanner(s, from, hiddenSpans(s, from))
	p.text.s, p.content.s = s, s
	p.hasNxt = p.sc.next(&p.nxt)
	return p
}

// advance moves to the next visible line.
func (p *parser) advance() bool {
	if !p.hasNxt {
		return false
	}
	p.cur = p.nxt
	p.hasNxt = p.sc.next(&p.nxt)
	return true
}

// bodyStart moves past the blank lines that end a title page, when there
// was one, and returns the body's offset.
func (p *parser) bodyStart(afterTitle bool) int {
	p.scene.Line = 1
	if !afterTitle {
		return p.rawStart
	}
	for p.hasNxt && isBlank(p.nxt.text) {
		p.advance()
	}
	p.rawStart = len(p.s)
	if p.hasNxt {
		p.rawStart, p.scene.Line = p.nxt.start, p.nxt.num
	}
	return p.rawStart
}

// run reads the body.
func (p *parser) run() *Error {
	p.prevBlank = true
	for p.advance() {
		if err := p.line(&p.cur); err != nil {
			return err
		}
	}
	p.finish(len(p.s))
	return nil
}

// line classifies one visible line of the body. The order of the checks is
// the spec's precedence: forcing characters first, then the elements whose
// rules need blank lines around them, then action.
func (p *parser) line(l *line) *Error {
	t, lead := trim(l.text)
	if t == "" {
		if p.inDialogue && l.text == "  " {
			// Two spaces: an empty line inside a dialogue block.
			if p.open >= 0 && p.elems[p.from+p.open].Type == Dialogue {
				p.text.add("", 0, false)
			}
			p.blank(l)
			return nil
		}
		p.closeOpen()
		p.inDialogue = false
		p.prevBlank = true
		p.blank(l)
		return nil
	}
	if p.inDialogue {
		p.keep(l)
		if t[0] == '(' && t[len(t)-1] == ')' {
			p.closeOpen()
			p.add(Element{Type: Parenthetical, Text: t, Line: l.num})
			return nil
		}
		p.extend(Dialogue, t, l.start+lead, l.clean, l.num)
		return nil
	}

	switch t[0] {
	case '#':
		// Structure: an element, but not content, and invisible to the
		// blank-line rules, so it neither ends a paragraph nor starts one.
		level := 0
		for level < len(t) && t[level] == '#' {
			level++
		}
		text, _ := trim(t[level:])
		p.add(Element{Type: Section, Text: text, Level: level, Line: l.num})
		return nil
	case '=':
		if isPageBreak(t) {
			p.closeOpen()
			p.keep(l)
			p.add(Element{Type: PageBreak, Line: l.num})
			p.prevBlank = false
			return nil
		}
		text, _ := trim(t[1:])
		p.add(Element{Type: Synopsis, Text: text, Line: l.num})
		return nil
	case '.':
		if forcedHeading(t) {
			if p.prevBlank && p.blankAfter() {
				return p.heading(l, t[1:])
			}
			// Like an unforced heading that misses its blank lines:
			// action, never a cue named ".FLASHBACK".
			p.action(l)
			return nil
		}
	case '!':
		p.keep(l)
		p.extend(Action, trimRight(t[1:]), l.start+lead+1, l.clean, l.num)
		p.prevBlank = false
		return nil
	case '@':
		if name, _, _ := cue(t[1:]); name != "" && p.prevBlank && p.nextFilled() {
			p.character(l, t[1:])
		} else {
			p.action(l)
		}
		return nil
	case '~':
		text, n := trim(t[1:])
		p.keep(l)
		p.extend(Lyrics, text, l.start+lead+1+n, l.clean, l.num)
		p.prevBlank = false
		return nil
	case '>':
		p.keep(l)
		p.prevBlank = false
		if len(t) >= 2 && t[len(t)-1] == '<' {
			text, n := trim(t[1 : len(t)-1])
			p.extend(Centered, text, l.start+lead+1+n, l.clean, l.num)
			return nil
		}
		text, _ := trim(t[1:])
		p.closeOpen()
		p.add(Element{Type: Transition, Text: text, Line: l.num})
		return nil
	}

	if headingPrefix(t) > 0 {
		if p.prevBlank && p.blankAfter() {
			return p.heading(l, t)
		}
		// A heading that misses its blank lines is action; as a cue it
		// would make a character of "INT. HOUSE - DAY".
	} else if p.prevBlank {
		if strings.HasSuffix(t, "TO:") && isUpper(t) && p.blankAfter() {
			p.closeOpen()
			p.keep(l)
			p.add(Element{Type: Transition, Text: t, Line: l.num})
			p.prevBlank = false
			return nil
		}
		if p.nextFilled() && isCue(t) {
			p.character(l, t)
			return nil
		}
	}
	p.action(l)
	return nil
}

// action adds l, as written, to the action paragraph.
func (p *parser) action(l *line) {
	p.keep(l)
	p.extend(Action, trimRight(l.text), l.start, l.clean, l.num)
	p.prevBlank = false
}

// nextFilled reports whether the next visible line has text: a character
// cue needs its dialogue right below.
func (p *parser) nextFilled() bool { return p.hasNxt && !isBlank(p.nxt.text) }

// blankAfter reports whether a blank line or the end of the input follows
// the current line, looking through sections and synopses. Only heading and
// transition candidates ask, so the look-ahead past structure lines stays
// linear overall.
func (p *parser) blankAfter() bool {
	if !p.hasNxt {
		return true
	}
	l := p.nxt
	ahead := p.sc
	for {
		t, _ := trim(l.text)
		if !structural(t) {
			return t == ""
		}
		if !ahead.next(&l) {
			return true
		}
	}
}

// heading starts a new scene at l; t is the trimmed line without a forcing
// ".".
func (p *parser) heading(l *line, t string) *Error {
	if p.single {
		return &Error{Line: l.num, Msg: "scene heading " + strconv.Quote(t) +
			" inside a scene's content: a scene block holds one scene, its heading goes in the heading attribute"}
	}
	p.finish(l.start)
	head, number, location, tod := heading(t)
	p.scene = Scene{
		Number:         len(p.scenes) + 1,
		FountainNumber: number,
		Heading:        head,
		Location:       location,
		TimeOfDay:      tod,
		Line:           l.num,
	}
	p.headed = true
	p.rawStart = l.start
	p.keep(l)
	p.prevBlank = false
	return nil
}

// character adds the cue t (without a forcing "@") and opens its dialogue.
func (p *parser) character(l *line, t string) {
	name, ext, dual := cue(t)
	p.closeOpen()
	p.keep(l)
	p.add(Element{Type: Character, Text: name, Name: name, Extension: ext, Dual: dual, Line: l.num})
	p.inDialogue = true
	p.prevBlank = false
}

// add appends an element that no later line extends. It leaves the open
// element open: callers close it unless the new element is structure.
func (p *parser) add(e Element) {
	if len(p.elems) == cap(p.elems) {
		p.grow()
	}
	p.elems = append(p.elems, e)
}

// grow starts a new chunk of the arena and moves the scene's elements so
// far into it. Chunks double up to a few thousand elements, so a one-line
// parse stays small and a long screenplay rarely moves anything.
func (p *parser) grow() {
	const maxChunk = 4096
	n := len(p.elems) - p.from
	c := max(min(2*cap(p.elems), maxChunk), 2*n, 16)
	chunk := make([]Element, n, c)
	copy(chunk, p.elems[p.from:])
	p.elems, p.from = chunk, 0
}

// extend adds a line to the open element when it has type typ, else opens
// a new element. sub reports that text is s[off:off+len(text)].
func (p *parser) extend(typ ElementType, text string, off int, sub bool, num int) {
	if p.open >= 0 && p.elems[p.from+p.open].Type == typ {
		p.text.add(text, off, sub)
		return
	}
	p.closeOpen()
	p.add(Element{Type: typ, Line: num})
	p.open = len(p.elems) - 1 - p.from
	p.text.reset()
	p.text.add(text, off, sub)
}

func (p *parser) closeOpen() {
	if p.open < 0 {
		return
	}
	e := &p.elems[p.from+p.open]
	e.Text = p.text.String()
	if e.Type == Dialogue {
		// Two-space lines at the end of a block add nothing.
		e.Text = strings.TrimRight(e.Text, "\n")
	}
	p.open = -1
}

// keep adds l to the scene's content, right-trimmed; blank lines wait until
// text follows, so runs collapse and none lead or trail.
func (p *parser) keep(l *line) {
	if p.blankAt >= 0 {
		if p.content.n > 0 {
			p.content.add("", p.blankAt, true)
		}
		p.blankAt = -1
	}
	p.content.add(trimRight(l.text), l.start, l.clean)
}

func (p *parser) blank(l *line) {
	if p.blankAt < 0 {
		p.blankAt = l.start
	}
}

// finish closes the scene being read at offset end.
func (p *parser) finish(end int) {
	p.closeOpen()
	sc := p.scene
	sc.Raw = p.s[p.rawStart:end]
	sc.Content = p.content.String()
	if n := len(p.elems); n > p.from {
		sc.Elements = p.elems[p.from:n:n]
		p.from = n
	}
	p.content.reset()
	p.blankAt = -1
	switch {
	case p.headed:
		p.scenes = append(p.scenes, sc)
	case p.single || len(sc.Elements) > 0:
		p.prelude = &sc
	}
}
