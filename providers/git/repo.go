package git

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// repo is an open repository: its git directory and go-git's object
// storage on it. It is opened per Read and per Tx, so that it sees packs
// and refs that other processes wrote since.
type repo struct {
	gitDir string
	st     *filesystem.Storage
}

// gitDirOf returns the git directory of the repository at dir: dir/.git
// for a repository with a work tree, dir itself for a bare one.
func gitDirOf(dir string) string {
	if fi, err := os.Stat(filepath.Join(dir, ".git")); err == nil && fi.IsDir() {
		return filepath.Join(dir, ".git")
	}
	return dir
}

func isRepo(gitDir string) bool {
	fi, err := os.Stat(filepath.Join(gitDir, "HEAD"))
	if err != nil || fi.IsDir() {
		return false
	}
	fi, err = os.Stat(filepath.Join(gitDir, "objects"))
	return err == nil && fi.IsDir()
}

// openRepo opens the repository at dir. When it does not exist, openRepo
// returns (nil, nil), or creates a bare repository whose HEAD names branch
// when create is set.
func openRepo(dir, branch string, create bool) (*repo, error) {
	gitDir := gitDirOf(dir)
	if !isRepo(gitDir) {
		if !create {
			if _, err := os.Stat(dir); err == nil && !emptyOrLFSOnly(dir) {
				return nil, fmt.Errorf("git: open %s: the directory exists and is not a git repository", dir)
			}
			return nil, nil
		}
		if err := initBare(dir, branch); err != nil {
			return nil, err
		}
	}
	// ChrootOS, not BoundOS: the paths are go-git's own (objects/xx/...),
	// and BoundOS's symlink-safe join costs more than a loose-object lookup.
	st := filesystem.NewStorageWithOptions(osfs.New(gitDir), cache.NewObjectLRUDefault(),
		filesystem.Options{KeepDescriptors: true})
	return &repo{gitDir: gitDir, st: st}, nil
}

func (r *repo) close() error {
	if r == nil || r.st == nil {
		return nil
	}
	err := r.st.Close()
	r.st = nil
	if err != nil {
		return fmt.Errorf("git: close %s: %w", r.gitDir, err)
	}
	return nil
}

// emptyOrLFSOnly reports whether dir holds nothing but the LFS provider's
// object store, which may be created before the repository around it.
func emptyOrLFSOnly(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if e.Name() != "lfs" {
			return false
		}
	}
	return true
}

// initBare creates a bare repository at dir. It is safe against a
// concurrent initialisation: every file is created only when missing, and
// HEAD, whose presence marks a repository, comes last.
func initBare(dir, branch string) error {
	if _, err := os.Stat(dir); err == nil && !emptyOrLFSOnly(dir) && !isRepo(dir) {
		return fmt.Errorf("git: init %s: the directory exists, is not empty and is not a git repository", dir)
	}
	for _, d := range []string{"objects/info", "objects/pack", "refs/heads", "refs/tags", "info"} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(d)), 0o755); err != nil {
			return fmt.Errorf("git: init %s: %w", dir, err)
		}
	}
	files := []struct{ name, content string }{
		{"config", "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n"},
		{"description", "Screenwriting library kept by scriptsync.\n"},
		{"HEAD", "ref: refs/heads/" + branch + "\n"},
	}
	for _, f := range files {
		if err := createIfMissing(filepath.Join(dir, f.name), []byte(f.content)); err != nil {
			return fmt.Errorf("git: init %s: %w", dir, err)
		}
	}
	return nil
}

// createIfMissing writes a file through a temporary file and a hard link,
// so that it appears whole or not at all and an existing file wins.
func createIfMissing(name string, data []byte) error {
	if _, err := os.Stat(name); err == nil {
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".tmp-"+filepath.Base(name)+"-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), name); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return nil
}

// readObject returns an object's type and content.
func (r *repo) readObject(h plumbing.Hash) (plumbing.ObjectType, []byte, error) {
	o, err := r.st.EncodedObject(plumbing.AnyObject, h)
	if err != nil {
		return plumbing.InvalidObject, nil, fmt.Errorf("git: read object %s: %w", h, err)
	}
	rd, err := o.Reader()
	if err != nil {
		return plumbing.InvalidObject, nil, fmt.Errorf("git: read object %s: %w", h, err)
	}
	defer rd.Close()
	data := make([]byte, o.Size())
	if _, err := io.ReadFull(rd, data); err != nil {
		return plumbing.InvalidObject, nil, fmt.Errorf("git: read object %s: %d bytes expected: %w", h, o.Size(), noBareEOF(err))
	}
	return o.Type(), data, nil
}

// noBareEOF names a short read instead of passing on a bare EOF.
func noBareEOF(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("the object is truncated (%w)", err)
	}
	return err
}

// readTyped reads an object that must be of type t.
func (r *repo) readTyped(h plumbing.Hash, t plumbing.ObjectType) ([]byte, error) {
	typ, data, err := r.readObject(h)
	if err != nil {
		return nil, err
	}
	if typ != t {
		return nil, fmt.Errorf("git: object %s is a %s, not a %s", h, typ, t)
	}
	return data, nil
}

// has reports whether the object is in the repository.
func (r *repo) has(h plumbing.Hash) bool {
	return r.st.HasEncodedObject(h) == nil
}

// commitTree returns the tree of a commit.
func (r *repo) commitTree(h plumbing.Hash) (plumbing.Hash, error) {
	tree, _, err := r.readCommit(h)
	return tree, err
}

// readCommit returns a commit's tree and message.
func (r *repo) readCommit(h plumbing.Hash) (tree plumbing.Hash, message string, err error) {
	data, err := r.readTyped(h, plumbing.CommitObject)
	if err != nil {
		return plumbing.ZeroHash, "", err
	}
	if len(data) < 46 || string(data[:5]) != "tree " || data[45] != '\n' {
		return plumbing.ZeroHash, "", fmt.Errorf("git: commit %s: malformed header", h)
	}
	tree, ok := parseHex(string(data[5:45]))
	if !ok {
		return plumbing.ZeroHash, "", fmt.Errorf("git: commit %s: malformed tree id", h)
	}
	if i := bytes.Index(data, []byte("\n\n")); i >= 0 {
		message = string(data[i+2:])
	}
	return tree, message, nil
}

// parseHex parses a 40-digit lowercase hex object id.
func parseHex(s string) (plumbing.Hash, bool) {
	if len(s) != 40 {
		return plumbing.ZeroHash, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return plumbing.ZeroHash, false
		}
	}
	return plumbing.NewHash(s), true
}
