package lfs

import (
	"context"
	"fmt"

	"scriptsync/providers"
)

// Read reports which of the wanted objects are stored: in the local store
// and, when a remote is configured, on the remote too (asked with upload
// batch requests, so that "present" means what an upload would decide).
// Each present object is reported as it was wanted, without its Payload.
// Objects that are not wanted are never reported, whatever the store holds:
// LFS objects are never deleted. The version is always "": nothing about a
// content-addressed store can make a saved plan stale.
func (p *Provider) Read(ctx context.Context, want []*providers.Object) (*providers.State, error) {
	local := map[string]bool{}
	var ask []Object
	for _, w := range want {
		oid := w.Hash
		if w.Type != ObjectType || !validOID(oid) {
			continue
		}
		if _, seen := local[oid]; seen {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ok, err := p.store.Has(oid, w.Size)
		if err != nil {
			return nil, fmt.Errorf("lfs: read local store: %w", err)
		}
		local[oid] = ok
		if ok {
			ask = append(ask, Object{OID: oid, Size: w.Size, Label: label(w)})
		}
	}
	if p.remote != nil && len(ask) > 0 {
		missing, err := p.remote.Missing(ctx, ask)
		if err != nil {
			return nil, err
		}
		for oid := range missing {
			local[oid] = false
		}
	}
	state := &providers.State{}
	for _, w := range want {
		if w.Type == ObjectType && local[w.Hash] {
			o := *w
			o.Payload = nil
			state.Objects = append(state.Objects, &o)
		}
	}
	return state, nil
}

// label names an object for errors: its address and source file.
func label(o *providers.Object) string {
	if src, ok := o.Attrs["source"].(string); ok && src != "" {
		return fmt.Sprintf("%s (%s)", o.Address, src)
	}
	return o.Address
}
