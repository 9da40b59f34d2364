package config

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"scriptsync/library"
)

// chunkMarkdown splits a bible at its ATX headings (# to ######), outside
// fenced code blocks. Text before the first heading, when there is any, is
// chunk 1 with level 0. Each chunk's parent is the nearest earlier chunk of
// a lower level.
func chunkMarkdown(data []byte) []library.BibleChunk {
	text := strings.ReplaceAll(string(bytes.TrimPrefix(data, []byte("\ufeff"))), "\r\n", "\n")
	var chunks []library.BibleChunk
	var body []string
	cur := library.BibleChunk{}
	started := false
	type open struct{ level, number int }
	var stack []open
	flush := func() {
		content := strings.TrimSpace(strings.Join(body, "\n"))
		body = body[:0]
		if !started && content == "" {
			return
		}
		cur.Number = len(chunks) + 1
		cur.Content = content
		cur.ContentHash = sha256Hex(cur.Heading + "\n" + content)
		chunks = append(chunks, cur)
	}
	fence := ""
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			body = append(body, line)
			continue
		}
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = trimmed[:3]
			body = append(body, line)
			continue
		}
		level, heading, ok := atxHeading(line)
		if !ok {
			body = append(body, line)
			continue
		}
		flush()
		started = true
		for len(stack) > 0 && stack[len(stack)-1].level >= level {
			stack = stack[:len(stack)-1]
		}
		parent := 0
		if len(stack) > 0 {
			parent = stack[len(stack)-1].number
		}
		cur = library.BibleChunk{Heading: heading, Level: level, Parent: parent}
		stack = append(stack, open{level, len(chunks) + 1})
	}
	flush()
	return chunks
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
	heading = strings.TrimSpace(strings.TrimRight(heading, "#"))
	return level, heading, true
}

// checkText rejects files that are not UTF-8 text, naming the line.
func checkText(data []byte) error {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return fmt.Errorf("line %d: binary data (a NUL byte); expected UTF-8 text", bytes.Count(data[:i], []byte("\n"))+1)
	}
	if !utf8.Valid(data) {
		line := 1
		for len(data) > 0 {
			r, size := utf8.DecodeRune(data)
			if r == utf8.RuneError && size <= 1 {
				return fmt.Errorf("line %d: invalid UTF-8; expected UTF-8 text", line)
			}
			if r == '\n' {
				line++
			}
			data = data[size:]
		}
		return errors.New("invalid UTF-8")
	}
	return nil
}
