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

// Title is the script's title as ScriptRAG reads it: TitleValues' "title",
// as written ("" when there is none).
func (s *Screenplay) Title() string { return s.TitleValues["title"] }

// Author is the script's author as ScriptRAG reads it: the first of the
// keys author, authors, writer, writers and "written by" that TitleValues
// has, even when its value is empty. Credit is not one of them.
func (s *Screenplay) Author() string {
	for _, k := range [...]string{"author", "authors", "writer", "writers", "written by"} {
		if v, ok := s.TitleValues[k]; ok {
			return v
		}
	}
	return ""
}

// Metadata is what ScriptRAG's parser puts in a script's metadata from the
// title page: "season" and "episode" (an int64 when the value reads as a
// whole number the way Python's int() reads one, else the string),
// "series_title" (from series, series_title or show, the first present) and
// "project_title" (from project or project_title). Nil when none is there.
func (s *Screenplay) Metadata() map[string]any {
	tv := s.TitleValues
	var m map[string]any
	set := func(k string, v any) {
		if m == nil {
			m = map[string]any{}
		}
		m[k] = v
	}
	for _, k := range [...]string{"episode", "season"} {
		if v, ok := tv[k]; ok {
			if n, ok := PyInt(v); ok {
				set(k, n)
			} else {
				set(k, v)
			}
		}
	}
	for _, k := range [...]string{"series", "series_title", "show"} {
		if v, ok := tv[k]; ok {
			set("series_title", v)
			break
		}
	}
	for _, k := range [...]string{"project", "project_title"} {
		if v, ok := tv[k]; ok {
			set("project_title", v)
			break
		}
	}
	return m
}

// PyInt reads a whole number the way Python's int() reads a string:
// surrounding whitespace, an optional sign, decimal digits with single
// underscores between them. ok is false otherwise or on overflow. Unlike
// int() it takes ASCII digits only: "٣" stays a string.
func PyInt(v string) (n int64, ok bool) {
	v = pyStrip(v)
	neg := false
	if v != "" && (v[0] == '+' || v[0] == '-') {
		neg = v[0] == '-'
		v = v[1:]
	}
	if v == "" || v[0] == '_' || v[len(v)-1] == '_' || strings.Contains(v, "__") {
		return 0, false
	}
	for _, r := range v {
		if r == '_' {
			continue
		}
		if r < '0' || r > '9' {
			return 0, false
		}
		d := int64(r - '0')
		if n > (1<<63-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	if neg {
		n = -n
	}
	return n, true
}
