package applier_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"scriptsync/internal/gittest"
	"scriptsync/internal/lfstest"

	"scriptsync/internal/needs"
)

// requireGitLFS fails in CI and skips elsewhere when git-lfs is missing.
func requireGitLFS(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git-lfs"); err != nil {
		needs.Missing(t, "git-lfs", "apt-get install -y git-lfs", err)
	}
}

// An apply with a git remote (smart HTTP) and an LFS server: uploads land
// before the push, stock git and git-lfs read the result, and an LFS
// server that fails leaves the remote, the local branch and SQL as they
// were, never with a commit pointing at objects the server lacks.
func TestApplyToRemotes(t *testing.T) {
	requireGitLFS(t)
	root := t.TempDir()
	gittest.BareRepo(t, root, "library.git")
	gitSrv := gittest.NewHTTPServer(t, root)
	lfsSrv := lfstest.Start(t)

	dir := t.TempDir()
	workspace(t, dir, 1)
	providersHCL := fmt.Sprintf(`provider "git" {
  remote = %q
}

provider "lfs" {
  url = %q
}
`, gitSrv.RepoURL("library.git"), lfsSrv.Endpoint)
	if err := os.WriteFile(filepath.Join(dir, "providers.hcl"), []byte(providersHCL), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := apply(t, backends(t, dir, fault{})); err != nil {
		t.Fatal(err)
	}
	// Version 1 of the screenplay has two scenes, so two vectors.
	if n := len(lfsSrv.OIDs()); n != 2 {
		t.Fatalf("the LFS server holds %d objects, want 2", n)
	}
	remoteHead := func() string {
		return strings.TrimSpace(gittest.Git(t, root, "--git-dir", filepath.Join(root, "library.git"), "rev-parse", "refs/heads/main"))
	}
	head1 := remoteHead()

	// Stock git and git-lfs read what scriptsync pushed.
	checkClone(t, gitSrv.RepoURL("library.git"), lfsSrv.Endpoint, dir, 2)

	// Version 2 of the vectors, and an LFS server that refuses uploads.
	before := take(t, dir)
	workspace(t, dir, 2)
	lfsSrv.Inject(lfstest.UploadError500, -1)
	_, err := apply(t, backends(t, dir, fault{}))
	if err == nil || !strings.Contains(err.Error(), "lfs") {
		t.Fatalf("apply with a failing LFS server: %v", err)
	}
	if remoteHead() != head1 {
		t.Fatal("the remote branch moved although the uploads failed")
	}
	if after := take(t, dir); after != before {
		t.Fatalf("a local backend moved: %+v → %+v", before, after)
	}
	if n := len(lfsSrv.OIDs()); n != 2 {
		t.Fatalf("the LFS server holds %d objects after failed uploads, want 2", n)
	}

	// The server recovers: the next apply converges.
	lfsSrv.Reset()
	if _, err := apply(t, backends(t, dir, fault{})); err != nil {
		t.Fatal(err)
	}
	if remoteHead() == head1 {
		t.Fatal("the remote branch did not move")
	}
	checkClone(t, gitSrv.RepoURL("library.git"), lfsSrv.Endpoint, dir, 3)
}

// checkClone clones url, pulls LFS objects from lfsURL, and compares every
// vector with the configuration's, then runs git lfs fsck.
func checkClone(t *testing.T, url, lfsURL, dir string, vectors int) {
	t.Helper()
	clone := filepath.Join(t.TempDir(), "clone")
	gittest.Git(t, "", "-c", "lfs.url="+lfsURL, "clone", "--quiet", url, clone)
	gittest.Git(t, clone, "config", "lfs.url", lfsURL)
	gittest.Git(t, clone, "lfs", "install", "--local")
	gittest.Git(t, clone, "lfs", "pull")
	for i := 1; i <= vectors; i++ {
		want, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("vec/%d.npy", i)))
		got, err := os.ReadFile(filepath.Join(clone, fmt.Sprintf("embeddings/pilot/%d.npy", i)))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("embeddings/pilot/%d.npy differs from the source after git lfs pull (%v)", i, err)
		}
	}
	if out, err := gittest.TryGit(t, clone, "lfs", "fsck"); err != nil {
		t.Fatalf("git lfs fsck: %v\n%s", err, out)
	}
	var exitErr *exec.ExitError
	if out, err := gittest.TryGit(t, clone, "fsck", "--strict"); errors.As(err, &exitErr) {
		t.Fatalf("git fsck: %s", out)
	}
}
