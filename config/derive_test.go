package config

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"scriptsync/formats/npy"
)

// A cold open before the first heading, and a title page with the keys
// ScriptRAG reads season, episode and series from.
const coldOpen = `Title: Night Shift
    Episode 2: Fog
Author: A. Writer
Season: 3
Episode: 4
Series: The Night Shift
Project: NS

[[a note is not content]]

KIM (V.O.)
It was raining.

INT. ER - MOMENTS LATER

Rain.
`

func TestSceneZero(t *testing.T) {
	vec := string(npy.Encode([]float32{1, 2}))
	cfg := load(t, map[string]string{
		"pilot.fountain": coldOpen,
		"v.npy":          vec,
		"main.hcl": `
script "pilot" {
  source = "pilot.fountain"
}
embedding "scene" {
  for_each = script.pilot.scenes
  scene    = each.value
  model    = "m"
  source   = "v.npy"
}
output "zero" {
  value = script.pilot.scenes["0"].content_hash
}
output "numbers" {
  value = [for k, s in script.pilot.scenes : s.number]
}
`,
	})
	s := cfg.Library.Scripts[0]
	if len(s.Scenes) != 2 {
		t.Fatalf("scenes: %d", len(s.Scenes))
	}
	zero, one := s.Scenes[0], s.Scenes[1]
	if zero.Number != 0 || zero.Address != `script.pilot.scenes["0"]` || zero.Heading != "" || zero.Location != "" || zero.TimeOfDay != "" {
		t.Errorf("scene 0 = %+v", zero)
	}
	if zero.Content != "KIM (V.O.)\nIt was raining." || zero.ScriptRAGHash != "" {
		t.Errorf("scene 0 content %q, ScriptRAG hash %q", zero.Content, zero.ScriptRAGHash)
	}
	if len(zero.Elements) != 1 || zero.Elements[0].Character != "KIM" || zero.Elements[0].Text != "It was raining." {
		t.Errorf("scene 0 elements = %+v", zero.Elements)
	}
	if one.Number != 1 || one.TimeOfDay != "LATER" || one.Location != "ER" {
		t.Errorf("scene 1 = %+v", one)
	}
	if len(s.Characters) != 1 || s.Characters[0].Name != "KIM" {
		t.Errorf("characters = %+v", s.Characters)
	}

	// ScriptRAG's reading of the title page: the indented "Episode 2:" line
	// is a key of its own, so the title is the first line.
	if s.Title != "Night Shift" || s.Author != "A. Writer" {
		t.Errorf("title %q, author %q", s.Title, s.Author)
	}
	if s.Season == nil || *s.Season != 3 || s.Episode == nil || *s.Episode != 4 || s.SeriesTitle != "The Night Shift" {
		t.Errorf("season %v, episode %v, series %q", s.Season, s.Episode, s.SeriesTitle)
	}
	if s.TitlePage["    episode 2"] != "Fog" || s.TitleMetadata["project_title"] != "NS" || s.TitleMetadata["episode"] != int64(4) {
		t.Errorf("title page %q, metadata %v", s.TitlePage, s.TitleMetadata)
	}

	// Embeddings: one per scene, scene 0 included, at the paths ScriptRAG
	// looks for (scene 0 has no ScriptRAG hash: its content hash names it).
	if len(cfg.Library.Embeddings) != 2 {
		t.Fatalf("embeddings: %d", len(cfg.Library.Embeddings))
	}
	sum := sha256.Sum256([]byte("INT. ER - MOMENTS LATER\n\nRain."))
	paths := map[string]string{}
	for _, e := range cfg.Library.Embeddings {
		paths[e.Scene] = e.Path
	}
	if want := "embeddings/" + hex.EncodeToString(sum[:]) + ".npy"; paths[one.Address] != want {
		t.Errorf("scene 1 embedding at %q, want %q", paths[one.Address], want)
	}
	if want := "embeddings/" + zero.ContentHash + ".npy"; paths[zero.Address] != want {
		t.Errorf("scene 0 embedding at %q, want %q", paths[zero.Address], want)
	}
	out := map[string]string{}
	for _, o := range cfg.Outputs {
		out[o.Name] = o.Value.GoString()
	}
	if !strings.Contains(out["zero"], zero.ContentHash) || !strings.Contains(out["numbers"], "cty.NumberIntVal(0)") {
		t.Errorf("outputs = %v", out)
	}
}

func TestNoSceneZero(t *testing.T) {
	// Only the title page, notes, boneyard, structure or a lone FADE IN:
	// before the heading: no scene 0.
	for name, src := range map[string]string{
		"structure": "Title: A\n\n[[note]]\n\n/* old\n\ndraft */\n\n# Act One\n\n= the plan\n\nINT. A - DAY\n\nRain.\n",
		"fade in":   "Title: A\n\nFADE IN:\n\nINT. A - DAY\n\nRain.\n",
	} {
		cfg := load(t, map[string]string{
			"a.fountain": src,
			"main.hcl":   `script "a" { source = "a.fountain" }`,
		})
		s := cfg.Library.Scripts[0]
		if len(s.Scenes) != 1 || s.Scenes[0].Number != 1 {
			t.Errorf("%s: scenes = %+v", name, s.Scenes)
		}
	}
	// FADE IN: followed by action is a cold open.
	cfg := load(t, map[string]string{
		"a.fountain": "FADE IN:\n\nA foghorn.\n\nINT. A - DAY\n\nRain.\n",
		"main.hcl":   `script "a" { source = "a.fountain" }`,
	})
	if s := cfg.Library.Scripts[0]; len(s.Scenes) != 2 || s.Scenes[0].Number != 0 {
		t.Errorf("FADE IN: and action: scenes = %+v", s.Scenes)
	}
}

func TestHCLBeforeTitlePage(t *testing.T) {
	cfg := load(t, map[string]string{
		"pilot.fountain": coldOpen,
		"main.hcl": `
series "show" { title = "Show" }
script "pilot" {
  source  = "pilot.fountain"
  title   = "Pilot"
  author  = "B"
  series  = series.show
  season  = 1
  episode = 0
}`,
	})
	s := cfg.Library.Scripts[0]
	if s.Title != "Pilot" || s.Author != "B" || *s.Season != 1 || *s.Episode != 0 || s.SeriesTitle != "Show" {
		t.Errorf("script = %q by %q, season %d episode %d, series %q", s.Title, s.Author, *s.Season, *s.Episode, s.SeriesTitle)
	}
	// The title page stays available as ScriptRAG read it.
	if s.TitleMetadata["season"] != int64(3) {
		t.Errorf("title metadata = %v", s.TitleMetadata)
	}
}

// TestScreenplayWithoutHeadings: a file with no heading at all is scene 0,
// with its characters and dialogue.
func TestScreenplayWithoutHeadings(t *testing.T) {
	cfg := load(t, map[string]string{
		"a.fountain": "Bob asks the dog.\n\nBOB\n(to dog)\nAre you an AI?\n\nDOG\nUh, no.\n",
		"main.hcl":   `script "a" { source = "a.fountain" }`,
	})
	s := cfg.Library.Scripts[0]
	if len(s.Scenes) != 1 || s.Scenes[0].Number != 0 || len(s.Scenes[0].Elements) != 3 {
		t.Fatalf("scenes = %+v", s.Scenes)
	}
	if len(s.Characters) != 2 || s.Characters[0].Name != "BOB" || s.Characters[1].Name != "DOG" {
		t.Errorf("characters = %+v", s.Characters)
	}
}

// TestDefaultPaths: files land where ScriptRAG looks for them. A bible sits
// next to its script (ScriptRAG searches the script's directory) and is
// named *.bible.md (ScriptRAG's bible detector matches file names).
func TestDefaultPaths(t *testing.T) {
	cfg := load(t, map[string]string{
		"a.fountain": "INT. A - DAY\n\nRain.\n",
		"w.md":       "# World\n\nx\n",
		"lamp.md":    "---\ndescription: d\nversion: 1\n---\n\n```json\n{\"type\": \"object\"}\n```\n",
		"main.hcl": `
script "ep" {
  for_each = toset(["1"])
  source   = "a.fountain"
}
script "outline" {}
bible "world" {
  source = "w.md"
  script = script.ep["1"]
}
bible "plan" {
  source = "w.md"
  script = script.outline
}
bible "lore" {
  source = "w.md"
}
agent "lamp" {
  source = "lamp.md"
}
`,
	})
	lib := cfg.Library
	got := map[string]string{}
	for _, s := range lib.Scripts {
		got[s.Address] = s.Path
	}
	for _, b := range lib.Bibles {
		got[b.Address] = b.Path
	}
	for _, a := range lib.Agents {
		got[a.Address] = a.Path
	}
	want := map[string]string{
		`script.ep["1"]`: "scripts/ep/1.fountain",
		"script.outline": "",
		"bible.world":    "scripts/ep/world.bible.md",
		"bible.plan":     "scripts/plan.bible.md",
		"bible.lore":     "bibles/lore.bible.md",
		"agent.lamp":     ".scriptrag/agents/lamp.md",
	}
	for addr, w := range want {
		if got[addr] != w {
			t.Errorf("%s at %q, want %q", addr, got[addr], w)
		}
	}
}

// TestEmbeddingPathTaken: two scenes with one heading share ScriptRAG's
// hash; the second embedding, and a second model's, take the next default.
func TestEmbeddingPathTaken(t *testing.T) {
	vec := string(npy.Encode([]float32{1, 2}))
	cfg := load(t, map[string]string{
		"a.fountain": "EXT. HILLS - DAY\n\nOne.\n\nEXT. HILLS - DAY\n\nTwo.\n",
		"v.npy":      vec,
		"main.hcl": `
script "a" { source = "a.fountain" }
embedding "m1" {
  for_each = script.a.scenes
  scene    = each.value
  model    = "m1"
  source   = "v.npy"
}
embedding "m2" {
  scene  = script.a.scenes["1"]
  model  = "m2"
  source = "v.npy"
}`,
	})
	s := cfg.Library.Scripts[0]
	one, two := s.Scenes[0], s.Scenes[1]
	if one.ScriptRAGHash != two.ScriptRAGHash || one.ScriptRAGHash != one.ContentHash {
		t.Fatalf("hashes: %s %s %s", one.ScriptRAGHash, two.ScriptRAGHash, one.ContentHash)
	}
	got := map[string]string{}
	for _, e := range cfg.Library.Embeddings {
		got[e.Address] = e.Path
	}
	// m2 is built first (a for_each block's instances are built last) and
	// takes scene 1's ScriptRAG path; scene 1's content hash is the same
	// (its text is the same), so m1["1"] falls back to NAME/KEY; scene 2's
	// ScriptRAG hash is scene 1's, so m1["2"] takes its content hash.
	want := map[string]string{
		"embedding.m2":      "embeddings/" + one.ScriptRAGHash + ".npy",
		`embedding.m1["1"]`: "embeddings/m1/1.npy",
		`embedding.m1["2"]`: "embeddings/" + two.ContentHash + ".npy",
	}
	for addr, w := range want {
		if got[addr] != w {
			t.Errorf("%s at %q, want %q (all: %q)", addr, got[addr], w, got)
		}
	}
}
