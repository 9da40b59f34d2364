package fountain

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// titlePage reads the title page when the document starts with one: lines
// of "Key: value", values continued on indented lines, up to the first
// blank line. Notes and boneyard in it are hidden like anywhere else.
func (p *parser) titlePage() []TitleField {
	if !p.hasNxt || !p.titleStart() {
		return nil
	}
	var fields []TitleField
	var parts []string // the current field's value lines
	flush := func() {
		switch len(parts) {
		case 0:
		case 1:
			fields[len(fields)-1].Value = parts[0]
		default:
			fields[len(fields)-1].Value = strings.Join(parts, "\n")
		}
		parts = parts[:0]
	}
	for p.hasNxt && !isBlank(p.nxt.text) {
		p.advance()
		l := &p.cur
		if !isSpace(l.text[0]) {
			if key, value, ok := titleKey(l.text); ok {
				if len(fields) > 0 {
					flush()
				}
				fields = append(fields, TitleField{Key: key, Line: l.num})
				if value != "" {
					parts = append(parts, value)
				}
				continue
			}
		}
		// An indented line continues the value; so does an unindented line
		// that is no key, which the spec does not allow but which loses
		// nothing this way.
		v, _ := trim(l.text)
		parts = append(parts, v)
	}
	flush()
	return fields
}

// titleStart reports whether the first visible line opens a title page.
func (p *parser) titleStart() bool {
	key, value, ok := titleKey(p.nxt.text)
	if !ok || headingPrefix(p.nxt.text) > 0 {
		return false
	}
	if value == "" && isUpper(key) {
		// A lone "FADE IN:" starts a screenplay that has no title page;
		// an upper-case key is one only with its value indented below.
		ahead := p.sc
		var l line
		if !ahead.next(&l) || isBlank(l.text) || !isSpace(l.text[0]) {
			return false
		}
	}
	return true
}

// titleKey splits a title page line "Key: value". A key starts with a
// letter and holds letters, digits, spaces and a little punctuation
// ("Draft date", "E-mail", "Writer(s)"), which keeps lines of action or a
// URL ("https://…") from reading as keys.
func titleKey(text string) (key, value string, ok bool) {
	i := strings.IndexByte(text, ':')
	if i <= 0 {
		return "", "", false
	}
	key = text[:i]
	if r, _ := utf8.DecodeRuneInString(key); !unicode.IsLetter(r) {
		return "", "", false
	}
	for _, r := range key {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(" \t-_'.&()", r) {
			return "", "", false
		}
	}
	value, _ = trim(text[i+1:])
	if strings.HasPrefix(value, "//") {
		return "", "", false
	}
	return trimRight(key), value, true
}

// Field returns the value of a title page key, matched case-insensitively;
// the first one wins when a key repeats.
func (s *Screenplay) Field(key string) (string, bool) {
	key = strings.TrimSpace(key)
	for _, f := range s.TitlePage {
		if strings.EqualFold(f.Key, key) {
			return f.Value, true
		}
	}
	return "", false
}

// Title is the title page's Title as one line of plain text: emphasis
// markers dropped and line breaks flattened to single spaces, as the
// scripts table stores it.
func (s *Screenplay) Title() string {
	v, _ := s.Field("Title")
	return flatten(v)
}

// Author is the first non-empty of the title page's Author, Authors, Writer
// and Writers, flattened like Title. Credit ("Written by") names the
// credit, not the writer, so it is used only when none of those is there.
func (s *Screenplay) Author() string {
	for _, k := range [...]string{"Author", "Authors", "Writer", "Writers", "Credit"} {
		if v := flatten(s.fieldValue(k)); v != "" {
			return v
		}
	}
	return ""
}

func (s *Screenplay) fieldValue(key string) string {
	v, _ := s.Field(key)
	return v
}

// flatten turns a title page value into one line of plain text: "*" and "_"
// emphasis markers go (a backslash-escaped one stays, as the character),
// and runs of whitespace and line breaks become one space.
func flatten(v string) string {
	var b strings.Builder
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && i+1 < len(v) && (v[i+1] == '*' || v[i+1] == '_' || v[i+1] == '\\'):
			i++
			c = v[i]
		case c == '*' || c == '_':
			continue
		case c == '\n' || isSpace(c):
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteByte(c)
	}
	return b.String()
}
