package gittest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGitIsHermetic(t *testing.T) {
	t.Setenv("GIT_AUTHOR_NAME", "Leaked")
	dir := t.TempDir()
	Git(t, dir, "init", "--quiet")
	if got := strings.TrimSpace(Git(t, dir, "symbolic-ref", "HEAD")); got != "refs/heads/main" {
		t.Errorf("HEAD = %s, want refs/heads/main", got)
	}
	Git(t, dir, "commit", "--quiet", "--allow-empty", "-m", "x")
	if got := Git(t, dir, "log", "-1", "--format=%an <%ae> %aI"); got != "Test User <test@example.com> 2024-01-02T03:04:05+00:00\n" {
		t.Errorf("author = %q", got)
	}
	if _, err := TryGit(t, dir, "no-such-command"); err == nil {
		t.Error("TryGit of a bad command succeeded")
	}
}

func TestBareRepoAndCommitFiles(t *testing.T) {
	repo := BareRepo(t, t.TempDir(), "lib.git")
	h := CommitFiles(t, repo, "main", "first", map[string]string{"a/b.txt": "hello\n"})
	if got := Git(t, repo, "show", "main:a/b.txt"); got != "hello\n" {
		t.Errorf("a/b.txt = %q", got)
	}
	h2 := CommitFiles(t, repo, "main", "second", map[string]string{"c.txt": "c\n"})
	if parent := strings.TrimSpace(Git(t, repo, "rev-parse", h2+"^")); parent != h {
		t.Errorf("second commit's parent = %s, want %s", parent, h)
	}
}

func TestHTTPServer(t *testing.T) {
	root := t.TempDir()
	BareRepo(t, root, "lib.git")
	s := NewHTTPServer(t, root)
	url := s.RepoURL("lib.git")

	CommitFiles(t, url, "main", "over http", map[string]string{"f.txt": "f\n"})
	if got := Git(t, filepath.Join(root, "lib.git"), "show", "main:f.txt"); got != "f\n" {
		t.Errorf("f.txt = %q", got)
	}

	s.RequireAuth("writer", "s3cret")
	if _, err := TryGit(t, "", "ls-remote", url); err == nil {
		t.Error("ls-remote without credentials succeeded")
	}
	withAuth := strings.Replace(url, "http://", "http://writer:s3cret@", 1)
	if out := Git(t, "", "ls-remote", withAuth); !strings.Contains(out, "refs/heads/main") {
		t.Errorf("ls-remote with credentials = %q", out)
	}
	s.RequireAuth("", "")

	s.BreakPushes(true)
	clone := filepath.Join(t.TempDir(), "c")
	Git(t, "", "clone", "--quiet", url, clone) // fetches still work
	if err := os.WriteFile(filepath.Join(clone, "g.txt"), []byte("g\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	Git(t, clone, "add", "g.txt")
	Git(t, clone, "commit", "--quiet", "-m", "g")
	if _, err := TryGit(t, clone, "push", "origin", "HEAD:main"); err == nil {
		t.Error("push through a broken connection succeeded")
	}
	s.BreakPushes(false)
	Git(t, clone, "push", "--quiet", "origin", "HEAD:main")

	// The answer is lost, but the push happened.
	s.BreakAfter(IsPush)
	Git(t, clone, "commit", "--quiet", "--allow-empty", "-m", "h")
	if _, err := TryGit(t, clone, "push", "origin", "HEAD:main"); err == nil {
		t.Error("push without an answer succeeded")
	}
	s.BreakAfter(nil)
	if local, remote := Git(t, clone, "rev-parse", "HEAD"), Git(t, filepath.Join(root, "lib.git"), "rev-parse", "main"); local != remote {
		t.Errorf("remote at %s, want the unanswered push %s", remote, local)
	}
}

func TestDaemon(t *testing.T) {
	root := t.TempDir()
	BareRepo(t, root, "lib.git")
	d := StartDaemon(t, root)
	CommitFiles(t, d.RepoURL("lib.git"), "main", "over git://", map[string]string{"f.txt": "f\n"})
	if got := Git(t, filepath.Join(root, "lib.git"), "show", "main:f.txt"); got != "f\n" {
		t.Errorf("f.txt = %q", got)
	}
}
