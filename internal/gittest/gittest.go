// Package gittest runs the stock git binary for tests: a hermetic command
// runner, bare repositories, a smart-HTTP server (git http-backend behind
// net/http/cgi) and git daemon, all on loopback and all stopped when the
// test ends.
//
// Tests use it to check that what scriptsync writes is what stock git
// reads, and to push and fetch over real protocols. A test that needs git
// fails (never skips) with a clear message when the binary is missing.
//
// The package owns no scriptsync behaviour: it only starts and drives git.
package gittest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Fixed identity and dates for commits made by Git, so that tests are
// reproducible.
const (
	AuthorName  = "Test User"
	AuthorEmail = "test@example.com"
	Date        = "2024-01-02T03:04:05Z"
)

// GitPath returns the git binary, failing the test when there is none.
func GitPath(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("git")
	if err != nil {
		t.Fatalf("gittest: this test needs the git binary on PATH (apt-get install git): %v", err)
	}
	return p
}

var (
	homesMu sync.Mutex
	homes   = map[testing.TB]string{}
)

// Env returns the environment git runs in: the process environment without
// any GIT_* variable, a HOME of its own per test (with a .gitconfig that
// sets the default branch to main), no system configuration, and the fixed
// author and committer.
func Env(t testing.TB) []string {
	t.Helper()
	homesMu.Lock()
	home, ok := homes[t]
	if !ok {
		home = t.TempDir()
		homes[t] = home
		t.Cleanup(func() {
			homesMu.Lock()
			delete(homes, t)
			homesMu.Unlock()
		})
	}
	homesMu.Unlock()
	if !ok {
		cfg := "[init]\n\tdefaultBranch = main\n[user]\n\tname = " + AuthorName + "\n\temail = " + AuthorEmail +
			"\n[safe]\n\tdirectory = *\n[protocol \"file\"]\n\tallow = always\n"
		if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte(cfg), 0o644); err != nil {
			t.Fatalf("gittest: write .gitconfig: %v", err)
		}
	}
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GIT_") || strings.HasPrefix(kv, "HOME=") || strings.HasPrefix(kv, "XDG_CONFIG_HOME=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME="+AuthorName,
		"GIT_AUTHOR_EMAIL="+AuthorEmail,
		"GIT_AUTHOR_DATE="+Date,
		"GIT_COMMITTER_NAME="+AuthorName,
		"GIT_COMMITTER_EMAIL="+AuthorEmail,
		"GIT_COMMITTER_DATE="+Date,
	)
}

// Git runs git with args in dir and returns its standard output. It fails
// the test, showing standard error, when git exits non-zero.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := TryGit(t, dir, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// GitError is a failed git command.
type GitError struct {
	Args   []string
	Stderr string
	Err    error
}

func (e *GitError) Error() string {
	return "gittest: git " + strings.Join(e.Args, " ") + ": " + e.Err.Error() + "\n" + e.Stderr
}

func (e *GitError) Unwrap() error { return e.Err }

// TryGit is Git for commands that are expected to fail: it returns a
// *GitError instead of failing the test.
func TryGit(t testing.TB, dir string, args ...string) (string, error) {
	t.Helper()
	return TryGitInput(t, dir, nil, args...)
}

// TryGitInput is TryGit with data on standard input.
func TryGitInput(t testing.TB, dir string, stdin []byte, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(GitPath(t), args...)
	cmd.Dir = dir
	cmd.Env = Env(t)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), &GitError{Args: args, Stderr: stderr.String(), Err: err}
	}
	return stdout.String(), nil
}

// BareRepo creates an empty bare repository whose HEAD names main, at
// dir/name (dir is made when missing), and returns its path.
func BareRepo(t testing.TB, dir, name string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("gittest: %v", err)
	}
	p := filepath.Join(dir, name)
	Git(t, dir, "init", "--quiet", "--bare", "--initial-branch=main", p)
	return p
}

// CommitFiles commits files (path → content) on top of branch in the bare
// repository at repo, the way a user would with a clone, and pushes the
// commit back. It returns the new commit's hash.
func CommitFiles(t testing.TB, repo, branch, message string, files map[string]string) string {
	t.Helper()
	work := filepath.Join(t.TempDir(), "work")
	Git(t, "", "clone", "--quiet", repo, work)
	if _, err := TryGit(t, work, "rev-parse", "--verify", "--quiet", "refs/remotes/origin/"+branch); err == nil {
		Git(t, work, "checkout", "--quiet", "-B", branch, "origin/"+branch)
	} else {
		Git(t, work, "checkout", "--quiet", "--orphan", branch)
	}
	for p, content := range files {
		full := filepath.Join(work, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatalf("gittest: %v", err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatalf("gittest: %v", err)
		}
		Git(t, work, "add", "--", p)
	}
	Git(t, work, "commit", "--quiet", "--allow-empty", "-m", message)
	Git(t, work, "push", "--quiet", "origin", "HEAD:refs/heads/"+branch)
	return strings.TrimSpace(Git(t, work, "rev-parse", "HEAD"))
}
