package git

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"scriptsync/providers"
)

var (
	_ providers.Tx              = (*tx)(nil)
	_ providers.Compensator     = (*tx)(nil)
	_ providers.VersionReporter = (*tx)(nil)
)

// tx is one apply: it reads the branch, builds one commit on top of it,
// and moves the branch in Commit.
type tx struct {
	p           *Provider
	lockTimeout time.Duration

	r    *repo
	snap *snapshot
	// localOld is the local branch as Read found it. Without a remote it
	// is snap.head; with one, the local branch is a copy of the remote's
	// and may lag behind it.
	localOld plumbing.Hash

	applied   bool
	newCommit plumbing.Hash // zero: nothing to commit
	// cleanup is set when Vouch dropped manifest entries: the apply
	// commits the manifest without them even when no file changes.
	cleanup     bool
	committed   bool
	compensated bool
	done        bool // rolled back, or compensated
}

// Read implements providers.Tx. It records the commit that Commit will
// move the branch from.
func (t *tx) Read(ctx context.Context, want []*providers.Object) (*providers.State, error) {
	if t.applied || t.done {
		return nil, errors.New("git: read after apply")
	}
	if t.r == nil {
		r, err := openRepo(t.p.dir, t.p.branch, t.p.remote != nil)
		if err != nil {
			return nil, err
		}
		if r == nil {
			t.snap = &snapshot{manifest: newManifest(), state: &providers.State{}}
			return t.snap.state, nil
		}
		t.r = r
	}
	localOld, err := readRef(t.r.gitDir, t.p.ref)
	if err != nil {
		return nil, err
	}
	snap, err := t.p.readSnapshot(ctx, t.r, want)
	if err != nil {
		return nil, err
	}
	t.snap, t.localOld = snap, localOld
	return snap.state, nil
}

// Apply implements providers.Tx: it writes the blobs, trees and the commit
// (with the manifest updated), but does not move the branch. An apply with
// no changes makes no commit.
func (t *tx) Apply(ctx context.Context, changes []*providers.Change, progress providers.Progress) error {
	if t.applied || t.done {
		return errors.New("git: apply called twice on one transaction")
	}
	if t.snap == nil {
		if _, err := t.Read(ctx, nil); err != nil {
			return err
		}
	}
	t.applied = true
	if len(changes) == 0 && !t.cleanup {
		return nil
	}
	if t.r == nil {
		r, err := openRepo(t.p.dir, t.p.branch, true)
		if err != nil {
			return err
		}
		t.r = r
		t.snap.tree = newTreeEditor(r, plumbing.ZeroHash)
	}
	// The builder edits the snapshot's tree and manifest in place: the Tx
	// is spent after Apply, whatever its outcome.
	b := &builder{t: t, tree: t.snap.tree, manifest: t.snap.manifest, w: newObjectWriter(t.r)}
	for addr, e := range t.snap.drift {
		if e == nil {
			b.manifest.remove(addr)
		} else {
			b.manifest.put(e)
		}
	}
	commit, err := b.build(ctx, changes, progress)
	if err != nil {
		b.w.abort()
		return err
	}
	if err := b.w.finish(); err != nil {
		return err
	}
	t.newCommit = commit
	return nil
}

// builder turns changes into a tree and a commit.
type builder struct {
	t        *tx
	tree     *treeEditor
	manifest *manifest
	w        *objectWriter

	created, changed, deleted int
	imported                  int // files an import took over
}

func (b *builder) build(ctx context.Context, changes []*providers.Change, progress providers.Progress) (plumbing.Hash, error) {
	snap := b.t.snap
	branch := b.t.p.branch
	// Everything that goes away first, so that a path can move from one
	// object to another in one apply.
	for _, c := range changes {
		if c.Provider != "" && c.Provider != Name {
			return plumbing.ZeroHash, fmt.Errorf("git: apply: change %s belongs to provider %s", c.Address(), c.Provider)
		}
		if c.Before == nil || c.Action == providers.Create || c.Action == providers.NoOp {
			continue
		}
		if c.Action == providers.Forget {
			// The file stays on the branch; only the manifest lets go.
			b.manifest.remove(c.Before.Address)
			continue
		}
		if c.Before.ID == unmanagedID {
			return plumbing.ZeroHash, fmt.Errorf("git: apply: %s on branch %s was not created by scriptsync and is never changed by it", GitattributesPath, branch)
		}
		if c.Action == providers.Update && c.After != nil && pathOf(c.Before) == pathOf(c.After) && c.Before.Address == c.After.Address {
			continue
		}
		e := snap.manifest.byAddress[c.Before.Address]
		if e == nil || e.Path != pathOf(c.Before) {
			return plumbing.ZeroHash, fmt.Errorf("git: apply: %s at %q is not managed by scriptsync on branch %s (the plan is out of date)",
				c.Before.Address, pathOf(c.Before), branch)
		}
		if err := b.tree.remove(e.Path); err != nil {
			return plumbing.ZeroHash, err
		}
		b.manifest.remove(e.Address)
	}
	for _, c := range changes {
		if c.Importing() != "" {
			if err := b.adopt(c); err != nil {
				return plumbing.ZeroHash, err
			}
		}
	}
	for _, c := range changes {
		if err := ctx.Err(); err != nil {
			return plumbing.ZeroHash, err
		}
		switch c.Action {
		case providers.NoOp, providers.Forget:
			continue
		case providers.Delete:
			b.deleted++
			report(progress, 1, 0)
			continue
		case providers.Create:
			b.created++
		case providers.Update, providers.Replace:
			b.changed++
		default:
			return plumbing.ZeroHash, fmt.Errorf("git: apply: %s: unknown action %q", c.Address(), c.Action)
		}
		if c.After == nil {
			return plumbing.ZeroHash, fmt.Errorf("git: apply: %s: %s without the desired object", c.Address(), c.Action)
		}
		if err := b.write(c.After); err != nil {
			return plumbing.ZeroHash, err
		}
		report(progress, 1, c.After.Size)
	}

	if err := b.writeManifest(); err != nil {
		return plumbing.ZeroHash, err
	}
	root, err := b.tree.write(b.w)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	var parentTree plumbing.Hash
	if !snap.head.IsZero() {
		if parentTree, err = b.t.r.commitTree(snap.head); err != nil {
			return plumbing.ZeroHash, err
		}
	}
	if root == parentTree && !snap.head.IsZero() {
		return plumbing.ZeroHash, nil // nothing changed after all
	}
	return b.w.add(plumbing.CommitObject, b.commit(root, snap.head))
}

// writeManifest rewrites the manifest shards that changed.
func (b *builder) writeManifest() error {
	ids, entries := b.manifest.dirtyShards()
	for _, id := range ids {
		path := shardPath(id)
		if _, ok := b.manifest.partial[id]; ok {
			all, err := b.manifest.merged(id, entries[id])
			if err != nil {
				return err
			}
			entries[id] = all
		}
		if len(entries[id]) == 0 {
			if err := b.tree.remove(path); err != nil {
				return err
			}
			continue
		}
		h, err := b.w.add(plumbing.BlobObject, encodeShard(entries[id]))
		if err != nil {
			return err
		}
		if err := b.tree.set(path, modeFile, h); err != nil {
			return err
		}
	}
	return b.markLayout()
}

// markLayout keeps the layout marker beside this layout's shards: there
// while one is, gone with the last.
func (b *builder) markLayout() error {
	d, err := b.tree.dir(ManifestDir)
	if err != nil || d == nil {
		return err
	}
	shardsLeft := false
	for name, te := range d.entries {
		if id, ok := manifestShard(name, te); ok && !legacyShard(id) && !te.isTree() {
			shardsLeft = true
			break
		}
	}
	path := ManifestDir + "/" + layoutMarkerName
	te := d.entries[layoutMarkerName]
	switch {
	case shardsLeft && (te == nil || te.hash != layoutMarkerBlob):
		h, err := b.w.add(plumbing.BlobObject, layoutMarker)
		if err != nil {
			return err
		}
		return b.tree.set(path, modeFile, h)
	case !shardsLeft && te != nil && te.hash == layoutMarkerBlob:
		return b.tree.remove(path)
	}
	return nil
}

// write stores a desired file: its blob, its tree entry and its manifest
// entry. It never writes over a file scriptsync does not manage.
func (b *builder) write(o *providers.Object) error {
	data, ok := o.Payload.([]byte)
	if !ok {
		return fmt.Errorf("git: apply: %s has no content (apply the plan with its configuration)", o.Address)
	}
	path := pathOf(o)
	if err := validPath(path); err != nil {
		return fmt.Errorf("git: apply: %s: %w", o.Address, err)
	}
	if e := b.manifest.byPath[path]; e == nil {
		te, blocker, err := b.tree.get(path)
		if err != nil {
			return err
		}
		if blocker != "" && b.manifest.byPath[blocker] == nil {
			return fmt.Errorf("git: apply: %s: %s is a file on branch %s that scriptsync did not create", o.Address, blocker, b.t.p.branch)
		}
		if te != nil {
			return fmt.Errorf("git: apply: %s: %s is already on branch %s and scriptsync did not create it", o.Address, path, b.t.p.branch)
		}
	} else if e.Address != o.Address {
		return fmt.Errorf("git: apply: %s: %s is managed as %s, which the plan does not delete", o.Address, path, e.Address)
	}
	h, err := b.w.add(plumbing.BlobObject, data)
	if err != nil {
		return err
	}
	if err := b.tree.set(path, modeFile, h); err != nil {
		return err
	}
	b.manifest.put(&manifestEntry{Address: o.Address, Path: path, Blob: h.String(), Size: int64(len(data)), Resource: o.Resource,
		Sensitive: slices.Contains(o.Sensitive, "path")})
	return nil
}

// commit encodes the commit object.
func (b *builder) commit(tree, parent plumbing.Hash) []byte {
	p := b.t.p
	now := p.now()
	_, offset := now.Zone()
	sign := byte('+')
	if offset < 0 {
		sign, offset = '-', -offset
	}
	stamp := strconv.FormatInt(now.Unix(), 10) + " " + string(sign) + fmt.Sprintf("%02d%02d", offset/3600, offset/60%60)
	ident := p.authorName + " <" + p.authorEmail + "> " + stamp

	buf := make([]byte, 0, 256)
	buf = append(buf, "tree "+tree.String()+"\n"...)
	if !parent.IsZero() {
		buf = append(buf, "parent "+parent.String()+"\n"...)
	}
	buf = append(buf, "author "+ident+"\n"...)
	buf = append(buf, "committer "+ident+"\n\n"...)
	msg := CommitMessage(b.created, b.changed, b.deleted)
	if b.imported > 0 {
		msg = strings.TrimSuffix(msg, "\n") + fmt.Sprintf(", %d imported\n", b.imported)
	}
	buf = append(buf, msg...)
	buf = append(buf, "\n"+sealTrailer+tree.String()+"\n"...)
	return buf
}

// CommitMessage is the subject of an apply's commit: files created,
// changed (updated or replaced) and deleted. The body is the seal trailer
// (see sealTrailer).
func CommitMessage(created, changed, deleted int) string {
	return fmt.Sprintf("scriptsync apply: +%d ~%d -%d\n", created, changed, deleted)
}

// pathOf is a file object's path, which ends its Hash (see
// newFileObject): making its attributes to learn it would cost a map per
// file of the library.
func pathOf(o *providers.Object) string {
	if _, path, ok := strings.Cut(o.Hash, ":"); ok {
		return path
	}
	s, _ := o.Attributes()["path"].(string)
	return s
}

func report(progress providers.Progress, objects int, bytes int64) {
	if progress != nil {
		progress(objects, bytes)
	}
}

// Commit implements providers.Tx: it moves the local branch by
// compare-and-swap from the commit Read saw to the new one and, with a
// remote, pushes with lease. When the push fails, the local branch moves
// back and Commit returns the error.
func (t *tx) Commit(ctx context.Context) error {
	if t.done {
		return errors.New("git: commit after rollback")
	}
	if t.committed {
		return nil
	}
	if t.newCommit.IsZero() {
		t.committed = true
		t.release()
		return nil
	}
	defer t.release()
	if err := casRef(ctx, t.r.gitDir, t.p.ref, t.localOld, t.newCommit, t.lockTimeout); err != nil {
		return err
	}
	recordMade(t.r.gitDir, t.newCommit)
	if rm := t.p.remote; rm != nil {
		if err := rm.push(ctx, t.r, t.snap.head, t.newCommit, true); err != nil {
			// A connection that broke after the remote took the push
			// leaves the outcome open: look before undoing.
			if !errors.Is(err, providers.ErrConflict) {
				if cur, herr := rm.head(ctx); herr == nil && cur == t.newCommit {
					rm.setTrack(ctx, t.r, cur)
					t.committed = true
					return nil
				}
			}
			// The push did not happen: put the local branch back. A
			// cancelled ctx must not stop that.
			if uerr := casRef(context.WithoutCancel(ctx), t.r.gitDir, t.p.ref, t.newCommit, t.localOld, t.lockTimeout); uerr != nil {
				return errors.Join(err, fmt.Errorf("git: move branch %s back after the failed push: %w", t.p.branch, uerr))
			}
			return err
		}
	}
	t.committed = true
	return nil
}

// Rollback implements providers.Tx. The branch has not moved; the objects
// Apply wrote stay in the repository, unreferenced, until git gc prunes
// them: deleting them here could delete objects a concurrent apply found
// present and relies on.
func (t *tx) Rollback(ctx context.Context) error {
	if t.committed || t.done {
		return nil
	}
	t.done = true
	t.release()
	return nil
}

// Compensate implements providers.Compensator: after a successful Commit,
// it moves the branch back by compare-and-swap from the commit this Tx
// made, on the remote first (a push with lease) and then locally. It is
// idempotent, and it refuses to undo anyone else's later commit.
func (t *tx) Compensate(ctx context.Context) error {
	if !t.committed || t.newCommit.IsZero() || t.compensated {
		return nil
	}
	if err := t.reopen(); err != nil {
		return err
	}
	defer t.release()
	var errs []error
	if rm := t.p.remote; rm != nil {
		err := rm.push(ctx, t.r, t.newCommit, t.snap.head, false)
		if errors.Is(err, providers.ErrConflict) {
			// Already back (an earlier Compensate whose local step failed)?
			if cur, ferr := rm.fetch(ctx, t.r); ferr == nil && cur == t.snap.head {
				err = nil
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("git: undo commit %s on the remote: %w", shortHash(t.newCommit), err))
		}
	}
	if err := casRef(ctx, t.r.gitDir, t.p.ref, t.newCommit, t.localOld, t.lockTimeout); err != nil {
		if cur, rerr := readRef(t.r.gitDir, t.p.ref); rerr != nil || cur != t.localOld {
			errs = append(errs, fmt.Errorf("git: undo commit %s: %w", shortHash(t.newCommit), err))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	t.compensated = true
	t.done = true
	return nil
}

// CommittedVersion implements providers.VersionReporter: the branch's
// commit after Commit (the base commit when there was nothing to commit).
func (t *tx) CommittedVersion() string {
	switch {
	case !t.committed || t.compensated:
		return ""
	case !t.newCommit.IsZero():
		return t.newCommit.String()
	case t.snap != nil && !t.snap.head.IsZero():
		return t.snap.head.String()
	}
	return ""
}

// release closes the repository's storage; Compensate reopens it.
func (t *tx) release() {
	if t.r != nil {
		_ = t.r.close()
	}
}

func (t *tx) reopen() error {
	if t.r != nil && t.r.st != nil {
		return nil
	}
	r, err := openRepo(t.p.dir, t.p.branch, false)
	if err != nil {
		return err
	}
	if r == nil {
		return fmt.Errorf("git: %s: the repository is gone", t.p.dir)
	}
	t.r = r
	return nil
}
