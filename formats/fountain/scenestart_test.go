package fountain

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// sceneStartRE is ScriptRAG's expression, the reference nextSceneStart
// must agree with.
var sceneStartRE = regexp.MustCompile(`(?m)^(INT\.|EXT\.|EST\.|INT\./EXT\.|I/E\.)`)

func refSceneStart(s string) int {
	if m := sceneStartRE.FindStringIndex(s); m != nil {
		return m[0]
	}
	return -1
}

func TestNextSceneStartIsScriptRAGs(t *testing.T) {
	cases := []string{"", "INT.", "\nINT. A", "x\nEXT. B", "int. a\nEST. C", "I/E. D", "xINT. A", "\n\nI/E.", "INT./EXT. A",
		"  INT. A", "\r\nINT. A", "INT", "\nEX", "text\n", "a\nb\nc\nI/E", "a\nb\nINT.x"}
	parts := []string{"INT.", "EXT.", "EST.", "I/E.", "INT./EXT.", "INT", "int.", "\n", "\r\n", " ", "a", "I/", "E"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range r.IntN(8) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		cases = append(cases, b.String())
	}
	for _, c := range cases {
		if got, want := nextSceneStart(c), refSceneStart(c); got != want {
			t.Fatalf("nextSceneStart(%q) = %d, ScriptRAG's expression gives %d", c, got, want)
		}
	}
}

func FuzzNextSceneStart(f *testing.F) {
	f.Add("a\nINT. X")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := nextSceneStart(s), refSceneStart(s); got != want {
			t.Fatalf("nextSceneStart(%q) = %d, want %d", s, got, want)
		}
	})
}
