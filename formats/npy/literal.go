package npy

import (
	"fmt"
	"strconv"
	"strings"
)

// The .npy header is a Python dict literal that numpy writes with repr()
// and reads with ast.literal_eval. parseLiteral understands the subset that
// can appear there (dicts, tuples, lists, strings, integers, True, False,
// None) so that a header is read the way numpy reads it, with any spacing
// and trailing commas, and without evaluating anything.

// tuple and list keep Python's distinction: a shape must be a tuple.
type (
	tuple []any
	list  []any
)

// maxDepth bounds nesting so a hostile header cannot recurse deeply.
const maxDepth = 16

type literalParser struct {
	s   string
	pos int
}

// parseLiteral parses one Python literal that spans all of s (surrounding
// whitespace allowed).
func parseLiteral(s string) (any, error) {
	p := &literalParser{s: s}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.s) {
		return nil, p.errorf("unexpected %s after the dictionary", p.peekDesc())
	}
	return v, nil
}

func (p *literalParser) errorf(format string, args ...any) error {
	return fmt.Errorf("at column %d: %s", p.pos+1, fmt.Sprintf(format, args...))
}

func (p *literalParser) skipSpace() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			p.pos++
		default:
			return
		}
	}
}

// peekDesc describes the next character for error messages.
func (p *literalParser) peekDesc() string {
	if p.pos >= len(p.s) {
		return "end of header"
	}
	return strconv.QuoteRune(rune(p.s[p.pos]))
}

func (p *literalParser) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, p.errorf("nested more than %d levels deep", maxDepth)
	}
	p.skipSpace()
	if p.pos >= len(p.s) {
		return nil, p.errorf("unexpected end of header, expected a value")
	}
	switch c := p.s[p.pos]; {
	case c == '{':
		return p.dict(depth)
	case c == '(':
		return p.sequence(depth, '(', ')')
	case c == '[':
		return p.sequence(depth, '[', ']')
	case c == '\'' || c == '"':
		return p.str()
	case c == '-' || c == '+' || ('0' <= c && c <= '9'):
		return p.integer()
	case isIdentStart(c):
		start := p.pos
		for p.pos < len(p.s) && isIdentChar(p.s[p.pos]) {
			p.pos++
		}
		switch word := p.s[start:p.pos]; word {
		case "True":
			return true, nil
		case "False":
			return false, nil
		case "None":
			return nil, nil
		default:
			p.pos = start
			return nil, p.errorf("unexpected name %q, expected a literal", word)
		}
	default:
		return nil, p.errorf("unexpected %s, expected a value", p.peekDesc())
	}
}

func (p *literalParser) dict(depth int) (any, error) {
	p.pos++ // '{'
	m := map[string]any{}
	for {
		p.skipSpace()
		if p.pos < len(p.s) && p.s[p.pos] == '}' {
			p.pos++
			return m, nil
		}
		key, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		k, ok := key.(string)
		if !ok {
			return nil, p.errorf("dictionary key %v is not a string", key)
		}
		if _, dup := m[k]; dup {
			return nil, p.errorf("key %q appears twice", k)
		}
		p.skipSpace()
		if p.pos >= len(p.s) || p.s[p.pos] != ':' {
			return nil, p.errorf("unexpected %s, expected ':' after key %q", p.peekDesc(), k)
		}
		p.pos++
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		m[k] = v
		p.skipSpace()
		if p.pos >= len(p.s) {
			return nil, p.errorf("unexpected end of header, expected ',' or '}'")
		}
		switch p.s[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return m, nil
		default:
			return nil, p.errorf("unexpected %s, expected ',' or '}'", p.peekDesc())
		}
	}
}

// sequence parses a tuple or a list. As in Python, "(x)" without a comma is
// x itself, not a one-element tuple.
func (p *literalParser) sequence(depth int, open, close byte) (any, error) {
	p.pos++ // open
	var items []any
	sawComma := false
	for {
		p.skipSpace()
		if p.pos < len(p.s) && p.s[p.pos] == close {
			p.pos++
			break
		}
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		items = append(items, v)
		p.skipSpace()
		if p.pos >= len(p.s) {
			return nil, p.errorf("unexpected end of header, expected ',' or %q", close)
		}
		if p.s[p.pos] == ',' {
			p.pos++
			sawComma = true
			continue
		}
		if p.s[p.pos] != close {
			return nil, p.errorf("unexpected %s, expected ',' or %q", p.peekDesc(), close)
		}
		p.pos++
		break
	}
	if open == '[' {
		return list(items), nil
	}
	if len(items) == 1 && !sawComma {
		return items[0], nil
	}
	return tuple(items), nil
}

func (p *literalParser) str() (any, error) {
	quote := p.s[p.pos]
	p.pos++
	var b strings.Builder
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == quote:
			p.pos++
			return b.String(), nil
		case c == '\n':
			return nil, p.errorf("string is not closed before the end of the line")
		case c == '\\':
			if p.pos+1 >= len(p.s) {
				return nil, p.errorf("unexpected end of header in a string")
			}
			esc := p.s[p.pos+1]
			p.pos += 2
			switch esc {
			case '\\', '\'', '"':
				b.WriteByte(esc)
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				// Other escapes cannot occur in a dtype string; keep them
				// verbatim so the dtype check reports the odd value.
				b.WriteByte('\\')
				b.WriteByte(esc)
			}
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return nil, p.errorf("unexpected end of header in a string")
}

func (p *literalParser) integer() (any, error) {
	start := p.pos
	if c := p.s[p.pos]; c == '-' || c == '+' {
		p.pos++
	}
	digits := p.pos
	for p.pos < len(p.s) && '0' <= p.s[p.pos] && p.s[p.pos] <= '9' {
		p.pos++
	}
	if p.pos == digits {
		p.pos = start
		return nil, p.errorf("unexpected %s, expected a number", p.peekDesc())
	}
	text := p.s[start:p.pos]
	// Python 2 numpy wrote shapes as (384L,).
	if p.pos < len(p.s) && (p.s[p.pos] == 'L' || p.s[p.pos] == 'l') {
		p.pos++
	}
	if p.pos < len(p.s) && (p.s[p.pos] == '.' || p.s[p.pos] == 'e' || p.s[p.pos] == 'E') {
		return nil, p.errorf("%s... is not an integer", text)
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return nil, p.errorf("integer %s is out of range", text)
	}
	return n, nil
}

func isIdentStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isIdentChar(c byte) bool {
	return isIdentStart(c) || '0' <= c && c <= '9'
}

// pyRepr renders a parsed value back in Python syntax for error messages.
func pyRepr(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		if v {
			return "True"
		}
		return "False"
	case int64:
		return strconv.FormatInt(v, 10)
	case string:
		return "'" + strings.ReplaceAll(v, "'", `\'`) + "'"
	case tuple:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = pyRepr(x)
		}
		if len(parts) == 1 {
			return "(" + parts[0] + ",)"
		}
		return "(" + strings.Join(parts, ", ") + ")"
	case list:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = pyRepr(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		return "{...}"
	default:
		return fmt.Sprint(v)
	}
}
