package git

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"scriptsync/providers"
)

// ReadScope implements providers.ScopeReader: the manifest entries of
// resources, from the shards that hold the desired objects' addresses,
// at the commit the stamp names. At that commit the tree is the one
// scriptsync wrote with its manifest, so the entries are the objects a
// full Read reports. Each resource has one file, under one address. A
// desired file the manifest does not have is a create, and an entry of
// the resources no desired file takes a delete, when the file is an
// embedding's *.npy pointer, a new one goes where the tree has nothing,
// and another *.npy pointer of the resources stays, so that
// .gitattributes stays as it is. Any other change to the set of files,
// or a file at another path, only a full Read can plan: ErrScope.
func (p *Provider) ReadScope(ctx context.Context, want []*providers.Object, resources map[string]bool, stamp []byte) (*providers.State, error) {
	if p.remote != nil {
		return nil, providers.ErrScope
	}
	r, err := openRepo(p.dir, p.branch, false)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, providers.ErrScope
	}
	defer r.close()
	snap, err := p.scopeSnapshot(ctx, r, want, resources, stamp)
	if err != nil {
		return nil, err
	}
	return snap.state, nil
}

// ReadScope is Provider.ReadScope for the transaction: it records the
// commit that Commit moves the branch from. The snapshot's manifest holds
// the shards it read, whole, so that Apply rewrites whole shards.
func (t *tx) ReadScope(ctx context.Context, want []*providers.Object, resources map[string]bool, stamp []byte) (*providers.State, error) {
	if t.applied || t.done {
		return nil, errors.New("git: read after apply")
	}
	if t.p.remote != nil {
		return nil, providers.ErrScope
	}
	if t.r == nil {
		r, err := openRepo(t.p.dir, t.p.branch, false)
		if err != nil {
			return nil, err
		}
		if r == nil {
			return nil, providers.ErrScope
		}
		t.r = r
	}
	snap, err := t.p.scopeSnapshot(ctx, t.r, want, resources, stamp)
	if err != nil {
		return nil, err
	}
	t.snap, t.localOld = snap, snap.head
	return snap.state, nil
}

// scopeSnapshot reads the branch for ReadScope.
func (p *Provider) scopeSnapshot(ctx context.Context, r *repo, want []*providers.Object, resources map[string]bool, stamp []byte) (*snapshot, error) {
	head, err := readRef(r.gitDir, p.ref)
	if err != nil {
		return nil, err
	}
	if head.IsZero() || head.String() != string(stamp) {
		return nil, providers.ErrScope
	}
	root, _, err := r.readCommit(head)
	if err != nil {
		return nil, err
	}
	tree := newTreeEditor(r, root)
	d, err := tree.dir(ManifestDir)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, providers.ErrScope
	}
	need := map[int]bool{}
	wanted := make(map[string]*providers.Object, len(want))
	keys := map[string]bool{} // the addresses to take, as shards encode them
	for _, o := range want {
		need[shardOf(cmp.Or(o.Resource, o.Address))] = true
		wanted[o.Address] = o
		keys[string(appendJSONString(nil, o.Address))] = true
	}
	for r := range resources {
		// A resource no desired file takes any more may have one to
		// delete, under its own address.
		need[shardOf(r)] = true
		keys[string(appendJSONString(nil, r))] = true
	}
	snap := &snapshot{head: head, tree: tree, manifest: newManifest(), drift: map[string]*manifestEntry{},
		state: &providers.State{Version: head.String()}}
	names := make([]string, 0, len(need))
	for name, te := range d.entries {
		id, ok := manifestShard(name, te)
		if ok && legacyShard(id) {
			// The earlier layout: a block's entries may be in any shard.
			return nil, providers.ErrScope
		}
		if ok && need[id] {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	found, gone := map[string]bool{}, 0
	kept := false // a pointer file that stays, under *.npy, in the scope or out of it
	for _, name := range names {
		te := d.entries[name]
		id, _ := shardName(name)
		if te.isTree() {
			return nil, providers.ErrScope
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data, err := r.readTyped(te.hash, plumbing.BlobObject)
		if err != nil {
			return nil, err
		}
		entries, pointer, partial := scanShard(data, keys)
		if partial {
			// The entries it left are out of the scope: one of them a
			// pointer file that stays.
			kept = kept || pointer
			err = checkShard(entries, id)
		} else {
			entries, err = decodeShard(data, id)
		}
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if checkEntry(e) != nil || e.shard != id {
				return nil, providers.ErrScope // a full read says what it is
			}
		}
		if partial {
			err = snap.manifest.addPartial(entries, id, data)
		} else {
			for _, e := range entries {
				if err = snap.manifest.add(e, id); err != nil {
					break
				}
			}
		}
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			resource := e.Resource
			if resource == "" {
				resource = e.Address
			}
			if !resources[resource] {
				// Out of the scope, it stays as it is.
				kept = kept || npyPointer(resource, e.Path)
				continue
			}
			o := wanted[e.Address]
			switch {
			case o == nil && lfsPatterned(resource, e.Path):
				return nil, providers.ErrScope // its line of .gitattributes goes
			case o == nil:
				// Deleted; a pointer file's going may leave no *.npy.
				if npyPointer(resource, e.Path) {
					gone++
				}
			case pathOf(o) != e.Path:
				return nil, providers.ErrScope
			default:
				found[e.Address] = true
				kept = kept || npyPointer(resource, e.Path)
			}
			snap.state.Objects = append(snap.state.Objects, e.object(e.Blob, e.Size))
		}
	}
	created := 0
	for addr, o := range wanted {
		if found[addr] {
			continue
		}
		if lfsPatterned(o.Resource, pathOf(o)) {
			return nil, providers.ErrScope // a line of .gitattributes comes
		}
		// A new file goes where nothing is: whatever is there, or a file
		// above it, is for a full read to name; a file whose path differs
		// only in case, for the full plan to warn of.
		te, blocker, err := tree.get(pathOf(o))
		if err != nil {
			return nil, err
		}
		if te != nil || blocker != "" {
			return nil, providers.ErrScope
		}
		if folded, err := tree.foldedTwin(pathOf(o)); err != nil || folded {
			return nil, errors.Join(err, providers.ErrScope)
		}
		if npyPointer(o.Resource, pathOf(o)) {
			created++
		}
	}
	// .gitattributes covers every pointer file under *.npy while one
	// stays: a pointer file that comes or goes leaves it as it is.
	if (created > 0 || gone > 0) && !kept {
		var err error
		if kept, err = pointerOutside(ctx, r, d, need, resources); err != nil {
			return nil, err
		}
		if !kept {
			return nil, providers.ErrScope
		}
	}
	return snap, nil
}

// pointerOutside reports whether a shard of the manifest directory d
// other than those in read has an embedding's *.npy pointer file of a
// resource out of resources: one that stays, whatever the scope does.
func pointerOutside(ctx context.Context, r *repo, d *treeDir, read map[int]bool, resources map[string]bool) (bool, error) {
	names := make([]string, 0, len(d.entries))
	for name := range d.entries {
		if id, ok := manifestShard(name, d.entries[name]); ok && !read[id] && !d.entries[name].isTree() {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		id, _ := shardName(name)
		data, err := r.readTyped(d.entries[name].hash, plumbing.BlobObject)
		if err != nil {
			return false, err
		}
		if !bytes.Contains(data, []byte(`.npy"`)) {
			continue
		}
		entries, err := decodeShard(data, id)
		if err != nil {
			return false, nil // a full read says what it is
		}
		for _, e := range entries {
			resource := e.Resource
			if resource == "" {
				resource = e.Address
			}
			if !resources[resource] && npyPointer(resource, e.Path) && checkEntry(e) == nil {
				return true, nil
			}
		}
	}
	return false, nil
}

// npyPointer reports whether the file of resource at path is an
// embedding's pointer file that .gitattributes covers as *.npy.
func npyPointer(resource, path string) bool {
	return strings.HasPrefix(resource, "embedding.") && strings.HasSuffix(path, ".npy")
}

// lfsPatterned reports whether the file of resource at path is an
// embedding's pointer file that .gitattributes names by its own path.
func lfsPatterned(resource, path string) bool {
	return strings.HasPrefix(resource, "embedding.") && !strings.HasSuffix(path, ".npy")
}
