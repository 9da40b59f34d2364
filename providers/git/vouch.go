package git

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"scriptsync/providers"
)

var (
	_ providers.Vouchable = (*Provider)(nil)
	_ providers.Vouchable = (*tx)(nil)
)

// The manifest is a file on the branch: anyone who can push can add an
// entry to it that follows every rule checkEntry knows (script.readme for
// a README.md a human committed), and a plan would then delete that file
// on its word. What scriptsync itself wrote is known elsewhere: the SQL
// database, which commits last, records the commit each apply made
// (providers.PeerRecorder). An entry is trusted when the manifest of that
// commit has it at the same path, or when the configuration wants that
// object at that very path (the plan then writes the file in place, or
// finds it as wanted, and deletes nothing: an apply that stopped between
// the git and the SQL commits, or a branch moved back in a clone that has
// no list of scriptsync's commits, see madeFile). Any other entry is
// dropped from the state, the file it names is left alone, and the next
// apply commits a manifest without it.
//
// The check costs nothing when the branch is at the recorded commit (every
// plan after an apply), and otherwise decodes only the shards whose blob
// differs between the two commits.
//
// The SQL database records only the last commit. So that a branch moved
// back to an earlier commit of scriptsync's does not lose what that commit
// manages, the repository also lists, in a file of its git directory that
// no push can write (madeFile), every commit scriptsync made there: a
// head on that list is trusted whole, since scriptsync commits only
// entries it trusted. A fresh clone (a CI job with a remote) has no list,
// and falls back to the recorded commit alone.

// madeFile lists, one id a line, the commits scriptsync made in this
// repository.
const madeFile = "scriptsync-commits"

// recordMade adds commit to madeFile. It is best effort: without it, a
// later plan trusts what the recorded commit vouches for, and no more.
func recordMade(gitDir string, commit plumbing.Hash) {
	f, err := os.OpenFile(filepath.Join(gitDir, madeFile), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return
	}
	_, _ = f.WriteString(commit.String() + "\n")
	_ = f.Close()
}

// madeHere reports whether madeFile lists commit.
func madeHere(gitDir string, commit plumbing.Hash) bool {
	data, err := os.ReadFile(filepath.Join(gitDir, madeFile))
	if err != nil {
		return false
	}
	id := commit.String()
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		if string(line) == id {
			return true
		}
	}
	return false
}

// Vouch implements providers.Vouchable.
func (p *Provider) Vouch(ctx context.Context, st *providers.State, want []*providers.Object, recorded string) error {
	if st == nil || st.Version == "" || st.Version == recorded {
		return nil
	}
	r, err := openRepo(p.dir, p.branch, false)
	if err != nil || r == nil {
		return err
	}
	defer r.close()
	head := plumbing.NewHash(st.Version)
	root, err := r.commitTree(head)
	if err != nil {
		return fmt.Errorf("git: read branch %s: %w", p.branch, err)
	}
	var snap *snapshot
	return p.vouch(r, root, st, want, recorded, func() *snapshot {
		// checkWanted needs the managed paths: made only when an entry
		// is dropped.
		if snap == nil {
			m := newManifestSize(len(st.Objects))
			for _, o := range st.Objects {
				if o.ID != unmanagedID {
					m.byPath[pathOf(o)] = &manifestEntry{Address: o.Address, Path: pathOf(o)}
				}
			}
			snap = &snapshot{tree: newTreeEditor(r, root), manifest: m, state: st}
		}
		return snap
	}, nil)
}

// Vouch implements providers.Vouchable: what it drops also leaves the
// manifest the apply commits.
func (t *tx) Vouch(ctx context.Context, st *providers.State, want []*providers.Object, recorded string) error {
	if t.snap == nil || t.r == nil || st != t.snap.state || st.Version == "" || st.Version == recorded {
		return nil
	}
	return t.p.vouch(t.r, t.snap.tree.root.hash, st, want, recorded, func() *snapshot { return t.snap }, func(e *manifestEntry) {
		t.snap.manifest.remove(e.Address)
		delete(t.snap.drift, e.Address)
		t.cleanup = true
	})
}

// vouch drops from st the manifest entries of the branch (at tree root)
// that the recorded commit does not vouch for. snap gives the snapshot
// checkWanted checks the freed paths against, once the entries are gone
// from its manifest; drop, when set, is told of each.
func (p *Provider) vouch(r *repo, root plumbing.Hash, st *providers.State, want []*providers.Object, recorded string,
	snap func() *snapshot, drop func(*manifestEntry)) error {
	if h, ok := parseHex(st.Version); ok && madeHere(r.gitDir, h) {
		return nil
	}
	headShards, err := shardBlobs(r, root)
	if err != nil {
		return err
	}
	recShards, known := map[string]plumbing.Hash{}, false
	if h, ok := parseHex(recorded); ok && r.has(h) {
		recRoot, err := r.commitTree(h)
		if err != nil {
			return fmt.Errorf("git: read commit %s, which the last apply recorded: %w", shortHash(h), err)
		}
		if recShards, err = shardBlobs(r, recRoot); err != nil {
			return err
		}
		known = true
	}
	// Shards are matched by name. Where either commit has the earlier
	// layout's, entries moved between shards, and every entry of the
	// recorded commit vouches for its own.
	var everyRecorded map[string]string
	if hasLegacyShards(headShards) || hasLegacyShards(recShards) {
		everyRecorded = map[string]string{}
		for name, rb := range recShards {
			id, _ := shardName(name)
			rec, err := p.shard(r, rb, id)
			if err != nil {
				return err
			}
			for _, e := range rec {
				everyRecorded[e.Address] = e.Path
			}
		}
	}
	var suspects []*manifestEntry
	for name, blob := range headShards {
		if recShards[name] == blob {
			continue // the same blob: the same entries
		}
		id, _ := shardName(name)
		head, err := p.shard(r, blob, id)
		if err != nil {
			return err
		}
		trusted := everyRecorded
		if rb, ok := recShards[name]; ok && trusted == nil {
			trusted = map[string]string{}
			rec, err := p.shard(r, rb, id)
			if err != nil {
				return err
			}
			for _, e := range rec {
				trusted[e.Address] = e.Path
			}
		}
		for _, e := range head {
			if path, ok := trusted[e.Address]; !ok || path != e.Path {
				suspects = append(suspects, e)
			}
		}
	}
	if len(suspects) == 0 {
		return nil
	}
	wanted := make(map[string]*providers.Object, len(want))
	for _, o := range want {
		wanted[o.Address] = o
	}
	now := map[string]*providers.Change{}
	for _, d := range st.Drift {
		now[d.Before.Address] = d
	}
	held := make(map[string]*providers.Object, len(st.Objects))
	for _, o := range st.Objects {
		held[o.Address] = o
	}
	dropped := map[string]bool{}
	var freed []*manifestEntry
	for _, e := range suspects {
		o := held[e.Address]
		if o == nil || pathOf(o) != e.Path {
			continue // not in the state (checkEntry refused it), or another entry's
		}
		if d := now[e.Address]; d != nil && d.After == nil {
			continue // the file is gone: nothing to delete, nothing lost
		}
		if w := wanted[e.Address]; w != nil && pathOf(w) == e.Path {
			// The configuration claims that very file for that very
			// object: the plan writes it there (or finds it as wanted),
			// and deletes nothing.
			continue
		}
		dropped[e.Address] = true
		freed = append(freed, e)
		if drop != nil {
			drop(e)
		}
	}
	if len(freed) == 0 {
		return nil
	}
	st.Objects = without(st.Objects, dropped, func(o *providers.Object) string { return o.Address })
	st.Drift = without(st.Drift, dropped, func(c *providers.Change) string { return c.Before.Address })
	sort.Slice(freed, func(i, j int) bool { return freed[i].Address < freed[j].Address })
	st.Warnings = append(st.Warnings, p.unvouchedWarning(freed, recorded, known))
	st.Pending = append(st.Pending, fmt.Sprintf("remove %s from the manifest on branch %s (%s)",
		plural(len(freed), "an entry scriptsync did not write", strconv.Itoa(len(freed))+" entries scriptsync did not write"),
		p.branch, plural(len(freed), "the file stays", "the files stay")))

	// A desired file at a path an entry no longer claims is in the way
	// of a file scriptsync did not create, unless the configuration
	// moves it elsewhere.
	paths := map[string]bool{}
	for _, e := range freed {
		paths[e.Path] = true
	}
	var blocked []*providers.Object
	for _, o := range want {
		if path := pathOf(o); paths[path] {
			blocked = append(blocked, o)
		}
	}
	if len(blocked) == 0 {
		return nil
	}
	s := snap()
	for _, e := range freed {
		delete(s.manifest.byPath, e.Path)
	}
	return p.checkWanted(s, blocked)
}

func (p *Provider) unvouchedWarning(freed []*manifestEntry, recorded string, known bool) string {
	var b strings.Builder
	switch {
	case recorded == "":
		fmt.Fprintf(&b, "the manifest on branch %s lists files that no apply recorded in the sql database vouches for", p.branch)
	case !known:
		fmt.Fprintf(&b, "the manifest on branch %s lists files, and commit %s, which the last apply recorded in the sql database, is not in the repository to vouch for them",
			p.branch, shortVersion(recorded))
	default:
		fmt.Fprintf(&b, "the manifest on branch %s lists files that the commit the last apply made (%s, recorded in the sql database) does not",
			p.branch, shortVersion(recorded))
	}
	b.WriteString(": scriptsync did not write them, or cannot tell that it did, so it leaves them as they are and stops listing them")
	for i, e := range freed {
		if i == 5 {
			fmt.Fprintf(&b, "\n  and %d more", len(freed)-5)
			break
		}
		fmt.Fprintf(&b, "\n  %s (%s)", strconv.Quote(e.shownPath()), e.Address)
	}
	return b.String()
}

// shard returns the entries of a shard blob, decoded once per blob.
func (p *Provider) shard(r *repo, blob plumbing.Hash, id int) ([]*manifestEntry, error) {
	p.mu.Lock()
	entries, ok := p.shardCache[blob]
	p.mu.Unlock()
	if ok {
		return entries, nil
	}
	data, err := r.readTyped(blob, plumbing.BlobObject)
	if err != nil {
		return nil, err
	}
	return decodeShard(data, id)
}

// hasLegacyShards reports whether shards, by name, holds one of the
// earlier layout's.
func hasLegacyShards(byName map[string]plumbing.Hash) bool {
	for name := range byName {
		if id, ok := shardName(name); ok && legacyShard(id) {
			return true
		}
	}
	return false
}

// shardBlobs returns the blob of each manifest shard in the tree root.
func shardBlobs(r *repo, root plumbing.Hash) (map[string]plumbing.Hash, error) {
	out := map[string]plumbing.Hash{}
	if root.IsZero() {
		return out, nil
	}
	d, err := newTreeEditor(r, root).dir(ManifestDir)
	if err != nil || d == nil {
		return out, err
	}
	for name, e := range d.entries {
		if _, ok := manifestShard(name, e); ok && !e.isTree() {
			out[name] = e.hash
		}
	}
	return out, nil
}

func without[T any](list []T, drop map[string]bool, key func(T) string) []T {
	out := list[:0:0]
	for _, x := range list {
		if !drop[key(x)] {
			out = append(out, x)
		}
	}
	return out
}

func shortVersion(v string) string {
	if len(v) > 12 {
		return v[:12]
	}
	return v
}
