package lfs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
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
	return p.stampOf(ctx, inv)
}

// stampOf stamps the store as holding inv.
func (p *Provider) stampOf(ctx context.Context, inv inventory) ([]byte, error) {
	data, err := encodeInventory(inv)
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
	stats, err := p.statDigest(ctx, oids)
	if errors.Is(err, errUnstored) {
		// Not every object is here: the next plan has work to show.
		return nil, providers.ErrNoStamp
	}
	if err != nil {
		return nil, err
	}
	invSum := sha256.Sum256(data)
	out := make([]byte, 0, 2*sha256.Size+len(oids)*sha256.Size)
	out = append(append(out, invSum[:]...), stats[:]...)
	for _, id := range oids {
		out = append(out, id[:]...)
	}
	return out, nil
}

// errUnstored is statDigest's answer when an object is not in the store.
var errUnstored = errors.New("lfs: an inventory object is not stored")

// Unchanged implements providers.Stamper.
func (p *Provider) Unchanged(ctx context.Context, stamp []byte) (bool, error) {
	if p.remote != nil || len(stamp) < 2*sha256.Size || len(stamp)%sha256.Size != 0 {
		return false, nil
	}
	data, err := os.ReadFile(p.store.inventoryPath())
	if errors.Is(err, os.ErrNotExist) {
		data, err = encodeInventory(inventory{})
	}
	if err != nil {
		return false, err
	}
	if invSum := sha256.Sum256(data); !bytes.Equal(invSum[:], stamp[:sha256.Size]) {
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

// statDigest digests what stat says of each object, in order.
func (p *Provider) statDigest(ctx context.Context, oids [][sha256.Size]byte) ([sha256.Size]byte, error) {
	probe, err := p.store.prober()
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	defer probe.close()
	stats := make([][5]int64, len(oids))
	errs := make([]error, len(oids))
	parallel.Each(len(oids), readWorkers, func(i int) {
		if errs[i] = ctx.Err(); errs[i] != nil {
			return
		}
		var ok bool
		stats[i], ok, errs[i] = probe.stamp(hex.EncodeToString(oids[i][:]))
		if errs[i] == nil && !ok {
			errs[i] = errUnstored
		}
	})
	h := sha256.New()
	var buf []byte
	for i := range oids {
		if errs[i] != nil {
			return [sha256.Size]byte{}, errs[i]
		}
		buf = buf[:0]
		for _, v := range stats[i] {
			buf = binary.LittleEndian.AppendUint64(buf, uint64(v))
		}
		h.Write(buf)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum, nil
}
