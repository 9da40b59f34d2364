package lfs

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"scriptsync/formats/lfspointer"
	"scriptsync/formats/npy"
	"scriptsync/internal/lfstest"
	"scriptsync/library"
	"scriptsync/providers"

	"scriptsync/internal/needs"
)

// These tests check that what the provider stores and uploads is what the
// stock git-lfs client reads and writes. They build the git side with stock
// git plumbing (scriptsync's git provider is tested on its own).

// gitLFS returns a hermetic environment for git and git-lfs: a fresh HOME
// whose only configuration is git-lfs's filters, no system configuration,
// no proxies, no prompts. Without git-lfs the test is skipped, except on CI,
// where it must be installed.
func gitLFS(t *testing.T) []string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		missing(t, "git")
	}
	if _, err := exec.LookPath("git-lfs"); err != nil {
		missing(t, "git-lfs")
	}
	home := t.TempDir()
	env := []string{
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=test", "GIT_AUTHOR_EMAIL=test@localhost",
		"GIT_COMMITTER_NAME=test", "GIT_COMMITTER_EMAIL=test@localhost",
		"GIT_AUTHOR_DATE=2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2024-01-01T00:00:00Z",
		"NO_PROXY=*", "LC_ALL=C",
		"PATH=" + os.Getenv("PATH"),
	}
	git(t, env, home, "lfs", "install", "--skip-repo")
	git(t, env, home, "config", "--global", "init.defaultBranch", "main")
	return env
}

func missing(t *testing.T, tool string) {
	t.Helper()
	needs.Missing(t, tool, "Debian: apt-get install -y git-lfs", exec.ErrNotFound)
}

// git runs git in dir and returns its standard output; it fails the test
// on a non-zero exit.
func git(t *testing.T, env []string, dir string, args ...string) string {
	t.Helper()
	out, err := gitErr(env, dir, "", args...)
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func gitErr(env []string, dir, stdin string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%w\n%s%s", err, stdout.String(), stderr.String())
	}
	return stdout.String(), nil
}

// commitPointers commits the embeddings' pointer files and .gitattributes to
// branch main of the bare repository, the way scriptsync's git provider
// does: with plumbing, no work tree, no filters.
func commitPointers(t *testing.T, env []string, bare string, embs []*library.Embedding) {
	t.Helper()
	index := filepath.Join(t.TempDir(), "index")
	ienv := append(append([]string{}, env...), "GIT_DIR="+bare, "GIT_INDEX_FILE="+index)
	add := func(path string, content []byte) {
		sha, err := gitErr(ienv, bare, string(content), "hash-object", "-w", "--stdin")
		if err != nil {
			t.Fatal(err)
		}
		git(t, ienv, bare, "update-index", "--add", "--cacheinfo", "100644,"+strings.TrimSpace(sha)+","+path)
	}
	add(".gitattributes", []byte("*.npy filter=lfs diff=lfs merge=lfs -text\n"))
	for _, e := range embs {
		add(e.Path, lfspointer.Format(e.OID, e.Size))
	}
	tree := strings.TrimSpace(git(t, ienv, bare, "write-tree"))
	commit, err := gitErr(ienv, bare, "scriptsync apply: +3 ~0 -0\n", "commit-tree", tree)
	if err != nil {
		t.Fatal(err)
	}
	git(t, ienv, bare, "update-ref", "refs/heads/main", strings.TrimSpace(commit))
}

func TestInteropStockClientReadsWhatScriptsyncWrote(t *testing.T) {
	env := gitLFS(t)
	srv := lfstest.Start(t)
	lib := fixture(t, 3, 384)
	bare := filepath.Join(lib.Dir, "library.git")
	git(t, env, lib.Dir, "init", "--bare", "library.git")

	// Uploads first, then the commit that points at them: apply order.
	p := newProvider(t, lib, srv.Endpoint)
	if _, _, err := applyAll(t, p, lib); err != nil {
		t.Fatal(err)
	}
	commitPointers(t, env, bare, lib.Embeddings)

	// (a) every pointer is one that git-lfs accepts, canonical, and the
	// same that git-lfs generates from the vector.
	ptrDir := t.TempDir()
	for _, e := range lib.Embeddings {
		ptr := filepath.Join(ptrDir, filepath.Base(e.Path))
		if err := os.WriteFile(ptr, lfspointer.Format(e.OID, e.Size), 0o644); err != nil {
			t.Fatal(err)
		}
		git(t, env, ptrDir, "lfs", "pointer", "--check", "--strict", "--file", ptr)
		git(t, env, lib.Dir, "lfs", "pointer", "--file", e.Source, "--pointer", ptr)
	}

	// (b) git lfs fsck passes in the bare repository: the local store
	// holds every object the commit points at, with the right hash.
	out := git(t, append(append([]string{}, env...), "GIT_DIR="+bare), bare, "lfs", "fsck", "main")
	if !strings.Contains(out, "Git LFS fsck OK") {
		t.Fatalf("git lfs fsck: %s", out)
	}

	// (c) a clone pulls byte-identical vectors, from the LFS server...
	noSmudge := append(append([]string{}, env...), "GIT_LFS_SKIP_SMUDGE=1")
	work := t.TempDir()
	git(t, noSmudge, work, "clone", "-q", bare, "clone")
	dir := filepath.Join(work, "clone")
	git(t, env, dir, "config", "lfs.url", srv.Endpoint)
	git(t, env, dir, "lfs", "pull")
	assertSameFiles(t, lib, dir)
	if st := srv.Stats(); st.Download != len(lib.Embeddings) {
		t.Fatalf("%d downloads from the server, want %d", st.Download, len(lib.Embeddings))
	}
	git(t, env, dir, "lfs", "fsck")

	// ...and from the bare repository's own store, through git-lfs's
	// file transfer, when no server is configured.
	work2 := t.TempDir()
	git(t, noSmudge, work2, "clone", "-q", bare, "clone")
	dir2 := filepath.Join(work2, "clone")
	git(t, env, dir2, "lfs", "pull")
	assertSameFiles(t, lib, dir2)
}

func assertSameFiles(t *testing.T, lib *library.Library, clone string) {
	t.Helper()
	for _, e := range lib.Embeddings {
		got := readFile(t, filepath.Join(clone, e.Path))
		if !bytes.Equal(got, readFile(t, filepath.Join(lib.Dir, e.Source))) {
			t.Fatalf("%s in the clone differs from %s (%d bytes: %.60q)", e.Path, e.Source, len(got), got)
		}
	}
}

func TestInteropScriptsyncSeesWhatStockClientPushed(t *testing.T) {
	env := gitLFS(t)
	srv := lfstest.Start(t)

	// A user commits a vector with git-lfs and pushes it to the server.
	work := t.TempDir()
	git(t, env, work, "init", "-q")
	git(t, env, work, "lfs", "track", "*.npy")
	data := npy.Encode([]float32{0.25, 0.5, 0.75, 1})
	if err := os.WriteFile(filepath.Join(work, "pushed.npy"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, env, work, "add", ".gitattributes", "pushed.npy")
	git(t, env, work, "commit", "-q", "-m", "vector")
	git(t, env, t.TempDir(), "init", "-q", "--bare", filepath.Join(work, "..", "origin.git"))
	git(t, env, work, "remote", "add", "origin", filepath.Join(work, "..", "origin.git"))
	git(t, env, work, "config", "lfs.url", srv.Endpoint)
	git(t, env, work, "lfs", "push", "--all", "origin")
	e := embedding("pushed", "pushed.npy", data)
	if !srv.Has(e.OID) {
		t.Fatal("git lfs push did not upload the vector")
	}
	uploads := srv.Stats().Upload

	// scriptsync, using the user's repository, sees it present: no change.
	lib := &library.Library{Dir: work, Embeddings: []*library.Embedding{e}}
	p, diags := New(config(work, nil, map[string]string{"path": ".git", "remote": srv.URL + "/repo.git"}, nil))
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	want, _ := p.Desired(lib)
	state, err := p.Read(context.Background(), want)
	if err != nil {
		t.Fatal(err)
	}
	if len(state.Objects) != 1 {
		t.Fatalf("Read = %v, want the pushed vector present", addresses(state.Objects))
	}

	// With a store of its own, scriptsync stores the vector locally and
	// skips the upload the server does not need.
	own := t.TempDir()
	if err := os.WriteFile(filepath.Join(own, "pushed.npy"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	lib2 := &library.Library{Dir: own, Embeddings: []*library.Embedding{e}}
	p2 := newProvider(t, lib2, srv.Endpoint)
	want2, _ := p2.Desired(lib2)
	tx, _ := p2.Begin(context.Background(), providers.BeginOptions{})
	if err := tx.Apply(context.Background(), creates(want2), nil); err != nil {
		t.Fatal(err)
	}
	if got := srv.Stats().Upload; got != uploads {
		t.Fatalf("%d uploads after git-lfs pushed the vector, want none", got-uploads)
	}
	if ok, _ := p2.store.Has(e.OID, e.Size); !ok {
		t.Fatal("the vector is not in scriptsync's local store")
	}
}
