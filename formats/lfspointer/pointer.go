// Package lfspointer reads and writes Git LFS pointer files, the small text
// files git stores in place of a large object
// (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md). It is shared
// by the git provider, which commits pointers, and the LFS provider, which
// stores the objects they point at.
package lfspointer

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Version is the spec URL every pointer written here starts with.
const Version = "https://git-lfs.github.com/spec/v1"

// MaxSize bounds a pointer file: anything larger is not a pointer.
const MaxSize = 1024

// Pointer identifies one LFS object.
type Pointer struct {
	OID  string // lowercase hex SHA-256
	Size int64
}

// Format returns the pointer file for an object: version, oid and size
// keys in that order (version first, the rest sorted), each line ending in
// "\n".
func Format(oid string, size int64) []byte {
	var b bytes.Buffer
	b.Grow(len(Version) + len(oid) + 40)
	b.WriteString("version ")
	b.WriteString(Version)
	b.WriteString("\noid sha256:")
	b.WriteString(oid)
	b.WriteString("\nsize ")
	b.WriteString(strconv.FormatInt(size, 10))
	b.WriteByte('\n')
	return b.Bytes()
}

// ErrNotPointer is returned by Parse for data that is not a pointer file.
var ErrNotPointer = errors.New("lfspointer: not a Git LFS pointer")

// Parse reads a pointer file. It accepts what Format writes and the
// extension keys the spec allows, and rejects anything else with an error
// wrapping ErrNotPointer.
func Parse(data []byte) (Pointer, error) {
	if len(data) > MaxSize {
		return Pointer{}, fmt.Errorf("%w: %d bytes is too large", ErrNotPointer, len(data))
	}
	text := string(data)
	if !strings.HasSuffix(text, "\n") {
		return Pointer{}, fmt.Errorf("%w: missing final newline", ErrNotPointer)
	}
	var p Pointer
	var sawOID, sawSize bool
	prevKey := ""
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		key, value, ok := strings.Cut(line, " ")
		if !ok || key == "" {
			return Pointer{}, fmt.Errorf("%w: line %d is not \"key value\"", ErrNotPointer, i+1)
		}
		if i == 0 {
			if key != "version" || value != Version {
				return Pointer{}, fmt.Errorf("%w: first line must be \"version %s\"", ErrNotPointer, Version)
			}
			continue
		}
		if key <= prevKey {
			return Pointer{}, fmt.Errorf("%w: keys are not sorted at line %d", ErrNotPointer, i+1)
		}
		prevKey = key
		switch key {
		case "oid":
			hex, ok := strings.CutPrefix(value, "sha256:")
			if !ok || !ValidOID(hex) {
				return Pointer{}, fmt.Errorf("%w: oid %q is not sha256:<64 hex digits>", ErrNotPointer, value)
			}
			p.OID, sawOID = hex, true
		case "size":
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil || n < 0 {
				return Pointer{}, fmt.Errorf("%w: size %q is not a non-negative integer", ErrNotPointer, value)
			}
			p.Size, sawSize = n, true
		}
	}
	if !sawOID || !sawSize {
		return Pointer{}, fmt.Errorf("%w: oid and size are required", ErrNotPointer)
	}
	return p, nil
}

// ValidOID reports whether s is an object id as Git LFS writes it: a
// lowercase hex SHA-256.
func ValidOID(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
