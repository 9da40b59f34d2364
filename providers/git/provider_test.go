package git

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"scriptsync/internal/gittest"
	"scriptsync/providers"
)

func TestRegistered(t *testing.T) {
	r, ok := providers.Lookup(Name)
	if !ok || r.Order != 30 || len(r.Attributes) != 4 {
		t.Fatalf("registration = %+v, %v", r, ok)
	}
}

func TestNewDefaults(t *testing.T) {
	dir := t.TempDir()
	p := newTestProvider(t, dir, nil)
	if p.dir != filepath.Join(dir, "library.git") || p.branch != "main" || p.remote != nil ||
		p.authorName != "scriptsync" || p.authorEmail != "scriptsync@localhost" {
		t.Errorf("defaults = %+v", p)
	}
	if got := p.Describe(); got != "git library.git (branch main)" {
		t.Errorf("Describe = %q", got)
	}
	if _, err := os.Stat(p.dir); !os.IsNotExist(err) {
		t.Error("New touched the disk")
	}
}

func TestNewAttributes(t *testing.T) {
	dir := t.TempDir()
	p := newTestProvider(t, dir, map[string]cty.Value{
		"path":   str("repos/lib.git"),
		"branch": str("library/main"),
		"remote": str("https://writer:hunter22@git.example.com/studio/library.git"),
		"author": cty.ObjectVal(map[string]cty.Value{"name": str("Script Bot"), "email": str("bot@example.com")}),
	})
	if p.dir != filepath.Join(dir, "repos/lib.git") || p.branch != "library/main" || p.authorName != "Script Bot" || p.authorEmail != "bot@example.com" {
		t.Errorf("provider = %+v", p)
	}
	got := p.Describe()
	if got != "git repos/lib.git (branch library/main) → https://git.example.com/studio/library.git" {
		t.Errorf("Describe = %q", got)
	}
}

func TestNewDiagnostics(t *testing.T) {
	tests := []struct {
		attr  string
		value cty.Value
		msg   string
	}{
		{"path", cty.ListValEmpty(cty.String), "must be a string"},
		{"path", str(""), "must not be empty"},
		{"branch", str("refs/heads/main"), "not a ref"},
		{"branch", str("bad..name"), "not a valid branch name"},
		{"branch", cty.ObjectVal(map[string]cty.Value{"a": str("b")}), "must be a string"},
		{"remote", str("ftp://host/repo.git"), "not supported"},
		{"remote", str("file://relative/repo.git"), "local path"},
		{"remote", str("git://user:pw@host/repo.git"), "no credentials"},
		{"author", str("scriptsync"), "must be an object"},
		{"author", cty.ObjectVal(map[string]cty.Value{"name": str("x"), "mail": str("y")}), `no attribute "mail"`},
		{"author", cty.ObjectVal(map[string]cty.Value{"name": str("a <b>")}), "no '<'"},
	}
	for _, tt := range tests {
		t.Run(tt.attr+" "+tt.msg, func(t *testing.T) {
			rng := hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: 3, Column: 3, Byte: 20}, End: hcl.Pos{Line: 3, Column: 9, Byte: 26}}
			cfg := &providers.Config{Name: Name, Dir: t.TempDir(), Attrs: map[string]cty.Value{tt.attr: tt.value},
				Ranges: map[string]hcl.Range{tt.attr: rng}}
			p, diags := New(cfg)
			if p != nil || !diags.HasErrors() {
				t.Fatalf("no error")
			}
			if !strings.Contains(diags[0].Detail, tt.msg) {
				t.Errorf("detail %q does not say %q", diags[0].Detail, tt.msg)
			}
			if diags[0].Subject == nil || *diags[0].Subject != rng {
				t.Errorf("subject %v", diags[0].Subject)
			}
			if strings.Contains(diags.Error(), "pw@") {
				t.Errorf("diagnostic shows credentials: %s", diags.Error())
			}
		})
	}
}

func TestInitCreatesABareRepository(t *testing.T) {
	dir := t.TempDir()
	p := newTestProvider(t, dir, map[string]cty.Value{"branch": str("trunk")})
	// The LFS provider may have made its store first.
	mustf(t, os.MkdirAll(filepath.Join(p.dir, "lfs", "objects"), 0o755), "mkdir")
	ctx := context.Background()
	for i := 0; i < 2; i++ { // idempotent
		mustf(t, p.Init(ctx), "Init")
	}
	if got := strings.TrimSpace(gittest.Git(t, p.dir, "rev-parse", "--is-bare-repository")); got != "true" {
		t.Errorf("is bare = %s", got)
	}
	if got := strings.TrimSpace(gittest.Git(t, p.dir, "symbolic-ref", "HEAD")); got != "refs/heads/trunk" {
		t.Errorf("HEAD = %s", got)
	}
	gittest.Git(t, p.dir, "fsck", "--strict")
}

func TestInitRefusesANonRepository(t *testing.T) {
	dir := t.TempDir()
	p := newTestProvider(t, dir, nil)
	mustf(t, os.MkdirAll(p.dir, 0o755), "mkdir")
	mustf(t, os.WriteFile(filepath.Join(p.dir, "notes.txt"), []byte("x"), 0o644), "write")
	if err := p.Init(context.Background()); err == nil || !strings.Contains(err.Error(), "not a git repository") {
		t.Errorf("Init = %v", err)
	}
	if _, err := p.Read(context.Background(), nil); err == nil {
		t.Error("Read of a non-repository succeeded")
	}
}
