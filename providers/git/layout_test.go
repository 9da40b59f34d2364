package git

import (
	"context"
	"crypto/sha1"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"scriptsync/internal/gittest"
	"scriptsync/providers"
)

// A manifest in the earlier layout (64 shards, by each file's address) is
// read as ever; a plan of what changed declines it for a full read, and
// the next commit moves every entry to its block's shard and removes the
// old files.
func TestManifestOfTheEarlierLayout(t *testing.T) {
	ctx := context.Background()
	p := newTestProvider(t, t.TempDir(), nil)
	base := fakeLib{
		scripts:    map[string]string{"pilot": "INT. HOUSE - DAY\n", "storm": "EXT. SEA - NIGHT\n"},
		embeddings: map[string]string{"a": "vector a", "b": "vector b", "c": "vector c", "d": "vector d"},
	}
	lib := base.library()
	apply(t, p, lib)
	entries := manifestEntries(t, p.dir)
	if len(entries) < 6 { // two scripts, four pointer files
		t.Fatalf("%d manifest entries, want at least 6", len(entries))
	}

	// Rewrite the manifest as the earlier layout laid it out, in a
	// commit of the scriptsync user's own.
	work := filepath.Join(t.TempDir(), "work")
	gittest.Git(t, "", "clone", "--quiet", p.dir, work)
	gittest.Git(t, work, "rm", "--quiet", "-r", ManifestDir)
	old := map[int][]*manifestEntry{}
	for _, e := range entries {
		sum := sha1.Sum([]byte(e.Address))
		id := shards + int(sum[0])*legacyShards/256
		old[id] = append(old[id], e)
	}
	// And a shard of the earlier layout that lists only an entry no
	// scriptsync writes: it goes too.
	for id := shards; ; id++ {
		if old[id] == nil {
			old[id] = []*manifestEntry{{Address: "script.up", Path: "../outside", Blob: blobA, Size: 3}}
			break
		}
	}
	for id, list := range old {
		path := filepath.Join(work, filepath.FromSlash(shardPath(id)))
		mustf(t, os.MkdirAll(filepath.Dir(path), 0o755), "mkdir")
		mustf(t, os.WriteFile(path, encodeShard(list), 0o644), "write")
	}
	gittest.Git(t, work, "add", "-A")
	gittest.Git(t, work, "commit", "--quiet", "-m", "the manifest as scriptsync 1 wrote it")
	gittest.Git(t, work, "push", "--quiet", "origin", "HEAD:main")
	head := branchHead(t, p.dir, "main")

	// Read whole: nothing to change.
	want := desired(t, p, lib)
	st, err := p.Read(ctx, want)
	mustf(t, err, "Read")
	if changes := diff(want, st.Refreshed()); len(changes) != 0 {
		t.Fatalf("the earlier layout read as %d changes: %v", len(changes), changes)
	}
	// Read in part: declined, even for a block whose entries happen to be
	// where the scope would look.
	resources := map[string]bool{}
	for _, o := range want {
		resources[o.Resource] = true
	}
	if _, err := p.ReadScope(ctx, want, resources, []byte(head)); !errors.Is(err, providers.ErrScope) {
		t.Fatalf("ReadScope of the earlier layout: %v, want ErrScope", err)
	}
	// A scope that deletes: its entry is not in its block's shard, and a
	// read in part would plan nothing.
	gone := map[string]bool{`embedding.pilot["d"]`: true}
	if _, err := p.ReadScope(ctx, nil, gone, []byte(head)); !errors.Is(err, providers.ErrScope) {
		t.Fatalf("ReadScope of a deletion in the earlier layout: %v, want ErrScope", err)
	}

	// A change commits the manifest in this layout.
	base.scripts = map[string]string{"pilot": "INT. HOUSE - NIGHT\n", "storm": "EXT. SEA - NIGHT\n"}
	lib = base.library()
	head = apply(t, p, lib)
	names := strings.Fields(gittest.Git(t, p.dir, "ls-tree", "--name-only", "main:"+ManifestDir))
	blocks := map[string]bool{}
	marked := false
	for _, name := range names {
		if name == layoutMarkerName {
			data := gittest.Git(t, p.dir, "show", "main:"+ManifestDir+"/"+name)
			marked = data == string(layoutMarker)
			continue
		}
		id, ok := shardName(name)
		if !ok || legacyShard(id) {
			t.Errorf("after a commit the manifest has %s", name)
			continue
		}
		data := gittest.Git(t, p.dir, "show", "main:"+ManifestDir+"/"+name)
		list, err := decodeShard([]byte(data), id)
		mustf(t, err, "decode %s", name)
		for _, e := range list {
			if e.shard != id {
				t.Errorf("%s is in %s, its block's shard is %s", e.Address, name, shardPath(e.shard))
			}
			blocks[strings.SplitN(e.Resource, "[", 2)[0]] = true
		}
	}
	if !marked {
		t.Errorf("no layout marker beside the shards: %v", names)
	}
	if len(names)-1 > len(blocks) {
		t.Errorf("%d shards for %d blocks: %v", len(names), len(blocks), names)
	}
	if got := manifestEntries(t, p.dir); len(got) != len(entries) {
		t.Errorf("%d manifest entries after the commit, want %d", len(got), len(entries))
	}
	// And a plan of what changed reads it in part again.
	want = desired(t, p, lib)
	st, err = p.ReadScope(ctx, want, resources, []byte(head))
	mustf(t, err, "ReadScope after the commit")
	if changes := diff(want, st.Objects); len(changes) != 0 {
		t.Errorf("ReadScope after the commit: %d changes: %v", len(changes), changes)
	}
}

// The layout marker is a shard of a format an earlier scriptsync refuses
// (it reads format 1), and lists nothing.
func TestLayoutMarker(t *testing.T) {
	var f manifestFile
	mustf(t, json.Unmarshal(layoutMarker, &f), "the marker is JSON")
	if f.FormatVersion == manifestFormat || f.FormatVersion != 2 || len(f.Files) != 0 {
		t.Fatalf("marker: format_version %d, %d files", f.FormatVersion, len(f.Files))
	}
	if id, ok := shardName(layoutMarkerName); !ok || !legacyShard(id) {
		t.Fatalf("the marker's name is not the earlier layout's first shard: %d, %v", id, ok)
	}
	if _, ok := manifestShard(layoutMarkerName, &treeEntry{mode: modeFile, hash: layoutMarkerBlob}); ok {
		t.Fatal("the marker is read as a shard")
	}
	if _, ok := manifestShard(layoutMarkerName, &treeEntry{mode: modeFile, hash: hashObject(plumbing.BlobObject, []byte("{}"))}); !ok {
		t.Fatal("an earlier layout's 00.json is not read as a shard")
	}
}

// manifestEntries decodes every shard on the branch main.
func manifestEntries(t *testing.T, repo string) []*manifestEntry {
	t.Helper()
	var out []*manifestEntry
	for _, name := range strings.Fields(gittest.Git(t, repo, "ls-tree", "--name-only", "main:"+ManifestDir)) {
		if name == layoutMarkerName {
			continue
		}
		id, ok := shardName(name)
		if !ok {
			t.Fatalf("manifest file %s", name)
		}
		list, err := decodeShard([]byte(gittest.Git(t, repo, "show", "main:"+ManifestDir+"/"+name)), id)
		if err != nil {
			t.Fatal(fmt.Errorf("%s: %w", name, err))
		}
		out = append(out, list...)
	}
	return out
}
