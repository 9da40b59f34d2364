// Package markdown splits a script bible, a Markdown file, into the chunks
// ScriptRAG's bible parser makes of it: one per heading, with the text
// below it, the heading level and the chunk it sits under. It is pure:
// bytes in, chunks out, no I/O.
package markdown

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
)

// Chunk is one section of a bible, from a heading to the next.
type Chunk struct {
	Number      int // 1-based position in the file
	Heading     string
	Level       int    // 1-6; 0 for text before the first heading
	Content     string // the text below the heading, without the heading line
	ContentHash string // hex SHA-256 of Heading + "\n" + Content, as ScriptRAG hashes a chunk
	Parent      int    // Number of the enclosing chunk, 0 for none
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Chunks splits a bible into chunks the way ScriptRAG's bible parser
// does (it reads the file with markdown-it, CommonMark with tables):
//
//   - A chunk is a heading (ATX or setext) and the blocks below it up to
//     the next heading; text before the first heading is a chunk with level
//     0 and no heading, when there is any. A thematic break (---) ends the
//     chunk early: the blocks after it are a new chunk under the same
//     heading and level.
//   - Content is the blocks' text joined with "\n", trimmed, without the
//     heading line: paragraphs (their lines left-trimmed), list items and
//     quotes without their markers, "[TABLE]" and then each cell, code
//     fenced with ``` (its info string kept). HTML blocks are left out, and
//     so are blank lines between blocks.
//   - A heading with nothing below it is a chunk with empty content, except
//     at the end of the file, where ScriptRAG drops it.
//   - Parents follow ScriptRAG's stack: a chunk of level n sits under the
//     last chunk recorded at level min(n-1, depth) where depth is how many
//     levels the stack holds (levels skipped hold nothing, so no parent).
//     A chunk that a thematic break ends is not recorded.
//
// This is a line-based reading of the CommonMark block structure, close to
// markdown-it's for the Markdown bibles are written in; nested containers
// (a list inside a quote, say) are flattened more simply than markdown-it
// does.
func Chunks(data []byte) []Chunk {
	text := strings.TrimPrefix(string(data), "\ufeff")
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	var (
		chunks  []Chunk
		body    []string
		heading *string // nil: no heading yet (ScriptRAG's None)
		level   int
		stack   []int // chunk numbers (0-based) by level; -1 for none
	)
	parentOf := func(level int) int {
		k := min(level-1, len(stack))
		if k >= 1 && stack[k-1] >= 0 {
			return stack[k-1] + 1
		}
		return 0
	}
	save := func() {
		h := ""
		if heading != nil {
			h = *heading
		}
		content := strings.TrimSpace(strings.Join(body, "\n"))
		chunks = append(chunks, Chunk{
			Number:      len(chunks) + 1,
			Heading:     h,
			Level:       level,
			Content:     content,
			ContentHash: sha256Hex(h + "\n" + content),
			Parent:      parentOf(level),
		})
		body = body[:0]
	}
	for _, ev := range markdownBlocks(text) {
		switch ev.kind {
		case mdHeading:
			if len(body) > 0 || heading != nil {
				save()
				n := len(chunks) - 1
				for len(stack) < level {
					stack = append(stack, -1)
				}
				if level > 0 {
					stack[level-1] = n
				}
				stack = stack[:level]
			}
			h := ev.text
			heading, level = &h, ev.level
		case mdBreak:
			if len(body) > 0 {
				save()
			}
		default:
			body = append(body, ev.text)
		}
	}
	if len(body) > 0 || (heading != nil && *heading != "" && len(chunks) == 0) {
		save()
	}
	if len(chunks) == 0 && strings.TrimSpace(text) != "" {
		content := strings.TrimSpace(text)
		chunks = append(chunks, Chunk{Number: 1, Content: content, ContentHash: sha256Hex("\n" + content)})
	}
	return chunks
}

type mdKind int

const (
	mdText mdKind = iota
	mdHeading
	mdBreak
)

// mdBlock is one piece of a Markdown document as the chunker sees it: a
// heading, a thematic break, or one text that goes into a chunk.
type mdBlock struct {
	kind  mdKind
	level int
	text  string
}

// markdownBlocks reads the block structure of a Markdown document.
func markdownBlocks(text string) []mdBlock {
	lines := strings.Split(text, "\n")
	var out []mdBlock
	var para []string // the open paragraph's lines, left-trimmed
	inQuote := false  // the last line was part of a quote
	flush := func() {
		if len(para) > 0 {
			out = append(out, mdBlock{text: strings.TrimSpace(strings.Join(para, "\n"))})
			para = para[:0]
		}
	}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trimmed := strings.TrimLeft(line, " \t")
		indent := len(line) - len(trimmed)
		switch {
		case trimmed == "":
			flush()
			inQuote = false
			continue
		case indent >= 4 && len(para) == 0:
			// Indented code, to the next unindented line.
			var code []string
			j := i
			for ; j < len(lines); j++ {
				l := lines[j]
				if strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "    ") && !strings.HasPrefix(l, "\t") {
					break
				}
				code = append(code, strings.TrimPrefix(strings.TrimPrefix(l, "\t"), "    "))
			}
			for len(code) > 0 && strings.TrimSpace(code[len(code)-1]) == "" {
				code = code[:len(code)-1]
				j--
			}
			out = append(out, mdBlock{text: "```\n" + strings.Join(code, "\n") + "\n\n```"})
			i = j - 1
			continue
		}
		if indent > 3 {
			para = append(para, trimmed)
			continue
		}
		if fence := fenceOpen(trimmed); fence != "" {
			flush()
			info := strings.TrimSpace(strings.TrimLeft(trimmed, fence[:1]))
			var code []string
			j := i + 1
			for ; j < len(lines); j++ {
				t := strings.TrimLeft(lines[j], " ")
				if strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]+" \t") == "" {
					break
				}
				code = append(code, lines[j])
			}
			if len(code) > 0 {
				out = append(out, mdBlock{text: "```" + info + "\n" + strings.Join(code, "\n") + "\n\n```"})
			}
			i = j
			continue
		}
		if level, h, ok := atxHeading(line); ok {
			flush()
			out = append(out, mdBlock{kind: mdHeading, level: level, text: h})
			continue
		}
		if len(para) > 0 {
			if c := setextLevel(trimmed); c > 0 {
				out = append(out, mdBlock{kind: mdHeading, level: c, text: strings.TrimSpace(strings.Join(para, "\n"))})
				para = para[:0]
				continue
			}
		}
		if thematicBreak(trimmed) {
			flush()
			out = append(out, mdBlock{kind: mdBreak})
			continue
		}
		if len(para) == 0 && isHTMLStart(trimmed) {
			// HTML blocks carry no text for ScriptRAG: skip to a blank line.
			for i+1 < len(lines) && strings.TrimSpace(lines[i+1]) != "" {
				i++
			}
			continue
		}
		if len(para) == 0 && i+1 < len(lines) && strings.Contains(trimmed, "|") && tableDelimiter(lines[i+1]) {
			out = append(out, mdBlock{text: "[TABLE]"})
			out = appendCells(out, trimmed)
			i++
			for i+1 < len(lines) && strings.TrimSpace(lines[i+1]) != "" && strings.Contains(lines[i+1], "|") {
				i++
				out = appendCells(out, strings.TrimSpace(lines[i]))
			}
			continue
		}
		quote := strings.HasPrefix(trimmed, ">")
		if rest, item := blockMarker(trimmed); item || quote != inQuote {
			// A list item starts a paragraph of its own, and so does the
			// start or end of a quote; the quote's lines join.
			flush()
			trimmed = rest
		} else {
			trimmed = rest
		}
		inQuote = quote
		if trimmed != "" {
			para = append(para, trimmed)
		}
	}
	flush()
	return out
}

// fenceOpen returns the fence (three or more ` or ~) that opens a code
// block at the start of t, or "".
func fenceOpen(t string) string {
	for _, c := range "`~" {
		n := 0
		for n < len(t) && rune(t[n]) == c {
			n++
		}
		if n >= 3 && (c == '~' || !strings.Contains(t[n:], "`")) {
			return t[:n]
		}
	}
	return ""
}

// setextLevel is 1 for a line of =, 2 for a line of -, 0 otherwise.
func setextLevel(t string) int {
	t = strings.TrimRight(t, " \t")
	switch {
	case t == "":
		return 0
	case strings.Trim(t, "=") == "":
		return 1
	case strings.Trim(t, "-") == "":
		return 2
	}
	return 0
}

// thematicBreak reports a line of three or more -, * or _ (spaces between
// allowed).
func thematicBreak(t string) bool {
	s := strings.ReplaceAll(strings.ReplaceAll(t, " ", ""), "\t", "")
	if len(s) < 3 {
		return false
	}
	c := s[0]
	return (c == '-' || c == '*' || c == '_') && strings.Count(s, string(c)) == len(s)
}

// blockMarker takes quote markers ("> ", nested ones too) and list item
// markers ("- ", "* ", "+ ", "1. ", "1) ") off the start of t; item reports
// a list marker.
func blockMarker(t string) (rest string, item bool) {
	for {
		switch {
		case strings.HasPrefix(t, ">"):
			t = strings.TrimLeft(t[1:], " \t")
			continue
		case len(t) >= 2 && strings.ContainsRune("-*+", rune(t[0])) && (t[1] == ' ' || t[1] == '\t'):
			t, item = strings.TrimLeft(t[2:], " \t"), true
			continue
		case len(t) == 1 && strings.ContainsRune("-*+", rune(t[0])):
			return "", true
		}
		n := 0
		for n < len(t) && n < 9 && t[n] >= '0' && t[n] <= '9' {
			n++
		}
		if n > 0 && n < len(t) && (t[n] == '.' || t[n] == ')') && (n+1 == len(t) || t[n+1] == ' ' || t[n+1] == '\t') {
			t, item = strings.TrimLeft(t[n+1:], " \t"), true
			continue
		}
		return t, item
	}
}

// isHTMLStart reports a line that opens an HTML block: a tag, a comment,
// a declaration.
func isHTMLStart(t string) bool {
	if len(t) < 2 || t[0] != '<' {
		return false
	}
	c := t[1]
	return c == '!' || c == '?' || c == '/' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// tableDelimiter reports a table's delimiter row: |---|:--:|.
func tableDelimiter(l string) bool {
	l = strings.TrimSpace(l)
	if !strings.Contains(l, "-") || strings.Trim(l, "|-: \t") != "" {
		return false
	}
	return strings.Contains(l, "|")
}

func appendCells(out []mdBlock, row string) []mdBlock {
	row = strings.TrimSuffix(strings.TrimPrefix(row, "|"), "|")
	for _, cell := range strings.Split(row, "|") {
		if c := strings.TrimSpace(cell); c != "" {
			out = append(out, mdBlock{text: c})
		}
	}
	return out
}

// atxHeading recognises "## Heading" (up to three spaces of indentation,
// a space after the #s, optional closing #s).
func atxHeading(line string) (int, string, bool) {
	indent := len(line) - len(strings.TrimLeft(line, " "))
	if indent > 3 {
		return 0, "", false
	}
	s := line[indent:]
	level := 0
	for level < len(s) && s[level] == '#' {
		level++
	}
	if level == 0 || level > 6 || (level < len(s) && s[level] != ' ' && s[level] != '\t') {
		return 0, "", false
	}
	heading := strings.TrimSpace(s[level:])
	if t := strings.TrimRight(heading, "#"); t == "" || strings.HasSuffix(t, " ") || strings.HasSuffix(t, "\t") {
		heading = strings.TrimSpace(t)
	}
	return level, heading, true
}

// Title is a bible's title as ScriptRAG's bible parser finds it: the
// first level-1 heading, else the file name without its extension, "_" and
// "-" read as spaces, in title case ("world.bible.md" is "World.Bible").
func Title(chunks []Chunk, path string) string {
	for _, c := range chunks {
		if c.Level == 1 && c.Heading != "" {
			return c.Heading
		}
	}
	stem := path[strings.LastIndexByte(path, '/')+1:]
	if i := strings.LastIndexByte(stem, '.'); i > 0 {
		stem = stem[:i]
	}
	stem = strings.NewReplacer("_", " ", "-", " ").Replace(stem)
	// Python's str.title: a cased letter after a cased one is lower case,
	// any other cased letter upper (title) case.
	var b strings.Builder
	prevCased := false
	for _, r := range stem {
		cased := unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r)
		switch {
		case cased && prevCased:
			r = unicode.ToLower(r)
		case cased:
			r = unicode.ToTitle(r)
		}
		prevCased = cased
		b.WriteRune(r)
	}
	return b.String()
}
