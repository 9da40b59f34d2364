package lfs

import (
	"context"
	"fmt"
	"sort"

	"scriptsync/internal/parallel"
	"scriptsync/library"
	"scriptsync/providers"
)

// Read reports which of the wanted objects are stored: in the local store
// and, when a remote is configured, on the remote too (asked with upload
// batch requests, so that "present" means what an upload would decide).
// Each present object is reported as it was wanted, without its Payload.
// Besides, the objects of the inventory (those the last applies committed
// pointers to) that are still stored are reported at their recorded
// addresses, so that a plan deletes those the configuration no longer
// wants; any other object in the store is never reported. The version is
// always "": nothing about a content-addressed store can make a saved plan
// stale.
func (p *Provider) Read(ctx context.Context, want []*providers.Object) (*providers.State, error) {
	st, _, err := p.read(ctx, want)
	return st, err
}

// read is Read that also returns the wanted objects it found stored.
func (p *Provider) read(ctx context.Context, want []*providers.Object) (*providers.State, []*providers.Object, error) {
	inv, err := p.store.loadInventory()
	if err != nil {
		return nil, nil, err
	}
	// One stat per object, a few side by side: with thousands of objects
	// the system calls are the whole cost.
	var check []*providers.Object
	seen := map[string]bool{}
	for _, w := range want {
		if w.Type != ObjectType || !validOID(w.Hash) || seen[w.Hash] {
			continue
		}
		seen[w.Hash] = true
		check = append(check, w)
	}
	stamps, err := p.store.loadStamps()
	if err != nil {
		return nil, nil, err
	}
	has := make([]bool, len(check))
	sums := make([]string, len(check))
	errs := make([]error, len(check))
	probe, err := p.store.prober()
	if err != nil {
		return nil, nil, fmt.Errorf("lfs: read local store: %w", err)
	}
	defer probe.close()
	parallel.Each(len(check), readWorkers, func(i int) {
		if errs[i] = ctx.Err(); errs[i] == nil {
			oid := check[i].Hash
			var stamp string
			has[i], stamp, errs[i] = probe.probe(oid, check[i].Size)
			if has[i] && errs[i] == nil {
				sums[i], errs[i] = p.store.changedInPlace(oid, stamp, stamps[oid])
			}
		}
	})
	local := make(map[string]bool, len(check))
	modified := map[string]string{}
	var ask []Object
	for i, w := range check {
		if err := errs[i]; err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return nil, nil, ctxErr
			}
			return nil, nil, fmt.Errorf("lfs: read local store: %w", err)
		}
		local[w.Hash] = has[i]
		if sums[i] != "" {
			modified[w.Hash] = sums[i]
		}
		if has[i] && p.remote != nil {
			ask = append(ask, Object{OID: w.Hash, Size: w.Size, Label: label(w)})
		}
	}
	if p.remote != nil && len(ask) > 0 {
		missing, err := p.remote.Missing(ctx, ask)
		if err != nil {
			return nil, nil, err
		}
		for oid := range missing {
			local[oid] = false
		}
	}
	invOIDs := make(map[string]bool, len(inv))
	for _, e := range inv {
		invOIDs[e.OID] = true
	}
	state := &providers.State{}
	var stored []*providers.Object
	reported := map[string]bool{}
	for _, w := range want {
		if w.Type != ObjectType {
			continue
		}
		// An address the inventory names with another oid is reported as
		// recorded: that is what its committed pointer references.
		if e, ok := inv[w.Address]; ok && e.OID != w.Hash {
			continue
		}
		// An object the inventory holds under another address only is
		// that address's: reported there, so that a plan can follow a
		// moved embedding instead of deleting one and keeping the other.
		if _, ok := inv[w.Address]; !ok && invOIDs[w.Hash] {
			continue
		}
		if local[w.Hash] {
			o := *w
			o.Payload = nil
			state.Objects = append(state.Objects, &o)
			stored = append(stored, &o)
			reported[w.Address] = true
			if sum, ok := modified[w.Hash]; ok {
				state.Drift = append(state.Drift, &providers.Change{Provider: "lfs", Action: providers.Update, Before: &o, After: modifiedObject(&o, sum)})
			}
		}
	}
	addrs := make([]string, 0, len(inv))
	for addr := range inv {
		if !reported[addr] {
			addrs = append(addrs, addr)
		}
	}
	sort.Strings(addrs)
	for _, addr := range addrs {
		e := inv[addr]
		ok, stamp, err := probe.probe(e.OID, e.Size)
		var sum string
		if ok && err == nil {
			sum, err = p.store.changedInPlace(e.OID, stamp, stamps[e.OID])
		}
		if err != nil {
			return nil, nil, fmt.Errorf("lfs: read local store: %w", err)
		}
		o := e.object(addr)
		state.Objects = append(state.Objects, o)
		switch {
		case !ok:
			// Removed (or torn) outside scriptsync: drift, which a
			// refreshing plan stores again.
			state.Drift = append(state.Drift, &providers.Change{Provider: "lfs", Action: providers.Delete, Before: o})
		case sum != "":
			state.Drift = append(state.Drift, &providers.Change{Provider: "lfs", Action: providers.Update, Before: o, After: modifiedObject(o, sum)})
		}
	}
	return state, stored, nil
}

// readWorkers bounds the stats Read makes side by side.
const readWorkers = 4

// label names an object for errors: its address and source file.
func label(o *providers.Object) string {
	if e, ok := o.Payload.(*library.Embedding); ok && e.Source != "" {
		return fmt.Sprintf("%s (%s)", o.Address, e.Source)
	}
	if src, ok := o.Attributes()["source"].(string); ok && src != "" {
		return fmt.Sprintf("%s (%s)", o.Address, src)
	}
	return o.Address
}
