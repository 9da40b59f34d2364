package git

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// Git tree entry modes, as git writes them.
const (
	modeFile = "100644"
	modeTree = "40000"
)

// treeEditor edits a tree lazily: a directory is read only when a path
// below it is looked up or changed, and a directory nothing changed keeps
// its tree id, so that an apply rewrites only the trees on the paths of its
// changes and reuses every other subtree as it is.
type treeEditor struct {
	r    *repo
	root *treeDir
}

type treeDir struct {
	hash    plumbing.Hash // as read; zero for a new directory
	entries map[string]*treeEntry
	loaded  bool
	dirty   bool
}

type treeEntry struct {
	// mode is kept as read, so that an entry scriptsync does not touch is
	// written back byte for byte (old gits wrote modes such as 100664).
	mode string
	hash plumbing.Hash
	dir  *treeDir // for a tree, once read
}

func (e *treeEntry) isTree() bool { return e.mode == modeTree || e.mode == "040000" }

// isFile reports a regular file (git's 100644 and 100755, and the 100664
// of old gits), not a symlink or a submodule.
func (e *treeEntry) isFile() bool { return strings.HasPrefix(e.mode, "100") }

// newTreeEditor starts from the tree root (zero for an empty tree).
func newTreeEditor(r *repo, root plumbing.Hash) *treeEditor {
	d := &treeDir{hash: root}
	if root.IsZero() {
		d.entries, d.loaded = map[string]*treeEntry{}, true
	}
	return &treeEditor{r: r, root: d}
}

func (t *treeEditor) load(d *treeDir) error {
	if d.loaded {
		return nil
	}
	data, err := t.r.readTyped(d.hash, plumbing.TreeObject)
	if err != nil {
		return err
	}
	d.entries, err = parseTree(data)
	if err != nil {
		return fmt.Errorf("git: tree %s: %w", d.hash, err)
	}
	d.loaded = true
	return nil
}

// parseTree reads a tree object's entries: "<mode> <name>\0<20-byte id>".
func parseTree(data []byte) (map[string]*treeEntry, error) {
	entries := make(map[string]*treeEntry, bytes.Count(data, []byte{0}))
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		if sp <= 0 {
			return nil, fmt.Errorf("malformed entry mode")
		}
		nul := bytes.IndexByte(data[sp:], 0)
		if nul < 0 || len(data) < sp+nul+1+20 {
			return nil, fmt.Errorf("truncated entry")
		}
		nul += sp
		e := &treeEntry{mode: string(data[:sp])}
		copy(e.hash[:], data[nul+1:nul+21])
		entries[string(data[sp+1:nul])] = e
		data = data[nul+21:]
	}
	return entries, nil
}

// get returns the entry at path, or nil. blocker is the path of the
// shortest prefix of path that is a file, when there is one: nothing can
// be stored below it.
func (t *treeEditor) get(path string) (e *treeEntry, blocker string, err error) {
	d := t.root
	rest := path
	for {
		if err := t.load(d); err != nil {
			return nil, "", err
		}
		name, tail, more := strings.Cut(rest, "/")
		e := d.entries[name]
		if !more || e == nil {
			return e, "", nil
		}
		if !e.isTree() {
			return nil, path[:len(path)-len(tail)-1], nil
		}
		if e.dir == nil {
			e.dir = &treeDir{hash: e.hash}
		}
		d, rest = e.dir, tail
	}
}

// foldedTwin reports whether the tree has a path that differs from path
// only in case: the two collide on a case-insensitive file system.
func (t *treeEditor) foldedTwin(path string) (bool, error) {
	var walk func(d *treeDir, rest string, exact bool) (bool, error)
	walk = func(d *treeDir, rest string, exact bool) (bool, error) {
		if err := t.load(d); err != nil {
			return false, err
		}
		name, tail, more := strings.Cut(rest, "/")
		for n, e := range d.entries {
			if !strings.EqualFold(n, name) {
				continue
			}
			same := exact && n == name
			if !more {
				if !same {
					return true, nil
				}
				continue
			}
			if !e.isTree() {
				continue
			}
			if e.dir == nil {
				e.dir = &treeDir{hash: e.hash}
			}
			if found, err := walk(e.dir, tail, same); found || err != nil {
				return found, err
			}
		}
		return false, nil
	}
	return walk(t.root, path, true)
}

// dir returns the directory at path, read, or nil when there is none. It
// fails when path is a file.
func (t *treeEditor) dir(path string) (*treeDir, error) {
	e, blocker, err := t.get(path)
	switch {
	case err != nil:
		return nil, err
	case blocker != "" || e == nil:
		return nil, nil
	case !e.isTree():
		return nil, fmt.Errorf("git: %s is a file, not a directory", path)
	}
	if e.dir == nil {
		e.dir = &treeDir{hash: e.hash}
	}
	return e.dir, t.load(e.dir)
}

// set stores a file at path, creating directories on the way. It fails
// when a prefix of path is a file or path is a directory.
func (t *treeEditor) set(path, mode string, h plumbing.Hash) error {
	d := t.root
	rest := path
	for {
		if err := t.load(d); err != nil {
			return err
		}
		d.dirty = true
		name, tail, more := strings.Cut(rest, "/")
		e := d.entries[name]
		if !more {
			if e != nil && e.isTree() {
				return fmt.Errorf("git: write %s: a directory of that name exists", path)
			}
			d.entries[name] = &treeEntry{mode: mode, hash: h}
			return nil
		}
		switch {
		case e == nil:
			e = &treeEntry{mode: modeTree, dir: &treeDir{entries: map[string]*treeEntry{}, loaded: true}}
			d.entries[name] = e
		case !e.isTree():
			return fmt.Errorf("git: write %s: %s is a file", path, path[:len(path)-len(tail)-1])
		case e.dir == nil:
			e.dir = &treeDir{hash: e.hash}
		}
		d, rest = e.dir, tail
	}
}

// remove deletes the file at path; directories it leaves empty go too
// (git stores no empty trees). Removing a missing path is not an error.
func (t *treeEditor) remove(path string) error {
	_, err := t.removeIn(t.root, path)
	return err
}

func (t *treeEditor) removeIn(d *treeDir, rest string) (bool, error) {
	if err := t.load(d); err != nil {
		return false, err
	}
	name, tail, more := strings.Cut(rest, "/")
	e := d.entries[name]
	if e == nil {
		return false, nil
	}
	if !more {
		if e.isTree() {
			return false, nil
		}
		delete(d.entries, name)
		d.dirty = true
		return true, nil
	}
	if !e.isTree() {
		return false, nil
	}
	if e.dir == nil {
		e.dir = &treeDir{hash: e.hash}
	}
	removed, err := t.removeIn(e.dir, tail)
	if err != nil || !removed {
		return removed, err
	}
	d.dirty = true
	if len(e.dir.entries) == 0 {
		delete(d.entries, name)
	}
	return true, nil
}

// write stores every changed directory through w, deepest first, and
// returns the root tree's id.
func (t *treeEditor) write(w *objectWriter) (plumbing.Hash, error) {
	return t.writeDir(w, t.root)
}

func (t *treeEditor) writeDir(w *objectWriter, d *treeDir) (plumbing.Hash, error) {
	if !d.dirty {
		return d.hash, nil
	}
	for _, e := range d.entries {
		if e.dir != nil && e.dir.dirty {
			h, err := t.writeDir(w, e.dir)
			if err != nil {
				return plumbing.ZeroHash, err
			}
			e.hash = h
		}
	}
	h, err := w.add(plumbing.TreeObject, encodeTree(d.entries))
	if err != nil {
		return plumbing.ZeroHash, err
	}
	d.hash, d.dirty = h, false
	return h, nil
}

// encodeTree writes entries in git's order: by name, a directory compared
// as if its name ended in "/".
func encodeTree(entries map[string]*treeEntry) []byte {
	type kv struct {
		key  string
		name string
		e    *treeEntry
	}
	list := make([]kv, 0, len(entries))
	size := 0
	for name, e := range entries {
		key := name
		if e.isTree() {
			key += "/"
		}
		list = append(list, kv{key, name, e})
		size += len(e.mode) + len(name) + 22
	}
	sort.Slice(list, func(i, j int) bool { return list[i].key < list[j].key })
	buf := make([]byte, 0, size)
	for _, x := range list {
		buf = append(buf, x.e.mode...)
		buf = append(buf, ' ')
		buf = append(buf, x.name...)
		buf = append(buf, 0)
		buf = append(buf, x.e.hash[:]...)
	}
	return buf
}
