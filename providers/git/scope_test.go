package git

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"scriptsync/internal/gittest"
	"scriptsync/library"
	"scriptsync/providers"
)

// A scoped read plans files that come and go (pointer files, and scripts
// with them), and refuses every other change to the set of files:
// anything that could move .gitattributes, a path something outside the
// scope holds, or one that differs from such a path only in case.
func TestReadScopeCreatesAndDeletes(t *testing.T) {
	ctx := context.Background()
	p := newTestProvider(t, t.TempDir(), nil)
	base := fakeLib{
		scripts:    map[string]string{"pilot": "INT. HOUSE - DAY\n", "storm": "EXT. SEA - NIGHT\n"},
		embeddings: map[string]string{"a": "vector a", "b": "vector b", "c": "vector c"},
	}
	head := apply(t, p, base.library())

	// with returns the library base gives plus embedding d (at path, or
	// its usual one), less the embeddings of drop.
	with := func(path string, drop ...string) *library.Library {
		f := base
		f.embeddings = map[string]string{"d": "vector d"}
		for k, v := range base.embeddings {
			if !slices.Contains(drop, k) {
				f.embeddings[k] = v
			}
		}
		lib := f.library()
		for _, e := range lib.Embeddings {
			if e.Address == `embedding.pilot["d"]` && path != "" {
				e.Path = path
			}
		}
		return lib
	}
	without := func(drop ...string) *library.Library {
		lib := with("", drop...)
		lib.Embeddings = slices.DeleteFunc(lib.Embeddings, func(e *library.Embedding) bool { return e.Address == `embedding.pilot["d"]` })
		return lib
	}
	// scripts returns base's library less the scripts of drop, plus
	// script add at path when add is set.
	scripts := func(add, path string, drop ...string) *library.Library {
		f := base
		f.scripts, f.paths = map[string]string{}, map[string]string{}
		for k, v := range base.scripts {
			if !slices.Contains(drop, k) {
				f.scripts[k] = v
			}
		}
		if add != "" {
			f.scripts[add] = "INT. ATTIC - DAY\n"
			if path != "" {
				f.paths[add] = path
			}
		}
		return f.library()
	}
	script := func(keys ...string) map[string]bool {
		out := map[string]bool{}
		for _, k := range keys {
			out["script."+k] = true
		}
		return out
	}
	res := func(keys ...string) map[string]bool {
		out := map[string]bool{}
		for _, k := range keys {
			out[`embedding.pilot["`+k+`"]`] = true
		}
		return out
	}
	cases := []struct {
		name      string
		lib       *library.Library
		resources map[string]bool
		ok        bool
		changes   string // the actions planned, in address order
	}{
		{"a pointer added beside one that stays", with(""), res("a", "d"), true, "create"},
		{"a pointer deleted beside one that stays", without("c"), res("a", "c"), true, "delete"},
		{"the only pointer of the scope added, beside others", with(""), res("d"), true, "create"},
		{"the only pointer of the scope deleted, beside others", without("c"), res("c"), true, "delete"},
		{"every pointer deleted", without("a", "b", "c"), res("a", "b", "c"), false, ""},
		{"a script deleted", scripts("", "", "storm"), script("storm"), true, "delete"},
		{"a script added", scripts("finale", ""), script("finale"), true, "create"},
		{"a script added where another is", scripts("finale", "scripts/storm.fountain"), script("finale"), false, ""},
		{"a script added at a path that differs only in case", scripts("finale", "scripts/Storm.fountain"), script("finale"), false, ""},
		{"a script added below a directory that differs only in case (no file collides)", scripts("finale", "Scripts/finale.fountain"), script("finale"), true, "create"},
		{"a script added below a directory that differs only in case, at a path that does", scripts("finale", "Scripts/pilot.fountain"), script("finale"), false, ""},
		{"a script added, another deleted", scripts("finale", "", "storm"), script("finale", "storm"), true, "create delete"},
		{"a pointer added where a script is", with("scripts/pilot.fountain.npy"), res("a", "d"), true, "create"},
		{"a pointer added at a script's path", with("scripts/pilot.fountain"), res("a", "d"), false, ""},
		{"a pointer added below a script", with("scripts/pilot.fountain/d.npy"), res("a", "d"), false, ""},
		{"a pointer added that is not *.npy", with("vectors/d.vec"), res("a", "d"), false, ""},
	}
	// inScope is what the engine asks for: the desired objects of the
	// scope's part of the library.
	inScope := func(lib *library.Library, resources map[string]bool) []*providers.Object {
		part := &library.Library{Dir: lib.Dir}
		for _, e := range lib.Embeddings {
			if resources[e.Resource] {
				part.Embeddings = append(part.Embeddings, e)
			}
		}
		for _, x := range lib.Scripts {
			if resources[x.Resource] {
				part.Scripts = append(part.Scripts, x)
			}
		}
		var want []*providers.Object
		for _, o := range desired(t, p, part) {
			if resources[o.Resource] {
				want = append(want, o)
			}
		}
		return want
	}
	for _, c := range cases {
		want := inScope(c.lib, c.resources)
		st, err := p.ReadScope(ctx, want, c.resources, []byte(head))
		if !c.ok {
			if !errors.Is(err, providers.ErrScope) {
				t.Errorf("%s: got %v, want ErrScope", c.name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var got []string
		for _, ch := range diff(want, st.Objects) {
			got = append(got, string(ch.Action))
		}
		if s := joinActions(got); s != c.changes {
			t.Errorf("%s: planned %q, want %q", c.name, s, c.changes)
		}
	}

	// Applied in a transaction, an added and a deleted pointer leave the
	// files a whole apply leaves.
	next := with("", "c")
	resources := res("a", "c", "d")
	want := inScope(next, resources)
	ptx, err := p.Begin(ctx, providers.BeginOptions{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	st, err := ptx.(providers.ScopeReader).ReadScope(ctx, want, resources, []byte(head))
	if err != nil {
		t.Fatal(err)
	}
	if err := ptx.Apply(ctx, diff(want, st.Objects), nil); err != nil {
		t.Fatal(err)
	}
	if err := ptx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	scoped := manifestText(t, p.dir, "main")
	tree := gittest.Git(t, p.dir, "ls-tree", "-r", "main")
	whole := newTestProvider(t, t.TempDir(), nil)
	apply(t, whole, base.library())
	apply(t, whole, next)
	if got := manifestText(t, whole.dir, "main"); got != scoped {
		t.Errorf("the scoped apply's manifest differs from the whole apply's:\n%s\nwant\n%s", scoped, got)
	}
	if got := gittest.Git(t, whole.dir, "ls-tree", "-r", "main"); got != tree {
		t.Errorf("the scoped apply's tree differs from the whole apply's:\n%s\nwant\n%s", tree, got)
	}
}

func joinActions(actions []string) string {
	slices.Sort(actions)
	out := ""
	for i, a := range slices.Compact(actions) {
		if i > 0 {
			out += " "
		}
		out += a
	}
	return out
}
