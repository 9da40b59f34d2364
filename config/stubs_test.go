package config

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"scriptsync/formats/npy"
	"scriptsync/providers"
)

// A library of four season files whose blocks refer across files: a
// character and a bible in season_c name scripts of seasons a and b, and
// season_b's embedding reads a local of main.hcl.
func stubLibrary(t *testing.T) string {
	// Two screenplays of one text would have scenes ScriptRAG hashes
	// alike, whose embeddings only one takes the paths of
	// (Fingerprint.Displaced); a scope evaluates the other alone, and its
	// fingerprint differs from the full one's (the plan of what changed
	// gives way then: TestMemoDisplacedEmbeddingsPlanInFull).
	other := strings.NewReplacer("INT. ER", "INT. WARD", "EXT. ROOF", "EXT. YARD", "Rain.", "Hail.").Replace(pilot)
	vec := func(x float32) string { return string(npy.Encode([]float32{x, 2})) }
	return writeFiles(t, map[string]string{
		"a1.fountain":      pilot,
		"b1.fountain":      other,
		"bible.md":         "# The bible\n",
		"agent.md":         agentText("d"),
		"vectors/a1/1.npy": vec(1), "vectors/a1/2.npy": vec(2),
		"vectors/b1/1.npy": vec(3), "vectors/b1/2.npy": vec(4),
		"main.hcl": `
series "s" {
  title = "S"
}
provider "git" {
  branch = "main"
}
locals {
  model = "m"
}
output "first" {
  value = script.a1.title
}
`,
		"season_a.hcl": `script "a1" {
  source  = "a1.fountain"
  series  = series.s
  episode = 1
}

embedding "a1" {
  for_each = script.a1.scenes
  scene    = each.value
  model    = "m"
  source   = "vectors/a1/${each.key}.npy"
}
`,
		"season_b.hcl": `script "b1" {
  source  = "b1.fountain"
  series  = series.s
  episode = 2
}

embedding "b1" {
  for_each = script.b1.scenes
  scene    = each.value
  model    = local.model
  source   = "vectors/b1/${each.key}.npy"
}
`,
		"season_c.hcl": `character "kim" {
  script = script.a1
  name   = "KIM"
}

bible "b1" {
  script = script.b1
  source = "bible.md"
}
`,
		"season_d.hcl": `agent "notes" {
  source = "agent.md"
}
`,
	})
}

// The evaluation of what changed with the deferred files as stubs parses
// only the files of the blocks the change reaches, and gives exactly what
// the same evaluation gives with every file parsed (no block cache): the
// same scope, library, outputs and fingerprint, or the same refusal, or
// the same diagnostics.
func TestStubsGiveTheScopeOfEveryFileParsed(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(dir string) error
		// parsed are the season files the stubbed evaluation parses;
		// nil when it gives way to the whole configuration.
		parsed []string
		errors bool
		base   func(dir string) error // before the apply the memo records
		whole  bool                   // both give way to the whole configuration
	}{
		{name: "a script block rewritten, and a bible names no script", base: func(dir string) error {
			if err := os.WriteFile(filepath.Join(dir, "season_b.hcl"), nil, 0o644); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, "season_c.hcl"), []byte("bible \"all\" {\n  source = \"bible.md\"\n}\n"), 0o644)
		}, change: func(dir string) error {
			return replaceIn(dir, "season_a.hcl", "episode = 1", "episode = 4")
		}, whole: true},
		{"a screenplay rewritten", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "a1.fountain"), []byte(strings.Replace(pilot, "Rain.", "Snow.", 1)), 0o644)
		}, []string{"season_a.hcl", "season_c.hcl"}, false, nil, false},
		{"a vector rewritten", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "vectors/b1/2.npy"), npy.Encode([]float32{3, 4}), 0o644)
		}, []string{"season_b.hcl"}, false, nil, false},
		{"an agent's source rewritten", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "agent.md"), []byte(agentText("another")), 0o644)
		}, []string{"season_d.hcl"}, false, nil, false},
		{"a script block rewritten", func(dir string) error {
			return replaceIn(dir, "season_b.hcl", "episode = 2", "episode = 3")
		}, []string{"season_b.hcl", "season_c.hcl"}, false, nil, false},
		{"a block added to a season", func(dir string) error {
			if err := os.WriteFile(filepath.Join(dir, "more.md"), []byte(agentText("more")), 0o644); err != nil {
				return err
			}
			return appendTo(dir, "season_d.hcl", "\nagent \"more\" {\n  source = \"more.md\"\n}\n")
		}, []string{"season_d.hcl"}, false, nil, false},
		{"a block removed that another file names", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "season_b.hcl"), nil, 0o644)
		}, nil, true, nil, false},
		{"a block added twice", func(dir string) error {
			return appendTo(dir, "season_d.hcl", "\nscript \"a1\" {\n  source = \"a1.fountain\"\n}\n")
		}, nil, true, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := stubLibrary(t)
			cache := t.TempDir()
			if tc.base != nil {
				if err := tc.base(dir); err != nil {
					t.Fatal(err)
				}
			}
			fp := loadRecalling(t, dir, cache, nil, nil, false).cfg.Fingerprint
			if fp == nil {
				t.Fatal("no fingerprint")
			}
			if err := tc.change(dir); err != nil {
				t.Fatal(err)
			}
			// Every file parsed: no block cache.
			full, fullDiags := loadScoped(dir, "", fp)
			stubbed, stubDiags := loadScoped(dir, cache, fp)
			if tc.errors {
				if !fullDiags.HasErrors() || stubDiags.Error() != fullDiags.Error() {
					t.Fatalf("diagnostics with stubs:\n%v\nwith every file parsed:\n%v", stubDiags, fullDiags)
				}
				return
			}
			if fullDiags.HasErrors() || stubDiags.HasErrors() {
				t.Fatalf("diagnostics: with stubs %v, with every file parsed %v", stubDiags, fullDiags)
			}
			if (full.Scope == nil) != (stubbed.Scope == nil) || full.Whole != stubbed.Whole {
				t.Fatalf("scoped %v (%q) with stubs, %v (%q) with every file parsed", stubbed.Scope != nil, stubbed.Whole, full.Scope != nil, full.Whole)
			}
			if tc.whole {
				if full.Scope != nil || full.Whole == "" {
					t.Fatalf("scoped, want the whole configuration")
				}
				return
			}
			if full.Scope == nil {
				t.Fatalf("not scoped: %s", full.Whole)
			}
			if !reflect.DeepEqual(stubbed.Scope, full.Scope) {
				t.Fatalf("scope with stubs %+v\nwith every file parsed %+v", stubbed.Scope, full.Scope)
			}
			if !reflect.DeepEqual(stubbed.Library, full.Library) {
				t.Fatalf("library with stubs %+v\nwith every file parsed %+v", stubbed.Library, full.Library)
			}
			if !reflect.DeepEqual(stubbed.Outputs, full.Outputs) || stubbed.Digest != full.Digest || !maps.Equal(stubbed.Inputs, full.Inputs) {
				t.Fatalf("outputs, digest or inputs differ:\n%v %s\n%v %s", stubbed.Outputs, stubbed.Digest, full.Outputs, full.Digest)
			}
			// The scope's fingerprint is the one a full evaluation of the
			// changed configuration records (the memo of the apply).
			whole, diags := Load(Options{Dir: dir})
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			if !reflect.DeepEqual(stubbed.Scope.Fingerprint, whole.Fingerprint) {
				t.Fatalf("the scope's fingerprint differs from the full evaluation's in %s", fingerprintDiff(stubbed.Scope.Fingerprint, whole.Fingerprint))
			}
			var parsed []string
			for name := range stubbed.Files {
				if strings.HasPrefix(name, "season_") {
					parsed = append(parsed, name)
				}
			}
			slices.Sort(parsed)
			if !slices.Equal(parsed, tc.parsed) {
				t.Fatalf("parsed %v, want %v", parsed, tc.parsed)
			}
		})
	}
}

// loadScoped loads dir as a plan of what changed since fp would, with the
// block cache in cache ("" for none).
func loadScoped(dir, cache string, fp *Fingerprint) (*Config, hcl.Diagnostics) {
	return Load(Options{Dir: dir, CacheDir: cache, Scope: true, OnProviders: func(map[string]*providers.Config) {},
		Recall: func(holds func(*Fingerprint) bool) (bool, bool) { return holds(fp), true }})
}

func agentText(description string) string {
	return "---\ndescription: " + description + "\nversion: 1\n---\n\n```json\n{\"type\": \"object\"}\n```\n"
}

func replaceIn(dir, name, old, new string) error {
	path := filepath.Join(dir, name)
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644)
}

func appendTo(dir, name, text string) error {
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(text)
	return errors.Join(err, f.Close())
}

// fingerprintDiff names the fields in which a and b differ, with both
// values.
func fingerprintDiff(a, b *Fingerprint) string {
	var out []string
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	for i := range va.NumField() {
		if x, y := va.Field(i).Interface(), vb.Field(i).Interface(); !reflect.DeepEqual(x, y) {
			out = append(out, fmt.Sprintf("%s: %v against %v", va.Type().Field(i).Name, x, y))
		}
	}
	return strings.Join(out, "; ")
}
