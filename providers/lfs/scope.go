package lfs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"scriptsync/providers"
)

// ReadScope implements providers.ScopeReader: the inventory entries of
// resources, found in the inventory file without decoding all of it. The
// file must be the one the stamp digests: the store then holds every
// object it names, unchanged, so the entries are what a full Read reports.
// A wanted object new to the inventory is reported as Read reports it:
// not at all when an entry names its oid or the store lacks it (a
// create); one the store holds unnamed is ErrScope.
func (p *Provider) ReadScope(ctx context.Context, want []*providers.Object, resources map[string]bool, stamp []byte) (*providers.State, error) {
	st, _, err := p.readScope(ctx, want, resources, stamp)
	return st, err
}

// ReadScope is Provider.ReadScope for the transaction, which remembers the
// wanted objects found stored for Finish, as Read does. Under the lock it
// checks every object's stat again too (readScope checks the inventory
// file): an object removed or rewritten since the plan's check is for a
// full read to repair.
func (t *tx) ReadScope(ctx context.Context, want []*providers.Object, resources map[string]bool, stamp []byte) (*providers.State, error) {
	st, seen, err := t.p.readScope(ctx, want, resources, stamp)
	if err == nil {
		var same bool
		if same, err = t.p.statsHold(ctx, stamp); err == nil && !same {
			err = fmt.Errorf("%w: an object in the LFS store is not as the last apply left it", providers.ErrScope)
		}
	}
	t.seen, t.scoped = seen, err == nil
	if err == nil {
		t.p.mu.Lock()
		t.p.base = bytes.Clone(stamp)
		t.p.mu.Unlock()
	}
	return st, err
}

// readScope is ReadScope that also returns the wanted objects it found
// stored.
func (p *Provider) readScope(ctx context.Context, want []*providers.Object, resources map[string]bool, stamp []byte) (*providers.State, []*providers.Object, error) {
	if p.remote != nil || len(stamp) < 2*sha256.Size {
		return nil, nil, providers.ErrScope
	}
	for _, o := range want {
		if o.Address != o.Resource {
			return nil, nil, providers.ErrScope
		}
	}
	data, sum, err := p.store.inventoryFile()
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, providers.ErrScope
	}
	if err != nil {
		return nil, nil, err
	}
	if !bytes.Equal(sum[:], stamp[:sha256.Size]) {
		return nil, nil, providers.ErrScope
	}
	inv, ok := inventoryOf(data, resources)
	if !ok {
		return nil, nil, providers.ErrScope
	}
	st := &providers.State{}
	var stored []*providers.Object
	reported := map[string]bool{}
	fresh := map[string]bool{} // the oids of the wanted objects new to the inventory
	for _, w := range want {
		if _, ok := inv[w.Address]; !ok && w.Type == ObjectType {
			fresh[w.Hash] = true
		}
	}
	// A new object is a create when no entry names its oid and the store
	// does not hold it (as Read finds it); one an entry names is that
	// entry's, and still a create here. One the store holds unnamed is
	// for a full Read to check.
	held := referenced(data, fresh)
	var probe *prober // opened for the first new object no entry names
	for _, w := range want {
		if w.Type != ObjectType {
			continue
		}
		e, ok := inv[w.Address]
		if !ok {
			if held[w.Hash] || !validOID(w.Hash) {
				continue
			}
			if probe == nil {
				pr, err := p.store.prober()
				if err != nil {
					return nil, nil, err
				}
				defer pr.close()
				probe = &pr
			}
			if has, _, err := probe.probe(w.Hash, w.Size); err != nil || has {
				return nil, nil, providers.ErrScope
			}
			continue
		}
		if e.OID == w.Hash {
			o := *w
			o.Payload = nil
			st.Objects = append(st.Objects, &o)
			stored = append(stored, &o)
			reported[w.Address] = true
		}
	}
	for addr, e := range inv {
		if !reported[addr] {
			st.Objects = append(st.Objects, e.object(addr))
		}
	}
	return st, stored, ctx.Err()
}

// inventoryOf returns the entries of the inventory file data (as
// encodeInventory writes it) whose addresses are among resources,
// looking for them by the blocks they belong to; false when the file is
// not laid out as encodeInventory lays it, or a key the search meets may
// not decode to its address.
//
// The entries are sorted by address, and a block's are the one at its
// address and those from its address and "[" on that start so: each is
// found by a binary search of the file, not a scan of it (18 MB at
// W(100,000), twice a block in a plan and in an apply).
func inventoryOf(data []byte, resources map[string]bool) (inventory, bool) {
	inv := inventory{}
	blocks := map[string]bool{}
	for r := range resources {
		b := r
		if i := strings.IndexByte(r, '['); i >= 0 {
			b = r[:i]
		}
		blocks[b] = true
	}
	take := func(addr string, e entry) {
		if resources[addr] && validOID(e.OID) && e.Size >= 0 {
			inv[addr] = e
		}
	}
	for b := range blocks {
		for _, from := range []string{b, b + "["} {
			start, ok := firstEntryFrom(data, from)
			if !ok {
				return nil, false
			}
			for start < len(data) {
				addr, e, rest, ok := cutEntry(data[start:])
				if !ok {
					return nil, false
				}
				if from == b { // the entry at the block's own address, if any
					if addr == b {
						take(addr, e)
					}
					break
				}
				if !strings.HasPrefix(addr, from) {
					break
				}
				take(addr, e)
				if rest, ok = bytes.CutPrefix(rest, []byte(",\n    ")); !ok {
					break // the last entry
				}
				start = len(data) - len(rest)
			}
		}
	}
	return inv, true
}

// entryMark begins each entry of an inventory file, four spaces in: its
// key's quote follows. No value holds a raw newline, and an entry's own
// lines are six spaces in.
var entryMark = []byte("\n    \"")

// firstEntryFrom returns the offset of the key of data's first entry
// whose address is at or after a (len(data) when there is none), by a
// binary search over the file's offsets: from any offset, the next entry
// mark begins an entry, and the entries are sorted. false when a key it
// compares may not decode to its address.
func firstEntryFrom(data []byte, a string) (int, bool) {
	next := func(off int) int {
		i := bytes.Index(data[off:], entryMark)
		if i < 0 {
			return len(data)
		}
		return off + i + len(entryMark) - 1
	}
	lost := false
	off := sort.Search(len(data), func(off int) bool {
		p := next(off)
		if p == len(data) || lost {
			return true
		}
		c, ok := compareKey(keyAt(data[p:]), a)
		if !ok {
			lost = true
			return true
		}
		return c >= 0
	})
	return next(off), !lost
}

// keyAt returns the quoted key at the start of b, quotes included; nil
// when b does not start with one.
func keyAt(b []byte) []byte {
	if len(b) == 0 || b[0] != '"' {
		return nil
	}
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return b[:i+1]
		case '\n':
			return nil
		}
	}
	return nil
}
