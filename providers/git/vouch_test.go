package git

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"scriptsync/internal/gittest"
	"scriptsync/providers"
)

// forgeEntry commits, as a user of the branch would, a README.md and a
// manifest entry for it that follows every rule an entry scriptsync writes
// follows: a script address, a valid path, the file's real blob and size.
func forgeEntry(t *testing.T, repo string) {
	t.Helper()
	work := t.TempDir()
	gittest.Git(t, "", "clone", "--quiet", repo, work)
	readme := []byte("# Our library\n")
	if err := os.WriteFile(filepath.Join(work, "README.md"), readme, 0o644); err != nil {
		t.Fatal(err)
	}
	blob := strings.TrimSpace(gittest.Git(t, work, "hash-object", "-w", "README.md"))
	e := &manifestEntry{Address: "script.readme", Path: "README.md", Blob: blob, Size: int64(len(readme))}
	shard := filepath.Join(work, filepath.FromSlash(shardPath(shardOf(e.Address))))
	var entries []*manifestEntry
	if data, err := os.ReadFile(shard); err == nil {
		if entries, err = decodeShard(data, shardOf(e.Address)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(shard), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(shard, encodeShard(append(entries, e)), 0o644); err != nil {
		t.Fatal(err)
	}
	gittest.Git(t, work, "add", "-A")
	gittest.Git(t, work, "commit", "--quiet", "-m", "README")
	gittest.Git(t, work, "push", "--quiet", "origin", "HEAD:main")
}

func addresses(objs []*providers.Object) map[string]bool {
	out := map[string]bool{}
	for _, o := range objs {
		out[o.Address] = true
	}
	return out
}

// A manifest entry that follows every rule but that no apply of
// scriptsync wrote (the commit the SQL database recorded does not list
// it) is not trusted: the file it names is never deleted on its word, and
// the next apply commits the manifest without it.
func TestUnvouchedManifestEntryIsNotManaged(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	repo := filepath.Join(dir, "library.git")
	lib := fakeLib{scripts: map[string]string{"a": "a\n"}}.library()
	recorded := apply(t, newTestProvider(t, dir, nil), lib)
	forgeEntry(t, repo)

	// Without the check (the provider alone), the entry is managed and a
	// plan would delete README.md: what the check exists for.
	p := newTestProvider(t, dir, nil)
	want := desired(t, p, lib)
	st, err := p.Read(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	if !addresses(st.Objects)["script.readme"] {
		t.Fatal("the forged entry is not in the unchecked state: the test does not forge what it should")
	}
	if err := p.Vouch(ctx, st, want, recorded); err != nil {
		t.Fatal(err)
	}
	if addresses(st.Objects)["script.readme"] {
		t.Error("script.readme is managed after Vouch: a plan would delete README.md")
	}
	if !addresses(st.Objects)["script.a"] {
		t.Error("script.a, which scriptsync wrote, is no longer managed")
	}
	if len(st.Warnings) != 1 || !strings.Contains(st.Warnings[0], `"README.md" (script.readme)`) || !strings.Contains(st.Warnings[0], "leaves them as they are") {
		t.Errorf("warnings %q", st.Warnings)
	}
	if len(st.Pending) != 1 || !strings.Contains(st.Pending[0], "remove an entry scriptsync did not write from the manifest") {
		t.Errorf("pending %q", st.Pending)
	}

	// The apply, with no file to change, commits the manifest without the
	// entry and leaves README.md.
	ptx, err := p.Begin(ctx, providers.BeginOptions{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	tst, err := ptx.Read(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	if err := ptx.(*tx).Vouch(ctx, tst, want, recorded); err != nil {
		t.Fatal(err)
	}
	changes := diff(want, tst.Refreshed())
	if len(changes) != 0 {
		t.Fatalf("changes %v, want none", changes)
	}
	if err := ptx.Apply(ctx, changes, nil); err != nil {
		t.Fatal(err)
	}
	if err := ptx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	head := ptx.(*tx).CommittedVersion()
	if head == "" || head == st.Version {
		t.Fatalf("no commit (%s)", head)
	}
	if out := gittest.Git(t, repo, "ls-tree", "--name-only", "main"); !strings.Contains(out, "README.md") {
		t.Errorf("README.md was deleted:\n%s", out)
	}
	if m := manifestText(t, repo, "main"); strings.Contains(m, "script.readme") || !strings.Contains(m, "script.a") {
		t.Errorf("manifest after the apply:\n%s", m)
	}
	gittest.Git(t, repo, "fsck", "--strict")

	// Once that commit is recorded, nothing is left to drop.
	st, err = p.Read(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Vouch(ctx, st, want, head); err != nil || len(st.Warnings) != 0 || len(st.Pending) != 0 {
		t.Errorf("after the cleanup: %v, warnings %q, pending %q", err, st.Warnings, st.Pending)
	}
}

// A configuration that wants a file at the path of an unvouched entry is
// told the file is in the way, as for any file scriptsync did not create.
func TestUnvouchedEntryPathIsInTheWay(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	lib := fakeLib{scripts: map[string]string{"a": "a\n"}}.library()
	recorded := apply(t, newTestProvider(t, dir, nil), lib)
	forgeEntry(t, filepath.Join(dir, "library.git"))
	p := newTestProvider(t, dir, nil)
	want := desired(t, p, fakeLib{scripts: map[string]string{"a": "a\n", "notes": "other\n"},
		paths: map[string]string{"notes": "README.md"}}.library())
	st, err := p.Read(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	err = p.Vouch(ctx, st, want, recorded)
	if err == nil || !strings.Contains(err.Error(), "README.md (wanted by script.notes) is already on branch main and scriptsync did not create it") {
		t.Errorf("Vouch: %v", err)
	}

	// The configuration claiming that very object at that very path is
	// its owner's word: the file is managed, and a plan writes it in
	// place (deleting nothing).
	want = desired(t, p, fakeLib{scripts: map[string]string{"a": "a\n", "readme": "other\n"},
		paths: map[string]string{"readme": "README.md"}}.library())
	if st, err = p.Read(ctx, want); err != nil {
		t.Fatal(err)
	}
	if err := p.Vouch(ctx, st, want, recorded); err != nil || !addresses(st.Objects)["script.readme"] || len(st.Warnings) != 0 {
		t.Errorf("script.readme wanted at README.md: %v, objects %v, warnings %q", err, addresses(st.Objects), st.Warnings)
	}
}

// An entry the recorded commit lacks is still managed when the
// configuration wants that object at that path (an apply that stopped
// after the git commit and before the SQL one), and so is everything when
// the branch is at the recorded commit.
func TestVouchKeepsWhatTheConfigurationWants(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	lib := fakeLib{scripts: map[string]string{"a": "a\n", "b": "b\n"}}.library()
	head := apply(t, newTestProvider(t, dir, nil), lib)
	p := newTestProvider(t, dir, nil)
	want := desired(t, p, lib)
	for _, recorded := range []string{head, "", strings.Repeat("0", 40)} {
		st, err := p.Read(ctx, want)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Vouch(ctx, st, want, recorded); err != nil || len(st.Objects) != 2 || len(st.Warnings) != 0 || len(st.Pending) != 0 {
			t.Errorf("recorded %q: %v, %d objects, warnings %q, pending %q", recorded, err, len(st.Objects), st.Warnings, st.Pending)
		}
	}
	// Not wanted any more, and recorded nowhere (a fresh clone has no
	// list of the commits scriptsync made): left alone.
	if err := os.Remove(filepath.Join(dir, "library.git", madeFile)); err != nil {
		t.Fatal(err)
	}
	fewer := desired(t, p, fakeLib{scripts: map[string]string{"a": "a\n"}}.library())
	st, err := p.Read(ctx, fewer)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Vouch(ctx, st, fewer, ""); err != nil || addresses(st.Objects)["script.b"] || !addresses(st.Objects)["script.a"] {
		t.Errorf("nothing recorded, script.b unwanted: %v, objects %v", err, addresses(st.Objects))
	}
}

// A branch moved back to an earlier commit of scriptsync's keeps what that
// commit manages (scriptsync lists the commits it made); one moved back to
// a writer's commit with a forged entry, which scriptsync built on, does
// not.
func TestBranchMovedBack(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	repo := filepath.Join(dir, "library.git")
	first := apply(t, newTestProvider(t, dir, nil), fakeLib{scripts: map[string]string{"a": "a\n", "b": "b\n"}}.library())
	forgeEntry(t, repo)
	forged := branchHead(t, repo, "main")
	lib := fakeLib{scripts: map[string]string{"a": "a\n"}}.library()
	p := newTestProvider(t, dir, nil)
	ptx, err := p.Begin(ctx, providers.BeginOptions{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	want := desired(t, p, lib)
	st, err := ptx.Read(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	if err := ptx.(*tx).Vouch(ctx, st, want, first); err != nil {
		t.Fatal(err)
	}
	if err := ptx.Apply(ctx, diff(want, st.Refreshed()), nil); err != nil {
		t.Fatal(err)
	}
	if err := ptx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	last := ptx.(*tx).CommittedVersion()

	for _, tc := range []struct {
		name, head string
		managed    string // an address the state must hold
		dropped    string // one it must not
	}{
		{"to scriptsync's first commit", first, "script.b", ""},
		// script.b too is beyond what the recorded commit vouches for
		// there: a writer's commit is not scriptsync's word.
		{"to the writer's forged commit", forged, "script.a", "script.readme"},
	} {
		gittest.Git(t, repo, "update-ref", "refs/heads/main", tc.head)
		st, err := p.Read(ctx, want)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Vouch(ctx, st, want, last); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := addresses(st.Objects)
		if !got[tc.managed] || tc.dropped != "" && got[tc.dropped] {
			t.Errorf("moved back %s: managed %v, want %s and not %q", tc.name, got, tc.managed, tc.dropped)
		}
	}
}
