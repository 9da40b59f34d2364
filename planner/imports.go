package planner

import (
	"fmt"

	"scriptsync/providers"
)

// ImportError is an import whose address the configuration does not
// declare.
type ImportError struct {
	Import providers.Import
	// Closest is the nearest declared address, "" when there is none.
	Closest string
}

func (e *ImportError) Error() string {
	msg := fmt.Sprintf("planner: import %s (id %q): the configuration declares no %s; declare it first, as the object the backend holds should be",
		e.Import.To, e.Import.ID, e.Import.To)
	if e.Closest != "" {
		msg += fmt.Sprintf("; did you mean %s?", e.Closest)
	}
	return msg
}

// checkImports returns an *ImportError for the first import whose address
// no provider desires.
func checkImports(inputs []Input, imports []providers.Import) error {
	if len(imports) == 0 {
		return nil
	}
	declared := map[string]bool{}
	for _, in := range inputs {
		for _, o := range in.Desired {
			declared[o.Address] = true
		}
	}
	for _, imp := range imports {
		if !declared[imp.To] {
			return &ImportError{Import: imp, Closest: closest(imp.To, declared)}
		}
	}
	return nil
}

// withImports adds to the actual objects the unmanaged ones the imports
// found. One at an address scriptsync manages already is left out: an
// import block of an object that is managed does nothing, as in
// Terraform, so that the block may stay in the configuration after the
// apply that imported it.
func withImports(actual *providers.State, imported []*providers.Object) *providers.State {
	if len(imported) == 0 {
		return actual
	}
	held := make(map[string]bool, len(actual.Objects))
	for _, o := range actual.Objects {
		held[o.Address] = true
	}
	out := *actual
	out.Objects = append(make([]*providers.Object, 0, len(actual.Objects)+len(imported)), actual.Objects...)
	for _, o := range imported {
		if !held[o.Address] {
			held[o.Address] = true
			out.Objects = append(out.Objects, o)
		}
	}
	return &out
}

// settleImports keeps an imported object's identity: an import that
// differs from the configuration in an attribute that would replace a
// managed object is updated in place instead (its row id, file or object
// stays).
func settleImports(changes []*providers.Change) {
	for _, c := range changes {
		if c.Importing() != "" && c.Action == providers.Replace {
			c.Action = providers.Update
		}
	}
}

// Imports counts the changes that import an object.
func (p *Plan) Imports() int {
	n := 0
	for _, c := range p.Changes {
		if c.Importing() != "" && c.Action != providers.Delete {
			n++
		}
	}
	return n
}

// targets are the addresses the plan is limited to: -target's, and with
// ImportOnly the imports'.
func (o *Options) targets() []string {
	if !o.ImportOnly {
		return o.Targets
	}
	out := append([]string(nil), o.Targets...)
	for _, imp := range o.Imports {
		out = append(out, imp.To)
	}
	return out
}
