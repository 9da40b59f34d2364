package fountain

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// Error is returned, as *Error, for input that is not a screenplay: binary
// data, text that is not UTF-8, or a scene heading where ParseBody expects
// the body of one scene. Callers add the file name.
type Error struct {
	Line int // 1-based line of the problem
	Msg  string
}

func (e *Error) Error() string { return "line " + strconv.Itoa(e.Line) + ": " + e.Msg }

// checkText rejects input that cannot be a Fountain document. A NUL byte is
// checked first: binary files are rarely valid UTF-8 either, and "binary
// data" is the more useful message for them.
func checkText(data []byte) *Error {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return &Error{Line: lineAt(data, i), Msg: "binary data (a NUL byte), not a Fountain text file"}
	}
	if utf8.Valid(data) {
		return nil
	}
	i := 0
	for i < len(data) {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		i += n
	}
	return &Error{Line: lineAt(data, i), Msg: "invalid UTF-8: a Fountain file must be UTF-8 text"}
}

// lineAt is the 1-based line holding data[off], counting line breaks the
// way the scanner does: "\n", "\r\n" and a lone "\r" each end a line.
func lineAt(data []byte, off int) int {
	n := 1
	for i := 0; i < off && i < len(data); i++ {
		switch data[i] {
		case '\n':
			n++
		case '\r':
			if i+1 >= len(data) || data[i+1] != '\n' {
				n++
			}
		}
	}
	return n
}
