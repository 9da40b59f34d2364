package applier

import (
	"context"

	"scriptsync/address"
	"scriptsync/planner"
	"scriptsync/providers"
)

// Imports are read in two steps around Read. importWants gives each
// backend's Read its want: its desired objects, without those within an
// import's address on a backend that can import (a file there is in the
// way until the import takes it over: no conflict). Then importPending
// asks each such backend for the unmanaged objects of the imports whose
// addresses its state does not hold: an import block left in the
// configuration after its apply costs a plan nothing.

// importWants returns the want each backend's Read gets (see above). A
// plan of the imports alone (scriptsync import ADDR ID) or of forgetting
// alone (state rm) narrows it to what lies within its addresses: another
// unmanaged object the configuration declares is none of that plan's
// business. reader(i) is what Read and Import are called on: the
// provider, or its Tx.
func importWants(backends []Backend, opts planner.Options, reader func(i int) any) [][]*providers.Object {
	var only, tos []string
	for _, imp := range opts.Imports {
		tos = append(tos, imp.To)
	}
	switch {
	case opts.ImportOnly:
		only = tos
	case opts.ForgetOnly:
		only = opts.Forget
	}
	wants := make([][]*providers.Object, len(backends))
	for i, b := range backends {
		_, imports := reader(i).(providers.Importer)
		if len(only) == 0 && (len(tos) == 0 || !imports) {
			wants[i] = b.Desired
			continue
		}
		w := make([]*providers.Object, 0, len(b.Desired))
		for _, o := range b.Desired {
			if len(only) > 0 && !address.WithinAny(o.Address, only) {
				continue
			}
			if imports && len(tos) > 0 && address.WithinAny(o.Address, tos) {
				continue
			}
			w = append(w, o)
		}
		wants[i] = w
	}
	return wants
}

// importPending returns, by backend, the unmanaged objects the imports
// name that the backend's state does not hold already (see above).
func importPending(ctx context.Context, backends []Backend, imports []providers.Import, states []*providers.State, reader func(i int) any) ([][]*providers.Object, error) {
	imported := make([][]*providers.Object, len(backends))
	if len(imports) == 0 {
		return imported, nil
	}
	err := each(backends, func(i int, b Backend) error {
		im, ok := reader(i).(providers.Importer)
		if !ok {
			return nil
		}
		var pending []providers.Import
		for _, imp := range imports {
			if !holds(states[i], imp.To) {
				pending = append(pending, imp)
			}
		}
		if len(pending) == 0 {
			return nil
		}
		objs, err := im.Import(ctx, pending, b.Desired)
		if err != nil {
			return &providers.OpError{Provider: b.Provider.Name(), Op: "import", Err: err}
		}
		imported[i] = objs
		return nil
	})
	return imported, err
}

// holds reports whether the state has a managed object at addr.
func holds(st *providers.State, addr string) bool {
	if st == nil {
		return false
	}
	for _, o := range st.Objects {
		if o.Address == addr {
			return true
		}
	}
	return false
}

// withWants returns backends with wants as their desired objects, for
// Read.
func withWants(backends []Backend, wants [][]*providers.Object) []Backend {
	out := make([]Backend, len(backends))
	for i, b := range backends {
		out[i] = b
		out[i].Desired = wants[i]
	}
	return out
}
