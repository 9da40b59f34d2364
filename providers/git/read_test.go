package git

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"scriptsync/internal/gittest"
	"scriptsync/providers"
)

func TestReadMatchesDesired(t *testing.T) {
	p := newTestProvider(t, t.TempDir(), nil)
	ctx := context.Background()
	st, err := p.Read(ctx, nil)
	mustf(t, err, "Read")
	if st.Version != "" || len(st.Objects) != 0 {
		t.Errorf("missing repository reads as %+v", st)
	}
	lib := fakeLib{scripts: map[string]string{"a": "a\n"}, agents: map[string]string{"p": testAgent}, embeddings: map[string]string{"1": "v"}}.library()
	c := apply(t, p, lib)
	st, err = p.Read(ctx, desired(t, p, lib))
	mustf(t, err, "Read")
	if st.Version != c {
		t.Errorf("Version = %s, want %s", st.Version, c)
	}
	if changes := diff(desired(t, p, lib), st.Objects); len(changes) != 0 {
		t.Errorf("changes after apply: %v", changes)
	}
	for _, o := range st.Objects {
		for _, d := range desired(t, p, lib) {
			if d.Address == o.Address && (fmt.Sprint(d.Attributes()) != fmt.Sprint(o.Attributes()) || d.Resource != o.Resource || d.Size != o.Size) {
				t.Errorf("%s: read %v %q %d, desired %v %q %d", o.Address, o.Attributes(), o.Resource, o.Size, d.Attributes(), d.Resource, d.Size)
			}
		}
	}
}

func TestUnmanagedPathsAreRefused(t *testing.T) {
	p := newTestProvider(t, t.TempDir(), nil)
	mustf(t, p.Init(context.Background()), "Init")
	gittest.CommitFiles(t, p.dir, "main", "user", map[string]string{"scripts/pilot.fountain": "mine\n", "notes": "n\n"})
	before := branchHead(t, p.dir, "main")

	lib := fakeLib{scripts: map[string]string{"pilot": "theirs\n", "n": "x"}, paths: map[string]string{"n": "notes/n.fountain"}}.library()
	want := desired(t, p, lib)
	_, err := p.Read(context.Background(), want)
	if err == nil {
		t.Fatal("Read succeeded")
	}
	msg := err.Error()
	for _, s := range []string{
		"scripts/pilot.fountain (wanted by script.pilot) is already on branch main and scriptsync did not create it",
		"git rm scripts/pilot.fountain",
		"give script.pilot another path",
		"notes/n.fountain (wanted by script.n) cannot be written: notes is a file on branch main",
	} {
		if !strings.Contains(msg, s) {
			t.Errorf("error does not say %q:\n%s", s, msg)
		}
	}

	// Apply refuses too, even with a plan made without the check.
	ptx, _ := p.Begin(context.Background(), providers.BeginOptions{})
	_, _ = ptx.Read(context.Background(), nil)
	if err := ptx.Apply(context.Background(), diff(want[:1], nil), nil); err == nil || !strings.Contains(err.Error(), "did not create") {
		t.Errorf("Apply = %v", err)
	}
	mustf(t, ptx.Rollback(context.Background()), "Rollback")
	if branchHead(t, p.dir, "main") != before {
		t.Error("branch moved")
	}

	// Adopting: the user removes the file; the next apply manages it.
	work := filepath.Join(t.TempDir(), "w")
	gittest.Git(t, "", "clone", "--quiet", p.dir, work)
	gittest.Git(t, work, "rm", "--quiet", "scripts/pilot.fountain")
	gittest.Git(t, work, "commit", "--quiet", "-m", "hand over to scriptsync")
	gittest.Git(t, work, "push", "--quiet", "origin", "main")
	apply(t, p, fakeLib{scripts: map[string]string{"pilot": "theirs\n"}}.library())
	if got := gittest.Git(t, p.dir, "show", "main:scripts/pilot.fountain"); got != "theirs\n" {
		t.Errorf("adopted file = %q", got)
	}
}

func TestUserGitattributes(t *testing.T) {
	p := newTestProvider(t, t.TempDir(), nil)
	mustf(t, p.Init(context.Background()), "Init")
	lib := fakeLib{embeddings: map[string]string{"1": "v"}}.library()

	gittest.CommitFiles(t, p.dir, "main", "user attrs", map[string]string{".gitattributes": "*.pdf binary\n"})
	_, err := p.Read(context.Background(), desired(t, p, lib))
	if err == nil || !strings.Contains(err.Error(), ".gitattributes on branch main was not created by scriptsync") ||
		!strings.Contains(err.Error(), "\n    *.npy filter=lfs diff=lfs merge=lfs -text") {
		t.Fatalf("Read = %v", err)
	}

	userAttrs := "*.pdf binary\n*.npy   -text merge=lfs filter=lfs diff=lfs\n"
	gittest.CommitFiles(t, p.dir, "main", "user attrs", map[string]string{".gitattributes": userAttrs})
	apply(t, p, lib)
	if got := gittest.Git(t, p.dir, "show", "main:.gitattributes"); got != userAttrs {
		t.Errorf(".gitattributes = %q", got)
	}
	if got := manifestText(t, p.dir, "main"); strings.Contains(got, GitattributesAddress) || !strings.Contains(got, "vectors/1.npy") {
		t.Errorf("the user's .gitattributes is in the manifest:\n%s", got)
	}
	// Without embeddings, it is still not deleted.
	apply(t, p, fakeLib{}.library())
	if got := gittest.Git(t, p.dir, "show", "main:.gitattributes"); got != userAttrs {
		t.Errorf(".gitattributes = %q", got)
	}
}

func TestDriftIsRestored(t *testing.T) {
	p := newTestProvider(t, t.TempDir(), nil)
	lib := fakeLib{scripts: map[string]string{"a": "a\n", "b": "b\n"}}.library()
	apply(t, p, lib)
	work := filepath.Join(t.TempDir(), "w")
	gittest.Git(t, "", "clone", "--quiet", p.dir, work)
	mustf(t, os.WriteFile(filepath.Join(work, "scripts/a.fountain"), []byte("edited by hand\n"), 0o644), "write")
	gittest.Git(t, work, "rm", "--quiet", "scripts/b.fountain")
	gittest.Git(t, work, "commit", "--quiet", "-am", "hand edits")
	gittest.Git(t, work, "push", "--quiet", "origin", "main")

	st, err := p.Read(context.Background(), desired(t, p, lib))
	mustf(t, err, "Read")
	// Objects holds both as recorded; Drift says what the branch holds.
	now := st.Refreshed()
	if len(st.Objects) != 2 || len(now) != 1 || now[0].Attributes()["size"] != int64(len("edited by hand\n")) || len(st.Drift) != 2 {
		t.Errorf("state = %+v, refreshed %+v, drift %v", st.Objects, now, st.Drift)
	}
	for _, d := range st.Drift {
		switch d.Before.Address {
		case "script.a":
			if d.Action != providers.Update || d.After == nil || d.Before.Attributes()["size"] != int64(2) {
				t.Errorf("drift of script.a = %s %+v -> %+v", d.Action, d.Before, d.After)
			}
		case "script.b":
			if d.Action != providers.Delete || d.After != nil {
				t.Errorf("drift of script.b = %s %+v", d.Action, d.After)
			}
		default:
			t.Errorf("drift of %s", d.Before.Address)
		}
	}
	apply(t, p, lib)
	if got := lastMessage(t, p.dir, "main"); got != "scriptsync apply: +1 ~1 -0" {
		t.Errorf("message = %q", got)
	}
	checkRepo(t, p.dir, "main", map[string]string{"scripts/a.fountain": "a\n", "scripts/b.fountain": "b\n"})
}

func TestAmendedCommitIsCheckedFileByFile(t *testing.T) {
	// An amended scriptsync commit keeps its message, seal included, but
	// not its tree: Read must not trust the manifest blindly.
	p := newTestProvider(t, t.TempDir(), nil)
	lib := fakeLib{scripts: map[string]string{"a": "a\n"}}.library()
	apply(t, p, lib)
	work := filepath.Join(t.TempDir(), "w")
	gittest.Git(t, "", "clone", "--quiet", p.dir, work)
	mustf(t, os.WriteFile(filepath.Join(work, "scripts/a.fountain"), []byte("amended\n"), 0o644), "write")
	gittest.Git(t, work, "commit", "--quiet", "--amend", "--no-edit", "-a")
	gittest.Git(t, work, "push", "--quiet", "--force", "origin", "main")
	if !strings.Contains(gittest.Git(t, p.dir, "log", "-1", "--format=%B", "main"), sealTrailer) {
		t.Fatal("the amended commit lost its trailer")
	}
	st, err := p.Read(context.Background(), nil)
	mustf(t, err, "Read")
	if now := st.Refreshed(); len(now) != 1 || now[0].Attributes()["size"] != int64(len("amended\n")) || len(st.Drift) != 1 {
		t.Errorf("state = %+v, drift %v", now, st.Drift)
	}
}

func TestBadManifestIsAnError(t *testing.T) {
	p := newTestProvider(t, t.TempDir(), nil)
	apply(t, p, fakeLib{scripts: map[string]string{"a": "a\n"}}.library())
	gittest.CommitFiles(t, p.dir, "main", "break it", map[string]string{shardPath(shardOf("script.a")): "{not json"})
	_, err := p.Read(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), shardPath(shardOf("script.a"))+" is not valid JSON") {
		t.Errorf("Read = %v", err)
	}
}
