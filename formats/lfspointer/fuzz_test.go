package lfspointer

import "testing"

// A pointer Parse accepts formats back to a pointer that parses the same;
// nothing makes Parse panic.
func FuzzParse(f *testing.F) {
	f.Add(Format("4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393", 12345))
	f.Add([]byte("version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 1\n"))
	f.Add([]byte("version https://git-lfs.github.com/spec/v1\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			return
		}
		if !ValidOID(p.OID) || p.Size < 0 {
			t.Fatalf("Parse(%q) = %+v: an invalid pointer accepted", data, p)
		}
		again, err := Parse(Format(p.OID, p.Size))
		if err != nil || again != p {
			t.Fatalf("Format(%+v) parses as %+v, %v", p, again, err)
		}
	})
}
