package git

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"scriptsync/address"
	"scriptsync/providers"
)

var (
	_ providers.Importer = (*Provider)(nil)
	_ providers.Importer = (*tx)(nil)
)

// Import finds the files on the branch that import blocks name (see
// providers.Importer): each desired file within an import's address that
// is on the branch, where the configuration puts it, and not in the
// manifest. Same content is a no-op import; other content an import that
// commits the configuration's, on top of the file's history. An agent's
// ID is its path on the branch (.scriptrag/agents/<name>.md); for other
// objects the ID is the SQL provider's, and their files are found by the
// path the configuration gives them.
func (p *Provider) Import(ctx context.Context, imports []providers.Import, want []*providers.Object) ([]*providers.Object, error) {
	if len(imports) == 0 {
		return nil, nil
	}
	r, err := openRepo(p.dir, p.branch, p.remote != nil)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, p.noFile(imports, want, nil)
	}
	defer r.close()
	snap, err := p.readSnapshot(ctx, r, nil)
	if err != nil {
		return nil, err
	}
	return p.importFiles(snap, imports, want)
}

// Import is Provider.Import from the repository the transaction reads.
func (t *tx) Import(ctx context.Context, imports []providers.Import, want []*providers.Object) ([]*providers.Object, error) {
	if len(imports) == 0 {
		return nil, nil
	}
	r, err := openRepo(t.p.dir, t.p.branch, t.p.remote != nil)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, t.p.noFile(imports, want, nil)
	}
	defer r.close()
	snap, err := t.p.readSnapshot(ctx, r, nil)
	if err != nil {
		return nil, err
	}
	return t.p.importFiles(snap, imports, want)
}

// noFile reports an agent import whose file is not on the branch; found
// holds the addresses that are.
func (p *Provider) noFile(imports []providers.Import, want []*providers.Object, found map[string]bool) error {
	for _, imp := range imports {
		if !strings.HasPrefix(imp.To, "agent.") || found[imp.To] {
			continue
		}
		for _, o := range want {
			if o.Address == imp.To {
				return fmt.Errorf("git: import %s (id %q): there is no file %s on branch %s", imp.To, imp.ID, pathOf(o), p.branch)
			}
		}
	}
	return nil
}

func (p *Provider) importFiles(snap *snapshot, imports []providers.Import, want []*providers.Object) ([]*providers.Object, error) {
	var out []*providers.Object
	found := map[string]bool{}
	for _, imp := range imports {
		if _, managed := snap.manifest.byAddress[imp.To]; managed {
			found[imp.To] = true
			continue // an import of a managed object does nothing
		}
		for _, o := range want {
			if !address.Within(o.Address, imp.To) || found[o.Address] {
				continue
			}
			path := pathOf(o)
			if strings.HasPrefix(imp.To, "agent.") && o.Address == imp.To && imp.ID != path {
				return nil, fmt.Errorf("git: import %s (id %q): an agent's id is its path on the branch, %s", imp.To, imp.ID, path)
			}
			if path == "" || snap.manifest.byPath[path] != nil {
				continue
			}
			te, _, err := snap.tree.get(path)
			if err != nil {
				return nil, err
			}
			if te == nil || !te.isFile() {
				continue
			}
			size, err := snap.tree.r.st.EncodedObjectSize(te.hash)
			if err != nil {
				return nil, fmt.Errorf("git: import %s: read %s: %w", imp.To, path, err)
			}
			got := fileObject(o.Address, o.Resource, path, te.hash, size)
			got.Import, got.Sensitive = imp.ID, o.Sensitive
			out = append(out, got)
			found[o.Address] = true
		}
	}
	return out, p.noFile(imports, want, found)
}

// adopt records the file an import takes over in the manifest, as it is
// on the branch; an Update then writes the configuration's content over
// it like any managed file's.
func (b *builder) adopt(c *providers.Change) error {
	o := c.Before
	blob, path, ok := strings.Cut(o.Hash, ":")
	if !ok || c.After == nil {
		return fmt.Errorf("git: apply: import %s: malformed change", o.Address)
	}
	if e := b.manifest.byPath[path]; e != nil {
		return fmt.Errorf("git: apply: import %s: %s is managed as %s already (the plan is out of date)", o.Address, path, e.Address)
	}
	te, _, err := b.tree.get(path)
	if err != nil {
		return err
	}
	if te == nil || te.hash.String() != blob {
		return fmt.Errorf("git: apply: import %s: %s changed on branch %s since the plan was made", o.Address, path, b.t.p.branch)
	}
	b.manifest.put(&manifestEntry{Address: c.After.Address, Path: path, Blob: blob, Size: o.Size, Resource: c.After.Resource,
		Sensitive: slices.Contains(c.After.Sensitive, "path")})
	b.imported++
	return nil
}

var _ providers.Lister = (*Provider)(nil)

// maxListed bounds the bytes of the files Unmanaged returns: it is for
// screenplays, bibles and agents, not for a repository of media.
const maxListed = 256 << 20

// Unmanaged returns the regular files on the branch that the manifest
// does not name, by path (scriptsync's own manifest and LFS pointer files
// left out), for scriptsync import -generate-config-out.
func (p *Provider) Unmanaged(ctx context.Context) (*providers.Holdings, error) {
	h := &providers.Holdings{Files: map[string][]byte{}}
	r, err := openRepo(p.dir, p.branch, false)
	if err != nil || r == nil {
		return h, err
	}
	defer r.close()
	snap, err := p.readSnapshot(ctx, r, nil)
	if err != nil {
		return nil, err
	}
	total := 0
	var walk func(d *treeDir, prefix string) error
	walk = func(d *treeDir, prefix string) error {
		if err := snap.tree.load(d); err != nil {
			return err
		}
		for name, e := range d.entries {
			path := prefix + name
			switch {
			case e.isTree():
				if path == ManifestDir {
					continue
				}
				if e.dir == nil {
					e.dir = &treeDir{hash: e.hash}
				}
				if err := walk(e.dir, path+"/"); err != nil {
					return err
				}
			case e.isFile() && snap.manifest.byPath[path] == nil:
				data, err := r.readTyped(e.hash, plumbing.BlobObject)
				if err != nil {
					return fmt.Errorf("git: read %s: %w", path, err)
				}
				if total += len(data); total > maxListed {
					return fmt.Errorf("git: the unmanaged files on branch %s exceed %d MiB; adopt a smaller repository", p.branch, maxListed>>20)
				}
				h.Files[path] = data
			}
		}
		return ctx.Err()
	}
	if err := walk(snap.tree.root, ""); err != nil {
		return nil, err
	}
	return h, nil
}
