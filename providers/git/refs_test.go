package git

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"scriptsync/internal/gittest"
	"scriptsync/providers"
)

func TestCASRef(t *testing.T) {
	repo := gittest.BareRepo(t, t.TempDir(), "r.git")
	a := gittest.CommitFiles(t, repo, "main", "a", map[string]string{"a": "a"})
	b := gittest.CommitFiles(t, repo, "main", "b", map[string]string{"b": "b"})
	ha, hb := plumbing.NewHash(a), plumbing.NewHash(b)
	ref := plumbing.NewBranchReferenceName("main")
	ctx := context.Background()

	got, err := readRef(repo, ref)
	if err != nil || got != hb {
		t.Fatalf("readRef = %s, %v; want %s", got, err, b)
	}
	if err := casRef(ctx, repo, ref, ha, ha, 0); !errors.Is(err, providers.ErrConflict) {
		t.Errorf("CAS from a stale value = %v, want ErrConflict", err)
	}
	mustf(t, casRef(ctx, repo, ref, hb, ha, 0), "CAS b → a")
	if got := branchHead(t, repo, "main"); got != a {
		t.Errorf("git sees %s, want %s", got, a)
	}

	// A ref that only packed-refs has.
	gittest.Git(t, repo, "pack-refs", "--all")
	if _, err := os.Stat(filepath.Join(repo, "refs/heads/main")); !os.IsNotExist(err) {
		t.Fatal("pack-refs left the loose ref")
	}
	if got, _ := readRef(repo, ref); got != ha {
		t.Errorf("packed readRef = %s", got)
	}
	mustf(t, casRef(ctx, repo, ref, ha, hb, 0), "CAS a → b over packed-refs")
	if got := branchHead(t, repo, "main"); got != b {
		t.Errorf("git sees %s, want %s", got, b)
	}

	// Create only when missing; delete, from loose and packed-refs.
	other := plumbing.NewBranchReferenceName("feature/x")
	if err := casRef(ctx, repo, other, ha, hb, 0); !errors.Is(err, providers.ErrConflict) {
		t.Errorf("CAS of a missing ref from a value = %v", err)
	}
	mustf(t, casRef(ctx, repo, other, plumbing.ZeroHash, ha, 0), "create")
	if err := casRef(ctx, repo, other, plumbing.ZeroHash, ha, 0); !errors.Is(err, providers.ErrConflict) {
		t.Errorf("create of an existing ref = %v", err)
	}
	gittest.Git(t, repo, "pack-refs", "--all")
	mustf(t, casRef(ctx, repo, other, ha, plumbing.ZeroHash, 0), "delete")
	if got, _ := readRef(repo, other); !got.IsZero() {
		t.Errorf("deleted ref reads %s", got)
	}
	if out := gittest.Git(t, repo, "for-each-ref", "--format=%(refname)"); strings.Contains(out, "feature/x") {
		t.Errorf("git still lists the deleted ref: %s", out)
	}
	gittest.Git(t, repo, "fsck", "--strict")
}

func TestCASRefWaitsForAHeldLock(t *testing.T) {
	repo := gittest.BareRepo(t, t.TempDir(), "r.git")
	a := plumbing.NewHash(gittest.CommitFiles(t, repo, "main", "a", map[string]string{"a": "a"}))
	ref := plumbing.NewBranchReferenceName("main")
	lock := filepath.Join(repo, "refs/heads/main.lock")
	mustf(t, os.WriteFile(lock, nil, 0o644), "lock")

	// Held for good: the error names the lock file.
	start := time.Now()
	err := casRef(context.Background(), repo, ref, a, plumbing.ZeroHash, 0)
	if !errors.Is(err, providers.ErrConflict) || !strings.Contains(err.Error(), lock) {
		t.Errorf("CAS under a held lock = %v", err)
	}
	if d := time.Since(start); d < minRefLockWait {
		t.Errorf("gave up after %s", d)
	}
	if got, _ := readRef(repo, ref); got != a {
		t.Error("ref changed under a held lock")
	}

	// Released while waiting: the update goes through.
	go func() {
		time.Sleep(100 * time.Millisecond)
		_ = os.Remove(lock)
	}()
	mustf(t, casRef(context.Background(), repo, ref, a, plumbing.ZeroHash, 0), "CAS after the lock went")
}
