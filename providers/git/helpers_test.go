package git

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"scriptsync/internal/gittest"
	"scriptsync/library"
	"scriptsync/providers"
)

// newTestProvider builds a provider for a configuration in dir.
func newTestProvider(t testing.TB, dir string, attrs map[string]cty.Value) *Provider {
	t.Helper()
	return newTestProviderEnv(t, dir, attrs, nil)
}

func newTestProviderEnv(t testing.TB, dir string, attrs map[string]cty.Value, env map[string]string) *Provider {
	t.Helper()
	cfg := &providers.Config{
		Name:   Name,
		Dir:    dir,
		Attrs:  attrs,
		Ranges: map[string]hcl.Range{},
		Getenv: func(k string) string { return env[k] },
	}
	p, diags := New(cfg)
	if diags.HasErrors() {
		t.Fatalf("New: %s", diags.Error())
	}
	gp := p.(*Provider)
	// Commits one second apart, so that two applies never make the same
	// commit.
	var tick int64
	gp.now = func() time.Time {
		tick++
		return time.Unix(1700000000+tick, 0).In(time.FixedZone("", 3600))
	}
	return gp
}

// fakeLib is a small library: path → content for scripts, bibles, agents
// and embeddings, keyed by address kind.
type fakeLib struct {
	scripts    map[string]string // key → content, at scripts/<key>.fountain
	paths      map[string]string // key → path override (scripts and bibles)
	bibles     map[string]string
	agents     map[string]string
	embeddings map[string]string // key → .npy bytes, at vectors/<key>.npy
}

func (f fakeLib) library() *library.Library {
	lib := &library.Library{Dir: "/config"}
	line := 1
	meta := func(addr string) library.Meta {
		line++
		return library.Meta{Address: addr, Resource: addr, Range: hcl.Range{
			Filename: "main.hcl", Start: hcl.Pos{Line: line, Column: 1, Byte: line * 10}, End: hcl.Pos{Line: line, Column: 5, Byte: line*10 + 4}}}
	}
	for _, k := range sortedKeys(f.scripts) {
		path := "scripts/" + k + ".fountain"
		if p, ok := f.paths[k]; ok {
			path = p
		}
		lib.Scripts = append(lib.Scripts, &library.Script{Meta: meta("script." + k), Key: k,
			Source: "src/" + k + ".fountain", Path: path, Data: []byte(f.scripts[k])})
	}
	for _, k := range sortedKeys(f.bibles) {
		path := "bibles/" + k + ".md"
		if p, ok := f.paths[k]; ok {
			path = p
		}
		lib.Bibles = append(lib.Bibles, &library.Bible{Meta: meta("bible." + k), Key: k, Source: "b/" + k + ".md", Path: path, Data: []byte(f.bibles[k])})
	}
	for _, k := range sortedKeys(f.agents) {
		lib.Agents = append(lib.Agents, &library.Agent{Meta: meta("agent." + k), Key: k, Source: "agents/" + k + ".md",
			Path: ".scriptrag/agents/" + k + ".md", Data: []byte(f.agents[k])})
	}
	for _, k := range sortedKeys(f.embeddings) {
		sum := sha256.Sum256([]byte(f.embeddings[k]))
		lib.Embeddings = append(lib.Embeddings, &library.Embedding{Meta: meta(`embedding.pilot["` + k + `"]`),
			Source: "vectors/" + k + ".npy", Path: "vectors/" + k + ".npy", OID: hex.EncodeToString(sum[:]), Size: int64(len(f.embeddings[k]))})
	}
	return lib
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

const testAgent = "---\ndescription: Props\nversion: 1.0\n---\n\n```json\n{\"type\": \"object\"}\n```\n"

// diff is a minimal stand-in for the planner: by address, equal hashes are
// no-ops, a changed path replaces, anything else updates.
func diff(desired, actual []*providers.Object) []*providers.Change {
	act := map[string]*providers.Object{}
	for _, o := range actual {
		act[o.Address] = o
	}
	var changes []*providers.Change
	seen := map[string]bool{}
	for _, d := range desired {
		seen[d.Address] = true
		a := act[d.Address]
		switch {
		case a == nil:
			changes = append(changes, &providers.Change{Provider: Name, Action: providers.Create, After: d})
		case a.Hash == d.Hash:
		case a.Attributes()["path"] != d.Attributes()["path"]:
			changes = append(changes, &providers.Change{Provider: Name, Action: providers.Replace, Before: a, After: d})
		default:
			changes = append(changes, &providers.Change{Provider: Name, Action: providers.Update, Before: a, After: d})
		}
	}
	for _, a := range actual {
		if !seen[a.Address] {
			changes = append(changes, &providers.Change{Provider: Name, Action: providers.Delete, Before: a})
		}
	}
	sort.SliceStable(changes, func(i, j int) bool { return changes[i].Address() < changes[j].Address() })
	return changes
}

func desired(t testing.TB, p *Provider, lib *library.Library) []*providers.Object {
	t.Helper()
	objs, diags := p.Desired(lib)
	if diags.HasErrors() {
		t.Fatalf("Desired: %s", diags.Error())
	}
	return objs
}

// begin opens a Tx, reads and applies the library, and returns the Tx
// ready to commit.
func begin(t testing.TB, p *Provider, lib *library.Library) (*tx, []*providers.Change) {
	t.Helper()
	ctx := context.Background()
	want := desired(t, p, lib)
	ptx, err := p.Begin(ctx, providers.BeginOptions{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	st, err := ptx.Read(ctx, want)
	if err != nil {
		t.Fatalf("Tx.Read: %v", err)
	}
	changes := diff(want, st.Refreshed())
	if err := ptx.Apply(ctx, changes, nil); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return ptx.(*tx), changes
}

// apply runs a whole apply and returns the branch's commit after it.
func apply(t testing.TB, p *Provider, lib *library.Library) string {
	t.Helper()
	tx, _ := begin(t, p, lib)
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return tx.CommittedVersion()
}

// branchHead is the branch's commit as stock git sees it, "" when none.
func branchHead(t testing.TB, repo, branch string) string {
	t.Helper()
	out, err := gittest.TryGit(t, repo, "rev-parse", "--verify", "--quiet", "refs/heads/"+branch)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(out)
}

// checkRepo runs git fsck --strict and compares a fresh clone's files with
// want (path → content), plus the manifest.
func checkRepo(t testing.TB, repo, branch string, want map[string]string) {
	t.Helper()
	gittest.Git(t, repo, "fsck", "--strict", "--no-dangling")
	clone := filepath.Join(t.TempDir(), "clone")
	gittest.Git(t, "", "clone", "--quiet", "--branch", branch, repo, clone)
	got := map[string]string{}
	err := filepath.Walk(clone, func(path string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if fi.IsDir() {
			if fi.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(clone, path)
		data, err := os.ReadFile(path)
		got[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for p, content := range want {
		if got[p] != content {
			t.Errorf("clone: %s = %q, want %q", p, got[p], content)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok && !strings.HasPrefix(p, ManifestDir+"/") {
			t.Errorf("clone: unexpected file %s", p)
		}
	}
}

// manifestText is every manifest shard on the branch, concatenated.
func manifestText(t testing.TB, repo, branch string) string {
	t.Helper()
	var b strings.Builder
	for _, f := range strings.Fields(gittest.Git(t, repo, "ls-tree", "-r", "--name-only", branch, ManifestDir)) {
		b.WriteString(gittest.Git(t, repo, "show", branch+":"+f))
	}
	return b.String()
}

func lastMessage(t testing.TB, repo, branch string) string {
	t.Helper()
	return strings.TrimSpace(gittest.Git(t, repo, "log", "-1", "--format=%s", "refs/heads/"+branch))
}

func str(s string) cty.Value { return cty.StringVal(s) }

func mustf(t testing.TB, err error, format string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprintf(format, args...), err)
	}
}
