package fountain

// This file holds the tests a line passes to be one element or another, and
// the splitting of headings and cues into their parts.

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// headingPrefix is the length of the scene heading prefix that starts t
// ("INT. ", "EXT ", "INT./EXT. ", "I/E. ", "EST."), with the dots and spaces
// after it, or 0 when t has none. The spec's prefixes are INT, EXT, EST,
// INT./EXT, INT/EXT and I/E, case-insensitive, followed by "." or a space;
// "EXT./INT." is read too, as INT./EXT.'s mirror.
func headingPrefix(t string) int {
	if len(t) < 3 {
		return 0
	}
	var n int
	switch t[0] {
	case 'I', 'i':
		switch {
		case hasPrefixFold(t, "INT/EXT"):
			n = 7
		case hasPrefixFold(t, "INT"), hasPrefixFold(t, "I/E"):
			n = 3
		}
	case 'E', 'e':
		if hasPrefixFold(t, "EXT") || hasPrefixFold(t, "EST") {
			n = 3
		}
	}
	if n == 0 || n == len(t) || (t[n] != '.' && !isSpace(t[n])) {
		return 0
	}
	if t[n] == '.' {
		n++
		if n < len(t) && t[n] == '/' {
			if hasPrefixFold(t[n+1:], "EXT") || hasPrefixFold(t[n+1:], "INT") {
				n += 4
			} else if hasPrefixFold(t[n+1:], "E") {
				n += 2
			}
			if n < len(t) && t[n] == '.' {
				n++
			}
		}
	}
	for n < len(t) && isSpace(t[n]) {
		n++
	}
	return n
}

// hasPrefixFold is strings.HasPrefix ignoring ASCII case; prefix is upper
// case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

// forcedHeading reports whether t forces a scene heading: a single "."
// followed by a letter or digit. ".." and "..." start action or dialogue.
func forcedHeading(t string) bool {
	if len(t) < 2 || t[0] != '.' {
		return false
	}
	r, _ := utf8.DecodeRuneInString(t[1:])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// heading splits a trimmed heading line (forcing "." already removed) into
// the heading as ScriptRAG stores it (the line, scene number included), its
// Fountain scene number, and the location and time of day as ScriptRAG
// reads them (see headingLocation and headingTime).
func heading(t string) (head, number, location, timeOfDay string) {
	_, number = sceneNumber(t)
	return t, number, headingLocation(t), headingTime(t)
}

// sceneNumber takes a trailing scene number ("#12A#", "#I-1-A#", "#1.#":
// letters, digits, "-" and ".") off a heading.
func sceneNumber(t string) (head, number string) {
	if len(t) < 3 || t[len(t)-1] != '#' {
		return t, ""
	}
	i := strings.LastIndexByte(t[:len(t)-1], '#')
	if i < 0 || i == len(t)-2 {
		return t, ""
	}
	num := t[i+1 : len(t)-1]
	for _, r := range num {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '.' {
			return t, ""
		}
	}
	return trimRight(t[:i]), num
}

// cue splits a character cue (without a forcing "@") into the name, its
// extensions ("V.O.", "CONT'D", several joined by " ") and the dual
// dialogue mark "^".
func cue(t string) (name, extension string, dual bool) {
	t = trimRight(t)
	for strings.HasSuffix(t, "^") {
		dual = true
		t = trimRight(t[:len(t)-1])
	}
	i := strings.IndexByte(t, '(')
	if i < 0 {
		return t, "", dual
	}
	// "STEEL ^ (O.S.)" marks dual dialogue as well as "STEEL (O.S.) ^".
	name = trimRight(t[:i])
	for strings.HasSuffix(name, "^") {
		dual = true
		name = trimRight(name[:len(name)-1])
	}
	var buf [4]string
	exts := buf[:0]
	for rest := t[i:]; ; {
		rest, _ = trim(rest)
		if rest == "" {
			break
		}
		if rest[0] != '(' {
			// Text after an extension ("BOB (V.O.) JR."): keep it, it is
			// not part of the name we match characters by.
			exts = append(exts, rest)
			break
		}
		j := strings.IndexByte(rest, ')')
		if j < 0 {
			e, _ := trim(rest[1:])
			exts = append(exts, e)
			break
		}
		if e, _ := trim(rest[1:j]); e != "" {
			exts = append(exts, e)
		}
		rest = rest[j+1:]
	}
	switch len(exts) {
	case 0:
		return name, "", dual
	case 1:
		return name, exts[0], dual
	}
	return name, strings.Join(exts, " "), dual
}

// isCue reports whether t (without a forcing "@") reads as a character cue:
// a name, and the line entirely in upper case outside its parenthesized
// extensions, which may be in either case ("BOB (cont'd)"). Lower-case text
// anywhere else ("CYBER BOSS, 40 (or any age), an ageless,") makes the line
// action. An unclosed "(" opens no extension.
func isCue(t string) bool {
	if name, _, _ := cue(t); name == "" {
		return false
	}
	var b strings.Builder
	for rest := t; rest != ""; {
		i := strings.IndexByte(rest, '(')
		if i < 0 {
			b.WriteString(rest)
			break
		}
		j := strings.IndexByte(rest[i:], ')')
		if j < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		b.WriteByte(' ')
		rest = rest[i+j+1:]
	}
	return isUpper(b.String())
}

// isUpper reports whether s is "entirely in uppercase" as the spec wants
// of character cues and transitions: at least one upper-case letter and
// no lower-case one. Digits and punctuation do not count either way, and
// neither do letters without case, so a line of Chinese is not a cue.
func isUpper(s string) bool {
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z':
			return false
		case 'A' <= c && c <= 'Z':
			upper = true
		case c >= utf8.RuneSelf:
			for _, r := range s[i:] {
				if unicode.IsLower(r) {
					return false
				}
				if unicode.IsUpper(r) {
					upper = true
				}
			}
			return upper
		}
	}
	return upper
}

func isPageBreak(t string) bool {
	if len(t) < 3 {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] != '=' {
			return false
		}
	}
	return true
}

// structural reports whether a trimmed line, outside dialogue, is a section
// or a synopsis: structure that the blank-line rules look through.
func structural(t string) bool {
	return t != "" && (t[0] == '#' || (t[0] == '=' && !isPageBreak(t)))
}
