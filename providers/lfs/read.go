package lfs

import (
	"context"
	"fmt"

	"scriptsync/internal/parallel"
	"scriptsync/library"
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
	has := make([]bool, len(check))
	errs := make([]error, len(check))
	probe, err := p.store.prober()
	if err != nil {
		return nil, fmt.Errorf("lfs: read local store: %w", err)
	}
	defer probe.close()
	parallel.Each(len(check), readWorkers, func(i int) {
		if errs[i] = ctx.Err(); errs[i] == nil {
			has[i], errs[i] = probe.has(check[i].Hash, check[i].Size)
		}
	})
	local := make(map[string]bool, len(check))
	var ask []Object
	for i, w := range check {
		if err := errs[i]; err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return nil, ctxErr
			}
			return nil, fmt.Errorf("lfs: read local store: %w", err)
		}
		local[w.Hash] = has[i]
		if has[i] && p.remote != nil {
			ask = append(ask, Object{OID: w.Hash, Size: w.Size, Label: label(w)})
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
