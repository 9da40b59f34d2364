package lfs

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"scriptsync/providers"
)

// The inventory is the list of objects scriptsync manages in the local
// store, by address: what the last applies committed pointers to. Without
// it Read could only report the objects a configuration wants, so that an
// embedding removed from the configuration (or a destroy) would leave its
// object in the store forever, and plan its deletion again every time.
//
// It lives next to the objects, in <git dir>/lfs, where git-lfs ignores
// it. It is written only after every provider has committed (Finish), so
// that a rolled-back apply finds the objects it still references.
const inventoryFile = "scriptsync-objects.json"

// entry is one managed object.
type entry struct {
	OID    string `json:"oid"`
	Size   int64  `json:"size"`
	Source string `json:"source,omitempty"`
}

// inventory maps addresses to the objects they name.
type inventory map[string]entry

func (s *Store) inventoryPath() string { return filepath.Join(s.dir, inventoryFile) }

// racyMargin is how long before a read of the inventory file the file
// must have last changed for this process to trust what it read while
// the file's stamp holds (as config's digest cache and git's index treat
// racily clean files).
const racyMargin = time.Second

// inventoryFile returns the inventory file's bytes and their SHA-256.
// An apply checks the file before its lock, under it and for its stamp,
// and a plan before and in its scoped read: 18 MB at W(100,000), read
// and hashed at every step. The bytes are read again only when the
// file's stamp changed since this process last read it, or it had
// changed just before that read. What is read before a write (Finish,
// loadInventory) is read afresh (readInventory): a stat may answer from
// a network filesystem's cache, an open does not. The bytes are shared:
// callers must not modify them.
func (s *Store) inventoryFile() ([]byte, [sha256.Size]byte, error) {
	readAt := time.Now().UnixNano()
	if stamp, _, err := statStamp(s.inventoryPath()); err == nil {
		s.inv.mu.Lock()
		f := s.inv.file
		s.inv.mu.Unlock()
		if f.trusted(stamp) {
			return f.data, f.sum, nil
		}
	}
	data, sum, _, err := s.readInventory(readAt)
	return data, sum, err
}

// readInventory reads the inventory file afresh, and keeps what it read
// for inventoryFile. stamp is the file's as fstat gave it before the
// read, "" when it changed during the read.
func (s *Store) readInventory(readAt int64) (data []byte, sum [sha256.Size]byte, stamp string, err error) {
	data, stamp, changed, err := readStamped(s.inventoryPath())
	if err != nil {
		return nil, sum, "", err
	}
	sum = sha256.Sum256(data)
	s.inv.mu.Lock()
	s.inv.file = invFile{stamp: stamp, changed: changed, readAt: readAt, data: data, sum: sum}
	s.inv.mu.Unlock()
	return data, sum, stamp, nil
}

// readStamped reads the regular file at path, and returns its stamp and
// when its inode last changed, as fstat of the open file says before the
// read; the stamp is "" when fstat says otherwise after it. Anything but
// a regular file is refused, not read, and the open does not wait
// (O_NONBLOCK), as it would for a FIFO without a writer.
func readStamped(path string) (data []byte, stamp string, changed int64, err error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, "", 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, "", 0, err
	}
	if !fi.Mode().IsRegular() {
		return nil, "", 0, &os.PathError{Op: "read", Path: path, Err: errors.New("not a regular file")}
	}
	stamp, changed = infoStamp(fi)
	// Room for one byte more than the size, so that the read that finds
	// the end needs no more; a file that grew meanwhile is read to its
	// end, not cut. (bytes.Buffer.ReadFrom would double an 18 MB buffer
	// to keep 512 bytes free.)
	data = make([]byte, 0, fi.Size()+1)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, "", 0, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
	if after, err := f.Stat(); err != nil {
		stamp = ""
	} else if now, _ := infoStamp(after); now != stamp {
		stamp = ""
	}
	return data, stamp, changed, nil
}

// readRegular reads the regular file at path; anything else is refused
// (see readStamped).
func readRegular(path string) ([]byte, error) {
	data, _, _, err := readStamped(path)
	return data, err
}

// loadInventory reads the inventory; a store without one manages nothing
// yet.
func (s *Store) loadInventory() (inventory, error) {
	if inv, ok := s.inv.load(s.inventoryPath()); ok {
		return inv, nil
	}
	data, _, stamp, err := s.readInventory(time.Now().UnixNano())
	if errors.Is(err, os.ErrNotExist) {
		return inventory{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lfs: %w", err)
	}
	objects, canonical, err := decodeInventoryLayout(data)
	if err != nil {
		return nil, fmt.Errorf("lfs: read %s: %w", s.inventoryPath(), err)
	}
	inv := make(inventory, len(objects))
	for addr, e := range objects {
		if validOID(e.OID) && e.Size >= 0 {
			inv[addr] = e
		}
	}
	if !canonical || len(inv) != len(objects) {
		data = nil // not what encodeInventory makes of inv
	}
	s.inv.rememberAt(stamp, inv, data)
	return inv, nil
}

// save replaces the inventory on disk atomically.
func (s *Store) saveInventory(inv inventory) error {
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return fmt.Errorf("lfs: write inventory: %w", err)
	}
	data, err := s.inv.encode(inv)
	if err != nil {
		return fmt.Errorf("lfs: write inventory: %w", err)
	}
	tmp, err := os.CreateTemp(s.dir, ".inventory-*")
	if err != nil {
		return fmt.Errorf("lfs: write inventory: %w", err)
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), s.inventoryPath())
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("lfs: write inventory: %w", err)
	}
	s.inv.remember(s.inventoryPath(), inv, data)
	return nil
}

// object is an inventory entry as an actual object, hashed as Desired
// hashes it.
func (e entry) object(address string) *providers.Object {
	return &providers.Object{
		Address:   address,
		Type:      ObjectType,
		Hash:      e.OID,
		MatchHash: e.OID,
		Size:      e.Size,
		Attrs:     map[string]any{"oid": "sha256:" + e.OID, "size": e.Size, "source": e.Source},
	}
}

func entryOf(o *providers.Object) entry {
	e := entry{OID: o.Hash, Size: o.Size}
	if src, ok := o.Attributes()["source"].(string); ok {
		e.Source = src
	}
	return e
}

// finish records what a committed apply changed in the inventory and
// removes the objects no managed address names any more. seen are the
// wanted objects the transaction found stored: they are managed from now
// on, whether or not this apply changed them. It re-reads the inventory
// under the exclusive lock, so that two applies that finish one after the
// other both land.
//
// A scoped finish (the Tx read part of the configuration) stamps again only
// the objects of the changes and of seen.
func (s *Store) finish(seen []*providers.Object, changes []*providers.Change, written map[string]bool, scoped bool) error {
	inv, err := s.loadInventory()
	if err != nil {
		return err
	}
	candidates := map[string]int64{}
	for _, o := range seen {
		inv[o.Address] = entryOf(o)
	}
	for _, c := range changes {
		if c.Action == providers.Forget && c.Before != nil {
			// Left in the store, no longer managed.
			delete(inv, c.Before.Address)
			continue
		}
		if c.Before != nil && c.Before.Type == ObjectType {
			if e, ok := inv[c.Before.Address]; ok {
				candidates[e.OID] = e.Size
				delete(inv, c.Before.Address)
			}
			candidates[c.Before.Hash] = c.Before.Size
		}
		if c.After != nil && c.After.Type == ObjectType && c.Action != providers.Delete {
			inv[c.After.Address] = entryOf(c.After)
		}
	}
	if err := s.saveInventory(inv); err != nil {
		return err
	}
	var only map[string]bool
	if scoped {
		only = map[string]bool{}
		for _, o := range seen {
			only[o.Hash] = true
		}
		for _, c := range changes {
			if c.After != nil {
				only[c.After.Hash] = true
			}
		}
	}
	if err := s.restamp(inv, written, only); err != nil {
		return err
	}
	for _, e := range inv {
		delete(candidates, e.OID)
	}
	gone := map[string]bool{}
	for oid := range candidates {
		gone[oid] = true
	}
	return s.prune(gone)
}

// prune removes the objects gone, which no managed address names any more.
func (s *Store) prune(gone map[string]bool) error {
	oids := make([]string, 0, len(gone))
	for oid := range gone {
		if validOID(oid) {
			oids = append(oids, oid)
		}
	}
	sort.Strings(oids)
	var errs []error
	for _, oid := range oids {
		path := s.Path(oid)
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("lfs: remove unreferenced object %s: %w", oid, err))
			continue
		}
		// Empty fan-out directories go too, as git-lfs prune leaves them
		// harmlessly either way; a non-empty one stays.
		_ = os.Remove(filepath.Dir(path))
		_ = os.Remove(filepath.Dir(filepath.Dir(path)))
		s.made.Delete(filepath.Dir(path))
	}
	return errors.Join(errs...)
}
