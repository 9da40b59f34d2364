package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// inputs reads the files a configuration names (sources, file(), vectors)
// and remembers the digest of each, for saved plans' staleness check. A file
// is read once however often it is named.
type inputs struct {
	dir   string
	mu    sync.Mutex
	files map[string]*inputFile
}

type inputFile struct {
	data []byte // nil when not kept (vectors: the hash is all a plan needs)
	hash string
	size int64
	err  error
}

func newInputs(dir string) *inputs {
	return &inputs{dir: dir, files: map[string]*inputFile{}}
}

// abs resolves a configuration-relative path.
func (in *inputs) abs(rel string) string {
	if filepath.IsAbs(rel) {
		return filepath.Clean(rel)
	}
	return filepath.Join(in.dir, rel)
}

// read returns a file's contents and hex SHA-256.
func (in *inputs) read(rel string) ([]byte, string, error) {
	f := in.load(rel, true)
	return f.data, f.hash, f.err
}

// peek returns a file's contents without keeping them, for files whose
// digest is all that must be remembered (.npy vectors).
func (in *inputs) peek(rel string) ([]byte, string, error) {
	in.mu.Lock()
	if f, ok := in.files[rel]; ok && f.data != nil {
		in.mu.Unlock()
		return f.data, f.hash, f.err
	}
	in.mu.Unlock()
	data, err := os.ReadFile(in.abs(rel))
	if err != nil {
		return nil, "", readError(rel, err)
	}
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	in.mu.Lock()
	in.files[rel] = &inputFile{hash: hash, size: int64(len(data))}
	in.mu.Unlock()
	return data, hash, nil
}

func (in *inputs) load(rel string, keep bool) *inputFile {
	in.mu.Lock()
	defer in.mu.Unlock()
	if f, ok := in.files[rel]; ok && (f.data != nil || f.err != nil || !keep) {
		return f
	}
	f := &inputFile{}
	data, err := os.ReadFile(in.abs(rel))
	if err != nil {
		f.err = readError(rel, err)
	} else {
		sum := sha256.Sum256(data)
		f.hash = hex.EncodeToString(sum[:])
		f.size = int64(len(data))
		if keep {
			f.data = data
		}
	}
	in.files[rel] = f
	return f
}

// exists reports whether a regular file exists, recording nothing: a
// fileexists() answer that changes shows up in what the configuration then
// reads.
func (in *inputs) exists(rel string) bool {
	st, err := os.Stat(in.abs(rel))
	return err == nil && st.Mode().IsRegular()
}

// digests returns path → hex SHA-256 of every file read successfully.
func (in *inputs) digests() map[string]string {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make(map[string]string, len(in.files))
	for rel, f := range in.files {
		if f.err == nil {
			out[filepath.ToSlash(rel)] = f.hash
		}
	}
	return out
}

func readError(rel string, err error) error {
	switch {
	case os.IsNotExist(err):
		return fmt.Errorf("%s does not exist", rel)
	case os.IsPermission(err):
		return fmt.Errorf("%s cannot be read: permission denied", rel)
	default:
		if pe, ok := err.(*os.PathError); ok {
			return fmt.Errorf("%s cannot be read: %v", rel, pe.Err)
		}
		return fmt.Errorf("%s cannot be read: %v", rel, err)
	}
}
