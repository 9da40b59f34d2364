package config

import (
	"bytes"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"

	"scriptsync/formats/npy"
	"scriptsync/providers"
)

func int64p(n int64) *int64 { return &n }

// generatedBlocks parses generated HCL into its blocks' attributes (as
// written) by type.name, and its imports as "to=id".
func generatedBlocks(t *testing.T, src []byte) (map[string]map[string]string, []string) {
	t.Helper()
	f, diags := hclparse.NewParser().ParseHCL(src, "adopted.hcl")
	if diags.HasErrors() {
		t.Fatalf("the generated file does not parse: %s\n%s", diags, src)
	}
	content, diags := f.Body.Content(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "provider", LabelNames: []string{"name"}}, {Type: "series", LabelNames: []string{"name"}},
		{Type: "script", LabelNames: []string{"name"}}, {Type: "bible", LabelNames: []string{"name"}},
		{Type: "agent", LabelNames: []string{"name"}}, {Type: "embedding", LabelNames: []string{"name"}}, {Type: "import"}}})
	if diags.HasErrors() {
		t.Fatalf("the generated file has unexpected content: %s\n%s", diags, src)
	}
	blocks := map[string]map[string]string{}
	var imports []string
	for _, b := range content.Blocks {
		attrs, _ := b.Body.JustAttributes()
		vals := map[string]string{}
		for name, a := range attrs {
			vals[name] = strings.TrimSpace(string(a.Expr.Range().SliceBytes(src)))
		}
		if b.Type == "import" {
			imports = append(imports, vals["to"]+"="+vals["id"])
			continue
		}
		blocks[b.Type+"."+b.Labels[0]] = vals
	}
	return blocks, imports
}

func TestGenerateDeclaresWhatIsHeld(t *testing.T) {
	held := &providers.Holdings{
		Series: []providers.HeldSeries{{ID: 4, Title: "Night Shift", Description: "Cops."}},
		Scripts: []providers.HeldScript{
			{ID: 7, Title: "Pilot", FilePath: "/srv/show/episodes/1-pilot.fountain", SeriesID: 4, Season: int64p(1), Episode: int64p(1)},
			{ID: 9, Title: "Gone", FilePath: "/elsewhere/gone.fountain"},
		},
		Bibles: []providers.HeldBible{{ID: 5, ScriptID: 7, FilePath: "/srv/show/bible/world.md"}},
		Embeddings: []providers.HeldEmbedding{
			{ID: 30, ScriptID: 7, SceneNumber: 2, Model: "m-1", Vector: []float32{1, 0.5}},
			{ID: 31, ScriptID: 7, SceneNumber: 3, Model: "m-1", Vector: []float32{2}},
			{ID: 32, ScriptID: 7, SceneNumber: 3, Model: "m/2", Vector: []float32{3}},
			{ID: 33, ScriptID: 9, SceneNumber: 1, Model: "m-1", Vector: []float32{4}},
		},
		Files: map[string][]byte{
			"episodes/1-pilot.fountain":  []byte("INT. A - DAY\n"),
			"bible/world.md":             []byte("# World\n"),
			".scriptrag/agents/props.md": []byte("---\nname: props\n---\n"),
			"README.md":                  []byte("not a screenplay"),
		},
	}
	g, err := Generate(GenerateInput{Dir: "/work/config", Held: held})
	if err != nil {
		t.Fatal(err)
	}
	blocks, imports := generatedBlocks(t, g.HCL)
	want := map[string]map[string]string{
		"provider.sql":       {"checkout": `"/srv/show"`},
		"series.night_shift": {"title": `"Night Shift"`, "description": `"Cops."`},
		// A file name that is no identifier gets one.
		"script.script_1_pilot": {"source": `"episodes/1-pilot.fountain"`, "path": `"episodes/1-pilot.fountain"`,
			"series": "series.night_shift", "season": "1", "episode": "1"},
		"bible.world": {"source": `"bible/world.md"`, "path": `"bible/world.md"`, "script": "script.script_1_pilot"},
		"agent.props": {"source": `".scriptrag/agents/props.md"`},
		"embedding.script_1_pilot_2": {"scene": `script.script_1_pilot.scenes["2"]`, "model": `"m-1"`,
			"source": `"vectors/script_1_pilot/2.npy"`},
		// A scene with two models gets one directory per model.
		"embedding.script_1_pilot_3_m_1": {"scene": `script.script_1_pilot.scenes["3"]`, "source": `"vectors/script_1_pilot/m_1/3.npy"`},
		"embedding.script_1_pilot_3_m_2": {"model": `"m/2"`, "source": `"vectors/script_1_pilot/m_2/3.npy"`},
	}
	if len(blocks) != len(want) {
		t.Errorf("blocks %v, want %d", blocks, len(want))
	}
	for name, attrs := range want {
		got, ok := blocks[name]
		if !ok {
			t.Errorf("%s is not declared:\n%s", name, g.HCL)
			continue
		}
		for k, v := range attrs {
			if got[k] != v {
				t.Errorf("%s.%s = %s, want %s", name, k, got[k], v)
			}
		}
	}
	wantImports := []string{`series.night_shift="4"`, `script.script_1_pilot="/srv/show/episodes/1-pilot.fountain"`,
		`bible.world="5"`, `embedding.script_1_pilot_2="30"`, `embedding.script_1_pilot_3_m_1="31"`,
		`embedding.script_1_pilot_3_m_2="32"`, `agent.props=".scriptrag/agents/props.md"`}
	if strings.Join(imports, " ") != strings.Join(wantImports, " ") {
		t.Errorf("imports %v, want %v", imports, wantImports)
	}
	if g.Objects != 7 {
		t.Errorf("Objects = %d, want 7", g.Objects)
	}
	if v := g.Sources["vectors/script_1_pilot/2.npy"]; !bytes.Equal(v, npy.Encode([]float32{1, 0.5})) {
		t.Errorf("the vector file holds %q, want numpy's encoding of the row's vector", v)
	}
	delete(g.Sources, "vectors/script_1_pilot/2.npy")
	delete(g.Sources, "vectors/script_1_pilot/m_1/3.npy")
	delete(g.Sources, "vectors/script_1_pilot/m_2/3.npy")
	var sources []string
	for p := range g.Sources {
		sources = append(sources, p)
	}
	sort.Strings(sources)
	if strings.Join(sources, " ") != ".scriptrag/agents/props.md bible/world.md episodes/1-pilot.fountain" {
		t.Errorf("sources %v, want the script's, the bible's and the agent's only", sources)
	}
	if len(g.Notes) != 2 || !strings.Contains(g.Notes[0], "scripts row 9 (Gone) is left out") ||
		!strings.Contains(g.Notes[1], "embeddings row 33 is left out") {
		t.Errorf("notes %q, want one about the script that is nowhere, one about its embedding", g.Notes)
	}
}

func TestGenerateKeepsTheUsersSQLBlock(t *testing.T) {
	held := &providers.Holdings{
		Scripts: []providers.HeldScript{{ID: 1, FilePath: "/srv/show/a.fountain"}},
		Files:   map[string][]byte{"a.fountain": []byte("INT. A - DAY\n")},
	}
	block := &providers.Config{Name: "sql", DeclRange: hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: 1}}}
	g, err := Generate(GenerateInput{Dir: "/work/config", Held: held, SQLBlock: block})
	if err != nil {
		t.Fatal(err)
	}
	if blocks, _ := generatedBlocks(t, g.HCL); blocks["provider.sql"] != nil {
		t.Errorf("a second sql provider block was generated:\n%s", g.HCL)
	}
	if len(g.Notes) != 1 || !strings.Contains(g.Notes[0], `set checkout = "/srv/show"`) {
		t.Errorf("notes %q, want the checkout to set", g.Notes)
	}
	// A script the configuration declares is left to it.
	g, err = Generate(GenerateInput{Dir: "/srv/show", Held: held, Declared: map[string]bool{"a.fountain": true}})
	if err != nil {
		t.Fatal(err)
	}
	if blocks, _ := generatedBlocks(t, g.HCL); len(blocks) != 0 || g.Objects != 0 || len(g.Notes) != 1 || !strings.Contains(g.Notes[0], "already declares a script at a.fountain") {
		t.Errorf("a declared script was generated again:\n%s%q", g.HCL, g.Notes)
	}
	// The configuration directory is the checkout: nothing to declare.
	g, err = Generate(GenerateInput{Dir: "/srv/show", Held: held})
	if err != nil {
		t.Fatal(err)
	}
	if blocks, _ := generatedBlocks(t, g.HCL); blocks["provider.sql"] != nil || len(g.Notes) != 0 {
		t.Errorf("a checkout was declared for the configuration directory itself:\n%s%q", g.HCL, g.Notes)
	}
}
