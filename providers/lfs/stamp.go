package lfs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/bits"
	"os"
	"sort"

	"scriptsync/internal/parallel"
	"scriptsync/providers"
)

// A stamp (providers.Stamper) says what the local store holds once an
// apply has finished: the digest of the inventory file it leaves (the
// inventory of the objects the apply wanted, which Finish writes), the
// digest of what stat says of every object it names (size, times, inode,
// the way git's index remembers files), and those objects' ids. An object
// rewritten, replaced or removed behind scriptsync's back changes its
// times or its inode, and so the stamp; an inventory that Finish could not
// write (another apply held the store) or that someone edited does not
// match either.
//
// Layout: inventory digest, stat digest (32 bytes each), then the ids,
// 32 bytes each, sorted.

// Stamp implements providers.Stamper, once the apply's objects are stored.
func (p *Provider) Stamp(ctx context.Context, desired []*providers.Object, _ string) ([]byte, error) {
	if p.remote != nil {
		// What the remote holds is the remote's to say, at every plan.
		return nil, providers.ErrNoStamp
	}
	inv := inventory{}
	for _, o := range desired {
		if o.Type == ObjectType {
			inv[o.Address] = entryOf(o)
		}
	}
	return p.stampOf(ctx, inv)
}

// StampScope implements providers.ScopeStamper: the stamp of the
// inventory Finish writes after an apply of part of the configuration,
// the recorded one with the entries of resources replaced by desired's.
func (p *Provider) StampScope(ctx context.Context, desired []*providers.Object, resources map[string]bool, _ string) ([]byte, error) {
	if p.remote != nil {
		return nil, providers.ErrNoStamp
	}
	p.mu.Lock()
	base := p.base
	p.mu.Unlock()
	if stamp, ok := p.patchedStamp(desired, resources, base); ok {
		return stamp, nil
	}
	inv, err := p.store.loadInventory()
	if err != nil {
		return nil, err
	}
	for addr := range inv {
		if resources[addr] {
			delete(inv, addr)
		}
	}
	for _, o := range desired {
		if o.Type == ObjectType {
			inv[o.Address] = entryOf(o)
		}
	}
	return p.stampFrom(ctx, inv, base)
}

// stampOf stamps the store as holding inv.
func (p *Provider) stampOf(ctx context.Context, inv inventory) ([]byte, error) {
	return p.stampFrom(ctx, inv, nil)
}

// stampFrom stamps the store as holding inv. With base, the stamp of the
// store before this apply (which the memo's check found true of it), only
// the objects that join or leave its list are stated: the others stat as
// they did.
func (p *Provider) stampFrom(ctx context.Context, inv inventory, base []byte) ([]byte, error) {
	data, err := p.store.inv.encode(inv)
	if err != nil {
		return nil, err
	}
	var oids [][sha256.Size]byte
	seen := map[string]bool{}
	for _, e := range inv {
		if seen[e.OID] {
			continue
		}
		seen[e.OID] = true
		var id [sha256.Size]byte
		if n, err := hex.Decode(id[:], []byte(e.OID)); err != nil || n != len(id) {
			return nil, providers.ErrNoStamp
		}
		oids = append(oids, id)
	}
	sort.Slice(oids, func(i, j int) bool { return bytes.Compare(oids[i][:], oids[j][:]) < 0 })
	stats, ok := p.movedDigest(base, oids)
	if !ok {
		stats, err = p.statDigest(ctx, oids)
	}
	if errors.Is(err, errUnstored) {
		// Not every object is here: the next plan has work to show.
		return nil, providers.ErrNoStamp
	}
	if err != nil {
		return nil, err
	}
	return encodeStamp(data, stats, oids), nil
}

// encodeStamp lays out the stamp of the inventory file data, whose
// objects' ids are oids (sorted) and stat digest stats.
func encodeStamp(data []byte, stats [sha256.Size]byte, oids [][sha256.Size]byte) []byte {
	invSum := sha256.Sum256(data)
	out := make([]byte, 0, 2*sha256.Size+len(oids)*sha256.Size)
	out = append(append(out, invSum[:]...), stats[:]...)
	for _, id := range oids {
		out = append(out, id[:]...)
	}
	return out
}

// movedDigest is the stat digest of oids (sorted) from base's: base's
// minus the terms of the objects that left its list, plus those of the
// objects that joined it. false when base is not a stamp or an object
// cannot be stated.
func (p *Provider) movedDigest(base []byte, oids [][sha256.Size]byte) ([sha256.Size]byte, bool) {
	var sum [sha256.Size]byte
	if len(base) < 2*sha256.Size || len(base)%sha256.Size != 0 {
		return sum, false
	}
	copy(sum[:], base[sha256.Size:2*sha256.Size])
	old := base[2*sha256.Size:]
	probe, err := p.store.prober()
	if err != nil {
		return sum, false
	}
	defer probe.close()
	move := func(oid [sha256.Size]byte, sub bool) bool {
		term, err := statTerm(probe, oid)
		if err != nil {
			return false
		}
		sum = addDigest(sum, term, sub)
		return true
	}
	// Both lists are sorted: walk them side by side.
	i, j := 0, 0
	for i < len(old)/sha256.Size || j < len(oids) {
		var o [sha256.Size]byte
		c := 1
		if i < len(old)/sha256.Size {
			copy(o[:], old[i*sha256.Size:])
			c = -1
			if j < len(oids) {
				c = bytes.Compare(o[:], oids[j][:])
			}
		}
		switch {
		case c == 0:
			i, j = i+1, j+1
		case c < 0: // left the list
			if !move(o, true) {
				return sum, false
			}
			i++
		default: // joined it
			if !move(oids[j], false) {
				return sum, false
			}
			j++
		}
	}
	return sum, true
}

// errUnstored is statDigest's answer when an object is not in the store.
var errUnstored = errors.New("lfs: an inventory object is not stored")

// Unchanged implements providers.Stamper.
func (p *Provider) Unchanged(ctx context.Context, stamp []byte) (bool, error) {
	if same, err := p.UnchangedBeforeLock(ctx, stamp); !same || err != nil {
		return false, err
	}
	return p.statsHold(ctx, stamp)
}

// UnchangedBeforeLock implements providers.LockedStamper: the inventory
// file's check, without the stat of every object, which the
// transaction's ReadScope makes under the lock.
func (p *Provider) UnchangedBeforeLock(ctx context.Context, stamp []byte) (bool, error) {
	if p.remote != nil || len(stamp) < 2*sha256.Size || len(stamp)%sha256.Size != 0 {
		return false, nil
	}
	_, invSum, err := p.store.inventoryFile()
	if errors.Is(err, os.ErrNotExist) {
		invSum = sha256.Sum256([]byte(emptyInventory))
		err = nil
	}
	if err != nil {
		return false, err
	}
	return bytes.Equal(invSum[:], stamp[:sha256.Size]), nil
}

// statsHold reports whether every object stamp names stats as it did:
// Unchanged without the inventory file's check.
func (p *Provider) statsHold(ctx context.Context, stamp []byte) (bool, error) {
	if len(stamp) < 2*sha256.Size || len(stamp)%sha256.Size != 0 {
		return false, nil
	}
	ids := stamp[2*sha256.Size:]
	oids := make([][sha256.Size]byte, len(ids)/sha256.Size)
	for i := range oids {
		copy(oids[i][:], ids[i*sha256.Size:])
	}
	stats, err := p.statDigest(ctx, oids)
	if errors.Is(err, errUnstored) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return bytes.Equal(stats[:], stamp[sha256.Size:2*sha256.Size]), nil
}

// statDigest digests what stat says of each object: the sum, modulo
// 2^256, of the SHA-256 of each object's id and stat (statTerm). A sum,
// not one hash of them all, so that an apply of a few objects can move a
// recorded digest on by what it changed (see StampScope) instead of
// stating every object again.
func (p *Provider) statDigest(ctx context.Context, oids [][sha256.Size]byte) ([sha256.Size]byte, error) {
	probe, err := p.store.prober()
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	defer probe.close()
	terms := make([][sha256.Size]byte, len(oids))
	errs := make([]error, len(oids))
	parallel.Each(len(oids), readWorkers, func(i int) {
		if errs[i] = ctx.Err(); errs[i] != nil {
			return
		}
		terms[i], errs[i] = statTerm(probe, oids[i])
	})
	var sum [sha256.Size]byte
	for i := range oids {
		if errs[i] != nil {
			return [sha256.Size]byte{}, errs[i]
		}
		sum = addDigest(sum, terms[i], false)
	}
	return sum, nil
}

// statTerm is one object's term of statDigest.
func statTerm(probe prober, oid [sha256.Size]byte) ([sha256.Size]byte, error) {
	st, ok, err := probe.stamp(hex.EncodeToString(oid[:]))
	if err == nil && !ok {
		err = errUnstored
	}
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	buf := append(make([]byte, 0, sha256.Size+5*8), oid[:]...)
	for _, v := range st {
		buf = binary.LittleEndian.AppendUint64(buf, uint64(v))
	}
	return sha256.Sum256(buf), nil
}

// addDigest returns a+b (a-b when sub), the digests read as 256-bit
// little-endian integers, modulo 2^256.
func addDigest(a, b [sha256.Size]byte, sub bool) [sha256.Size]byte {
	var out [sha256.Size]byte
	var carry uint64
	for i := 0; i < sha256.Size; i += 8 {
		x, y := binary.LittleEndian.Uint64(a[i:]), binary.LittleEndian.Uint64(b[i:])
		var r uint64
		if sub {
			r, carry = bits.Sub64(x, y, carry)
		} else {
			r, carry = bits.Add64(x, y, carry)
		}
		binary.LittleEndian.PutUint64(out[i:], r)
	}
	return out
}
