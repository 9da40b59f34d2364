package git

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"scriptsync/formats/lfspointer"
	"scriptsync/internal/gittest"
	"scriptsync/library"
)

func TestDesired(t *testing.T) {
	p := newTestProvider(t, t.TempDir(), nil)
	f := fakeLib{
		scripts:    map[string]string{"pilot": "Title: Pilot\n\nINT. ER - NIGHT\n", "two": ""},
		bibles:     map[string]string{"world": "# World\n"},
		agents:     map[string]string{"props": testAgent},
		embeddings: map[string]string{"1": "\x93NUMPY one", "2": "\x93NUMPY two"},
	}
	lib := f.library()
	lib.Scripts = append(lib.Scripts, &library.Script{Meta: library.Meta{Address: "script.outline"}, Key: "outline"})
	objs := desired(t, p, lib)

	wantPaths := map[string]string{
		"agent.props":          ".scriptrag/agents/props.md",
		"bible.world":          "bibles/world.md",
		`embedding.pilot["1"]`: "vectors/1.npy",
		`embedding.pilot["2"]`: "vectors/2.npy",
		GitattributesAddress:   GitattributesPath,
		"script.pilot":         "scripts/pilot.fountain",
		"script.two":           "scripts/two.fountain",
	}
	if len(objs) != len(wantPaths) {
		t.Fatalf("got %d objects, want %d (the outline script has no file)", len(objs), len(wantPaths))
	}
	for i, o := range objs {
		if i > 0 && objs[i-1].Address >= o.Address {
			t.Errorf("objects not sorted by address: %s before %s", objs[i-1].Address, o.Address)
		}
		if got := pathOf(o); got != wantPaths[o.Address] {
			t.Errorf("%s: path %q, want %q", o.Address, got, wantPaths[o.Address])
		}
		data := o.Payload.([]byte)
		stock, err := gittest.TryGitInput(t, "", data, "hash-object", "--stdin")
		mustf(t, err, "git hash-object")
		if got := o.Attributes()["blob"]; got != strings.TrimSpace(stock) {
			t.Errorf("%s: blob %v, git hash-object says %s", o.Address, got, strings.TrimSpace(stock))
		}
		if o.Hash != strings.TrimSpace(stock)+":"+pathOf(o) {
			t.Errorf("%s: Hash %q", o.Address, o.Hash)
		}
		if o.Type != "file" || o.Size != int64(len(data)) || o.Attributes()["size"] != int64(len(data)) {
			t.Errorf("%s: type %q size %d attrs %v", o.Address, o.Type, o.Size, o.Attributes())
		}
		if len(o.ForceNew) != 1 || o.ForceNew[0] != "path" {
			t.Errorf("%s: ForceNew %v", o.Address, o.ForceNew)
		}
	}
	byAddr := map[string]int{}
	for i, o := range objs {
		byAddr[o.Address] = i
	}
	emb := objs[byAddr[`embedding.pilot["1"]`]]
	ptr, err := lfspointer.Parse(emb.Payload.([]byte))
	if err != nil || ptr.OID != lib.Embeddings[0].OID || ptr.Size != lib.Embeddings[0].Size {
		t.Errorf("embedding pointer = %+v, %v", ptr, err)
	}
	if len(emb.Deps) != 1 || emb.Deps[0] != GitattributesAddress {
		t.Errorf("embedding deps = %v", emb.Deps)
	}
	attrs := string(objs[byAddr[GitattributesAddress]].Payload.([]byte))
	if !strings.Contains(attrs, "\n*.npy filter=lfs diff=lfs merge=lfs -text\n") || strings.Count(attrs, "*.npy") != 1 {
		t.Errorf(".gitattributes = %q", attrs)
	}
}

func TestDesiredWithoutEmbeddingsHasNoGitattributes(t *testing.T) {
	p := newTestProvider(t, t.TempDir(), nil)
	for _, o := range desired(t, p, fakeLib{scripts: map[string]string{"a": "a"}}.library()) {
		if o.Address == GitattributesAddress {
			t.Error("a library without embeddings wants .gitattributes")
		}
	}
}

func TestLFSPattern(t *testing.T) {
	for _, tt := range []struct{ path, want string }{
		{"vectors/pilot/3.npy", "*.npy"},
		{"vectors/a b.npy", "*.npy"},
		{"vectors/pilot/3.vec", "/vectors/pilot/3.vec"},
		{"vectors/a b.vec", ""},
	} {
		got, err := lfsPattern(tt.path)
		if got != tt.want || (err != nil) != (tt.want == "") {
			t.Errorf("lfsPattern(%q) = %q, %v; want %q", tt.path, got, err, tt.want)
		}
	}
}

func TestDesiredPathValidation(t *testing.T) {
	tests := []struct {
		path string
		msg  string
	}{
		{"/etc/passwd", "absolute"},
		{"../outside.fountain", "leaves the repository"},
		{"scripts/../../x", "leaves the repository"},
		{".git/config", "inside .git/"},
		{"sub/.git/hooks/x", "inside .git/"},
		{".GIT/x", "inside .git/"},
		{`scripts\pilot.fountain`, "backslash"},
		{"scripts//pilot.fountain", "empty segment"},
		{"scripts/", "empty segment"},
		{"./pilot.fountain", `"." segment`},
		{"a\nb", "control character"},
		{".scriptsync/manifest.json", "reserved"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p := newTestProvider(t, t.TempDir(), nil)
			lib := fakeLib{scripts: map[string]string{"ok": "fine", "pilot": "x"}, paths: map[string]string{"pilot": tt.path}}.library()
			objs, diags := p.Desired(lib)
			if !diags.HasErrors() || objs != nil {
				t.Fatalf("no error for %q", tt.path)
			}
			if len(diags) != 1 {
				t.Fatalf("diags = %v", diags)
			}
			d := diags[0]
			if !strings.Contains(d.Detail, tt.msg) {
				t.Errorf("detail %q does not say %q", d.Detail, tt.msg)
			}
			if d.Subject == nil || *d.Subject != lib.Scripts[1].Range {
				t.Errorf("subject %v, want the object's range %v", d.Subject, lib.Scripts[1].Range)
			}
		})
	}
}

func TestEmptyPathIsInvalid(t *testing.T) {
	p := newTestProvider(t, t.TempDir(), nil)
	lib := fakeLib{embeddings: map[string]string{"1": "v"}}.library()
	lib.Embeddings[0].Path = ""
	if _, diags := p.Desired(lib); !diags.HasErrors() || !strings.Contains(diags.Error(), "the path is empty") {
		t.Errorf("diags = %v", diags)
	}
}

func TestDesiredPathCollisions(t *testing.T) {
	p := newTestProvider(t, t.TempDir(), nil)
	lib := fakeLib{
		scripts: map[string]string{"a": "a", "b": "b", "c": "c", "d": "d", "e": "e"},
		bibles:  map[string]string{"w": "w"},
		paths: map[string]string{
			"a": "same.md", "w": "same.md", // exact
			"b": "dir", "c": "dir/file", // file vs directory
			"d": "Case.md", "e": "case.md", // case only: a warning
		},
	}.library()
	_, diags := p.Desired(lib)
	var errs, warns []*hcl.Diagnostic
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs = append(errs, d)
		} else {
			warns = append(warns, d)
		}
	}
	if len(errs) != 2 || len(warns) != 1 {
		t.Fatalf("errors %v, warnings %v", errs, warns)
	}
	joined := errs[0].Detail + "\n" + errs[1].Detail
	for _, want := range []string{"script.a and bible.w both want the path \"same.md\"", "script.c wants \"dir/file\", below the file \"dir\" that script.b wants"} {
		if !strings.Contains(joined, want) {
			t.Errorf("diagnostics %q do not say %q", joined, want)
		}
	}
	if !strings.Contains(warns[0].Detail, "script.d") || !strings.Contains(warns[0].Detail, "script.e") {
		t.Errorf("warning %q", warns[0].Detail)
	}
}

func TestDesiredGitattributesCollision(t *testing.T) {
	p := newTestProvider(t, t.TempDir(), nil)
	lib := fakeLib{scripts: map[string]string{"a": "a"}, paths: map[string]string{"a": ".gitattributes"}, embeddings: map[string]string{"1": "v"}}.library()
	if _, diags := p.Desired(lib); !diags.HasErrors() || !strings.Contains(diags.Error(), GitattributesAddress) {
		t.Errorf("diags = %v", diags)
	}
}

func TestDesiredAgentName(t *testing.T) {
	p := newTestProvider(t, t.TempDir(), nil)
	lib := fakeLib{agents: map[string]string{"bad name": testAgent}}.library()
	if _, diags := p.Desired(lib); !diags.HasErrors() || !strings.Contains(diags[0].Detail, `"bad name" is not`) {
		t.Errorf("diags = %v", diags)
	}
}
