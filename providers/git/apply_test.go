package git

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"scriptsync/formats/lfspointer"
	"scriptsync/internal/gittest"
	"scriptsync/providers"
)

func TestApplyLifecycle(t *testing.T) {
	dir := t.TempDir()
	p := newTestProvider(t, dir, nil)
	repo := p.dir

	// 1. From nothing: the repository is created.
	lib := fakeLib{
		scripts: map[string]string{"pilot": "Title: Pilot\n\nINT. ER - NIGHT\n", "two": "EXT. ROOF - DAY\n"},
		bibles:  map[string]string{"world": "# World\n\nRain.\n"},
		agents:  map[string]string{"props": testAgent},
	}
	c1 := apply(t, p, lib.library())
	if c1 == "" || branchHead(t, repo, "main") != c1 {
		t.Fatalf("branch = %q, committed %q", branchHead(t, repo, "main"), c1)
	}
	if got := lastMessage(t, repo, "main"); got != "scriptsync apply: +4 ~0 -0" {
		t.Errorf("message = %q", got)
	}
	if got := gittest.Git(t, repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>"); got != "scriptsync <scriptsync@localhost>|scriptsync <scriptsync@localhost>\n" {
		t.Errorf("author = %q", got)
	}
	want := map[string]string{
		"scripts/pilot.fountain":     lib.scripts["pilot"],
		"scripts/two.fountain":       lib.scripts["two"],
		"bibles/world.md":            lib.bibles["world"],
		".scriptrag/agents/props.md": testAgent,
	}
	checkRepo(t, repo, "main", want)
	manifest := gittest.Git(t, repo, "show", "main:"+shardPath(shardOf("script.pilot")))
	if !strings.Contains(manifest, `{"address":"script.pilot","path":"scripts/pilot.fountain","blob":"`) ||
		!strings.HasPrefix(manifest, "{\n  \"format_version\": 1,") {
		t.Errorf("manifest = %s", manifest)
	}

	// A user commits files of their own with stock git.
	user := map[string]string{"README.md": "# Our library\n", "scripts/notes.txt": "ideas\n", "docs/a/b.md": "b\n"}
	gittest.CommitFiles(t, repo, "main", "user notes", user)
	userBlobs := gittest.Git(t, repo, "ls-tree", "-r", "main", "README.md", "scripts/notes.txt", "docs")
	for k, v := range user {
		want[k] = v
	}

	// 2. Update one file, add an embedding (pointer + .gitattributes).
	lib.scripts["pilot"] = "Title: Pilot\n\nINT. ER - NIGHT\n\nRain.\n"
	lib.embeddings = map[string]string{"1": "\x93NUMPY vector"}
	apply(t, p, lib.library())
	if got := lastMessage(t, repo, "main"); got != "scriptsync apply: +2 ~1 -0" {
		t.Errorf("message = %q", got)
	}
	want["scripts/pilot.fountain"] = lib.scripts["pilot"]
	emb := lib.library().Embeddings[0]
	want["vectors/1.npy"] = string(lfspointer.Format(emb.OID, emb.Size))
	want[".gitattributes"] = "# Written by scriptsync: embeddings are stored with Git LFS.\n*.npy filter=lfs diff=lfs merge=lfs -text\n"
	checkRepo(t, repo, "main", want)
	clone := filepath.Join(t.TempDir(), "attrs")
	gittest.Git(t, "", "clone", "--quiet", "--no-checkout", repo, clone)
	gittest.Git(t, clone, "read-tree", "HEAD")
	if got := gittest.Git(t, clone, "check-attr", "--cached", "filter", "diff", "merge", "text", "--", "vectors/1.npy"); got !=
		"vectors/1.npy: filter: lfs\nvectors/1.npy: diff: lfs\nvectors/1.npy: merge: lfs\nvectors/1.npy: text: unset\n" {
		t.Errorf("check-attr = %q", got)
	}

	// 3. Delete one, replace one (same content, new path).
	delete(lib.scripts, "two")
	lib.paths = map[string]string{"world": "bibles/the-world.md"}
	apply(t, p, lib.library())
	if got := lastMessage(t, repo, "main"); got != "scriptsync apply: +0 ~1 -1" {
		t.Errorf("message = %q", got)
	}
	delete(want, "scripts/two.fountain")
	delete(want, "bibles/world.md")
	want["bibles/the-world.md"] = lib.bibles["world"]
	checkRepo(t, repo, "main", want)

	// The user's files are untouched, blob for blob.
	if got := gittest.Git(t, repo, "ls-tree", "-r", "main", "README.md", "scripts/notes.txt", "docs"); got != userBlobs {
		t.Errorf("user files changed:\n%s\nwant\n%s", got, userBlobs)
	}

	// 4. Destroy: everything scriptsync manages goes, the manifest too.
	apply(t, p, fakeLib{}.library())
	if got := lastMessage(t, repo, "main"); got != "scriptsync apply: +0 ~0 -5" {
		t.Errorf("message = %q", got)
	}
	checkRepo(t, repo, "main", user)
	if got := gittest.Git(t, repo, "ls-tree", "-r", "main", "README.md", "scripts/notes.txt", "docs"); got != userBlobs {
		t.Errorf("user files changed by destroy")
	}
}

func TestApplyWithoutChangesMakesNoCommit(t *testing.T) {
	p := newTestProvider(t, t.TempDir(), nil)
	lib := fakeLib{scripts: map[string]string{"a": "a\n"}}.library()
	c1 := apply(t, p, lib)
	tx, changes := begin(t, p, lib)
	if len(changes) != 0 {
		t.Fatalf("changes = %v", changes)
	}
	mustf(t, tx.Commit(context.Background()), "Commit")
	if got := branchHead(t, p.dir, "main"); got != c1 || tx.CommittedVersion() != c1 {
		t.Errorf("branch %s, version %s, want %s", got, tx.CommittedVersion(), c1)
	}
	if n := strings.Count(gittest.Git(t, p.dir, "log", "--format=%H", "main"), "\n"); n != 1 {
		t.Errorf("%d commits", n)
	}
}

func TestApplyWithoutRepositoryAndNoChanges(t *testing.T) {
	p := newTestProvider(t, t.TempDir(), nil)
	tx, changes := begin(t, p, fakeLib{}.library())
	mustf(t, tx.Commit(context.Background()), "Commit")
	if len(changes) != 0 || tx.CommittedVersion() != "" {
		t.Errorf("changes %v version %q", changes, tx.CommittedVersion())
	}
	if _, err := os.Stat(p.dir); !os.IsNotExist(err) {
		t.Error("an empty apply created the repository")
	}
}

func TestRollbackBeforeCommit(t *testing.T) {
	p := newTestProvider(t, t.TempDir(), nil)
	c1 := apply(t, p, fakeLib{scripts: map[string]string{"a": "a\n"}}.library())
	tx, _ := begin(t, p, fakeLib{scripts: map[string]string{"a": "changed\n"}}.library())
	ctx := context.Background()
	mustf(t, tx.Rollback(ctx), "Rollback")
	mustf(t, tx.Rollback(ctx), "second Rollback")
	if got := branchHead(t, p.dir, "main"); got != c1 {
		t.Errorf("branch moved to %s", got)
	}
	if err := tx.Commit(ctx); err == nil {
		t.Error("Commit after Rollback succeeded")
	}
	gittest.Git(t, p.dir, "fsck", "--strict")
}

func TestCompensateAfterCommit(t *testing.T) {
	p := newTestProvider(t, t.TempDir(), nil)
	c1 := apply(t, p, fakeLib{scripts: map[string]string{"a": "a\n"}}.library())
	tx, _ := begin(t, p, fakeLib{scripts: map[string]string{"a": "changed\n"}}.library())
	ctx := context.Background()
	mustf(t, tx.Commit(ctx), "Commit")
	c2 := tx.CommittedVersion()
	if branchHead(t, p.dir, "main") != c2 || c2 == c1 {
		t.Fatalf("branch not moved")
	}
	mustf(t, tx.Compensate(ctx), "Compensate")
	mustf(t, tx.Compensate(ctx), "second Compensate")
	mustf(t, tx.Rollback(ctx), "Rollback after Compensate")
	if got := branchHead(t, p.dir, "main"); got != c1 {
		t.Errorf("branch at %s after Compensate, want %s", got, c1)
	}
}

func TestCompensateOfTheFirstCommitDeletesTheBranch(t *testing.T) {
	p := newTestProvider(t, t.TempDir(), nil)
	tx, _ := begin(t, p, fakeLib{scripts: map[string]string{"a": "a\n"}}.library())
	ctx := context.Background()
	mustf(t, tx.Commit(ctx), "Commit")
	gittest.Git(t, p.dir, "pack-refs", "--all") // the undo must find it in packed-refs too
	mustf(t, tx.Compensate(ctx), "Compensate")
	if got := branchHead(t, p.dir, "main"); got != "" {
		t.Errorf("branch at %s, want none", got)
	}
	st, err := p.Read(ctx, nil)
	mustf(t, err, "Read")
	if st.Version != "" || len(st.Objects) != 0 {
		t.Errorf("state after undo = %+v", st)
	}
}

func TestCompensateLeavesALaterCommitAlone(t *testing.T) {
	p := newTestProvider(t, t.TempDir(), nil)
	apply(t, p, fakeLib{scripts: map[string]string{"a": "a\n"}}.library())
	tx, _ := begin(t, p, fakeLib{scripts: map[string]string{"a": "b\n"}}.library())
	ctx := context.Background()
	mustf(t, tx.Commit(ctx), "Commit")
	later := gittest.CommitFiles(t, p.dir, "main", "someone else", map[string]string{"x.txt": "x"})
	if err := tx.Compensate(ctx); !errors.Is(err, providers.ErrConflict) {
		t.Errorf("Compensate = %v, want ErrConflict", err)
	}
	if got := branchHead(t, p.dir, "main"); got != later {
		t.Errorf("branch at %s, want the later commit %s", got, later)
	}
}

func TestCommitConflict(t *testing.T) {
	p := newTestProvider(t, t.TempDir(), nil)
	apply(t, p, fakeLib{scripts: map[string]string{"a": "a\n"}}.library())
	tx, _ := begin(t, p, fakeLib{scripts: map[string]string{"a": "mine\n"}}.library())
	other := gittest.CommitFiles(t, p.dir, "main", "landed meanwhile", map[string]string{"other.txt": "o"})
	err := tx.Commit(context.Background())
	if !errors.Is(err, providers.ErrConflict) {
		t.Fatalf("Commit = %v, want ErrConflict", err)
	}
	if !strings.Contains(err.Error(), "refs/heads/main") {
		t.Errorf("error does not name the branch: %v", err)
	}
	mustf(t, tx.Rollback(context.Background()), "Rollback")
	if got := branchHead(t, p.dir, "main"); got != other {
		t.Errorf("branch at %s, want %s", got, other)
	}
}

func TestConcurrentApplies(t *testing.T) {
	p := newTestProvider(t, t.TempDir(), nil)
	apply(t, p, fakeLib{scripts: map[string]string{"a": "a\n"}}.library())
	const n = 4
	txs := make([]*tx, n)
	for i := range txs {
		txs[i], _ = begin(t, p, fakeLib{scripts: map[string]string{"a": fmt.Sprintf("writer %d\n", i)}}.library())
	}
	errs := make(chan error, n)
	for _, tx := range txs {
		go func() { errs <- tx.Commit(context.Background()) }()
	}
	wins := 0
	for range txs {
		err := <-errs
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, providers.ErrConflict):
			t.Errorf("Commit = %v", err)
		}
	}
	if wins != 1 {
		t.Errorf("%d commits won, want 1", wins)
	}
	gittest.Git(t, p.dir, "fsck", "--strict")
}

func TestLargeApplyWritesOnePack(t *testing.T) {
	p := newTestProvider(t, t.TempDir(), nil)
	scripts := map[string]string{}
	for i := 0; i < 300; i++ {
		scripts[fmt.Sprintf("s%03d", i)] = fmt.Sprintf("INT. ROOM %d - NIGHT\n", i)
	}
	apply(t, p, fakeLib{scripts: scripts}.library())
	packs, _ := filepath.Glob(filepath.Join(p.dir, "objects", "pack", "pack-*.pack"))
	if len(packs) != 1 {
		t.Fatalf("packs = %v", packs)
	}
	gittest.Git(t, p.dir, "verify-pack", strings.TrimSuffix(packs[0], ".pack")+".idx")
	loose, _ := filepath.Glob(filepath.Join(p.dir, "objects", "??", "*"))
	if len(loose) != 0 {
		t.Errorf("%d loose objects next to the pack", len(loose))
	}
	want := map[string]string{}
	for k, v := range scripts {
		want["scripts/"+k+".fountain"] = v
	}
	checkRepo(t, p.dir, "main", want)

	// A small change on top writes a few loose objects, after git gc too.
	gittest.Git(t, p.dir, "gc", "--quiet")
	scripts["s000"] = "changed\n"
	want["scripts/s000.fountain"] = "changed\n"
	apply(t, p, fakeLib{scripts: scripts}.library())
	checkRepo(t, p.dir, "main", want)
}

// TestNoObjectsSeesEveryKindOfObject checks the test that lets a first
// apply skip looking objects up: true only for a repository without loose
// objects and packs.
func TestNoObjectsSeesEveryKindOfObject(t *testing.T) {
	p := newTestProvider(t, t.TempDir(), nil)
	dir := gitDirOf(p.dir)
	if noObjects(dir) {
		t.Error("a missing repository has no objects: want false, so lookups are made")
	}
	if err := initBare(dir, "main"); err != nil {
		t.Fatal(err)
	}
	if !noObjects(dir) {
		t.Error("a new repository: noObjects = false")
	}
	alternates := filepath.Join(dir, "objects", "info", "alternates")
	if err := os.WriteFile(alternates, []byte("/elsewhere/objects\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if noObjects(dir) {
		t.Error("a repository with alternates: noObjects = true")
	}
	if err := os.Remove(alternates); err != nil {
		t.Fatal(err)
	}
	apply(t, p, fakeLib{scripts: map[string]string{"s1": "INT. ROOM - NIGHT\n"}}.library())
	if loose, _ := filepath.Glob(filepath.Join(dir, "objects", "??", "*")); len(loose) == 0 {
		t.Fatal("the apply wrote no loose object")
	}
	if noObjects(dir) {
		t.Error("a repository with loose objects: noObjects = true")
	}
	gittest.Git(t, dir, "gc", "--quiet", "--prune=now")
	if loose, _ := filepath.Glob(filepath.Join(dir, "objects", "??", "*")); len(loose) != 0 {
		t.Fatalf("git gc left loose objects %v", loose)
	}
	if noObjects(dir) {
		t.Error("a repository with only a pack: noObjects = true")
	}
}
