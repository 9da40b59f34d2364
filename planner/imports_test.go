package planner

import (
	"errors"
	"testing"

	"scriptsync/providers"
)

// imported is an object an Importer found under id.
func imported(addr, hash, id string) *providers.Object {
	o := obj(addr, hash)
	o.ID, o.Import = "7", id
	return o
}

func TestImportsAdoptKeepOrUpdate(t *testing.T) {
	desired := []*providers.Object{obj("series.a", "h1"), obj("series.b", "h2"), obj("series.c", "h3")}
	desired[1].ForceNew = []string{"hash"}
	in := []Input{{Provider: "sql", Desired: desired, Actual: &providers.State{Version: "1"},
		Imported: []*providers.Object{imported("series.a", "h1", "1"), imported("series.b", "old", "2")}}}
	opts := Options{Imports: []providers.Import{{To: "series.a", ID: "1"}, {To: "series.b", ID: "2"}}}
	p, err := Make(in, opts)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range p.Changes {
		got[c.Address()] = string(c.Action) + ":" + c.Importing()
	}
	want := map[string]string{
		"series.a": "no-op:1",
		// A ForceNew attribute that differs would replace a managed
		// object; an imported one keeps its row.
		"series.b": "update:2",
		"series.c": "create:",
	}
	for addr, w := range want {
		if got[addr] != w {
			t.Errorf("%s: got %q, want %q", addr, got[addr], w)
		}
	}
	if !p.HasChanges() {
		t.Error("a plan that imports has changes")
	}
	if s := p.Summary(); s.Import != 2 || s.Add != 1 || s.Change != 1 {
		t.Errorf("summary %+v, want 2 imports, 1 add, 1 change", s)
	}
	if n := len(p.ProviderChanges("sql")); n != 3 {
		t.Errorf("ProviderChanges has %d changes, want 3 (the no-op import records the object)", n)
	}
	// The import is part of what the plan does.
	plain, err := Make([]Input{{Provider: "sql", Desired: desired, Actual: &providers.State{Version: "1", Objects: []*providers.Object{obj("series.a", "h1")}}}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if plain.Digest() == p.Digest() {
		t.Error("a plan with imports has the digest of one without")
	}
}

func TestImportOfManagedObjectDoesNothing(t *testing.T) {
	desired := []*providers.Object{obj("series.a", "h1")}
	in := []Input{{Provider: "sql", Desired: desired,
		Actual:   &providers.State{Version: "3", Objects: []*providers.Object{obj("series.a", "h1")}},
		Imported: []*providers.Object{imported("series.a", "other", "1")}}}
	p, err := Make(in, Options{Imports: []providers.Import{{To: "series.a", ID: "1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if p.HasChanges() || p.Imports() != 0 {
		t.Errorf("an import block of a managed object planned something: %s", summarize(p.Changes))
	}
}

func TestImportOfUndeclaredAddress(t *testing.T) {
	in := []Input{{Provider: "sql", Desired: []*providers.Object{obj("script.pilot", "h")}, Actual: &providers.State{}}}
	_, err := Make(in, Options{Imports: []providers.Import{{To: "script.pilott", ID: "3"}}})
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("got %v, want an *ImportError", err)
	}
	if ie.Closest != "script.pilot" {
		t.Errorf("closest %q, want script.pilot", ie.Closest)
	}
}

func TestImportOnlyPlansTheImport(t *testing.T) {
	desired := []*providers.Object{obj("series.a", "h1"), obj("series.b", "h2")}
	in := []Input{{Provider: "sql", Desired: desired, Actual: &providers.State{},
		Imported: []*providers.Object{imported("series.a", "x", "1")}}}
	p, err := Make(in, Options{Imports: []providers.Import{{To: "series.a", ID: "1"}}, ImportOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 1 || p.Changes[0].Address() != "series.a" || p.Changes[0].Action != providers.Update {
		t.Errorf("changes %s, want only the import of series.a, updated", summarize(p.Changes))
	}
	if len(p.Warnings) != 0 {
		t.Errorf("an import-only plan warned: %v", p.Warnings)
	}
}
