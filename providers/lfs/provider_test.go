package lfs

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"scriptsync/library"
	"scriptsync/providers"
)

func TestRegistered(t *testing.T) {
	r, ok := providers.Lookup("lfs")
	if !ok {
		t.Fatal("lfs is not registered")
	}
	if r.Order != 10 || len(r.Attributes) != 1 || r.Attributes[0] != "url" {
		t.Fatalf("registration = %+v", r)
	}
}

func TestNew(t *testing.T) {
	dir := t.TempDir()
	urlRange := hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: 3, Column: 9}, End: hcl.Pos{Line: 3, Column: 20}}
	for _, tc := range []struct {
		name     string
		attrs    map[string]cty.Value
		git      map[string]string
		env      map[string]string
		describe string // want Describe() (the store part is always checked)
		diag     string // want a diagnostic containing this
		creds    Credentials
	}{
		{name: "defaults: local store only", describe: "local store library.git/lfs/objects"},
		{name: "git path", git: map[string]string{"path": "repos/lib.git"}, describe: "local store repos/lib.git/lfs/objects"},
		{name: "explicit url", attrs: map[string]cty.Value{"url": cty.StringVal("https://lfs.example.com/x/info/lfs")},
			describe: "local store library.git/lfs/objects, remote https://lfs.example.com/x/info/lfs"},
		{name: "derived from an https remote", git: map[string]string{"remote": "https://git.example.com/studio/library.git", "branch": "dev"},
			describe: "local store library.git/lfs/objects, remote https://git.example.com/studio/library.git/info/lfs"},
		{name: "derived from a remote without .git", git: map[string]string{"remote": "https://git.example.com/studio/library/"},
			describe: "local store library.git/lfs/objects, remote https://git.example.com/studio/library.git/info/lfs"},
		{name: "derived from an scp-like ssh remote", git: map[string]string{"remote": "git@git.example.com:studio/library.git"},
			describe: "local store library.git/lfs/objects, remote https://git.example.com/studio/library.git/info/lfs"},
		{name: "derived from an ssh URL", git: map[string]string{"remote": "ssh://git@git.example.com:2222/studio/library"},
			describe: "local store library.git/lfs/objects, remote https://git.example.com/studio/library.git/info/lfs"},
		{name: "derived from a git:// remote", git: map[string]string{"remote": "git://git.example.com/library.git"},
			describe: "local store library.git/lfs/objects, remote https://git.example.com/library.git/info/lfs"},
		{name: "file remote", git: map[string]string{"remote": "mirror.git"},
			describe: "local store library.git/lfs/objects, remote " + filepath.Join(dir, "mirror.git", "lfs", "objects")},
		{name: "file:// remote", git: map[string]string{"remote": "file:///srv/mirror.git"},
			describe: "local store library.git/lfs/objects, remote /srv/mirror.git/lfs/objects"},
		{name: "url = \"\" turns the remote off", attrs: map[string]cty.Value{"url": cty.StringVal("")}, git: map[string]string{"remote": "https://git.example.com/x.git"},
			describe: "local store library.git/lfs/objects"},
		{name: "null url means default", attrs: map[string]cty.Value{"url": cty.NullVal(cty.String)}, describe: "local store library.git/lfs/objects"},
		{name: "credentials in the url are not described", attrs: map[string]cty.Value{"url": cty.StringVal("https://bot:pa55@lfs.example.com/info/lfs?sig=1")},
			describe: "local store library.git/lfs/objects, remote https://lfs.example.com/info/lfs", creds: Credentials{Username: "bot", Password: "pa55"}},
		{name: "credentials from the git remote", git: map[string]string{"remote": "https://bot:pa55@git.example.com/x.git"},
			describe: "local store library.git/lfs/objects, remote https://git.example.com/x.git/info/lfs", creds: Credentials{Username: "bot", Password: "pa55"}},
		{name: "token from the environment", attrs: map[string]cty.Value{"url": cty.StringVal("https://lfs.example.com/info/lfs")},
			env: map[string]string{EnvToken: "t0k", EnvUsername: "ignored"}, creds: Credentials{Token: "t0k"}},
		{name: "basic from the environment", attrs: map[string]cty.Value{"url": cty.StringVal("https://lfs.example.com/info/lfs")},
			env: map[string]string{EnvUsername: "u", EnvPassword: "p"}, creds: Credentials{Username: "u", Password: "p"}},
		{name: "url user info wins over the environment", attrs: map[string]cty.Value{"url": cty.StringVal("https://a:b@lfs.example.com/info/lfs")},
			env: map[string]string{EnvToken: "t0k"}, creds: Credentials{Username: "a", Password: "b"}},
		{name: "password without user", attrs: map[string]cty.Value{"url": cty.StringVal("https://lfs.example.com/info/lfs")},
			env: map[string]string{EnvPassword: "p"}, diag: "SCRIPTSYNC_LFS_PASSWORD is set but SCRIPTSYNC_LFS_USERNAME is not"},
		{name: "url of the wrong type", attrs: map[string]cty.Value{"url": cty.NumberIntVal(3)}, diag: "The url must be a string, not number."},
		{name: "url of the wrong scheme", attrs: map[string]cty.Value{"url": cty.StringVal("ftp://u:secret@host/lfs")}, diag: "The url ftp://host/lfs is not an http or https URL"},
		{name: "unknown url", attrs: map[string]cty.Value{"url": cty.UnknownVal(cty.String)}, diag: "must be known"},
		{name: "unknown attribute", attrs: map[string]cty.Value{"token": cty.StringVal("x")}, diag: `no argument "token"`},
		{name: "remote with an unknown scheme", git: map[string]string{"remote": "svn://host/x"}, diag: `the git remote's scheme "svn" has no LFS server`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config(dir, tc.attrs, tc.git, tc.env)
			cfg.Ranges = map[string]hcl.Range{"url": urlRange}
			p, diags := New(cfg)
			if tc.diag != "" {
				if !diags.HasErrors() || !strings.Contains(diags.Error(), tc.diag) {
					t.Fatalf("diagnostics = %v, want %q", diags, tc.diag)
				}
				if strings.Contains(diags.Error(), "secret") {
					t.Errorf("diagnostic %q shows a password", diags.Error())
				}
				if diags[0].Summary == "Invalid lfs url" && (diags[0].Subject == nil || *diags[0].Subject != urlRange) {
					t.Errorf("diagnostic subject = %v, want the url attribute's range", diags[0].Subject)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			prov := p.(*Provider)
			if tc.describe != "" && prov.Describe() != tc.describe {
				t.Errorf("Describe() = %q, want %q", prov.Describe(), tc.describe)
			}
			if c, ok := prov.remote.(*Client); ok {
				if c.creds != tc.creds {
					t.Errorf("credentials differ from the expected ones")
				}
				if c.endpoint.User != nil {
					t.Errorf("endpoint keeps user info")
				}
				if strings.Contains(tc.name, "https remote") && c.ref != "refs/heads/dev" {
					t.Errorf("ref = %q, want refs/heads/dev", c.ref)
				}
			}
			if strings.Contains(prov.Describe(), "pa55") {
				t.Errorf("Describe() = %q shows a password", prov.Describe())
			}
		})
	}
}

func TestNewTouchesNothing(t *testing.T) {
	dir := t.TempDir()
	if _, diags := New(config(dir, nil, map[string]string{"remote": "https://git.example.com/x.git"}, nil)); diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("New created %v", entries)
	}
}

func TestDesired(t *testing.T) {
	lib := fixture(t, 3, 4)
	// Declared out of order, and two embeddings of identical vectors.
	lib.Embeddings[0], lib.Embeddings[2] = lib.Embeddings[2], lib.Embeddings[0]
	dup := *lib.Embeddings[1]
	dup.Address, dup.Resource, dup.PreventDestroy = `embedding.copy["x"]`, `embedding.copy["x"]`, true
	lib.Embeddings = append(lib.Embeddings, &dup)

	p := newProvider(t, lib, "")
	objs, diags := p.Desired(lib)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	var addrs []string
	for _, o := range objs {
		addrs = append(addrs, o.Address)
	}
	if got := strings.Join(addrs, " "); got != `embedding.copy["x"] embedding.e["00000"] embedding.e["00001"] embedding.e["00002"]` {
		t.Fatalf("addresses = %s", got)
	}
	o, e := objs[0], &dup
	if o.Type != "lfs_object" || o.Resource != e.Resource || o.Hash != e.OID || o.MatchHash != e.OID ||
		o.Size != e.Size || !o.PreventDestroy || o.Payload != e || o.ID != "" ||
		o.Attributes()["oid"] != "sha256:"+e.OID || o.Attributes()["size"] != e.Size || o.Attributes()["source"] != e.Source {
		t.Fatalf("object = %+v", o)
	}
	if objs[0].Hash != objs[2].Hash {
		t.Error("identical vectors have different hashes")
	}
}

func TestDesiredRejectsBrokenEmbeddings(t *testing.T) {
	lib := &library.Library{Dir: t.TempDir(), Embeddings: []*library.Embedding{{
		Meta: library.Meta{Address: "embedding.bad", Range: hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: 1}}},
		OID:  "not-a-sha", Source: "v.npy",
	}}}
	p := newProvider(t, lib, "")
	objs, diags := p.Desired(lib)
	if !diags.HasErrors() || len(objs) != 0 || diags[0].Subject == nil || diags[0].Subject.Filename != "main.hcl" {
		t.Fatalf("Desired = %v, %v", objs, diags)
	}
}

func TestInit(t *testing.T) {
	lib := fixture(t, 0, 1)
	p := newProvider(t, lib, "")
	for range 2 {
		if err := p.Init(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"library.git/lfs/objects", "library.git/lfs/tmp"} {
		if st, err := os.Stat(filepath.Join(lib.Dir, d)); err != nil || !st.IsDir() {
			t.Errorf("%s: %v", d, err)
		}
	}
}

func TestDeriveEndpoint(t *testing.T) {
	for remote, want := range map[string][2]string{
		"https://h/a/b.git":        {"https://h/a/b.git/info/lfs", ""},
		"https://h/a/b":            {"https://h/a/b.git/info/lfs", ""},
		"http://u:p@h:8080/b.git/": {"http://u:p@h:8080/b.git/info/lfs", ""},
		"git@h:a/b.git":            {"https://h/a/b.git/info/lfs", ""},
		"h:b":                      {"https://h/b.git/info/lfs", ""},
		"ssh://git@h/b.git":        {"https://h/b.git/info/lfs", ""},
		"git+ssh://h/b":            {"https://h/b.git/info/lfs", ""},
		"/srv/repos/b.git":         {"", "/srv/repos/b.git"},
		"../b.git":                 {"", "../b.git"},
		"./with:colon/b.git":       {"", "./with:colon/b.git"},
		"file:///srv/repos/b.git":  {"", "/srv/repos/b.git"},
	} {
		endpoint, file, err := deriveEndpoint(remote)
		if err != nil || endpoint != want[0] || file != want[1] {
			t.Errorf("deriveEndpoint(%q) = %q, %q, %v; want %q, %q", remote, endpoint, file, err, want[0], want[1])
		}
	}
}
