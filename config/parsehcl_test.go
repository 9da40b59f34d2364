package config

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// outlineHCL is n outline scenes in one file, as a writers' room that
// keeps its outline in HCL would write them; trap adds, in every
// scene's heredoc, lines that look like the end of a block and the start
// of another.
func outlineHCL(n int, trap bool) string {
	var b strings.Builder
	b.WriteString("script \"s\" {\n  title = \"S\"\n}\n\n")
	for i := range n {
		extra := ""
		if trap {
			extra = "    }\n}\n\nscene \"fake\" {\n"
		}
		fmt.Fprintf(&b, "scene \"sc%d\" {\n  script  = script.s\n  number  = %d\n  heading = \"INT. ROOM %d - NIGHT\"\n  content = <<EOT\nThe lights flicker.\n%s\nALICE\nDid you hear that, é?\nEOT\n}\n\n", i, i+1, i, extra)
	}
	return b.String()
}

// describe lists what a body holds, with every position.
func describe(t *testing.T, f *hcl.File) string {
	t.Helper()
	body := f.Body.(*hclsyntax.Body)
	var b strings.Builder
	fmt.Fprintf(&b, "body %v end %v\n", body.SrcRange, body.EndRange)
	for _, blk := range body.Blocks {
		fmt.Fprintf(&b, "block %s %q %v\n", blk.Type, blk.Labels, blk.Range())
		for _, name := range []string{"script", "number", "heading", "content", "title"} {
			if a, ok := blk.Body.Attributes[name]; ok {
				v, _ := a.Expr.Value(nil)
				fmt.Fprintf(&b, "  %s %v %v %#v\n", name, a.SrcRange, a.Expr.Range(), v.GoString())
			}
		}
	}
	return b.String()
}

func TestParseInPiecesMatchesWhole(t *testing.T) {
	for _, trap := range []bool{false, true} {
		src := []byte(outlineHCL(3000, trap))
		cuts := topLevelCuts(src, chunkSize)
		if len(cuts) == 0 {
			t.Fatalf("a %d-byte file is not cut", len(src))
		}
		// Without traps every cut is sound and the pieces are used; with
		// them, some cut falls inside a heredoc and the whole file is
		// parsed again.
		if used := parsePieces(src, "main.hcl", cuts) != nil; used == trap {
			t.Errorf("trap=%v: pieces used: %v", trap, used)
		}
		whole, wd := hclsyntax.ParseConfig(src, "main.hcl", hcl.InitialPos)
		pieces, pd := parseHCL(src, "main.hcl")
		if wd.HasErrors() != pd.HasErrors() || wd.Error() != pd.Error() {
			t.Fatalf("trap=%v: diagnostics differ:\n%s\n---\n%s", trap, wd.Error(), pd.Error())
		}
		if w, p := describe(t, whole), describe(t, pieces); w != p {
			t.Errorf("trap=%v: the file parsed in pieces differs from the whole", trap)
		}
	}
}

func TestParseInPiecesReportsErrorsAsWhole(t *testing.T) {
	src := outlineHCL(3000, false)
	// An unclosed block in the middle of the file, and a heredoc that
	// never ends near its end.
	mid := strings.Index(src, "scene \"sc1500\" {\n")
	src = src[:mid] + "scene \"broken\" {\n  number = 1\n\n" + src[mid:]
	src += "scene \"tail\" {\n  content = <<EOT\nno end\n"
	_, wd := hclsyntax.ParseConfig([]byte(src), "main.hcl", hcl.InitialPos)
	_, pd := parseHCL([]byte(src), "main.hcl")
	if !wd.HasErrors() || wd.Error() != pd.Error() {
		t.Fatalf("diagnostics differ:\n%s\n---\n%s", wd.Error(), pd.Error())
	}
	// Two pieces setting the same top-level attribute: the whole file's
	// error, not two quiet pieces.
	dup := "x = 1\n" + outlineHCL(3000, false) + "x = 2\n"
	_, wd = hclsyntax.ParseConfig([]byte(dup), "main.hcl", hcl.InitialPos)
	_, pd = parseHCL([]byte(dup), "main.hcl")
	if !wd.HasErrors() || wd.Error() != pd.Error() {
		t.Fatalf("duplicate attribute: diagnostics differ:\n%s\n---\n%s", wd.Error(), pd.Error())
	}
}

func BenchmarkParseLargeFile(b *testing.B) {
	src := []byte(outlineHCL(10000, false))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, d := parseHCL(src, "main.hcl"); d.HasErrors() {
			b.Fatal(d.Error())
		}
	}
}

func BenchmarkParseLargeFileWhole(b *testing.B) {
	src := []byte(outlineHCL(10000, false))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, d := hclsyntax.ParseConfig(src, "main.hcl", hcl.InitialPos); d.HasErrors() {
			b.Fatal(d.Error())
		}
	}
}
