package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"scriptsync/library"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func load(t *testing.T, files map[string]string) *Config {
	t.Helper()
	cfg, diags := Load(Options{Dir: writeFiles(t, files)})
	if diags.HasErrors() {
		t.Fatalf("Load: %s", diags.Error())
	}
	return cfg
}

const pilot = `Title: The Pilot
Author: A. Writer

INT. ER - NIGHT

Rain.

KIM
(tired)
Here we go again.

EXT. ROOF - DAWN #7A#

OKAFOR
Call me back.

KIM
Never.
`

func TestScriptDerivesScenesAndCharacters(t *testing.T) {
	cfg := load(t, map[string]string{
		"pilot.fountain": pilot,
		"main.hcl": `
script "pilot" {
  source = "pilot.fountain"
}
character "kim" {
  script      = script.pilot
  name        = "KIM"
  description = "Night nurse."
  aliases     = ["NURSE KIM"]
}
character "ghost" {
  script = script.pilot
  name   = "GHOST"
}
output "headings" {
  value = [for k in sort(keys(script.pilot.scenes)) : script.pilot.scenes[k].heading]
}
output "parsed" {
  value = fountain("pilot.fountain").title
}
`,
	})
	lib := cfg.Library
	if len(lib.Scripts) != 1 {
		t.Fatalf("scripts: %d", len(lib.Scripts))
	}
	s := lib.Scripts[0]
	if s.Title != "The Pilot" || s.Author != "A. Writer" || s.Path != "scripts/pilot.fountain" {
		t.Errorf("script = %q by %q at %q", s.Title, s.Author, s.Path)
	}
	if len(s.Scenes) != 2 {
		t.Fatalf("scenes: %d", len(s.Scenes))
	}
	sc := s.Scenes[1]
	if sc.Address != `script.pilot.scenes["2"]` || sc.Location != "ROOF" || sc.TimeOfDay != "DAWN" || sc.Metadata["fountain_number"] != "7A" {
		t.Errorf("scene 2 = %+v", sc)
	}
	if e := s.Scenes[0].Elements; len(e) != 2 || e[0].Kind != library.Action || e[1].Character != "KIM" || e[1].Parenthetical != "(tired)" {
		t.Errorf("scene 1 elements = %+v", e)
	}
	var names []string
	for _, c := range s.Characters {
		names = append(names, c.Name)
		if c.Name == "KIM" && (c.Description != "Night nurse." || c.Resource != "character.kim" || len(c.Aliases) != 1) {
			t.Errorf("KIM = %+v", c)
		}
	}
	if strings.Join(names, ",") != "GHOST,KIM,OKAFOR" {
		t.Errorf("characters = %v", names)
	}
	out := map[string]string{}
	for _, o := range cfg.Outputs {
		out[o.Name] = o.Value.GoString()
	}
	if !strings.Contains(out["headings"], "INT. ER - NIGHT") || !strings.Contains(out["parsed"], "The Pilot") {
		t.Errorf("outputs = %v", out)
	}
	if cfg.Inputs["pilot.fountain"] != s.ContentHash || s.ContentHash == "" {
		t.Errorf("input digest %q, content hash %q", cfg.Inputs["pilot.fountain"], s.ContentHash)
	}
}

func TestFileset(t *testing.T) {
	cfg := load(t, map[string]string{
		"v/a/1.txt": "x", "v/a/2.txt": "x", "v/b/3.md": "x",
		"main.hcl": `output "txt" {
  value = fileset("v", "**/*.txt")
}`,
	})
	if got := cfg.Outputs[0].Value.GoString(); !strings.Contains(got, `"a/1.txt"`) || !strings.Contains(got, `"a/2.txt"`) || strings.Contains(got, "3.md") {
		t.Errorf("fileset = %s", got)
	}
}

func TestDigestCoversConfiguration(t *testing.T) {
	files := map[string]string{"main.hcl": `series "s" {}`}
	a := load(t, files)
	b := load(t, files)
	files["main.hcl"] = `series "s" { title = "x" }`
	c := load(t, files)
	if a.Digest != b.Digest || a.Digest == c.Digest {
		t.Errorf("digests: %s %s %s", a.Digest, b.Digest, c.Digest)
	}
}

func TestDiagnostics(t *testing.T) {
	for name, tc := range map[string]struct {
		files map[string]string
		want  string
	}{
		"outline path": {map[string]string{"main.hcl": `script "o" { path = "x.fountain" }`}, "Path without source"},
		"duplicate scene number": {map[string]string{"main.hcl": `
script "o" {}
scene "a" {
  script  = script.o
  number  = 1
  heading = "INT. A - DAY"
}
scene "b" {
  script  = script.o
  number  = 1
  heading = "INT. B - DAY"
}`}, "Duplicate scene number"},
		"reference to wrong kind": {map[string]string{"main.hcl": `
series "s" {}
script "o" { series = "series.s" }`}, "series must refer to a series"},
		"for_each list": {map[string]string{"main.hcl": `series "s" {
  for_each = ["a"]
}`}, "Convert a list of strings with toset"},
		"sensitive output": {map[string]string{"main.hcl": `
variable "x" {
  default   = "s"
  sensitive = true
}
output "o" { value = var.x }`}, "Output refers to sensitive values"},
		"bad fountain": {map[string]string{"bin.fountain": "INT. X\x00", "main.hcl": `script "b" { source = "bin.fountain" }`}, "Invalid Fountain screenplay"},
		"bad npy":      {map[string]string{"v.npy": "not numpy", "main.hcl": vectorConfig}, "Invalid embedding vector"},
	} {
		t.Run(name, func(t *testing.T) {
			_, diags := Load(Options{Dir: writeFiles(t, tc.files)})
			if !diags.HasErrors() || !strings.Contains(diags.Error(), tc.want) {
				t.Fatalf("diags = %v, want %q", diags, tc.want)
			}
		})
	}
}

func TestFilesha256(t *testing.T) {
	cfg := load(t, map[string]string{"notes.txt": "hello\n", "main.hcl": `output "sum" { value = filesha256("notes.txt") }`})
	const want = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03" // sha256sum of "hello\n"
	if len(cfg.Outputs) != 1 || cfg.Outputs[0].Value.AsString() != want {
		t.Fatalf("outputs %v, want %s", cfg.Outputs, want)
	}
	if got := cfg.Inputs["notes.txt"]; got != want {
		t.Errorf("inputs record %q for notes.txt, want %s", got, want)
	}
	_, diags := Load(Options{Dir: writeFiles(t, map[string]string{"main.hcl": `output "sum" { value = filesha256("gone.txt") }`})})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "gone.txt does not exist") {
		t.Errorf("missing file: %v", diags)
	}
}
