package lfspointer

import (
	"errors"
	"strings"
	"testing"
)

const oid = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"

func TestFormatParseRoundTrip(t *testing.T) {
	data := Format(oid, 12345)
	want := "version https://git-lfs.github.com/spec/v1\noid sha256:" + oid + "\nsize 12345\n"
	if string(data) != want {
		t.Fatalf("Format = %q, want %q", data, want)
	}
	p, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if p.OID != oid || p.Size != 12345 {
		t.Fatalf("Parse = %+v", p)
	}
}

func TestParseRejects(t *testing.T) {
	good := string(Format(oid, 1))
	for name, in := range map[string]string{
		"no final newline": strings.TrimSuffix(good, "\n"),
		"wrong version":    strings.Replace(good, "v1", "v2", 1),
		"bad oid":          strings.Replace(good, oid, "xyz", 1),
		"unsorted":         "version " + Version + "\nsize 1\noid sha256:" + oid + "\n",
		"missing size":     "version " + Version + "\noid sha256:" + oid + "\n",
		"negative size":    strings.Replace(good, "size 1", "size -1", 1),
		"too large":        good + strings.Repeat("x", MaxSize),
		"not key value":    "hello\n",
	} {
		if _, err := Parse([]byte(in)); !errors.Is(err, ErrNotPointer) {
			t.Errorf("%s: err = %v, want ErrNotPointer", name, err)
		}
	}
}

func TestParseAcceptsExtensionKeys(t *testing.T) {
	in := "version " + Version + "\next-0-foo sha256:" + oid + "\noid sha256:" + oid + "\nsize 7\n"
	p, err := Parse([]byte(in))
	if err != nil || p.Size != 7 {
		t.Fatalf("Parse = %+v, %v", p, err)
	}
}
