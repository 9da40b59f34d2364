package sql

import (
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeAttrs decodes the JSON text of an object's attributes, with the
// number rules of normalize. Read decodes one per managed object, so this
// hand-written decoder stands in for encoding/json (four times slower here);
// anything it does not understand goes to decodeJSON.
func decodeAttrs(s string) (any, error) {
	d := attrDecoder{s: s}
	v, err := d.value()
	if err == nil {
		d.space()
		if d.i != len(d.s) {
			err = errAttrs
		}
	}
	if err != nil {
		return decodeJSON([]byte(s))
	}
	return v, nil
}

var errAttrs = errors.New("sql: malformed attrs")

type attrDecoder struct {
	s string
	i int
}

func (d *attrDecoder) space() {
	for d.i < len(d.s) && (d.s[d.i] == ' ' || d.s[d.i] == '\n' || d.s[d.i] == '\t' || d.s[d.i] == '\r') {
		d.i++
	}
}

func (d *attrDecoder) value() (any, error) {
	d.space()
	if d.i >= len(d.s) {
		return nil, errAttrs
	}
	switch c := d.s[d.i]; {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		return d.str()
	case c == 't' || c == 'f' || c == 'n':
		for _, lit := range []struct {
			text string
			v    any
		}{{"true", true}, {"false", false}, {"null", nil}} {
			if len(d.s)-d.i >= len(lit.text) && d.s[d.i:d.i+len(lit.text)] == lit.text {
				d.i += len(lit.text)
				return lit.v, nil
			}
		}
		return nil, errAttrs
	default:
		return d.number()
	}
}

func (d *attrDecoder) object() (any, error) {
	d.i++ // {
	m := map[string]any{}
	d.space()
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		return m, nil
	}
	for {
		d.space()
		if d.i >= len(d.s) || d.s[d.i] != '"' {
			return nil, errAttrs
		}
		k, err := d.str()
		if err != nil {
			return nil, err
		}
		d.space()
		if d.i >= len(d.s) || d.s[d.i] != ':' {
			return nil, errAttrs
		}
		d.i++
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		m[k] = v
		d.space()
		if d.i >= len(d.s) {
			return nil, errAttrs
		}
		switch d.s[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			return m, nil
		default:
			return nil, errAttrs
		}
	}
}

func (d *attrDecoder) array() (any, error) {
	d.i++ // [
	a := []any{}
	d.space()
	if d.i < len(d.s) && d.s[d.i] == ']' {
		d.i++
		return a, nil
	}
	for {
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		d.space()
		if d.i >= len(d.s) {
			return nil, errAttrs
		}
		switch d.s[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			return a, nil
		default:
			return nil, errAttrs
		}
	}
}

// str decodes a string; one without escapes is a substring of the input.
func (d *attrDecoder) str() (string, error) {
	d.i++ // "
	start := d.i
	for d.i < len(d.s) {
		switch c := d.s[d.i]; {
		case c == '"':
			d.i++
			if sub := d.s[start : d.i-1]; utf8.ValidString(sub) {
				return sub, nil
			}
			return "", errAttrs // encoding/json replaces invalid bytes
		case c == '\\':
			return d.escaped(start)
		case c < 0x20:
			return "", errAttrs
		}
		d.i++
	}
	return "", errAttrs
}

func (d *attrDecoder) escaped(start int) (string, error) {
	b := []byte(d.s[start:d.i])
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			if !utf8.Valid(b) {
				return "", errAttrs
			}
			return string(b), nil
		case c < 0x20:
			return "", errAttrs
		case c != '\\':
			b = append(b, c)
			d.i++
			continue
		}
		if d.i+1 >= len(d.s) {
			return "", errAttrs
		}
		e := d.s[d.i+1]
		d.i += 2
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return "", errAttrs
			}
			if utf16.IsSurrogate(r) {
				// Only a low surrogate that completes the pair is taken
				// with it; anything else is read on its own, as
				// encoding/json does (so "\ud800\u0000" keeps its NUL).
				pair := rune(utf8.RuneError)
				if d.i+1 < len(d.s) && d.s[d.i] == '\\' && d.s[d.i+1] == 'u' {
					save := d.i
					d.i += 2
					if lo, ok := d.hex4(); ok {
						pair = utf16.DecodeRune(r, lo)
					}
					if pair == utf8.RuneError {
						d.i = save
					}
				}
				r = pair
			}
			b = utf8.AppendRune(b, r)
		default:
			return "", errAttrs
		}
	}
	return "", errAttrs
}

func (d *attrDecoder) hex4() (rune, bool) {
	if d.i+4 > len(d.s) {
		return 0, false
	}
	n, err := strconv.ParseUint(d.s[d.i:d.i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	d.i += 4
	return rune(n), true
}

func (d *attrDecoder) number() (any, error) {
	start := d.i
	for d.i < len(d.s) {
		c := d.s[d.i]
		if (c < '0' || c > '9') && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E' {
			break
		}
		d.i++
	}
	text := d.s[start:d.i]
	if text == "" {
		return nil, errAttrs
	}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return n, nil
	}
	if _, err := strconv.ParseFloat(text, 64); err != nil {
		return nil, errAttrs
	}
	// The same rules as decodeJSON.
	return numbers(json.Number(text)), nil
}
