package sql

import (
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"scriptsync/library"
	"scriptsync/providers"
)

func desiredByAddress(t *testing.T, lib *library.Library) map[string]*providers.Object {
	t.Helper()
	objs, diags := (&Provider{}).Desired(lib)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	out := map[string]*providers.Object{}
	for _, o := range objs {
		out[o.Address] = o
	}
	return out
}

func TestDesiredObjects(t *testing.T) {
	dir := t.TempDir()
	lib := fixture(t, dir)
	lib.Scripts[0].PreventDestroy = true
	p := &Provider{}
	objs, diags := p.Desired(lib)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, o := range objs {
		if e, ok := o.Payload.(*library.Embedding); ok && o.Source != filepath.Join(dir, e.Source) {
			t.Errorf("%s: Source = %q, want the vector under the library's directory %s", o.Address, o.Source, dir)
		}
	}
	if !slices.IsSortedFunc(objs, func(x, y *providers.Object) int { return strings.Compare(x.Address, y.Address) }) {
		t.Error("objects are not sorted by address")
	}
	types := map[string]int{}
	for _, o := range objs {
		types[o.Type]++
		if o.Hash == "" || o.Payload == nil {
			t.Errorf("%s: no hash or payload", o.Address)
		}
	}
	if want := map[string]int{"series": 1, "script": 2, "character": 4, "scene": 7, "embedding": 2, "bible": 1}; !reflect.DeepEqual(types, want) {
		t.Errorf("types %v, want %v", types, want)
	}
	by := desiredByAddress(t, lib)
	scene := by[`script.pilot.scenes["2"]`]
	if want := []string{"script.pilot", `script.pilot.characters["KIM"]`, `script.pilot.characters["RAY"]`}; !slices.Equal(scene.Deps, want) {
		t.Errorf("scene deps %v, want %v", scene.Deps, want)
	}
	if scene.Group != "script.pilot" || scene.MatchHash != lib.Scripts[0].Scenes[1].ContentHash || scene.Seq != 2 {
		t.Errorf("derived scene group %q match %q seq %d", scene.Group, scene.MatchHash, scene.Seq)
	}
	if want := map[string]any{"scene_number": int64(2), "heading": "INT. WARD 2 - NIGHT", "location": "WARD 2", "time_of_day": "NIGHT",
		"content_hash": scene.MatchHash, "dialogues": int64(2), "actions": int64(1),
		"text": lib.Scripts[0].Scenes[1].Content}; !reflect.DeepEqual(scene.Attributes(), want) {
		t.Errorf("scene attrs %v, want %v", scene.Attributes(), want)
	}
	if scene.Resource != "script.pilot" {
		t.Errorf("scene resource %q", scene.Resource)
	}
	outline := by["scene.spinoff_open"]
	if outline.Group != "" || outline.MatchHash != "" || outline.Seq != 0 {
		t.Errorf("outline scene grouped: %q %q %d", outline.Group, outline.MatchHash, outline.Seq)
	}
	pilot := by["script.pilot"]
	if !slices.Equal(pilot.Deps, []string{"series.night_shift"}) || !pilot.PreventDestroy {
		t.Errorf("script deps %v prevent_destroy %v", pilot.Deps, pilot.PreventDestroy)
	}
	// file_path is the row's: the source's absolute path, as ScriptRAG
	// stores it.
	if want := map[string]any{"title": "Pilot", "author": "A. Writer", "file_path": filepath.Join(lib.Dir, lib.Scripts[0].Source), "format": "fountain",
		"series_title": "Night Shift", "season": int64(1), "episode": int64(1),
		"metadata": map[string]any{"status": "draft", "pages": int64(3)}, "content_hash": lib.Scripts[0].ContentHash}; !reflect.DeepEqual(pilot.Attributes(), want) {
		t.Errorf("script attrs %v\nwant %v", pilot.Attributes(), want)
	}
	if got, _ := by["script.spinoff"].Attributes()["file_path"].(string); !filepath.IsAbs(got) || !strings.HasSuffix(got, "script.spinoff.outline") {
		t.Errorf("outline script's file_path is %q, want the absolute .outline path its row holds", got)
	}
	kim := by[`script.pilot.characters["KIM"]`]
	if !reflect.DeepEqual(kim.Attributes(), map[string]any{"name": "KIM", "aliases": []any{"NURSE KIM"}, "description": "Night nurse."}) {
		t.Errorf("character attrs %v", kim.Attributes())
	}
	emb := by[`embedding.pilot["1"]`]
	if !slices.Equal(emb.Deps, []string{`script.pilot.scenes["1"]`}) || emb.Attributes()["dimensions"] != int64(3) || emb.Size != 12 {
		t.Errorf("embedding %v %v", emb.Deps, emb.Attributes())
	}
	bible := by["bible.world"]
	if !slices.Equal(bible.Deps, []string{"script.pilot"}) || bible.Attributes()["chunks"] != int64(3) {
		t.Errorf("bible %v %v", bible.Deps, bible.Attributes())
	}
}

// TestDesiredHashes checks that each edit changes the hash of exactly the
// object that Apply must rewrite.
func TestDesiredHashes(t *testing.T) {
	dir := t.TempDir()
	base := desiredByAddress(t, fixture(t, dir))
	for _, tc := range []struct {
		name    string
		edit    func(lib *library.Library)
		changed []string
	}{
		{"nothing", func(*library.Library) {}, nil},
		{"metadata map order", func(lib *library.Library) {
			lib.Scripts[0].Metadata = map[string]any{"pages": 3, "status": "draft"}
		}, nil},
		{"series title", func(lib *library.Library) { lib.Series[0].Title = "Day Shift" }, []string{"series.night_shift"}},
		{"script episode", func(lib *library.Library) { lib.Scripts[0].Episode = i64(2) }, []string{"script.pilot"}},
		{"character alias", func(lib *library.Library) {
			lib.Scripts[0].Characters[0].Aliases = []string{"KIMMY"}
		}, []string{`script.pilot.characters["KIM"]`}},
		{"scene number only", func(lib *library.Library) {
			lib.Scripts[1].Scenes[1].Number = 3
		}, []string{"scene.spinoff_close"}},
		{"parenthetical", func(lib *library.Library) {
			lib.Scripts[0].Scenes[2].Elements[2].Parenthetical = "(loudly)"
		}, []string{`script.pilot.scenes["3"]`}},
		{"dialogue speaker", func(lib *library.Library) {
			lib.Scripts[0].Scenes[2].Elements[1].Character = "RAY"
		}, []string{`script.pilot.scenes["3"]`}},
		{"scene metadata", func(lib *library.Library) {
			lib.Scripts[0].Scenes[0].Metadata = map[string]any{"fountain_number": "1A"}
		}, []string{`script.pilot.scenes["1"]`}},
		{"embedding model", func(lib *library.Library) { lib.Embeddings[0].Model = "other" }, []string{`embedding.pilot["1"]`}},
		{"chunk text", func(lib *library.Library) { lib.Bibles[0].Chunks[1].Content = "## Ward\nCots." }, []string{"bible.world"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lib := fixture(t, dir)
			tc.edit(lib)
			var changed []string
			for addr, o := range desiredByAddress(t, lib) {
				if base[addr].Hash != o.Hash {
					changed = append(changed, addr)
				}
			}
			slices.Sort(changed)
			if !slices.Equal(changed, tc.changed) {
				t.Errorf("changed %v, want %v", changed, tc.changed)
			}
		})
	}
}

func TestDesiredDiagnostics(t *testing.T) {
	for _, tc := range []struct {
		name, summary string
		edit          func(lib *library.Library)
	}{
		{"unknown character", "Unknown character", func(lib *library.Library) {
			lib.Scripts[0].Scenes[0].Elements[1].Character = "NOBODY"
		}},
		{"duplicate scene number", "Duplicate scene number", func(lib *library.Library) {
			lib.Scripts[1].Scenes[1].Number = 1
		}},
		{"embedding of an unknown scene", "Reference to an undeclared object", func(lib *library.Library) {
			lib.Embeddings[0].Scene = "scene.nowhere"
		}},
		{"bible of an unknown script", "Reference to an undeclared object", func(lib *library.Library) {
			lib.Bibles[0].Script = "script.nowhere"
		}},
		{"script in an unknown series", "Reference to an undeclared object", func(lib *library.Library) {
			lib.Scripts[0].Series = "series.nowhere"
		}},
		{"duplicate address", "Duplicate object", func(lib *library.Library) {
			lib.Series = append(lib.Series, lib.Series[0])
		}},
		{"unencodable metadata", "Invalid value", func(lib *library.Library) {
			lib.Series[0].Metadata = map[string]any{"f": func() {}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lib := fixture(t, t.TempDir())
			lib.Scripts[0].Scenes[0].Range = rng(7)
			tc.edit(lib)
			objs, diags := (&Provider{}).Desired(lib)
			if objs != nil || !diags.HasErrors() || diags[0].Summary != tc.summary {
				t.Fatalf("Desired = %d objects, %v; want %q", len(objs), diags, tc.summary)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		in, want any
	}{
		{3, int64(3)},
		{int32(3), int64(3)},
		{2.0, int64(2)},
		{2.5, 2.5},
		{[]string{"a"}, []any{"a"}},
		{[]any(nil), []any{}},
		{map[string]any{"n": []any{1, 1.5, "x", nil, true}}, map[string]any{"n": []any{int64(1), 1.5, "x", nil, true}}},
		{map[string]int{"a": 1}, map[string]any{"a": int64(1)}},
	} {
		got, err := normalize(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("normalize(%#v) = %#v, %v; want %#v", tc.in, got, err, tc.want)
		}
		// Read decodes the same value.
		b, _ := canonicalJSON(got)
		back, _ := decodeJSON(b)
		if !reflect.DeepEqual(back, tc.want) {
			t.Errorf("round trip of %#v = %#v", tc.in, back)
		}
	}
}
