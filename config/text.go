package config

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"
)

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
