package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"scriptsync/cli"
)

// outlineConfig writes a configuration of n outline scenes (in scripts of
// 50), each with an action paragraph and four dialogue blocks.
func outlineConfig(tb testing.TB, dir string, n int) {
	tb.Helper()
	var b strings.Builder
	b.WriteString("series \"bench\" {\n  title = \"Bench\"\n}\n\n")
	for s := 0; s*50 < n; s++ {
		fmt.Fprintf(&b, "script \"s%d\" {\n  title  = \"Script %d\"\n  series = series.bench\n}\n\n", s, s)
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `scene "sc%d" {
  script  = script.s%d
  number  = %d
  heading = "INT. ROOM %d - NIGHT"
  content = <<-EOT
    The lights flicker in room %d.

    ALICE
    (quietly)
    Did you hear that?

    BOB
    It's the pipes. It's always the pipes.

    ALICE
    Pipes don't knock three times.

    CAROL
    Scene %d, and still no plumber.
  EOT
}

`, i, i/50, i%50+1, i, i, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(b.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func run(tb testing.TB, dir string, args ...string) string {
	tb.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(cli.Env{Args: append([]string{"scriptsync"}, args...), Dir: dir, Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" }, Context: context.Background()})
	if code != 0 && !(code == 2 && args[0] == "plan") {
		tb.Fatalf("scriptsync %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
	}
	return out.String()
}

// BenchmarkApplyOutline measures a cold apply (empty database) of n outline
// scenes through the CLI, in-process.
func BenchmarkApplyOutline(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			src := b.TempDir()
			outlineConfig(b, src, n)
			var peak uint64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				dir := b.TempDir()
				data, _ := os.ReadFile(filepath.Join(src, "main.hcl"))
				os.WriteFile(filepath.Join(dir, "main.hcl"), data, 0o644)
				runtime.GC()
				b.StartTimer()
				run(b, dir, "apply", "-auto-approve")
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if m.Sys > peak {
					peak = m.Sys
				}
			}
			b.ReportMetric(float64(peak)/(1<<20), "MB-sys")
		})
	}
}

// BenchmarkPlanNoop measures a plan that finds nothing to do.
func BenchmarkPlanNoop(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dir := b.TempDir()
			outlineConfig(b, dir, n)
			run(b, dir, "apply", "-auto-approve")
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if out := run(b, dir, "plan"); !strings.Contains(out, "No changes.") {
					b.Fatalf("plan found changes:\n%.2000s", out)
				}
			}
		})
	}
}
