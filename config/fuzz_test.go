package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzLoad evaluates arbitrary configurations: every input must give a
// configuration or diagnostics, never a panic or a Go stack trace.
func FuzzLoad(f *testing.F) {
	for _, s := range []string{
		`series "a" { title = "A" }`,
		`variable "s" {
  sensitive = true
  default   = "x"
}
series "a" { metadata = { n = length(var.s), ok = can(regex("x", var.s)) } }
output "o" {
  value     = series.a.metadata
  sensitive = true
}`,
		`locals { x = [for i in range(3) : i * 2] }
output "o" { value = local.x }`,
		`script "o" { title = "O" }
scene "s" {
  script  = script.o
  number  = 1
  heading = "INT. A - DAY"
  content = "Hi."
}`,
		`locals { x = setproduct(range(10), range(10)) }`,
		`output "o" { value = try(jsondecode("{"), "bad") }`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, diags := Load(Options{Dir: dir, Getenv: func(string) string { return "" }})
		if took := time.Since(start); took > 10*time.Second {
			t.Fatalf("Load took %s", took)
		}
		for _, d := range diags {
			if containsStack(d.Detail) {
				t.Fatalf("a diagnostic carries a Go stack trace: %s", d.Detail)
			}
		}
	})
}

func containsStack(s string) bool {
	for i := 0; i+10 <= len(s); i++ {
		if s[i:i+10] == "goroutine " {
			return true
		}
	}
	return false
}
