package git

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/zclconf/go-cty/cty"

	"scriptsync/internal/gittest"
	"scriptsync/providers"
)

// remoteCase is a way to reach a bare repository root/lib.git.
type remoteCase struct {
	name string
	url  func(t *testing.T, root string) string
}

var remoteCases = []remoteCase{
	{"file", func(t *testing.T, root string) string { return "file://" + filepath.Join(root, "lib.git") }},
	{"path", func(t *testing.T, root string) string { return filepath.Join(root, "lib.git") }},
	{"http", func(t *testing.T, root string) string { return gittest.NewHTTPServer(t, root).RepoURL("lib.git") }},
	{"git", func(t *testing.T, root string) string { return gittest.StartDaemon(t, root).RepoURL("lib.git") }},
}

func TestPush(t *testing.T) {
	for _, rc := range remoteCases {
		t.Run(rc.name, func(t *testing.T) {
			root := t.TempDir()
			bare := gittest.BareRepo(t, root, "lib.git")
			url := rc.url(t, root)
			p := newTestProvider(t, t.TempDir(), map[string]cty.Value{"remote": str(url)})

			lib := fakeLib{scripts: map[string]string{"pilot": "INT. ER - NIGHT\n"}, agents: map[string]string{"props": testAgent}}
			c1 := apply(t, p, lib.library())
			if got := branchHead(t, bare, "main"); got != c1 {
				t.Fatalf("remote at %q, want %s", got, c1)
			}
			if got := branchHead(t, p.dir, "main"); got != c1 {
				t.Errorf("local at %q, want %s", got, c1)
			}
			checkRepo(t, bare, "main", map[string]string{"scripts/pilot.fountain": "INT. ER - NIGHT\n", ".scriptrag/agents/props.md": testAgent})

			// Someone adds a file on the remote; the next apply builds on it.
			theirs := gittest.CommitFiles(t, bare, "main", "their notes", map[string]string{"notes.md": "n\n"})
			st, err := p.Read(context.Background(), nil)
			mustf(t, err, "Read")
			if st.Version != theirs {
				t.Errorf("Version = %s, want the remote head %s", st.Version, theirs)
			}
			lib.scripts["pilot"] = "INT. ER - NIGHT\n\nRain.\n"
			c2 := apply(t, p, lib.library())
			if got := strings.TrimSpace(gittest.Git(t, bare, "rev-parse", "main^")); got != theirs {
				t.Errorf("parent of the pushed commit = %s, want %s", got, theirs)
			}
			if branchHead(t, bare, "main") != c2 || branchHead(t, p.dir, "main") != c2 {
				t.Errorf("remote %s, local %s, want %s", branchHead(t, bare, "main"), branchHead(t, p.dir, "main"), c2)
			}
			checkRepo(t, bare, "main", map[string]string{"scripts/pilot.fountain": lib.scripts["pilot"],
				".scriptrag/agents/props.md": testAgent, "notes.md": "n\n"})
		})
	}
}

func TestPushRejectedBecauseSomeoneElsePushedFirst(t *testing.T) {
	for _, rc := range remoteCases[2:] { // http and git://
		t.Run(rc.name, func(t *testing.T) {
			root := t.TempDir()
			bare := gittest.BareRepo(t, root, "lib.git")
			p := newTestProvider(t, t.TempDir(), map[string]cty.Value{"remote": str(rc.url(t, root))})
			c1 := apply(t, p, fakeLib{scripts: map[string]string{"a": "a\n"}}.library())

			tx, _ := begin(t, p, fakeLib{scripts: map[string]string{"a": "mine\n"}}.library())
			other := gittest.CommitFiles(t, bare, "main", "pushed first", map[string]string{"b.txt": "b"})
			err := tx.Commit(context.Background())
			if !errors.Is(err, providers.ErrConflict) || !strings.Contains(err.Error(), "someone else pushed") {
				t.Fatalf("Commit = %v, want a lease conflict", err)
			}
			mustf(t, tx.Rollback(context.Background()), "Rollback")
			if got := branchHead(t, p.dir, "main"); got != c1 {
				t.Errorf("local branch at %s, want it unchanged at %s", got, c1)
			}
			if got := branchHead(t, bare, "main"); got != other {
				t.Errorf("remote at %s, want the other push %s", got, other)
			}
		})
	}
}

func TestPushLeaseIsCheckedByTheRemote(t *testing.T) {
	// The remote moves after it advertised its refs: receive-pack's own
	// compare-and-swap on the old value must refuse.
	root := t.TempDir()
	bare := gittest.BareRepo(t, root, "lib.git")
	srv := gittest.NewHTTPServer(t, root)
	p := newTestProvider(t, t.TempDir(), map[string]cty.Value{"remote": str(srv.RepoURL("lib.git"))})
	c1 := apply(t, p, fakeLib{scripts: map[string]string{"a": "a\n"}}.library())
	tx, _ := begin(t, p, fakeLib{scripts: map[string]string{"a": "mine\n"}}.library())
	var other string
	srv.Break(func(r *http.Request) bool {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/git-receive-pack") && other == "" {
			other = gittest.CommitFiles(t, bare, "main", "raced", map[string]string{"r.txt": "r"})
		}
		return false
	})
	err := tx.Commit(context.Background())
	if !errors.Is(err, providers.ErrConflict) {
		t.Fatalf("Commit = %v, want ErrConflict", err)
	}
	if got := branchHead(t, bare, "main"); got != other || other == "" {
		t.Errorf("remote at %s, want %s", got, other)
	}
	if got := branchHead(t, p.dir, "main"); got != c1 {
		t.Errorf("local at %s, want %s", got, c1)
	}
}

func TestPushOverABrokenConnection(t *testing.T) {
	root := t.TempDir()
	bare := gittest.BareRepo(t, root, "lib.git")
	srv := gittest.NewHTTPServer(t, root)
	url := strings.Replace(srv.RepoURL("lib.git"), "http://", "http://writer:hunter22@", 1)
	srv.RequireAuth("writer", "hunter22")
	p := newTestProvider(t, t.TempDir(), map[string]cty.Value{"remote": str(url)})
	c1 := apply(t, p, fakeLib{scripts: map[string]string{"a": "a\n"}}.library())

	tx, _ := begin(t, p, fakeLib{scripts: map[string]string{"a": strings.Repeat("long line\n", 500)}}.library())
	srv.BreakPushes(true)
	err := tx.Commit(context.Background())
	if err == nil {
		t.Fatal("Commit succeeded over a broken connection")
	}
	msg := err.Error()
	if strings.Contains(msg, "hunter22") || msg == "EOF" || msg == "unexpected EOF" || !strings.HasPrefix(msg, "git: push to http://127.0.0.1:") {
		t.Errorf("error = %q", msg)
	}
	if got := branchHead(t, p.dir, "main"); got != c1 {
		t.Errorf("local at %s, want %s", got, c1)
	}
	if got := branchHead(t, bare, "main"); got != c1 {
		t.Errorf("remote at %s, want %s", got, c1)
	}
	srv.BreakPushes(false)
	c2 := apply(t, p, fakeLib{scripts: map[string]string{"a": "b\n"}}.library())
	if branchHead(t, bare, "main") != c2 {
		t.Error("the apply after the broken one did not push")
	}
}

func TestPushWhoseAnswerIsLost(t *testing.T) {
	root := t.TempDir()
	bare := gittest.BareRepo(t, root, "lib.git")
	srv := gittest.NewHTTPServer(t, root)
	p := newTestProvider(t, t.TempDir(), map[string]cty.Value{"remote": str(srv.RepoURL("lib.git"))})
	apply(t, p, fakeLib{scripts: map[string]string{"a": "a\n"}}.library())
	tx, _ := begin(t, p, fakeLib{scripts: map[string]string{"a": "b\n"}}.library())
	srv.BreakAfter(gittest.IsPush)
	mustf(t, tx.Commit(context.Background()), "Commit whose push went through unanswered")
	srv.BreakAfter(nil)
	c := tx.CommittedVersion()
	if branchHead(t, bare, "main") != c || branchHead(t, p.dir, "main") != c {
		t.Errorf("remote %s, local %s, want %s", branchHead(t, bare, "main"), branchHead(t, p.dir, "main"), c)
	}
}

func TestCredentialsNeverShow(t *testing.T) {
	root := t.TempDir()
	gittest.BareRepo(t, root, "lib.git")
	srv := gittest.NewHTTPServer(t, root)
	srv.RequireAuth("writer", "correct-horse")
	base := srv.RepoURL("lib.git")
	ctx := context.Background()
	lib := fakeLib{scripts: map[string]string{"a": "a\n"}}.library()

	// Credentials in the URL.
	good := newTestProvider(t, t.TempDir(), map[string]cty.Value{"remote": str(strings.Replace(base, "http://", "http://writer:correct-horse@", 1))})
	apply(t, good, lib)
	if d := good.Describe(); strings.Contains(d, "correct-horse") || strings.Contains(d, "writer") {
		t.Errorf("Describe = %q", d)
	}

	// Credentials from the environment.
	env := newTestProviderEnv(t, t.TempDir(), map[string]cty.Value{"remote": str(base)},
		map[string]string{EnvUsername: "writer", EnvPassword: "correct-horse"})
	st, err := env.Read(ctx, nil)
	mustf(t, err, "Read with credentials from the environment")
	if st.Version == "" {
		t.Error("no version")
	}

	// Wrong ones, in the URL and as a token in the user part.
	for _, u := range []string{
		strings.Replace(base, "http://", "http://writer:wrong-secret-123@", 1),
		strings.Replace(base, "http://", "http://tok_wrong-secret-123@", 1),
	} {
		bad := newTestProvider(t, t.TempDir(), map[string]cty.Value{"remote": str(u)})
		_, err := bad.Read(ctx, nil)
		if err == nil {
			t.Fatal("Read with wrong credentials succeeded")
		}
		if strings.Contains(err.Error(), "wrong-secret-123") || !strings.Contains(err.Error(), "authentication required") {
			t.Errorf("error = %q", err)
		}
		if !errors.Is(err, transport.ErrAuthenticationRequired) {
			t.Errorf("error does not match transport.ErrAuthenticationRequired: %v", err)
		}
		if strings.Contains(bad.Describe(), "wrong-secret-123") {
			t.Errorf("Describe = %q", bad.Describe())
		}
	}

	// A broken connection while fetching.
	srv.Break(func(*http.Request) bool { return true })
	_, err = good.Read(ctx, nil)
	if err == nil || strings.Contains(err.Error(), "correct-horse") {
		t.Errorf("error = %v", err)
	}
}

func TestCompensateWithRemote(t *testing.T) {
	root := t.TempDir()
	bare := gittest.BareRepo(t, root, "lib.git")
	p := newTestProvider(t, t.TempDir(), map[string]cty.Value{"remote": str(gittest.StartDaemon(t, root).RepoURL("lib.git"))})
	c1 := apply(t, p, fakeLib{scripts: map[string]string{"a": "a\n"}}.library())
	tx, _ := begin(t, p, fakeLib{scripts: map[string]string{"a": "b\n"}}.library())
	ctx := context.Background()
	mustf(t, tx.Commit(ctx), "Commit")
	if branchHead(t, bare, "main") == c1 {
		t.Fatal("not pushed")
	}
	mustf(t, tx.Compensate(ctx), "Compensate")
	mustf(t, tx.Compensate(ctx), "second Compensate")
	if got := branchHead(t, bare, "main"); got != c1 {
		t.Errorf("remote at %s after Compensate, want %s", got, c1)
	}
	if got := branchHead(t, p.dir, "main"); got != c1 {
		t.Errorf("local at %s after Compensate, want %s", got, c1)
	}
	gittest.Git(t, bare, "fsck", "--strict")

	// Undoing the first push deletes the remote branch, where the remote
	// allows deleting its current branch.
	root2 := t.TempDir()
	bare2 := gittest.BareRepo(t, root2, "lib.git")
	gittest.Git(t, bare2, "config", "receive.denyDeleteCurrent", "ignore")
	p2 := newTestProvider(t, t.TempDir(), map[string]cty.Value{"remote": str("file://" + bare2)})
	tx2, _ := begin(t, p2, fakeLib{scripts: map[string]string{"a": "a\n"}}.library())
	mustf(t, tx2.Commit(ctx), "Commit")
	mustf(t, tx2.Compensate(ctx), "Compensate")
	if got := branchHead(t, bare2, "main"); got != "" {
		t.Errorf("remote branch at %s, want none", got)
	}
	if got := branchHead(t, p2.dir, "main"); got != "" {
		t.Errorf("local branch at %s, want none", got)
	}

	// Where it does not (git's default), the error says what is left.
	root3 := t.TempDir()
	bare3 := gittest.BareRepo(t, root3, "lib.git")
	p3 := newTestProvider(t, t.TempDir(), map[string]cty.Value{"remote": str("file://" + bare3)})
	tx3, _ := begin(t, p3, fakeLib{scripts: map[string]string{"a": "a\n"}}.library())
	mustf(t, tx3.Commit(ctx), "Commit")
	err := tx3.Compensate(ctx)
	if err == nil || !strings.Contains(err.Error(), "refuses to delete its current branch main") {
		t.Errorf("Compensate = %v", err)
	}
}

func TestRemoteWithoutTheBranch(t *testing.T) {
	root := t.TempDir()
	bare := gittest.BareRepo(t, root, "lib.git")
	other := gittest.CommitFiles(t, bare, "other", "another branch", map[string]string{"x": "x"})
	p := newTestProvider(t, t.TempDir(), map[string]cty.Value{"remote": str(bare), "branch": str("library")})
	st, err := p.Read(context.Background(), nil)
	mustf(t, err, "Read")
	if st.Version != "" {
		t.Errorf("Version = %q", st.Version)
	}
	c := apply(t, p, fakeLib{scripts: map[string]string{"a": "a\n"}}.library())
	if branchHead(t, bare, "library") != c || branchHead(t, bare, "other") != other {
		t.Error("branches wrong after the first push")
	}
}

func TestNewRemote(t *testing.T) {
	env := map[string]string{EnvUsername: "envuser", EnvPassword: "envsecret", EnvSSHKey: "/keys/id"}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		raw, display, protocol, user, secret string
	}{
		{"https://u:p4ss@host/r.git", "https://host/r.git", "https", "u", "p4ss"},
		{"https://tok3n@host/r.git", "https://host/r.git", "https", "tok3n", "tok3n"},
		{"https://host/r.git?private_token=abc123", "https://host/r.git", "https", "envuser", "abc123"},
		{"http://host:8080/r.git", "http://host:8080/r.git", "http", "envuser", "envsecret"},
		{"ssh://git@host/r.git", "ssh://git@host/r.git", "ssh", "", ""},
		{"git@host:studio/r.git", "git@host:studio/r.git", "ssh", "", ""},
		{"git://host/r.git", "git://host/r.git", "git", "", ""},
		{"file:///srv/r.git", "file:///srv/r.git", "file", "", ""},
		{"../backup/r.git", "../backup/r.git", "file", "", ""},
	}
	for _, tt := range tests {
		rm, err := newRemote(tt.raw, "/config", "main", getenv)
		if err != nil {
			t.Errorf("%s: %v", tt.raw, err)
			continue
		}
		if rm.display != tt.display || rm.ep.Protocol != tt.protocol {
			t.Errorf("%s: display %q protocol %q", tt.raw, rm.display, rm.ep.Protocol)
		}
		if tt.protocol == "http" || tt.protocol == "https" {
			if rm.username != tt.user {
				t.Errorf("%s: user %q", tt.raw, rm.username)
			}
		}
		if tt.secret != "" && rm.redact("x "+tt.secret+" y") != "x *** y" {
			t.Errorf("%s: %q is not redacted", tt.raw, tt.secret)
		}
	}
	if rm, _ := newRemote("../backup/r.git", "/config", "main", getenv); rm.ep.Path != "/backup/r.git" {
		t.Errorf("relative path resolves to %q", rm.ep.Path)
	}
	if rm, _ := newRemote("ssh://git@host/r.git", "/config", "main", getenv); rm.sshKey != "/keys/id" {
		t.Errorf("ssh key from the environment = %q", rm.sshKey)
	}
}
