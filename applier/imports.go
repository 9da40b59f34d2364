package applier

import (
	"context"

	"scriptsync/address"
	"scriptsync/providers"
)

// importAll asks every backend whose reader (the provider, or its Tx) is
// a providers.Importer for the unmanaged objects the imports name, side by
// side. It returns them by backend, with the want each backend's Read
// gets: its desired objects without the imported addresses, so that a
// file in the way that an import covers is no conflict. With only (a plan
// of the imports alone, scriptsync import ADDR ID), want is narrowed to
// what lies within the imports' addresses: another unmanaged object the
// configuration declares is none of that plan's business.
func importAll(ctx context.Context, backends []Backend, imports []providers.Import, only bool, reader func(i int) any) ([][]*providers.Object, [][]*providers.Object, error) {
	imported := make([][]*providers.Object, len(backends))
	wants := make([][]*providers.Object, len(backends))
	var tos []string
	for _, imp := range imports {
		tos = append(tos, imp.To)
	}
	for i, b := range backends {
		wants[i] = b.Desired
		if only && len(tos) > 0 {
			var w []*providers.Object
			for _, o := range b.Desired {
				if address.WithinAny(o.Address, tos) {
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
