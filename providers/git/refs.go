package git

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"scriptsync/providers"
)

// Refs are read and written here, not through go-git's reference storage:
// go-git updates a ref by locking the ref file itself with flock and
// rewriting it in place, which neither excludes a stock git process (git
// takes <ref>.lock and renames it over the ref) nor is atomic for readers,
// who can see the file empty. casRef follows git's own protocol instead:
// create <ref>.lock exclusively, check the current value, write and fsync
// the lock, rename it over the ref. Any number of scriptsync and git
// processes can race on the same ref; at most one of them wins.

// minRefLockWait is how long casRef waits at least for a ref lock another
// process holds: git holds one only for the moment of an update.
const minRefLockWait = time.Second

// readRef returns the value of a ref: its loose file, else its packed-refs
// line. It returns the zero hash when the ref does not exist.
func readRef(gitDir string, name plumbing.ReferenceName) (plumbing.Hash, error) {
	path := filepath.Join(gitDir, filepath.FromSlash(name.String()))
	empty := false
	for attempt := 0; ; attempt++ {
		data, err := os.ReadFile(path)
		switch {
		case err == nil:
			s := strings.TrimSpace(string(data))
			if s == "" {
				// A writer that truncates in place (go-git) may leave the
				// file empty for a moment: look again before giving up.
				if attempt < 3 {
					time.Sleep(10 * time.Millisecond)
					continue
				}
				empty = true
				break
			}
			if strings.HasPrefix(s, "ref:") {
				return plumbing.ZeroHash, fmt.Errorf("git: read ref %s: it is a symbolic ref (%s)", name, s)
			}
			h, ok := parseHex(s)
			if !ok {
				return plumbing.ZeroHash, fmt.Errorf("git: read ref %s: malformed value %q", name, s)
			}
			return h, nil
		case errors.Is(err, fs.ErrNotExist), isNotDir(err):
		default:
			return plumbing.ZeroHash, fmt.Errorf("git: read ref %s: %w", name, err)
		}
		break
	}
	h, found, err := packedRef(gitDir, name)
	if err == nil && empty && !found {
		// git reads an empty ref file as a broken ref, not a missing one:
		// writing a new root commit would drop the branch's history.
		return plumbing.ZeroHash, fmt.Errorf("git: read ref %s: %s is empty and packed-refs does not list the branch, so its commit is unknown; "+
			"point it at the right commit with git update-ref %s <commit> (git reflog may show it), or delete the file if the branch is new", name, path, name)
	}
	return h, err
}

func isNotDir(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "not a directory")
}

// packedRef looks a ref up in packed-refs.
func packedRef(gitDir string, name plumbing.ReferenceName) (plumbing.Hash, bool, error) {
	data, err := os.ReadFile(filepath.Join(gitDir, "packed-refs"))
	if errors.Is(err, fs.ErrNotExist) {
		return plumbing.ZeroHash, false, nil
	}
	if err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("git: read packed-refs: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		n++
		if line == "" || line[0] == '#' {
			continue
		}
		if line[0] == '^' {
			if _, ok := parseHex(line[1:]); !ok {
				return plumbing.ZeroHash, false, fmt.Errorf("git: read packed-refs: line %d is malformed; repair the file (git pack-refs rewrites it) before scriptsync writes to the branch", n)
			}
			continue
		}
		if len(line) < 42 || line[40] != ' ' {
			// Any line could be the branch's: skipping it might take the
			// branch for missing and start a new history.
			return plumbing.ZeroHash, false, fmt.Errorf("git: read packed-refs: line %d is malformed; repair the file (git pack-refs rewrites it) before scriptsync writes to the branch", n)
		}
		if line[41:] == name.String() {
			h, ok := parseHex(line[:40])
			if !ok {
				return plumbing.ZeroHash, false, fmt.Errorf("git: read packed-refs: malformed line for %s", name)
			}
			return h, true, nil
		}
	}
	if err := sc.Err(); err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("git: read packed-refs: %w", err)
	}
	return plumbing.ZeroHash, false, nil
}

// casRef moves ref name from old to new, atomically against every other
// writer. A zero old means the ref must not exist; a zero new deletes it.
// When the ref is not at old, casRef returns an error wrapping
// providers.ErrConflict and changes nothing.
func casRef(ctx context.Context, gitDir string, name plumbing.ReferenceName, old, new plumbing.Hash, wait time.Duration) error {
	refPath := filepath.Join(gitDir, filepath.FromSlash(name.String()))
	unlock, err := lockFile(ctx, refPath, wait)
	if err != nil {
		return fmt.Errorf("git: update ref %s: %w", name, err)
	}
	lockPath := refPath + ".lock"
	committed := false
	defer func() {
		if !committed {
			unlock()
		}
	}()

	cur, err := readRef(gitDir, name)
	if err != nil {
		return err
	}
	if cur != old {
		return fmt.Errorf("git: update ref %s: it is at %s, not at %s as read: %w",
			name, shortHash(cur), shortHash(old), providers.ErrConflict)
	}

	if new.IsZero() {
		if err := deletePacked(ctx, gitDir, name, wait); err != nil {
			return err
		}
		if err := os.Remove(refPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("git: delete ref %s: %w", name, err)
		}
		return nil
	}

	if err := writeSynced(lockPath, []byte(new.String()+"\n")); err != nil {
		return fmt.Errorf("git: update ref %s: %w", name, err)
	}
	if err := os.Rename(lockPath, refPath); err != nil {
		return fmt.Errorf("git: update ref %s: %w", name, err)
	}
	committed = true
	return nil
}

// lockFile takes path.lock the way git does, waiting up to wait (at least
// minRefLockWait) while another process holds it. unlock removes it.
func lockFile(ctx context.Context, path string, wait time.Duration) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	lockPath := path + ".lock"
	if wait < minRefLockWait {
		wait = minRefLockWait
	}
	deadline := time.Now().Add(wait)
	backoff := 5 * time.Millisecond
	for {
		f, err := os.OpenFile(lockPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			_ = f.Close()
			return func() { _ = os.Remove(lockPath) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s is held by another process (if no git or scriptsync process is running, remove it): %w",
				lockPath, providers.ErrConflict)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(backoff):
		}
		if backoff < 100*time.Millisecond {
			backoff *= 2
		}
	}
}

// deletePacked removes a ref from packed-refs, under packed-refs.lock.
func deletePacked(ctx context.Context, gitDir string, name plumbing.ReferenceName, wait time.Duration) error {
	if _, ok, err := packedRef(gitDir, name); err != nil || !ok {
		return err
	}
	packed := filepath.Join(gitDir, "packed-refs")
	unlock, err := lockFile(ctx, packed, wait)
	if err != nil {
		return fmt.Errorf("git: delete ref %s: %w", name, err)
	}
	renamed := false
	defer func() {
		if !renamed {
			unlock()
		}
	}()
	data, err := os.ReadFile(packed)
	if err != nil {
		return fmt.Errorf("git: delete ref %s: %w", name, err)
	}
	var out bytes.Buffer
	skipPeeled := false
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "^") && skipPeeled {
			continue
		}
		skipPeeled = false
		if len(line) >= 42 && line[0] != '#' && strings.TrimRight(line[41:], "\n") == name.String() {
			skipPeeled = true
			continue
		}
		out.WriteString(line)
	}
	if err := writeSynced(packed+".lock", out.Bytes()); err != nil {
		return fmt.Errorf("git: delete ref %s: %w", name, err)
	}
	if err := os.Rename(packed+".lock", packed); err != nil {
		return fmt.Errorf("git: delete ref %s: %w", name, err)
	}
	renamed = true
	return nil
}

// writeSynced replaces the content of a file and fsyncs it.
func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func shortHash(h plumbing.Hash) string {
	if h.IsZero() {
		return "(none)"
	}
	return h.String()[:12]
}
