package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fountainLibrary writes scripts Fountain screenplays of scenes scenes
// each (a heading, an action paragraph, four dialogue blocks among five
// characters) and the HCL declaring them, one file per script.
func fountainLibrary(tb testing.TB, dir string, scripts, scenes int) {
	tb.Helper()
	names := []string{"ALICE", "BOB", "CAROL", "DMITRI", "ESME"}
	for s := 0; s < scripts; s++ {
		var b strings.Builder
		fmt.Fprintf(&b, "Title: Episode %d\nAuthor: Bench Writer\n\n", s)
		for n := 0; n < scenes; n++ {
			fmt.Fprintf(&b, "INT. ROOM %d - NIGHT\n\nThe radiator ticks in room %d of episode %d.\n\n", n, n, s)
			for d := 0; d < 4; d++ {
				fmt.Fprintf(&b, "%s\n(beat)\nLine %d of scene %d, and nobody believes it.\n\n", names[(n+d)%5], d, n)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("ep%d.fountain", s)), []byte(b.String()), 0o644); err != nil {
			tb.Fatal(err)
		}
		hcl := fmt.Sprintf("script \"ep%d\" {\n  source  = \"ep%d.fountain\"\n  episode = %d\n}\n", s, s, s+1)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("ep%d.hcl", s)), []byte(hcl), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkPlanFountain plans, from empty backends, 100 Fountain scripts of
// 50 scenes each: parsing, deriving scenes, characters, dialogue and
// action, and diffing against nothing (issue 3's target: under 1 s).
func BenchmarkPlanFountain(b *testing.B) {
	dir := b.TempDir()
	fountainLibrary(b, dir, 100, 50)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := run(b, dir, "plan")
		if !strings.Contains(out, "Plan: ") {
			b.Fatalf("unexpected plan output:\n%.500s", out)
		}
	}
}
