package sql

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"scriptsync/providers"
)

func TestRegistration(t *testing.T) {
	r, ok := providers.Lookup("sql")
	if !ok {
		t.Fatal("sql is not registered")
	}
	if r.Order != 20 || !slices.Equal(r.Attributes, []string{"driver", "dsn", "checkout"}) || r.Factory == nil {
		t.Errorf("registration %+v", r)
	}
}

func rng(line int) hcl.Range {
	return hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: line, Column: 3}, End: hcl.Pos{Line: line, Column: 20}}
}

func TestNewDiagnostics(t *testing.T) {
	decl := hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 15}}
	for _, tc := range []struct {
		name    string
		attrs   map[string]cty.Value
		summary string
		subject hcl.Range
	}{
		{"driver not a string", map[string]cty.Value{"driver": cty.NumberIntVal(1)}, "Incorrect attribute value type", rng(2)},
		{"dsn not a string", map[string]cty.Value{"dsn": cty.True}, "Incorrect attribute value type", rng(3)},
		{"unknown driver", map[string]cty.Value{"driver": cty.StringVal("mysql")}, "Unsupported SQL driver", rng(2)},
		{"postgres without dsn", map[string]cty.Value{"driver": cty.StringVal("postgres")}, "Missing PostgreSQL DSN", decl},
		{"malformed postgres dsn", map[string]cty.Value{"driver": cty.StringVal("postgres"), "dsn": cty.StringVal("postgres://u:hunter2@h:notaport/db")},
			"Invalid PostgreSQL DSN", rng(3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &providers.Config{Name: "sql", Dir: t.TempDir(), Attrs: tc.attrs, DeclRange: decl,
				Ranges: map[string]hcl.Range{"driver": rng(2), "dsn": rng(3)}}
			p, diags := New(cfg)
			if p != nil || len(diags) != 1 {
				t.Fatalf("New = %v, %v; want one diagnostic", p, diags)
			}
			d := diags[0]
			if d.Severity != hcl.DiagError || d.Summary != tc.summary || d.Subject == nil || *d.Subject != tc.subject {
				t.Errorf("diagnostic %q at %v, want %q at %v", d.Summary, d.Subject, tc.summary, tc.subject)
			}
			if strings.Contains(d.Detail, "hunter2") {
				t.Errorf("diagnostic shows the password: %s", d.Detail)
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		attrs    map[string]cty.Value
		describe string
		path     string
	}{
		{nil, "sqlite scriptrag.db", filepath.Join(dir, "scriptrag.db")},
		{map[string]cty.Value{"driver": cty.NullVal(cty.String)}, "sqlite scriptrag.db", filepath.Join(dir, "scriptrag.db")},
		{map[string]cty.Value{"dsn": cty.StringVal("data/lib.db")}, "sqlite data/lib.db", filepath.Join(dir, "data/lib.db")},
		{map[string]cty.Value{"dsn": cty.StringVal("/abs/lib.db")}, "sqlite /abs/lib.db", "/abs/lib.db"},
	} {
		p, diags := New(&providers.Config{Name: "sql", Dir: dir, Attrs: tc.attrs})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		if got := p.(providers.Describer).Describe(); got != tc.describe {
			t.Errorf("Describe = %q, want %q", got, tc.describe)
		}
		if got := p.(*Provider).d.(*sqliteDialect).path; got != tc.path {
			t.Errorf("path = %q, want %q", got, tc.path)
		}
		if p.Name() != "sql" {
			t.Errorf("Name = %q", p.Name())
		}
		p.Close()
	}
	// The factory touches nothing.
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("New created %v", entries)
	}
}

func TestFilePath(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	if err := os.MkdirAll(filepath.Join(real, "episodes"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(real, "episodes", "one.fountain"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ checkout, libDir, source, repoPath, addr, want string }{
		// Without a checkout: the source file, symbolic links resolved.
		{"", link, "episodes/one.fountain", "scripts/one.fountain", "script.one", filepath.Join(real, "episodes", "one.fountain")},
		// With one: the file's place in it.
		{"/srv/library", link, "episodes/one.fountain", "scripts/one.fountain", "script.one", "/srv/library/scripts/one.fountain"},
		// An outline: no file, in the library's directory or the checkout.
		{"", link, "", "", "script.outline", filepath.Join(real, "script.outline.outline")},
		{"/srv/library", link, "", "", "script.outline", "/srv/library/script.outline.outline"},
	} {
		if got := filePath(tc.checkout, tc.libDir, tc.source, tc.repoPath, tc.addr); got != tc.want {
			t.Errorf("filePath(%q, %q, %q, %q, %q) = %q, want %q", tc.checkout, tc.libDir, tc.source, tc.repoPath, tc.addr, got, tc.want)
		}
	}
}

func TestCheckoutRelativeToConfiguration(t *testing.T) {
	dir := t.TempDir()
	p, diags := New(&providers.Config{Name: "sql", Dir: dir, Attrs: map[string]cty.Value{"checkout": cty.StringVal("repo")}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if got := p.(*Provider).checkout; got != filepath.Join(absPath(dir), "repo") {
		t.Errorf("checkout %q", got)
	}
	if _, diags := New(&providers.Config{Name: "sql", Dir: dir, Attrs: map[string]cty.Value{"checkout": cty.NumberIntVal(1)}}); !diags.HasErrors() {
		t.Error("a numeric checkout is accepted")
	}
}
