package git

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"scriptsync/library"
	"scriptsync/providers"
)

// unmanagedID marks the actual object Read reports for a user's own
// .gitattributes that already has the lines scriptsync needs: it stands in
// for the desired one so that the plan is a no-op, and is never written.
const unmanagedID = "unmanaged"

// sealTrailer ends the message of every commit scriptsync makes, with the
// commit's own tree id. A head commit whose tree is the one its trailer
// names holds exactly what scriptsync wrote, manifest and files agreeing,
// so Read need not look at every managed file to find edits made outside
// scriptsync. Any other head (a user's commit on top, an amended one) is
// checked file by file.
const sealTrailer = "Scriptsync-Tree: "

// snapshot is the branch as one read saw it.
type snapshot struct {
	head     plumbing.Hash // zero: no branch yet
	tree     *treeEditor
	manifest *manifest
	// drift holds the manifest entries whose file was changed (the entry as
	// the tree has it) or removed (nil) outside scriptsync. The next commit
	// records the tree's truth for those it does not rewrite, so that its
	// manifest and tree agree.
	drift map[string]*manifestEntry
	state *providers.State
}

// checkEntry applies to a manifest entry read from the tree the rules
// scriptsync's own entries follow: a valid path outside .git/ and
// .scriptsync/, an address of a kind the git provider writes, at a path
// that kind can have, and a blob id.
func checkEntry(e *manifestEntry) error {
	if err := validPath(e.Path); err != nil {
		return err
	}
	if _, ok := parseHex(e.Blob); !ok {
		return errors.New("its blob is not an object id")
	}
	switch {
	case e.Address == GitattributesAddress:
		if e.Path != GitattributesPath {
			return errors.New("the .gitattributes entry names another path")
		}
		return nil
	case e.Path == GitattributesPath:
		return errors.New(".gitattributes is managed only as " + GitattributesAddress)
	case strings.HasPrefix(e.Address, "agent."):
		if !strings.HasPrefix(e.Path, library.AgentDir+"/") {
			return errors.New("an agent lives under " + library.AgentDir + "/")
		}
		return nil
	case strings.HasPrefix(e.Address, "script."), strings.HasPrefix(e.Address, "bible."), strings.HasPrefix(e.Address, "embedding."):
		return nil
	}
	return errors.New("its address is not one of a script, bible, agent or embedding")
}

// redactPath is an entry's path for a warning.
func redactPath(e *manifestEntry) string { return e.shownPath() }

func sealed(message string, tree plumbing.Hash) bool {
	return strings.Contains(message, "\n"+sealTrailer+tree.String()+"\n")
}

// Read implements providers.Provider. With a remote, it fetches the
// remote's branch into the local repository first and reads that.
func (p *Provider) Read(ctx context.Context, want []*providers.Object) (*providers.State, error) {
	r, err := openRepo(p.dir, p.branch, p.remote != nil)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return &providers.State{}, nil
	}
	defer r.close()
	snap, err := p.readSnapshot(ctx, r, want)
	if err != nil {
		return nil, err
	}
	return snap.state, nil
}

// head returns the commit to read: the remote's branch, fetched, or the
// local branch.
func (p *Provider) head(ctx context.Context, r *repo) (plumbing.Hash, error) {
	if p.remote != nil {
		return p.remote.fetch(ctx, r)
	}
	return readRef(r.gitDir, p.ref)
}

// Warm implements providers.Warmer: it decodes the manifest of the local
// branch into the shard cache, which the next read then finds decoded. It
// reads only the local repository: with a remote, Read fetches first, and
// fetching is left to it.
func (p *Provider) Warm(ctx context.Context) {
	if p.remote != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.warming != nil {
		return
	}
	done := make(chan struct{})
	p.warming = done
	go func() {
		defer close(done)
		r, err := openRepo(p.dir, p.branch, false)
		if err != nil || r == nil {
			return
		}
		defer r.close()
		head, err := readRef(r.gitDir, p.ref)
		if err != nil || head.IsZero() || ctx.Err() != nil {
			return
		}
		root, _, err := r.readCommit(head)
		if err != nil {
			return
		}
		// Errors are the next read's to report.
		_ = p.readManifest(&snapshot{tree: newTreeEditor(r, root), manifest: newManifest()})
	}()
}

// waitWarm waits for the read Warm started, if any.
func (p *Provider) waitWarm() {
	p.mu.Lock()
	done := p.warming
	p.mu.Unlock()
	if done != nil {
		<-done
	}
}

func (p *Provider) readSnapshot(ctx context.Context, r *repo, want []*providers.Object) (*snapshot, error) {
	p.waitWarm()
	head, err := p.head(ctx, r)
	if err != nil {
		return nil, err
	}
	snap := &snapshot{head: head, manifest: newManifest(), drift: map[string]*manifestEntry{}, state: &providers.State{}}
	if head.IsZero() {
		snap.tree = newTreeEditor(r, plumbing.ZeroHash)
		return snap, p.checkWanted(snap, want)
	}
	snap.state.Version = head.String()
	root, message, err := r.readCommit(head)
	if err != nil {
		return nil, fmt.Errorf("git: read branch %s: %w", p.branch, err)
	}
	snap.tree = newTreeEditor(r, root)

	if err := p.readManifest(snap); err != nil {
		return nil, err
	}

	// Every entry is checked against the tree: a commit's trailer is text
	// anyone can write, so a forged Scriptsync-Tree trailer must not hide
	// an edit from the plan.
	_ = message
	snap.state.Objects = make([]*providers.Object, 0, len(snap.manifest.entries))
	for _, e := range snap.manifest.entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		te, _, err := snap.tree.get(e.Path)
		if err != nil {
			return nil, err
		}
		recorded := e.object(e.Blob, e.Size)
		if te == nil || te.isTree() {
			// Reported as drift: Objects holds it as recorded, and a
			// refreshing plan sees it gone and writes it again.
			snap.drift[e.Address] = nil
			snap.state.Objects = append(snap.state.Objects, recorded)
			snap.state.Drift = append(snap.state.Drift, &providers.Change{Provider: "git", Action: providers.Delete, Before: recorded})
			continue
		}
		blob, size := e.blob(), e.Size
		if te.hash != blob || !te.isFile() {
			// Edited, or replaced by a symlink or a submodule: all drift,
			// which the next apply of the object overwrites.
			blob, size = te.hash, 0
			if te.mode != "160000" {
				if size, err = r.st.EncodedObjectSize(blob); err != nil {
					return nil, fmt.Errorf("git: read %s: %w", e.Path, err)
				}
			}
			snap.drift[e.Address] = &manifestEntry{Address: e.Address, Path: e.Path, Blob: blob.String(), Size: size, Resource: e.Resource, Sensitive: e.Sensitive}
			snap.state.Drift = append(snap.state.Drift, &providers.Change{Provider: "git", Action: providers.Update,
				Before: recorded, After: e.object(blob.String(), size)})
		}
		snap.state.Objects = append(snap.state.Objects, recorded)
	}
	return snap, p.checkWanted(snap, want)
}

// readManifest reads the manifest's shards from the snapshot's tree.
func (p *Provider) readManifest(snap *snapshot) error {
	d, err := snap.tree.dir(ManifestDir)
	if err != nil || d == nil {
		return err
	}
	names := make([]string, 0, len(d.entries))
	for name, e := range d.entries {
		if !e.isTree() {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	// Shards are immutable blobs: the ones the previous read decoded are
	// reused (a plan's Read, then the apply's Tx.Read of the same commit).
	p.mu.Lock()
	cached := p.shardCache
	p.mu.Unlock()
	keep := make(map[plumbing.Hash][]*manifestEntry, len(names))
	defer func() {
		p.mu.Lock()
		p.shardCache = keep
		p.mu.Unlock()
	}()
	type shard struct {
		id      int
		entries []*manifestEntry
	}
	var read []shard
	total := 0
	for _, name := range names {
		id, ok := manifestShard(name, d.entries[name])
		if !ok {
			continue // not ours (or the layout marker); left as it is
		}
		blob := d.entries[name].hash
		entries, ok := cached[blob]
		if !ok {
			data, err := snap.tree.r.readTyped(blob, plumbing.BlobObject)
			if err != nil {
				return err
			}
			if entries, err = decodeShard(data, id); err != nil {
				return err
			}
		}
		keep[blob] = entries
		read = append(read, shard{id, entries})
		total += len(entries)
	}
	snap.manifest = newManifestSize(total)
	for _, sh := range read {
		if legacyShard(sh.id) {
			// The next commit rewrites the earlier layout, entries it
			// ignores included (they go with their file).
			snap.manifest.dirty[sh.id] = true
		}
		for _, e := range sh.entries {
			if err := checkEntry(e); err != nil {
				// Not an entry scriptsync writes: it is ignored, and the file
				// it names is left alone (never deleted on its word).
				snap.state.Warnings = append(snap.state.Warnings, fmt.Sprintf(
					"the manifest on branch %s lists %s for %s, which scriptsync never writes (%s); the entry is ignored and the file left as it is",
					p.branch, strconv.Quote(redactPath(e)), strconv.Quote(e.Address), err))
				continue
			}
			if err := snap.manifest.add(e, sh.id); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkWanted refuses a plan that would write over a file scriptsync does
// not manage. A user's own .gitattributes that already has the LFS lines
// is reported as if scriptsync had written it, so that it stays untouched.
func (p *Provider) checkWanted(snap *snapshot, want []*providers.Object) error {
	var conflicts []string
	for _, o := range want {
		path := pathOf(o)
		if path == "" || snap.manifest.byPath[path] != nil {
			continue
		}
		te, blocker, err := snap.tree.get(path)
		if err != nil {
			return err
		}
		switch {
		case blocker != "":
			if snap.manifest.byPath[blocker] != nil {
				continue // a managed file; the plan deletes or moves it
			}
			conflicts = append(conflicts, fmt.Sprintf("%s (wanted by %s) cannot be written: %s is a file on branch %s that scriptsync did not create; "+
				"move that file away in a commit of your own, or give %s another path", path, o.Address, blocker, p.branch, o.Address))
		case te == nil:
		case te.isTree():
			conflicts = append(conflicts, fmt.Sprintf("%s (wanted by %s) is a directory on branch %s; give %s another path",
				path, o.Address, p.branch, o.Address))
		case o.Address == GitattributesAddress:
			missing, err := p.missingAttributes(snap, te.hash, o)
			if err != nil {
				return err
			}
			if len(missing) > 0 {
				conflicts = append(conflicts, fmt.Sprintf("%s on branch %s was not created by scriptsync, so scriptsync does not change it, "+
					"and it lacks what Git LFS needs for the embeddings; add %s and commit:\n    %s",
					path, p.branch, plural(len(missing), "this line", "these lines"), strings.Join(missing, "\n    ")))
				continue
			}
			stand := fileObject(o.Address, o.Resource, path, plumbing.ZeroHash, o.Size)
			stand.Hash, stand.Attrs, stand.ID = o.Hash, copyAttrs(o.Attributes()), unmanagedID
			snap.state.Objects = append(snap.state.Objects, stand)
		default:
			conflicts = append(conflicts, fmt.Sprintf("%s (wanted by %s) is already on branch %s and scriptsync did not create it; "+
				"to adopt it, delete it in a commit of your own (git rm %s) and apply again, and scriptsync writes it from the configuration "+
				"and manages it from then on; to avoid it, give %s another path", path, o.Address, p.branch, path, o.Address))
		}
	}
	if len(conflicts) == 0 {
		return nil
	}
	sort.Strings(conflicts)
	return fmt.Errorf("git: files in the way on branch %s:\n  %s", p.branch, strings.Join(conflicts, "\n  "))
}

// missingAttributes returns the lines of the desired .gitattributes that
// the user's file (blob) does not have, attributes compared as sets.
func (p *Provider) missingAttributes(snap *snapshot, blob plumbing.Hash, want *providers.Object) ([]string, error) {
	data, err := snap.tree.r.readTyped(blob, plumbing.BlobObject)
	if err != nil {
		return nil, err
	}
	have := map[string]map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if have[f[0]] == nil {
			have[f[0]] = map[string]bool{}
		}
		for _, a := range f[1:] {
			have[f[0]][a] = true
		}
	}
	wantData, _ := want.Payload.([]byte)
	var missing []string
	for _, line := range strings.Split(string(wantData), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		for _, a := range f[1:] {
			if !have[f[0]][a] {
				missing = append(missing, line)
				break
			}
		}
	}
	return missing, nil
}

func copyAttrs(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
