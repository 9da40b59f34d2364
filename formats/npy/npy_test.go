package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// numpyThree is what numpy.save writes for numpy.array([1, 2, 3], dtype='<f4').
var numpyThree = append([]byte("\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"+
	strings.Repeat(" ", 60)+"\n"),
	0, 0, 0x80, 0x3f, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40)

// file builds a .npy file with the given version and header text, and n
// float32 values of data.
func file(major byte, header string, n int) []byte {
	var b bytes.Buffer
	b.WriteString(Magic)
	b.WriteByte(major)
	b.WriteByte(0)
	if major == 1 {
		binary.Write(&b, binary.LittleEndian, uint16(len(header)))
	} else {
		binary.Write(&b, binary.LittleEndian, uint32(len(header)))
	}
	b.WriteString(header)
	b.Write(make([]byte, 4*n))
	return b.Bytes()
}

func dict(descr, fortran, shape string) string {
	return "{'descr': " + descr + ", 'fortran_order': " + fortran + ", 'shape': " + shape + ", }\n"
}

func TestEncodeMatchesNumpy(t *testing.T) {
	if got := Encode([]float32{1, 2, 3}); !bytes.Equal(got, numpyThree) {
		t.Fatalf("Encode = %q\nwant     %q", got, numpyThree)
	}
	for _, n := range []int{1, 384, 1536} {
		data := Encode(make([]float32, n))
		h, err := Parse("", data)
		if err != nil {
			t.Fatal(err)
		}
		if h.DataOffset%64 != 0 {
			t.Errorf("n=%d: data offset %d is not 64-byte aligned", n, h.DataOffset)
		}
	}
}

func TestDecodeRoundTrip(t *testing.T) {
	want := []float32{0.5, -1.25, 3e-7, 42}
	var buf bytes.Buffer
	if err := Write(&buf, want); err != nil {
		t.Fatal(err)
	}
	got, err := Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("Decode = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Decode = %v, want %v", got, want)
		}
	}
}

func TestParseAccepts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		data   []byte
		dims   int
		offset int64
		major  int
	}{
		{"numpy 1.0", numpyThree, 3, 128, 1},
		{"version 2.0", file(2, dict("'<f4'", "False", "(5,)"), 5), 5, 12 + int64(len(dict("'<f4'", "False", "(5,)"))), 2},
		{"version 3.0 utf-8", file(3, dict("'<f4'", "False", "(2,)")+"  ", 2), 2, 12 + int64(len(dict("'<f4'", "False", "(2,)"))) + 2, 3},
		{"keys in another order, no spaces, no trailing comma", file(1, "{'shape':(4,),'fortran_order':False,'descr':'<f4'}", 4), 4, 10 + 50, 1},
		{"double quotes and tabs", file(1, "{\"descr\":\t\"<f4\" ,\n 'fortran_order' : False , 'shape' : ( 7 , ) , }", 7), 7, 0, 1},
		{"python 2 long", file(1, dict("'<f4'", "False", "(384L,)"), 384), 384, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := Parse("v.npy", tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if h.Dimensions != tc.dims || h.Major != tc.major || h.Descr != DType || len(h.Shape) != 1 {
				t.Fatalf("header = %+v", h)
			}
			if tc.offset != 0 && h.DataOffset != tc.offset {
				t.Fatalf("DataOffset = %d, want %d", h.DataOffset, tc.offset)
			}
			if h.FileSize() != int64(len(tc.data)) {
				t.Fatalf("FileSize = %d, want %d", h.FileSize(), len(tc.data))
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	good := Encode(make([]float32, 4))
	for _, tc := range []struct {
		name string
		data []byte
		want string // substring of the error
	}{
		{"empty file", nil, "the file is empty"},
		{"wrong magic", append([]byte("PK\x03\x04 zip"), good[10:]...), `not a .npy file: it starts with "PK\x03\x04 z", want the magic string "\x93NUMPY"`},
		{"short wrong magic", []byte("{}"), "not a .npy file"},
		{"truncated magic", good[:4], "truncated header: the file ends after 4 bytes"},
		{"truncated header length", good[:9], "truncated header: the file ends after 9 bytes, inside the header length, which needs 10 bytes"},
		{"truncated header", good[:40], "truncated header: the file ends after 40 bytes, inside the header dictionary, which needs 128 bytes"},
		{"truncated data", good[:len(good)-3], "truncated data: the header promises 4 float32 values (16 bytes) but the file has 13 bytes after the header"},
		{"no data", good[:128], "truncated data: the header promises 4 float32 values (16 bytes) but the file has 0 bytes"},
		{"extra data", append(append([]byte{}, good...), 1, 2, 3, 4), "4 unexpected bytes after the 4 float32 values the header promises: want a file of exactly 144 bytes"},
		{"unsupported version", append(append([]byte(Magic), 4, 0), good[8:]...), "unsupported .npy format version 4.0: want 1.0, 2.0 or 3.0"},
		{"version 1.1", append(append([]byte(Magic), 1, 1), good[8:]...), "unsupported .npy format version 1.1"},
		{"huge header length", append([]byte(Magic+"\x02\x00"), 0xff, 0xff, 0xff, 0x7f), "header length 2147483647 exceeds the 65536-byte limit"},
		{"float64", file(1, dict("'<f8'", "False", "(4,)"), 8), `dtype "<f8" (float64) is not supported: want '<f4' (little-endian float32); convert with numpy.save(path, v.astype('<f4'))`},
		{"big-endian float32", file(1, dict("'>f4'", "False", "(4,)"), 4), `dtype ">f4" is big-endian float32: want '<f4'`},
		{"native float32", file(1, dict("'=f4'", "False", "(4,)"), 4), `dtype "=f4" is float32 in native byte order`},
		{"float16", file(1, dict("'<f2'", "False", "(4,)"), 2), `dtype "<f2" (float16) is not supported`},
		{"int32", file(1, dict("'<i4'", "False", "(4,)"), 4), `dtype "<i4" (signed integer) is not supported`},
		{"uint8", file(1, dict("'|u1'", "False", "(4,)"), 1), `dtype "|u1" (unsigned integer) is not supported`},
		{"bool", file(1, dict("'|b1'", "False", "(4,)"), 1), `dtype "|b1" (boolean) is not supported`},
		{"object array", file(1, dict("'|O'", "False", "(4,)"), 0), `dtype "|O" is an object array, which holds pickled Python objects that scriptsync never loads`},
		{"unicode", file(1, dict("'<U8'", "False", "(4,)"), 0), `dtype "<U8" (unicode string) is not supported`},
		{"structured", file(1, dict("[('x', '<f4'), ('y', '<f4')]", "False", "(4,)"), 8), "dtype is a structured (record) dtype: want \"<f4\""},
		{"descr not a string", file(1, dict("4", "False", "(4,)"), 4), `descr is 4, want "<f4"`},
		{"no byte order", file(1, dict("'f4'", "False", "(4,)"), 4), `dtype "f4" has no byte order`},
		{"2-D array", file(1, dict("'<f4'", "False", "(2, 384)"), 768), "the array is 2-dimensional (shape (2, 384)): want a one-dimensional vector, shape (N,)"},
		{"row vector", file(1, dict("'<f4'", "False", "(1, 4)"), 4), "the array is 2-dimensional (shape (1, 4))"},
		{"scalar", file(1, dict("'<f4'", "False", "()"), 1), "the array is a scalar (shape ()): want a one-dimensional vector"},
		{"empty vector", file(1, dict("'<f4'", "False", "(0,)"), 0), "the vector is empty (shape (0,))"},
		{"shape not a tuple", file(1, dict("'<f4'", "False", "(4)"), 4), "shape is 4, want a tuple such as (384,)"},
		{"shape is a list", file(1, dict("'<f4'", "False", "[4]"), 4), "shape is [4], want a tuple"},
		{"negative shape", file(1, dict("'<f4'", "False", "(-4,)"), 4), "shape (-4,) has -4 where a non-negative integer belongs"},
		{"float shape", file(1, dict("'<f4'", "False", "(4.0,)"), 4), "4... is not an integer"},
		{"huge shape", file(1, dict("'<f4'", "False", "(99999999999,)"), 0), "larger than the 268435456-element limit"},
		{"fortran order", file(1, dict("'<f4'", "True", "(4,)"), 4), "fortran_order is True: want False (C order)"},
		{"fortran order not bool", file(1, dict("'<f4'", "0", "(4,)"), 4), "fortran_order is 0, want False"},
		{"missing shape", file(1, "{'descr': '<f4', 'fortran_order': False}", 4), `header has no "shape" key`},
		{"extra key", file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'x': 1}", 4), `header has unexpected key(s) "x"`},
		{"duplicate key", file(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (4,)}", 4), `key "descr" appears twice`},
		{"not a dict", file(1, "('<f4', False, (4,))", 4), "header is ('<f4', False, (4,)), want a dictionary"},
		{"garbage header", file(1, "{'descr': <f4}", 4), "header is not a Python dictionary literal at column 11: unexpected '<', expected a value"},
		{"unclosed dict", file(1, "{'descr': '<f4'", 4), "expected ',' or '}'"},
		{"unclosed string", file(1, "{'descr': '<f4", 4), "unexpected end of header in a string"},
		{"code in header", file(1, "{'descr': __import__('os')}", 4), `unexpected name "__import__"`},
		{"trailing junk", file(1, dict("'<f4'", "False", "(4,)")+"x", 4), "unexpected 'x' after the dictionary"},
		{"deep nesting", file(1, "{'descr': "+strings.Repeat("(", 40)+"}", 4), "nested more than 16 levels deep"},
		{"invalid utf-8 in 3.0", file(3, "{'descr': '\xff'}", 4), "the version 3.0 header is not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("vectors/x.npy", tc.data)
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is a %T, want *npy.Error", err, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "npy: vectors/x.npy: ") {
				t.Errorf("error %q does not name the file", msg)
			}
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error = %q\nwant it to contain %q", msg, tc.want)
			}
			if strings.HasSuffix(msg, "EOF") {
				t.Errorf("error %q ends in a bare EOF", msg)
			}
		})
	}
}

func TestReadHeaderLeavesReaderAtData(t *testing.T) {
	r := bytes.NewReader(numpyThree)
	h, err := ReadHeader(r)
	if err != nil {
		t.Fatal(err)
	}
	if int64(r.Len()) != h.DataSize() {
		t.Fatalf("%d bytes left after the header, want %d", r.Len(), h.DataSize())
	}
	if _, err := ReadHeader(bytes.NewReader(nil)); err == nil || strings.Contains(err.Error(), "EOF") {
		t.Fatalf("ReadHeader(empty) = %v, want a clear error", err)
	}
}

func TestInspect(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.npy")
	if err := os.WriteFile(good, Encode(make([]float32, 384)), 0o644); err != nil {
		t.Fatal(err)
	}
	info, err := Inspect(good)
	if err != nil {
		t.Fatal(err)
	}
	if info.Dimensions != 384 || info.DataOffset != 128 || info.Size != 128+4*384 || info.Descr != "<f4" || info.Path != good {
		t.Fatalf("Inspect = %+v", info)
	}

	bad := filepath.Join(dir, "bad.npy")
	if err := os.WriteFile(bad, Encode(make([]float32, 384))[:1000], 0o644); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		bad:                               "npy: " + bad + ": truncated data: the header promises 384 float32 values (1536 bytes) but the file has 872 bytes",
		filepath.Join(dir, "missing.npy"): "npy: " + filepath.Join(dir, "missing.npy") + ": the file does not exist",
		dir:                               "npy: " + dir + ": not a regular file",
	} {
		_, err := Inspect(path)
		if err == nil || err.Error() != want && !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Inspect(%s) = %v, want %q", path, err, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(numpyThree)
	f.Add(file(2, dict("'<f4'", "False", "(1,)"), 1))
	f.Add(file(1, dict("[('a', '<f4')]", "True", "(1, 2)"), 2))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := Parse("f.npy", data)
		if err != nil {
			return
		}
		if h.FileSize() != int64(len(data)) || h.Dimensions < 1 || h.Descr != DType {
			t.Fatalf("accepted an inconsistent file: %+v (len %d)", h, len(data))
		}
	})
}

// The fast path for numpy's own header must agree with the general parser
// wherever it answers, and leave everything else to it.
func TestCanonicalShapeAgreesWithParser(t *testing.T) {
	for _, text := range []string{
		canonicalPrefix + "384,), }" + strings.Repeat(" ", 50) + "\n",
		canonicalPrefix + "1,), }\n",
		canonicalPrefix + "0,), }\n",
		canonicalPrefix + "0384,), }\n",
		canonicalPrefix + "384,), }",
		canonicalPrefix + "384,), } x\n",
		canonicalPrefix + "384, 2), }\n",
		canonicalPrefix + "99999999999999999999,), }\n",
		canonicalPrefix + ",), }\n",
		"{'descr': '<f4', 'fortran_order': True, 'shape': (3,), }\n",
	} {
		n, ok := canonicalShape(text)
		var general Header
		gerr := general.parseAnyDict(text)
		if ok && (gerr != nil || general.Dimensions != n) {
			t.Errorf("canonicalShape(%q) = %d, but the parser says %d, %v", text, n, general.Dimensions, gerr)
		}
	}
	if n, ok := canonicalShape(canonicalPrefix + "384,), }" + strings.Repeat(" ", 50) + "\n"); !ok || n != 384 {
		t.Errorf("numpy's header for 384 values: %d, %v", n, ok)
	}
}
