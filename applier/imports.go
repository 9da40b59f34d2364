package applier

import (
	"context"

	"scriptsync/address"
	"scriptsync/planner"
	"scriptsync/providers"
)

// importAll asks every backend whose reader (the provider, or its Tx) is
// a providers.Importer for the unmanaged objects opts.Imports name, side
// by side. It returns them by backend, with the want each backend's Read
// gets: its desired objects without the imported addresses, so that a
// file in the way that an import covers is no conflict. A plan of the
// imports alone (scriptsync import ADDR ID) or of forgetting alone (state
// rm) narrows want to what lies within its addresses: another unmanaged
// object the configuration declares is none of that plan's business.
func importAll(ctx context.Context, backends []Backend, opts planner.Options, reader func(i int) any) ([][]*providers.Object, [][]*providers.Object, error) {
	imports := opts.Imports
	imported := make([][]*providers.Object, len(backends))
	wants := make([][]*providers.Object, len(backends))
	var only []string
	switch {
	case opts.ImportOnly:
		for _, imp := range imports {
			only = append(only, imp.To)
		}
	case opts.ForgetOnly:
		only = opts.Forget
	}
	for i, b := range backends {
		wants[i] = b.Desired
		if len(only) > 0 {
			var w []*providers.Object
			for _, o := range b.Desired {
				if address.WithinAny(o.Address, only) {
					w = append(w, o)
				}
			}
			wants[i] = w
		}
	}
	if len(imports) == 0 {
		return imported, wants, nil
	}
	err := each(backends, func(i int, b Backend) error {
		im, ok := reader(i).(providers.Importer)
		if !ok {
			return nil
		}
		objs, err := im.Import(ctx, imports, b.Desired)
		if err != nil {
			return &providers.OpError{Provider: b.Provider.Name(), Op: "import", Err: err}
		}
		imported[i] = objs
		if len(objs) == 0 {
			return nil
		}
		found := make(map[string]bool, len(objs))
		for _, o := range objs {
			found[o.Address] = true
		}
		want := make([]*providers.Object, 0, len(wants[i]))
		for _, o := range wants[i] {
			if !found[o.Address] {
				want = append(want, o)
			}
		}
		wants[i] = want
		return nil
	})
	return imported, wants, err
}

// withWants returns backends with wants as their desired objects, for
// Read: the want each backend's Read gets (see importAll).
func withWants(backends []Backend, wants [][]*providers.Object) []Backend {
	out := make([]Backend, len(backends))
	for i, b := range backends {
		out[i] = b
		out[i].Desired = wants[i]
	}
	return out
}
