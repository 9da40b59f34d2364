package planner

import (
	"fmt"
	"strings"
	"testing"

	"scriptsync/providers"
)

func obj(addr, hash string) *providers.Object {
	return &providers.Object{Address: addr, Type: "series", Hash: hash, Attrs: map[string]any{"hash": hash}}
}

// scene builds a grouped object the way the SQL provider describes a
// derived scene: content digest in MatchHash, number in Seq and Hash.
func scene(n int, content string) *providers.Object {
	return &providers.Object{
		Address:   fmt.Sprintf(`script.pilot.scenes["%d"]`, n),
		Type:      "scene",
		Hash:      fmt.Sprintf("%d:%s", n, content),
		MatchHash: content,
		Group:     "script.pilot",
		Seq:       n,
		Attrs:     map[string]any{"scene_number": int64(n), "content_hash": content},
	}
}

func scenes(contents string) []*providers.Object {
	var out []*providers.Object
	for i, c := range strings.Split(contents, "") {
		out = append(out, scene(i+1, c))
	}
	return out
}

// summarize renders changes as "action before->after" lines for compact
// comparison.
func summarize(changes []*providers.Change) string {
	var lines []string
	for _, c := range changes {
		if c.Action == providers.NoOp {
			continue
		}
		b, a := "-", "-"
		if c.Before != nil {
			b = c.Before.MatchHash + fmt.Sprint(c.Before.Seq)
		}
		if c.After != nil {
			a = c.After.MatchHash + fmt.Sprint(c.After.Seq)
		}
		lines = append(lines, fmt.Sprintf("%s %s->%s", c.Action, b, a))
	}
	return strings.Join(lines, "; ")
}

func TestDiffUngrouped(t *testing.T) {
	desired := []*providers.Object{obj("series.a", "1"), obj("series.b", "2"), obj("series.c", "3")}
	actual := []*providers.Object{obj("series.a", "1"), obj("series.b", "old"), obj("series.d", "4")}
	changes := diff("sql", desired, actual)
	got := map[string]providers.Action{}
	for _, c := range changes {
		got[c.Address()] = c.Action
	}
	want := map[string]providers.Action{"series.a": providers.NoOp, "series.b": providers.Update, "series.c": providers.Create, "series.d": providers.Delete}
	for addr, a := range want {
		if got[addr] != a {
			t.Errorf("%s: %s, want %s", addr, got[addr], a)
		}
	}
}

func TestDiffForceNewReplaces(t *testing.T) {
	before := &providers.Object{Address: "script.p", Type: "file", Hash: "1", Attrs: map[string]any{"path": "a.fountain"}, ForceNew: []string{"path"}}
	after := &providers.Object{Address: "script.p", Type: "file", Hash: "2", Attrs: map[string]any{"path": "b.fountain"}, ForceNew: []string{"path"}}
	changes := diff("git", []*providers.Object{after}, []*providers.Object{before})
	if len(changes) != 1 || changes[0].Action != providers.Replace {
		t.Fatalf("got %v, want one replace", summarize(changes))
	}
	// Same path, other content: in place.
	after.Attrs["path"] = "a.fountain"
	if c := diff("git", []*providers.Object{after}, []*providers.Object{before}); c[0].Action != providers.Update {
		t.Fatalf("got %s, want update", c[0].Action)
	}
}

func TestDiffScenes(t *testing.T) {
	for _, tc := range []struct {
		name, before, after, want string
	}{
		{"unchanged", "ABCD", "ABCD", ""},
		{"edit one", "ABCD", "ABXD", "update C3->X3"},
		// Updates go before creates: renumbering frees the numbers the new
		// scenes take.
		{"insert in the middle renumbers", "ABCD", "ABXCD", "update C3->C4; update D4->D5; create -->X3"},
		{"delete in the middle renumbers", "ABCD", "ACD", "delete B2->-; update C3->C2; update D4->D3"},
		{"insert and edit after", "ABCD", "AXBcD", "update B2->B3; update C3->c4; update D4->D5; create -->X2"},
		{"append", "AB", "ABC", "create -->C3"},
		{"swap", "ABC", "ACB", "update C3->C2; update B2->B3"},
		{"insert moved and edited", "ABCDE", "AXBCYE", "update B2->B3; update C3->C4; update D4->Y5; update E5->E6; create -->X2"},
		{"duplicate content", "AAB", "AAAB", "update B3->B4; create -->A3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			changes := diff("sql", scenes(tc.after), scenes(tc.before))
			ordered := order(changes)
			if got := summarize(ordered); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestDiffKeepsRowIdentity(t *testing.T) {
	before := scenes("ABC")
	for i, o := range before {
		o.ID = fmt.Sprint(100 + i)
	}
	changes := diff("sql", scenes("XABC"), before)
	ids := map[string]string{}
	for _, c := range changes {
		if c.Before != nil && c.After != nil {
			ids[c.After.MatchHash] = c.Before.ID
		}
	}
	if ids["A"] != "100" || ids["B"] != "101" || ids["C"] != "102" {
		t.Fatalf("rows did not follow their scenes: %v", ids)
	}
}

func TestOrderDependencies(t *testing.T) {
	script := &providers.Object{Address: "script.p", Type: "script", Hash: "s"}
	char := &providers.Object{Address: `script.p.characters["KIM"]`, Type: "character", Hash: "c", Deps: []string{"script.p"}}
	sc := &providers.Object{Address: `script.p.scenes["1"]`, Type: "scene", Hash: "x", Deps: []string{"script.p", `script.p.characters["KIM"]`}}
	series := &providers.Object{Address: "series.s", Type: "series", Hash: "r"}
	script.Deps = []string{"series.s"}

	// Create: dependencies first.
	got := order(diff("sql", []*providers.Object{sc, char, script, series}, nil))
	if s := addrs(got); s != `series.s, script.p, script.p.characters["KIM"], script.p.scenes["1"]` {
		t.Errorf("create order: %s", s)
	}
	// Delete: dependents first.
	got = order(diff("sql", nil, []*providers.Object{series, script, char, sc}))
	if s := addrs(got); s != `script.p.scenes["1"], script.p.characters["KIM"], script.p, series.s` {
		t.Errorf("delete order: %s", s)
	}
	// A scene stops using a character that goes away: the scene's update
	// comes before the character's delete.
	newScene := *sc
	newScene.Hash, newScene.Deps = "y", []string{"script.p"}
	got = order(diff("sql", []*providers.Object{script, &newScene, series}, []*providers.Object{series, script, char, sc}))
	if s := addrs(got); s != `script.p.scenes["1"], script.p.characters["KIM"]` {
		t.Errorf("update-then-delete order: %s", s)
	}
}

func addrs(changes []*providers.Change) string {
	var out []string
	for _, c := range changes {
		if c.Action != providers.NoOp {
			out = append(out, c.Address())
		}
	}
	return strings.Join(out, ", ")
}

func TestMakePreventDestroy(t *testing.T) {
	protected := obj("series.keep", "1")
	protected.PreventDestroy = true
	in := []Input{{Provider: "sql", Desired: []*providers.Object{protected}, Actual: &providers.State{Objects: []*providers.Object{obj("series.keep", "1")}}}}
	if _, err := Make(in, Options{}); err != nil {
		t.Fatalf("no-op plan failed: %v", err)
	}
	_, err := Make(in, Options{Destroy: true})
	pd, ok := err.(*PreventDestroyError)
	if !ok || len(pd.Addresses) != 1 || pd.Addresses[0] != "series.keep" {
		t.Fatalf("destroy: err = %v, want PreventDestroyError for series.keep", err)
	}
	// Removing the block (and so the setting) allows the delete.
	in[0].Desired = nil
	if _, err := Make(in, Options{}); err != nil {
		t.Fatalf("delete after removing the block: %v", err)
	}
}

func TestMakeTargets(t *testing.T) {
	script := &providers.Object{Address: "script.p", Type: "script", Hash: "s", Deps: []string{"series.s"}}
	series := obj("series.s", "r")
	other := obj("series.other", "o")
	sc := &providers.Object{Address: `script.p.scenes["1"]`, Type: "scene", Hash: "x", Deps: []string{"script.p"}}
	in := []Input{{Provider: "sql", Desired: []*providers.Object{script, series, other, sc}, Actual: &providers.State{}}}
	p, err := Make(in, Options{Targets: []string{"script.p"}})
	if err != nil {
		t.Fatal(err)
	}
	if s := addrs(p.Changes); s != `series.s, script.p, script.p.scenes["1"]` {
		t.Errorf("targeted plan: %s (want the script, what it contains and what it depends on)", s)
	}
	p, err = Make([]Input{{Provider: "sql", Desired: []*providers.Object{script, series, other, sc},
		Actual: &providers.State{Objects: []*providers.Object{other}}}}, Options{Targets: []string{"series.other"}, Destroy: true})
	if err != nil {
		t.Fatal(err)
	}
	if s := addrs(p.Changes); s != "series.other" {
		t.Errorf("targeted destroy: %s", s)
	}
}

func TestDigestChangesWithPlan(t *testing.T) {
	in := func(hash string) []Input {
		return []Input{{Provider: "sql", Desired: []*providers.Object{obj("series.a", hash)}, Actual: &providers.State{}}}
	}
	a, _ := Make(in("1"), Options{})
	b, _ := Make(in("1"), Options{})
	c, _ := Make(in("2"), Options{})
	if a.Digest() != b.Digest() {
		t.Error("equal plans have different digests")
	}
	if a.Digest() == c.Digest() {
		t.Error("different plans have equal digests")
	}
}
