package fountain

import "strings"

// span is a byte range [start, end) of the input.
type span struct{ start, end int }

// hiddenSpans finds the boneyard (/* */) and note ([[ ]]) ranges of s from
// offset from on, in order and without overlap. They are found before any
// line is classified because both may span lines (a boneyard even scene
// headings) and neither is content.
//
// A boneyard runs from "/*" to the next "*/"; an unclosed "/*" is text. A
// note runs from "[[" to the next "]]" in the same paragraph: the spec lets
// a note span lines but not a blank line, so a "[[" with no "]]" before the
// next blank line is text. Whichever opens first wins: a "[[" inside a
// boneyard is no note and a "/*" inside a note no boneyard.
//
// Every search starts past the previous one, so the whole pass is linear
// even on hostile input (thousands of unclosed openers).
func hiddenSpans(s string, from int) []span {
	var spans []span
	bone := indexFrom(s, from, "/*")
	note := indexFrom(s, from, "[[")
	paraEnd := -1 // end of the paragraph of the last note opener looked at
	for p := from; ; {
		if bone >= 0 && bone < p {
			bone = indexFrom(s, p, "/*")
		}
		if note >= 0 && note < p {
			note = indexFrom(s, p, "[[")
		}
		switch {
		case bone < 0 && note < 0:
			return spans
		case bone >= 0 && (note < 0 || bone < note):
			i := strings.Index(s[bone+2:], "*/")
			if i < 0 {
				// No later "/*" can find a "*/" either.
				bone = -1
				continue
			}
			end := bone + 2 + i + 2
			spans = append(spans, span{bone, end})
			p = end
		default:
			if note >= paraEnd {
				paraEnd = paragraphEnd(s, note)
			}
			i := strings.Index(s[note+2:paraEnd], "]]")
			if i < 0 {
				// Neither this "[[" nor any other before paraEnd closes;
				// a boneyard between them may still open.
				p = note + 2
				note = indexFrom(s, paraEnd, "[[")
				continue
			}
			end := note + 2 + i + 2
			spans = append(spans, span{note, end})
			p = end
		}
	}
}

// indexFrom is strings.Index from offset i, as an offset into s.
func indexFrom(s string, i int, sub string) int {
	if i > len(s) {
		return -1
	}
	j := strings.Index(s[i:], sub)
	if j < 0 {
		return -1
	}
	return i + j
}

// paragraphEnd is the offset of the first blank line after the line holding
// s[at], or len(s). A line of exactly two spaces is not blank: the spec's
// way to keep a note or a dialogue block together across an empty line.
func paragraphEnd(s string, at int) int {
	i := at
	for {
		j := strings.IndexAny(s[i:], "\r\n")
		if j < 0 {
			return len(s)
		}
		i += j
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
		i++
		k := i
		for k < len(s) && isSpace(s[k]) {
			k++
		}
		if (k == len(s) || s[k] == '\n' || s[k] == '\r') && s[i:k] != "  " {
			return i
		}
	}
}

// line is one line of the input as the parser sees it.
type line struct {
	text  string // the line without its terminator, hidden text removed
	start int    // offset of the line in the input
	end   int    // offset of its terminator (or the end of the input)
	num   int    // 1-based line number
	clean bool   // nothing was hidden: text == input[start:end]
}

// scanner reads the lines of the input. "\n", "\r\n" and a lone "\r" each
// end a line. Lines that boneyard or notes empty entirely are skipped: they
// are neither text nor blank, so hiding a line never splits a paragraph.
// A scanner is a small value; copying it gives an independent look-ahead.
type scanner struct {
	s      string
	pos    int // start of the next line
	num    int // its number
	hidden []span
	h      int // first hidden span that may reach the next line
	nl, cr int // next "\n" and "\r" at or after pos (len(s) when none), or -1 when unknown
}

func newScanner(s string, from int, hidden []span) scanner {
	return scanner{s: s, pos: from, num: 1, hidden: hidden, nl: -1, cr: -1}
}

// next reads the next visible line into l; false at the end of the input.
func (sc *scanner) next(l *line) bool {
	s := sc.s
	for sc.pos < len(s) {
		start := sc.pos
		// The positions of the next "\n" and "\r" are cached, so a file
		// with lone "\r" endings is not rescanned for "\n" on every line.
		if sc.nl < start {
			sc.nl = indexByteFrom(s, start, '\n')
		}
		if sc.cr < start {
			sc.cr = indexByteFrom(s, start, '\r')
		}
		end := min(sc.nl, sc.cr)
		next := end
		if end < len(s) {
			next++
			if s[end] == '\r' && next < len(s) && s[next] == '\n' {
				next++
			}
		}
		sc.pos = next
		num := sc.num
		sc.num++

		for sc.h < len(sc.hidden) && sc.hidden[sc.h].end <= start {
			sc.h++
		}
		if sc.h == len(sc.hidden) || sc.hidden[sc.h].start >= next {
			*l = line{text: s[start:end], start: start, end: end, num: num, clean: true}
			return true
		}
		text := sc.cut(start, end)
		if !isBlank(text) {
			*l = line{text: text, start: start, end: end, num: num}
			return true
		}
	}
	return false
}

// cut is s[start:end] without its hidden parts.
func (sc *scanner) cut(start, end int) string {
	var b strings.Builder
	at := start
	for j := sc.h; j < len(sc.hidden) && sc.hidden[j].start < end; j++ {
		sp := sc.hidden[j]
		if sp.start > at {
			b.WriteString(sc.s[at:sp.start])
		}
		if sp.end > at {
			at = sp.end
		}
	}
	if at < end {
		b.WriteString(sc.s[at:end])
	}
	return b.String()
}

func indexByteFrom(s string, i int, c byte) int {
	j := strings.IndexByte(s[i:], c)
	if j < 0 {
		return len(s)
	}
	return i + j
}

// isSpace is the whitespace that Fountain lines trim: spaces and tabs (and
// the rarer vertical tab and form feed). Other Unicode spaces are text.
func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\v' || b == '\f' }

func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isSpace(s[i]) {
			return false
		}
	}
	return true
}

// trim trims whitespace on both sides and reports how many bytes it took
// from the left, so callers can keep the text's offset in the input.
func trim(s string) (string, int) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return trimRight(s[i:]), i
}

func trimRight(s string) string {
	j := len(s)
	for j > 0 && isSpace(s[j-1]) {
		j--
	}
	return s[:j]
}
