package git

import (
	"context"
	"os"
	"path/filepath"
	"scriptsync/internal/gittest"
	"slices"
	"strings"
	"testing"
)

// A branch whose ref cannot be read is an error: writing a new root commit
// would drop its history.
func TestUnreadableRefIsAnError(t *testing.T) {
	lib := fakeLib{scripts: map[string]string{"a": "a\n"}}.library()
	for name, breakRef := range map[string]func(t *testing.T, repo string){
		"empty loose ref": func(t *testing.T, repo string) {
			if err := os.WriteFile(filepath.Join(repo, "refs", "heads", "main"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		},
		"malformed packed-refs line": func(t *testing.T, repo string) {
			head, err := os.ReadFile(filepath.Join(repo, "refs", "heads", "main"))
			if err != nil {
				t.Fatal(err)
			}
			os.Remove(filepath.Join(repo, "refs", "heads", "main"))
			packed := "# pack-refs with: peeled fully-peeled sorted\n" + strings.TrimSpace(string(head))[:12] + " refs/heads/main\n"
			if err := os.WriteFile(filepath.Join(repo, "packed-refs"), []byte(packed), 0o644); err != nil {
				t.Fatal(err)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			p := newTestProvider(t, dir, nil)
			apply(t, p, lib)
			repo := filepath.Join(dir, "library.git")
			breakRef(t, repo)
			p2 := newTestProvider(t, dir, nil)
			_, err := p2.Read(context.Background(), nil)
			if err == nil {
				t.Fatal("Read succeeded on a branch whose ref cannot be read")
			}
			if !strings.Contains(err.Error(), "refs/heads/main") && !strings.Contains(err.Error(), "packed-refs") {
				t.Errorf("error = %v, want one naming the ref", err)
			}
		})
	}
}

func TestPathsGitRefuses(t *testing.T) {
	for _, p := range []string{
		".git./hooks/x", ".git /x", "GIT~1/hooks/x", "git~1/x", ".g\u200cit/hooks/x", ".G\u200dIT/x", "\ufeff.git/x",
		".git::$INDEX_ALLOCATION/hooks/x", "a/.git:stream/x", "scripts/" + strings.Repeat("n", 300) + ".fountain",
		"../x", ".git/config", "a/../../b",
	} {
		lib := fakeLib{scripts: map[string]string{"a": "a\n"}, paths: map[string]string{"a": p}}.library()
		dir := t.TempDir()
		_, diags := newTestProvider(t, dir, nil).Desired(lib)
		if !diags.HasErrors() {
			t.Errorf("%q: no error", p)
			continue
		}
		if !strings.Contains(diags.Error(), "Invalid path in the git repository") {
			t.Errorf("%q: %s", p, diags.Error())
		}
	}
	for _, ok := range []string{"scripts/.github/x.fountain", "scripts/gitx/a.fountain", "scripts/a.git.fountain"} {
		lib := fakeLib{scripts: map[string]string{"a": "a\n"}, paths: map[string]string{"a": ok}}.library()
		if _, diags := newTestProvider(t, t.TempDir(), nil).Desired(lib); diags.HasErrors() {
			t.Errorf("%q refused: %s", ok, diags.Error())
		}
	}
}

// A hand-edited manifest cannot make scriptsync delete a file it did not
// write, nor point it into .git/ or out of the repository.
func TestHandEditedManifestEntriesAreIgnored(t *testing.T) {
	dir := t.TempDir()
	p := newTestProvider(t, dir, nil)
	apply(t, p, fakeLib{scripts: map[string]string{"a": "a\n"}}.library())
	repo := filepath.Join(dir, "library.git")
	work := t.TempDir()
	gittest.Git(t, "", "clone", "--quiet", repo, work)
	shard := filepath.Join(work, filepath.FromSlash(ManifestDir))
	entries, err := os.ReadDir(shard)
	if err != nil || len(entries) == 0 {
		t.Fatalf("no manifest shard: %v", err)
	}
	// A shard, not the layout marker beside them.
	entries = slices.DeleteFunc(entries, func(e os.DirEntry) bool { return e.Name() == layoutMarkerName })
	shardFile := filepath.Join(shard, entries[0].Name())
	data, _ := os.ReadFile(shardFile)
	bad := []string{
		`{"address":"git.x","path":"README.md","blob":"` + strings.Repeat("1", 40) + `","size":3}`,
		`{"address":"script.up","path":"../outside","blob":"` + strings.Repeat("2", 40) + `","size":3}`,
		`{"address":"script.cfg","path":".git/config","blob":"` + strings.Repeat("3", 40) + `","size":3}`,
	}
	text := strings.Replace(string(data), "\n  ]", ",\n    "+strings.Join(bad, ",\n    ")+"\n  ]", 1)
	if text == string(data) {
		t.Fatalf("cannot edit the shard:\n%s", data)
	}
	os.WriteFile(shardFile, []byte(text), 0o644)
	os.WriteFile(filepath.Join(work, "README.md"), []byte("mine\n"), 0o644)
	gittest.Git(t, work, "add", "-A")
	gittest.Git(t, work, "commit", "--quiet", "-m", "hand edit")
	gittest.Git(t, work, "push", "--quiet", "origin", "HEAD:main")

	st, err := newTestProvider(t, dir, nil).Read(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range st.Objects {
		if o.Address == "git.x" || o.Address == "script.up" || o.Address == "script.cfg" {
			t.Errorf("the hand-written entry %s is managed state", o.Address)
		}
	}
	if len(st.Warnings) < 3 {
		t.Errorf("warnings = %q, want one per ignored entry", st.Warnings)
	}
	// Applying the same library again deletes nothing of the user's.
	apply(t, newTestProvider(t, dir, nil), fakeLib{scripts: map[string]string{"a": "a\n"}}.library())
	if out := gittest.Git(t, repo, "ls-tree", "--name-only", "main"); !strings.Contains(out, "README.md") {
		t.Errorf("README.md was deleted:\n%s", out)
	}
	gittest.Git(t, repo, "fsck", "--strict")
}

// A forged Scriptsync-Tree trailer does not hide an edit: the plan reads
// the tree.
func TestForgedTrailerDoesNotHideAnEdit(t *testing.T) {
	dir := t.TempDir()
	p := newTestProvider(t, dir, nil)
	apply(t, p, fakeLib{scripts: map[string]string{"a": "a\n"}}.library())
	repo := filepath.Join(dir, "library.git")
	work := t.TempDir()
	gittest.Git(t, "", "clone", "--quiet", repo, work)
	os.WriteFile(filepath.Join(work, "scripts", "a.fountain"), []byte("edited\n"), 0o644)
	gittest.Git(t, work, "add", "-A")
	tree := strings.TrimSpace(gittest.Git(t, work, "write-tree"))
	gittest.Git(t, work, "commit", "--quiet", "-m", "scriptsync apply: +0 ~1 -0\n\n"+sealTrailer+tree)
	gittest.Git(t, work, "push", "--quiet", "origin", "HEAD:main")

	st, err := newTestProvider(t, dir, nil).Read(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	// The edit is drift: State.Objects holds the file as scriptsync
	// recorded it, and State.Drift what the tree holds now.
	want := desired(t, p, fakeLib{scripts: map[string]string{"a": "a\n"}}.library())
	seen := false
	for _, d := range st.Drift {
		if d.Before != nil && d.Before.Address == "script.a" {
			seen = true
			if d.After == nil || d.After.Hash == want[0].Hash {
				t.Errorf("the edit is hidden: drift of script.a = %+v", d)
			}
		}
	}
	if !seen {
		t.Error("the edit is hidden: no drift for script.a")
	}
}
