package lfs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"scriptsync/providers"
)

// An object in the local store can be changed in place, keeping its size
// (a tool that rewrites files, a disk that corrupts them): its name still
// says what it should hold. Hashing every object on every plan would find
// that, at the cost of reading the whole store. Instead, as git's index
// does for the work tree, each apply records every managed object file's
// stamp (size, modification and change times, inode) once it knows the
// file holds its oid, and a read hashes again only the files whose stamp
// is not the recorded one. A file changed without any of these moving
// (its times put back, on the same inode) goes unnoticed, as it does for
// git.
//
// The stamps live in their own file beside the inventory, one line per
// oid ("<oid> <stamp>"), read without a JSON decoder: a plan of a large
// library reads them all.
const stampsFile = "scriptsync-stamps"

// unverified is the stamp of an object that failed its check at Finish:
// it matches no file, so that the next read hashes it again and reports
// the drift.
const unverified = "unverified"

// formatStamp encodes what a stamp compares, compactly: the inventory
// holds one per object.
func formatStamp(size, mtime, ctime int64, ino uint64) string {
	b := make([]byte, 0, 48)
	b = strconv.AppendInt(b, size, 36)
	b = append(b, '.')
	b = strconv.AppendInt(b, mtime, 36)
	b = append(b, '.')
	b = strconv.AppendInt(b, ctime, 36)
	b = append(b, '.')
	b = strconv.AppendUint(b, ino, 36)
	return string(b)
}

// contentOf returns the SHA-256 of the file at path, in hex.
func contentOf(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	if _, err := io.CopyBuffer(h, f, *bp); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// loadStamps reads the recorded stamps by oid; none when there is no
// file. A line it cannot read is left out: that object is hashed again.
func (s *Store) loadStamps() (map[string]string, error) {
	data, err := readRegular(filepath.Join(s.dir, stampsFile))
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lfs: %w", err)
	}
	out := make(map[string]string, bytes.Count(data, []byte{'\n'}))
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		oid, stamp, ok := bytes.Cut(line, []byte{' '})
		if ok && len(oid) == 64 && len(stamp) > 0 {
			out[string(oid)] = string(stamp)
		}
	}
	return out, nil
}

// restamp records the stamp of every object inv names, as its file is
// now, once that file is known to hold its oid: written by this apply,
// stamped alike before, or hashed now. One that does not hold it is
// recorded as unverified; one that is missing, not at all.
//
// With only set (an apply of part of the configuration, whose objects
// outside it are known to be as the last apply stamped them), the other
// objects keep the stamps recorded for them.
func (s *Store) restamp(inv inventory, written, only map[string]bool) error {
	recorded, err := s.loadStamps()
	if err != nil {
		return err
	}
	stamps := make(map[string]string, len(inv))
	for _, e := range inv {
		if _, done := stamps[e.OID]; done {
			continue
		}
		if was, ok := recorded[e.OID]; ok && only != nil && !only[e.OID] {
			stamps[e.OID] = was
			continue
		}
		path := s.Path(e.OID)
		now, err := stampOf(path)
		switch {
		case err != nil || now == "":
			continue
		case written[e.OID] || now == recorded[e.OID]:
		default:
			if sum, err := contentOf(path); err != nil || sum != e.OID {
				now = unverified
			}
		}
		stamps[e.OID] = now
	}
	oids := make([]string, 0, len(stamps))
	for oid := range stamps {
		oids = append(oids, oid)
	}
	sort.Strings(oids)
	b := make([]byte, 0, len(oids)*96)
	for _, oid := range oids {
		b = append(append(append(append(b, oid...), ' '), stamps[oid]...), '\n')
	}
	return s.writeAtomic(stampsFile, b)
}

// modifiedID marks the object Read reports, as drift, for a stored object
// whose content is not its oid any more: Apply writes it again (see
// tx.plan), although its file is there.
const modifiedID = "modified-in-store"

// changedInPlace returns, when the file of oid has a stamp (now) other than
// the recorded one, the SHA-256 of what it holds if that is not oid; ""
// when nothing was recorded, the stamp is the same, or the content is.
func (s *Store) changedInPlace(oid, now, recorded string) (string, error) {
	if recorded == "" || now == recorded {
		return "", nil
	}
	sum, err := contentOf(s.Path(oid))
	if err != nil {
		return "", fmt.Errorf("lfs: check object %s: %w", oid, err)
	}
	if sum == oid {
		return "", nil
	}
	return sum, nil
}

// modifiedObject is o as the store holds it after a change in place: the
// digest of what its file holds.
func modifiedObject(o *providers.Object, sum string) *providers.Object {
	m := *o
	attrs := map[string]any{}
	for k, v := range o.Attributes() {
		attrs[k] = v
	}
	attrs["oid"] = "sha256:" + sum
	m.Hash, m.ID, m.Attrs, m.AttrsFunc, m.Payload = sum, modifiedID, attrs, nil, nil
	return &m
}

// writeAtomic replaces the file name in the store's directory with data.
func (s *Store) writeAtomic(name string, data []byte) error {
	path := filepath.Join(s.dir, name)
	tmp, err := os.CreateTemp(s.dir, "."+name+"-*")
	if err != nil {
		return fmt.Errorf("lfs: write %s: %w", path, err)
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("lfs: write %s: %w", path, err)
	}
	return nil
}
