package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"unicode/utf8"
)

// Magic starts every .npy file.
const Magic = "\x93NUMPY"

// DType is the only element type scriptsync reads: little-endian float32.
const DType = "<f4"

const (
	// maxHeaderLen bounds the header dictionary. numpy itself refuses
	// headers over 10,000 bytes unless told otherwise; a vector's header is
	// about 120 bytes.
	maxHeaderLen = 64 << 10
	// maxDimensions bounds a vector (1 GiB of float32) so that sizes never
	// overflow.
	maxDimensions = 1 << 28
)

// Header is a validated .npy header.
type Header struct {
	// Major and Minor are the format version: 1.0, 2.0 or 3.0.
	Major, Minor int
	// Descr is the dtype, always DType.
	Descr string
	// FortranOrder is always false.
	FortranOrder bool
	// Shape is the array's shape, always one-dimensional: {Dimensions}.
	Shape []int
	// Dimensions is the vector length.
	Dimensions int
	// DataOffset is where the float32 data starts: the length of the magic,
	// version, header length and header.
	DataOffset int64
}

// DataSize is the number of data bytes the header promises.
func (h Header) DataSize() int64 { return 4 * int64(h.Dimensions) }

// FileSize is the size of a well-formed file with this header.
func (h Header) FileSize() int64 { return h.DataOffset + h.DataSize() }

// Info describes a validated .npy file.
type Info struct {
	Header
	// Path is the file Inspect read.
	Path string
	// Size is the file's size in bytes.
	Size int64
}

// Error is a malformed or unsupported .npy file.
type Error struct {
	// Path names the file; empty when the data did not come from a named
	// file. Callers that know the name may set it.
	Path string
	// Problem says what is wrong and what is expected.
	Problem string
	// Err is the underlying I/O error, if any.
	Err error
}

func (e *Error) Error() string {
	if e.Path == "" {
		return "npy: " + e.Problem
	}
	return "npy: " + e.Path + ": " + e.Problem
}

func (e *Error) Unwrap() error { return e.Err }

func problem(format string, args ...any) *Error {
	return &Error{Problem: fmt.Sprintf(format, args...)}
}

// countingReader counts bytes so that a truncated header can say where the
// file ended.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// ReadHeader reads and validates the magic, version and header of a .npy
// stream, leaving r positioned at the first data byte. It cannot check the
// data length; Inspect and Parse do.
func ReadHeader(r io.Reader) (Header, error) {
	cr := &countingReader{r: r}
	h, err := readHeader(cr)
	if err != nil {
		return Header{}, err
	}
	return h, nil
}

func readHeader(cr *countingReader) (Header, error) {
	readFull := func(buf []byte, what string, want int64) error {
		if _, err := io.ReadFull(cr, buf); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				if cr.n == 0 {
					return problem("the file is empty: want a .npy file starting with %q", Magic)
				}
				return problem("truncated header: the file ends after %d bytes, inside the %s, which needs %d bytes", cr.n, what, want)
			}
			return &Error{Problem: fmt.Sprintf("read %s: %v", what, err), Err: err}
		}
		return nil
	}

	var pre [8]byte
	if err := readFull(pre[:], "magic string and version", 8); err != nil {
		if got := pre[:min(cr.n, 6)]; cr.n > 0 && !strings.HasPrefix(Magic, string(got)) {
			return Header{}, problem("not a .npy file: it starts with %q, want the magic string %q", got, Magic)
		}
		return Header{}, err
	}
	if string(pre[:6]) != Magic {
		return Header{}, problem("not a .npy file: it starts with %q, want the magic string %q", pre[:6], Magic)
	}
	h := Header{Major: int(pre[6]), Minor: int(pre[7])}
	var lenSize int
	switch {
	case h.Major == 1 && h.Minor == 0:
		lenSize = 2
	case (h.Major == 2 || h.Major == 3) && h.Minor == 0:
		lenSize = 4
	default:
		return Header{}, problem("unsupported .npy format version %d.%d: want 1.0, 2.0 or 3.0", h.Major, h.Minor)
	}
	var lenBuf [4]byte
	if err := readFull(lenBuf[:lenSize], "header length", int64(8+lenSize)); err != nil {
		return Header{}, err
	}
	var hlen int64
	if lenSize == 2 {
		hlen = int64(binary.LittleEndian.Uint16(lenBuf[:2]))
	} else {
		hlen = int64(binary.LittleEndian.Uint32(lenBuf[:4]))
	}
	if hlen > maxHeaderLen {
		return Header{}, problem("header length %d exceeds the %d-byte limit: a vector's header is about 120 bytes", hlen, maxHeaderLen)
	}
	h.DataOffset = int64(8+lenSize) + hlen
	text := make([]byte, hlen)
	if err := readFull(text, "header dictionary", h.DataOffset); err != nil {
		return Header{}, err
	}
	if h.Major == 3 && !utf8.Valid(text) {
		return Header{}, problem("the version 3.0 header is not valid UTF-8")
	}
	if err := h.parseDict(string(text)); err != nil {
		return Header{}, err
	}
	return h, nil
}

// parseDict validates the header dictionary the way numpy.lib.format reads
// it: exactly the keys descr, fortran_order and shape.
func (h *Header) parseDict(text string) error {
	if n, ok := canonicalShape(text); ok {
		h.Descr, h.FortranOrder, h.Shape, h.Dimensions = DType, false, []int{n}, n
		return nil
	}
	return h.parseAnyDict(text)
}

// parseAnyDict is parseDict for any header numpy could have written.
func (h *Header) parseAnyDict(text string) error {
	v, err := parseLiteral(text)
	if err != nil {
		return problem("header is not a Python dictionary literal %s: %s", err.Error(), headerExcerpt(text))
	}
	d, ok := v.(map[string]any)
	if !ok {
		return problem("header is %s, want a dictionary with 'descr', 'fortran_order' and 'shape'", pyRepr(v))
	}
	var extra []string
	for k := range d {
		if k != "descr" && k != "fortran_order" && k != "shape" {
			extra = append(extra, fmt.Sprintf("%q", k))
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return problem("header has unexpected key(s) %s: want exactly 'descr', 'fortran_order' and 'shape'", strings.Join(extra, ", "))
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if _, ok := d[k]; !ok {
			return problem("header has no %q key: want 'descr', 'fortran_order' and 'shape'", k)
		}
	}

	if err := checkDescr(d["descr"]); err != nil {
		return err
	}
	h.Descr = DType

	fo, ok := d["fortran_order"].(bool)
	if !ok {
		return problem("fortran_order is %s, want False", pyRepr(d["fortran_order"]))
	}
	if fo {
		return problem("fortran_order is True: want False (C order); save the vector with numpy.save(path, numpy.ascontiguousarray(v))")
	}

	shape, ok := d["shape"].(tuple)
	if !ok {
		return problem("shape is %s, want a tuple such as (384,)", pyRepr(d["shape"]))
	}
	dims := make([]int, len(shape))
	for i, x := range shape {
		n, ok := x.(int64)
		if !ok || n < 0 {
			return problem("shape %s has %s where a non-negative integer belongs", pyRepr(shape), pyRepr(x))
		}
		if n > maxDimensions {
			return problem("shape %s is larger than the %d-element limit", pyRepr(shape), maxDimensions)
		}
		dims[i] = int(n)
	}
	switch {
	case len(dims) == 0:
		return problem("the array is a scalar (shape ()): want a one-dimensional vector, shape (N,)")
	case len(dims) > 1:
		return problem("the array is %d-dimensional (shape %s): want a one-dimensional vector, shape (N,)", len(dims), pyRepr(shape))
	case dims[0] == 0:
		return problem("the vector is empty (shape (0,)): want at least one value")
	}
	h.FortranOrder = false
	h.Shape = dims
	h.Dimensions = dims[0]
	return nil
}

// canonicalPrefix starts the header numpy.save writes for a float32
// vector; canonicalShape recognizes that header without the general
// parser, which costs more than reading the file when there are many.
const canonicalPrefix = "{'descr': '" + DType + "', 'fortran_order': False, 'shape': ("

// canonicalShape returns N when text is exactly numpy.save's header for a
// vector of N > 0 float32 values: the prefix, N, ",), }", then spaces and
// a newline. Anything else is left to the general parser, which accepts
// every spelling numpy does and explains what it rejects.
func canonicalShape(text string) (int, bool) {
	rest, ok := strings.CutPrefix(text, canonicalPrefix)
	if !ok {
		return 0, false
	}
	n, i := 0, 0
	for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9'; i++ {
		if n > maxDimensions {
			return 0, false
		}
		n = n*10 + int(rest[i]-'0')
	}
	if i == 0 || rest[0] == '0' || n > maxDimensions {
		return 0, false
	}
	rest, ok = strings.CutPrefix(rest[i:], ",), }")
	if !ok {
		return 0, false
	}
	return n, strings.TrimLeft(rest, " ") == "\n"
}

// checkDescr accepts only DType and explains every other dtype.
func checkDescr(v any) error {
	descr, ok := v.(string)
	if !ok {
		if _, isList := v.(list); isList {
			return problem("dtype is a structured (record) dtype: want %q (little-endian float32)", DType)
		}
		return problem("descr is %s, want %q", pyRepr(v), DType)
	}
	if descr == DType {
		return nil
	}
	const want = "want '<f4' (little-endian float32); convert with numpy.save(path, v.astype('<f4'))"
	if len(descr) < 2 {
		return problem("dtype %q is not a valid dtype: %s", descr, want)
	}
	order, kind, size := descr[0], descr[1], descr[2:]
	if order != '<' && order != '>' && order != '|' && order != '=' {
		// numpy writes the byte order explicitly; a bare "f4" is not
		// something numpy.save produces.
		return problem("dtype %q has no byte order: %s", descr, want)
	}
	var name string
	switch kind {
	case 'f':
		switch size {
		case "2":
			name = "float16"
		case "4":
			switch order {
			case '>':
				return problem("dtype %q is big-endian float32: %s", descr, want)
			default:
				return problem("dtype %q is float32 in native byte order, which depends on the machine that wrote it: %s", descr, want)
			}
		case "8":
			name = "float64"
		case "16", "12":
			name = "long double"
		default:
			name = "float"
		}
	case 'i':
		name = "signed integer"
	case 'u':
		name = "unsigned integer"
	case 'b':
		name = "boolean"
	case 'c':
		name = "complex"
	case 'O':
		return problem("dtype %q is an object array, which holds pickled Python objects that scriptsync never loads: %s", descr, want)
	case 'U':
		name = "unicode string"
	case 'S', 'a':
		name = "byte string"
	case 'V':
		name = "raw bytes (void)"
	case 'M':
		name = "datetime"
	case 'm':
		name = "timedelta"
	default:
		return problem("dtype %q is not a valid dtype: %s", descr, want)
	}
	return problem("dtype %q (%s) is not supported: %s", descr, name, want)
}

// headerExcerpt quotes the start of a header for error messages.
func headerExcerpt(text string) string {
	text = strings.TrimRight(text, " \n")
	if len(text) > 80 {
		text = text[:80] + "..."
	}
	return fmt.Sprintf("%q", text)
}

// checkLength compares the data length with what the header promises.
func (h Header) checkLength(size int64) error {
	got := size - h.DataOffset
	switch want := h.DataSize(); {
	case got < want:
		return problem("truncated data: the header promises %d float32 values (%d bytes) but the file has %d bytes after the header", h.Dimensions, want, got)
	case got > want:
		return problem("%d unexpected bytes after the %d float32 values the header promises: want a file of exactly %d bytes", got-want, h.Dimensions, h.FileSize())
	}
	return nil
}

// Parse validates a whole .npy file held in memory. name, when not empty,
// is used in errors.
func Parse(name string, data []byte) (Header, error) {
	h, err := ReadHeader(bytes.NewReader(data))
	if err == nil {
		err = h.checkLength(int64(len(data)))
	}
	if err != nil {
		return Header{}, withPath(err, name)
	}
	return h, nil
}

// Inspect validates the .npy file at path and describes it. It reads only
// the header; the data length comes from the file's size.
func Inspect(path string) (Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return Info{}, &Error{Path: path, Problem: openProblem(err), Err: err}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Info{}, &Error{Path: path, Problem: openProblem(err), Err: err}
	}
	if !st.Mode().IsRegular() {
		return Info{}, &Error{Path: path, Problem: "not a regular file"}
	}
	h, err := ReadHeader(f)
	if err == nil {
		err = h.checkLength(st.Size())
	}
	if err != nil {
		return Info{}, withPath(err, path)
	}
	return Info{Header: h, Path: path, Size: st.Size()}, nil
}

func openProblem(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "the file does not exist"
	case errors.Is(err, os.ErrPermission):
		return "the file cannot be read: permission denied"
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return "the file cannot be read: " + pe.Err.Error()
	}
	return "the file cannot be read: " + err.Error()
}

func withPath(err error, path string) error {
	var e *Error
	if path != "" && errors.As(err, &e) && e.Path == "" {
		e.Path = path
	}
	return err
}

// Decode validates a whole .npy file held in memory and returns its vector.
func Decode(data []byte) ([]float32, error) {
	h, err := Parse("", data)
	if err != nil {
		return nil, err
	}
	raw := data[h.DataOffset:]
	v := make([]float32, h.Dimensions)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return v, nil
}

// Write writes v as a version 1.0 .npy file with dtype '<f4', byte for byte
// what numpy.save(path, numpy.asarray(v, dtype='<f4')) writes.
func Write(w io.Writer, v []float32) error {
	buf := Encode(v)
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("npy: write: %w", err)
	}
	return nil
}

// Encode returns v as a version 1.0 .npy file; see Write.
func Encode(v []float32) []byte {
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%d,), }", DType, len(v))
	// numpy pads the header with spaces and a final newline so that the
	// data starts at a multiple of 64 bytes.
	const preamble = len(Magic) + 2 + 2
	total := preamble + len(dict) + 1
	if r := total % 64; r != 0 {
		total += 64 - r
	}
	hlen := total - preamble
	buf := make([]byte, 0, total+4*len(v))
	buf = append(buf, Magic...)
	buf = append(buf, 1, 0)
	buf = binary.LittleEndian.AppendUint16(buf, uint16(hlen))
	buf = append(buf, dict...)
	for len(buf) < total-1 {
		buf = append(buf, ' ')
	}
	buf = append(buf, '\n')
	for _, x := range v {
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
	}
	return buf
}
