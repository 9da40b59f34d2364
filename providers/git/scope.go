package git

import (
	"context"

	"github.com/go-git/go-git/v5/plumbing"

	"scriptsync/providers"
)

// ReadScope implements providers.ScopeReader: the manifest entries of
// resources, from the shards that hold the desired objects' addresses,
// at the commit the stamp names. At that commit the tree is the one
// scriptsync wrote with its manifest, so the entries are the objects a
// full Read reports. Each resource has one file, under one address; a
// desired file the manifest does not have, one it has at another path,
// or an entry of the resources no desired file takes, is a change to the
// set of files (and so to .gitattributes or to what the paths shadow),
// which only a full Read can plan: ErrScope.
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
	d, err := newTreeEditor(r, root).dir(ManifestDir)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, providers.ErrScope
	}
	need := map[int]bool{}
	wanted := make(map[string]*providers.Object, len(want))
	for _, o := range want {
		need[shardOf(o.Address)] = true
		wanted[o.Address] = o
	}
	st := &providers.State{Version: head.String()}
	found := 0
	for name, te := range d.entries {
		id, ok := shardName(name)
		if !ok || !need[id] || te.isTree() {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data, err := r.readTyped(te.hash, plumbing.BlobObject)
		if err != nil {
			return nil, err
		}
		entries, err := decodeShard(data, id)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			resource := e.Resource
			if resource == "" {
				resource = e.Address
			}
			if !resources[resource] {
				continue
			}
			o := wanted[e.Address]
			if o == nil || pathOf(o) != e.Path || checkEntry(e) != nil {
				return nil, providers.ErrScope
			}
			found++
			st.Objects = append(st.Objects, e.object(e.Blob, e.Size))
		}
	}
	if found != len(wanted) {
		return nil, providers.ErrScope
	}
	return st, nil
}
