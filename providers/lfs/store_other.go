//go:build !linux

package lfs

import (
	"os"

	"scriptsync/providers"
)

func (s *Store) create(dir string) (pending, error) { return s.createNamed() }

// prober is Store.Has where there is no cheaper way to stat.
type prober struct{ s *Store }

func (s *Store) prober() (prober, error) { return prober{s}, nil }

func (p prober) has(oid string, size int64) (bool, error) { return p.s.Has(oid, size) }

// probe is has that also returns the file's stamp (see stampOf).
func (p prober) probe(oid string, size int64) (ok bool, stamp string, err error) {
	ok, err = p.s.Has(oid, size)
	if !ok || err != nil {
		return ok, "", err
	}
	stamp, err = stampOf(p.s.Path(oid))
	return stamp != "", stamp, err
}

// stampOf is the stamp of the file at path from what every system has:
// size and modification time.
func stampOf(path string) (string, error) {
	stamp, _, err := statStamp(path)
	return stamp, err
}

// statStamp is stampOf that also returns when the file last changed, as
// far as every system says: its modification time, in nanoseconds.
func statStamp(path string) (string, int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", 0, err
	}
	if !fi.Mode().IsRegular() {
		return "", 0, nil
	}
	stamp, mtime := infoStamp(fi)
	return stamp, mtime, nil
}

// infoStamp is statStamp of a regular file's FileInfo.
func infoStamp(fi os.FileInfo) (string, int64) {
	mtime := fi.ModTime().UnixNano()
	return formatStamp(fi.Size(), mtime, 0, 0), mtime
}

func (p prober) close() {}

// stamp is not available without Linux's stat: Stamper refuses.
func (p prober) stamp(string) ([5]int64, bool, error) { return [5]int64{}, false, providers.ErrNoStamp }
