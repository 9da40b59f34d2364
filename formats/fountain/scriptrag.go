package fountain

// This file holds the readings where scriptsync follows ScriptRAG's indexer
// (github.com/trieloff/scriptrag) rather than its own judgement, because
// ScriptRAG's readers look rows up by them: a scene's location and time of
// day, the title page as the jouvence parser reads it, and the scene text
// ScriptRAG hashes to name a scene's embedding file.

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"unicode"
)

// headingLocation is a heading's location as ScriptRAG reads it: after an
// "INT./EXT." or a four-character "INT." "EXT." "I/E." "INT " "EXT " "I/E "
// prefix (case-insensitive; no other prefix is taken off), the text before
// the last " - ", or all of it. "EXT. PARK--DAY" is "PARK--DAY".
func headingLocation(h string) string {
	rest := h
	switch u := strings.ToUpper(h); {
	case strings.HasPrefix(u, "INT./EXT."):
		rest = pyStrip(h[len("INT./EXT."):])
	case hasAnyPrefix(u, "INT.", "EXT.", "I/E.", "I/E ", "INT ", "EXT "):
		rest = pyStrip(h[4:])
	}
	if i := strings.LastIndex(rest, " - "); i >= 0 {
		return pyStrip(rest[:i])
	}
	if strings.HasPrefix(pyStrip(rest), "- ") {
		return ""
	}
	return pyStrip(rest)
}

// timeWords are the times of day ScriptRAG recognises, in the order it
// tries them: the first found as a whole word wins, so "MOMENTS LATER" is
// LATER and "LATER THAT DAY" is DAY.
var timeWords = [...]string{
	"DAY", "NIGHT", "MORNING", "AFTERNOON", "EVENING", "DAWN", "DUSK",
	"CONTINUOUS", "LATER", "MOMENTS LATER", "SUNSET", "SUNRISE", "NOON",
}

// headingTime is a heading's time of day as ScriptRAG reads it: a word of
// timeWords in the upper-cased text after the last " - " (the whole heading
// when there is none, so "INT. DAY CARE" is DAY), MIDNIGHT reading as
// NIGHT; "" when none is there ("DUSK" yes, "SAME" no).
func headingTime(h string) string {
	last := strings.ToUpper(h)
	if i := strings.LastIndex(last, " - "); i >= 0 {
		last = last[i+len(" - "):]
	}
	if hasWord(last, "MIDNIGHT") {
		return "NIGHT"
	}
	for _, w := range timeWords {
		if hasWord(last, w) {
			return w
		}
	}
	return ""
}

// hasWord reports whether w occurs in s between word boundaries, as a
// regular expression's \b sees them with Unicode word characters.
func hasWord(s, w string) bool {
	for from := 0; ; {
		i := strings.Index(s[from:], w)
		if i < 0 {
			return false
		}
		i += from
		j := i + len(w)
		before, after := ' ', ' '
		if i > 0 {
			before = lastRune(s[:i])
		}
		if j < len(s) {
			for _, r := range s[j:] {
				after = r
				break
			}
		}
		if !isWordRune(before) && !isWordRune(after) {
			return true
		}
		from = i + 1
	}
}

func lastRune(s string) rune {
	var last rune
	for _, r := range s {
		last = r
	}
	return last
}

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r) }

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// pyStrip trims whitespace the way Python's str.strip does (Unicode
// whitespace, including the file and group separators).
func pyStrip(s string) string { return strings.TrimFunc(s, pySpace) }

func pySpace(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) }

// boneyardRE is a boneyard as ScriptRAG removes it before the title page
// is read: "/*" to the nearest "*/", across lines.
var boneyardRE = regexp.MustCompile(`(?s)/\*.*?\*/`)

// titleValues reads the title page the way the jouvence parser, which
// ScriptRAG uses, does, on the input with boneyard removed: lines split at
// "\n" only; a line of "key: value" (key of word characters, spaces and
// "-", so "Writer(s):" is no key) starts a field, even indented, which makes
// "    Episode 1: Pilot" under "Title: Show" a field of its own; any other
// line continues the value, left-trimmed, its line break kept; a line that
// is empty (or only "/*" or "*/") ends the page. Keys are
// lower-cased with any leading or trailing space they had; a repeated key
// keeps its last value. A lone "FADE IN:" is a key with an empty value here
// (jouvence reads the body from the first line again, but keeps the key).
// Nil when the first line is no key.
func titleValues(s string) map[string]string {
	first := s
	if i := strings.IndexAny(first, "\r\n"); i >= 0 {
		first = first[:i]
	}
	if _, _, ok := titleKeyJouvence(first); !ok && !strings.Contains(first, "/*") {
		return nil // the common body-only file: no need to read further
	}
	s = boneyardRE.ReplaceAllString(pyText(s), "")
	lines := titleLines(s)
	if len(lines) == 0 {
		return nil
	}
	if _, _, ok := titleKeyJouvence(lines[0]); !ok {
		return nil
	}
	vals := map[string]string{}
	key, open := "", false
	var val strings.Builder
	commit := func() {
		if open {
			vals[key] = strings.TrimRight(val.String(), "\r\n")
			open = false
		}
	}
	for i, l := range lines {
		if k, v, ok := titleKeyJouvence(l); ok {
			commit()
			key, open = k, true
			val.Reset()
			val.WriteString(v)
		} else {
			val.WriteString(strings.TrimLeftFunc(l, pySpace))
		}
		if i+1 == len(lines) {
			break
		}
		if jouvenceEmpty(lines[i+1]) {
			break
		}
	}
	commit()
	return vals
}

// titleLines splits s after each "\n", up to the first empty line after
// the first (jouvence reads no further), that one included.
func titleLines(s string) []string {
	var lines []string
	for s != "" {
		i := strings.IndexByte(s, '\n') + 1
		if i == 0 {
			i = len(s)
		}
		l := s[:i]
		lines = append(lines, l)
		s = s[i:]
		if len(lines) > 1 && jouvenceEmpty(l) {
			break
		}
	}
	return lines
}

// titleKeyJouvence matches a title page key line: key characters up to a
// ":", then the value after the spaces that follow it. The key keeps the
// spaces around it, lower-cased.
func titleKeyJouvence(l string) (key, value string, ok bool) {
	i := 0
	for i < len(l) {
		r, n := rune(l[i]), 1
		if r >= 0x80 {
			for _, rr := range l[i:] {
				r = rr
				break
			}
			n = len(string(r))
		}
		if !isWordRune(r) && !pySpace(r) && r != '-' {
			break
		}
		i += n
	}
	if i == 0 || i == len(l) || l[i] != ':' {
		return "", "", false
	}
	return strings.ToLower(l[:i]), strings.TrimLeftFunc(l[i+1:], pySpace), true
}

func jouvenceEmpty(l string) bool {
	l = strings.TrimSuffix(l, "\n")
	return l == "" || l == "/*" || l == "*/"
}

// nextSceneStart is where ScriptRAG takes the next scene to start when it
// cuts a scene's text out of the file, or -1: the first line start (the
// beginning of s, or just after a "\n") where a heading prefix in
// capitals begins. ScriptRAG writes it as the regular expression
// (?m)^(INT\.|EXT\.|EST\.|INT\./EXT\.|I/E\.); scanning the line starts by
// hand costs a fraction of what the expression does, which tries every
// position of every scene.
func nextSceneStart(s string) int {
	for i := 0; i <= len(s); {
		if rest := s[i:]; strings.HasPrefix(rest, "INT.") || strings.HasPrefix(rest, "EXT.") ||
			strings.HasPrefix(rest, "EST.") || strings.HasPrefix(rest, "I/E.") {
			return i
		}
		nl := strings.IndexByte(s[i:], '\n')
		if nl < 0 {
			return -1
		}
		i += nl + 1
	}
	return -1
}

// metaBoneyardRE is ScriptRAG's own metadata block, left out of the text
// it hashes.
var metaBoneyardRE = regexp.MustCompile(`(?s)/\*\s*SCRIPTRAG-META-START\s*\n(.*?)\nSCRIPTRAG-META-END\s*\*/\n?`)

// ScriptRAGHash is the hex SHA-256 that ScriptRAG's indexer computes for
// scene sc of s: scenes.content_hash keeps its first 16 characters, and
// the scene's embedding file is embeddings/<hash>.npy. It hashes the file's
// text, not Content: from the first occurrence of the heading line in the
// file (as jouvence holds it: without a forcing "." and the line break) to
// the next line that starts with a heading prefix in capitals, or the end;
// right-trimmed, without SCRIPTRAG-META blocks, trimmed. Two scenes with the
// same heading hash alike, as in ScriptRAG. "" for the prelude, which
// ScriptRAG has no scene for. It reads the whole file up to the scene: call
// it when the hash is needed, not for every parse.
func (s *Screenplay) ScriptRAGHash(sc *Scene) string {
	if sc == nil || sc.Number == 0 {
		return ""
	}
	return scriptRAGHash(pyText(s.src), jouvenceHeading(sc.Raw))
}

func scriptRAGHash(doc, headingLine string) string {
	text := headingLine
	if start := strings.Index(doc, headingLine); start >= 0 {
		end := len(doc)
		if i := nextSceneStart(doc[start+len(headingLine):]); i >= 0 {
			end = start + len(headingLine) + i
		}
		text = strings.TrimRightFunc(doc[start:end], pySpace)
	}
	if strings.Contains(text, "SCRIPTRAG-META-START") {
		text = metaBoneyardRE.ReplaceAllString(text, "")
	}
	text = pyStrip(text)
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// pyText is the input as ScriptRAG reads a file (Python's universal
// newlines): "\r\n" and a lone "\r" become "\n"; a BOM stays.
func pyText(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// jouvenceHeading is a heading line as jouvence stores it: the line without
// its line break and without leading dots.
func jouvenceHeading(raw string) string {
	if i := strings.IndexAny(raw, "\r\n"); i >= 0 {
		raw = raw[:i]
	}
	return strings.TrimLeft(raw, ".")
}
