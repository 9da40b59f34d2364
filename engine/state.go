package engine

import (
	"context"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"scriptsync/applier"
	"scriptsync/providers"
	"scriptsync/render"
)

// State reads every backend side by side, without locking, and returns
// the objects they hold for scriptsync, by address (objects of equal
// address in apply order).
func (w *Workspace) State(ctx context.Context) ([]render.Managed, error) {
	states, err := applier.Read(ctx, w.Backends)
	if err != nil {
		return nil, err
	}
	var out []render.Managed
	for i, b := range w.Backends {
		for _, o := range states[i].Refreshed() {
			out = append(out, render.Managed{Provider: b.Provider.Name(), Object: o})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Object.Address < out[j].Object.Address })
	return out, nil
}

// Formats returns the version of every data format a provider stores in
// a versioned format of its own (providers.SchemaVersioner), by provider
// name. Each provider is built with its defaults, as without a block in
// dir; none touches its backend.
func Formats(dir string, getenv func(string) string) map[string]string {
	out := map[string]string{}
	for _, reg := range providers.Registered() {
		p, diags := reg.Factory(&providers.Config{Name: reg.Name, Dir: dir, Attrs: map[string]cty.Value{},
			Ranges: map[string]hcl.Range{}, Getenv: getenv})
		if diags.HasErrors() || p == nil {
			continue
		}
		if sv, ok := p.(providers.SchemaVersioner); ok {
			out[reg.Name] = sv.SchemaVersion()
		}
		_ = p.Close()
	}
	return out
}
