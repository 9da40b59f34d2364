package planner

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"scriptsync/address"
	"scriptsync/providers"
)

// Input is one provider's side of a plan.
type Input struct {
	Provider string
	Desired  []*providers.Object
	Actual   *providers.State
	// Imported are the unmanaged objects the backend holds for
	// Options.Imports (providers.Importer).
	Imported []*providers.Object
}

// Options shape a plan.
type Options struct {
	// Destroy plans the deletion of every managed object (of the targets).
	Destroy bool
	// Targets limits the plan to these addresses, what lies within them and
	// what they depend on.
	Targets []string
	// Replace names objects to delete and create again although they did
	// not change (-replace).
	Replace []string `json:",omitempty"`
	// NoRefresh skips the drift check (-refresh=false): the backends'
	// objects are taken as scriptsync recorded them.
	NoRefresh bool `json:",omitempty"`
	// RefreshOnly plans no change: the plan reports drift alone
	// (-refresh-only).
	RefreshOnly bool `json:",omitempty"`
	// Moved are the configuration's moved blocks: managed objects at From
	// (and within it) are followed to To.
	Moved []Move `json:",omitempty"`
	// Forget names addresses whose managed objects the plan would delete
	// but leaves in the backends instead, no longer managed (removed
	// blocks with destroy = false).
	Forget []string `json:",omitempty"`
	// ForgetOnly plans nothing but forgetting every managed object within
	// Forget, desired or not (state rm).
	ForgetOnly bool `json:",omitempty"`
	// Imports are the import blocks (or scriptsync import ADDR ID): the
	// unmanaged objects Input.Imported holds become managed.
	Imports []providers.Import `json:",omitempty"`
	// ImportOnly limits the plan to the imports' addresses, what lies
	// within them and what they depend on, as -target would, without its
	// warning (scriptsync import ADDR ID).
	ImportOnly bool `json:",omitempty"`
}

// Move is one moved block.
type Move struct {
	From, To string
}

// Plan is what an apply will do: plain data, rendered separately.
type Plan struct {
	// Changes holds every object's change, no-ops included, grouped by
	// provider in apply order and, within a provider, in the order Apply
	// must carry them out.
	Changes []*providers.Change
	Options Options
	// Versions are the backend versions the plan was computed from.
	Versions map[string]string
	// Warnings are things a human should know before applying.
	Warnings []string
	// PeerDrift is set when a backend is not at the version another
	// backend recorded at the last apply: an apply stopped between two
	// commits, or someone changed the backend outside scriptsync. Applying
	// records the current versions even when nothing else changes.
	PeerDrift bool
	// Drift lists the managed objects that changed outside scriptsync since
	// the last apply, as the refresh found them: Before is what scriptsync
	// recorded, After what the backend holds now (nil when it was deleted
	// outside). An apply repairs them; their repairs are in Changes.
	Drift []*providers.Change
	// Pending are the changes an apply makes that are not objects (a
	// schema migration), by provider.
	Pending []Pending
}

// Pending is a change to a backend that is not an object's.
type Pending struct {
	Provider    string
	Description string
}

// Summary counts a plan's changes the way its last line does.
type Summary struct {
	Add, Change, Destroy, Forget, Import int
}

// Summary counts creates, updates and deletes; a replacement counts as one
// add and one destroy.
func (p *Plan) Summary() Summary {
	var s Summary
	for _, c := range p.Changes {
		s.Count(c.Action)
		if c.Importing() != "" && c.Action != providers.Delete {
			s.Import++
		}
	}
	return s
}

// Count adds one change with action a to the summary.
func (s *Summary) Count(a providers.Action) {
	switch a {
	case providers.Create:
		s.Add++
	case providers.Update:
		s.Change++
	case providers.Delete:
		s.Destroy++
	case providers.Replace:
		s.Add++
		s.Destroy++
	case providers.Forget:
		s.Forget++
	}
}

// HasChanges reports whether applying the plan would change anything.
func (p *Plan) HasChanges() bool {
	if len(p.Pending) > 0 {
		return true
	}
	for _, c := range p.Changes {
		if c.Action != providers.NoOp || c.Importing() != "" {
			return true
		}
	}
	return false
}

// ProviderChanges returns the changes of one provider that do something
// (an import that changes nothing records the object as managed), in
// apply order.
func (p *Plan) ProviderChanges(provider string) []*providers.Change {
	var out []*providers.Change
	for _, c := range p.Changes {
		if c.Provider == provider && (c.Action != providers.NoOp || c.Importing() != "") {
			out = append(out, c)
		}
	}
	return out
}

// PreventDestroyError lists objects that a plan would delete or replace
// although they set lifecycle { prevent_destroy = true }.
type PreventDestroyError struct {
	Addresses []string
}

func (e *PreventDestroyError) Error() string {
	return fmt.Sprintf("planner: the plan would destroy %s, which has lifecycle.prevent_destroy set; remove the setting to allow it, or change the plan (-target, or keep the object in the configuration)",
		strings.Join(e.Addresses, ", "))
}

// Make computes a plan from each provider's desired and actual objects.
// inputs are in apply order.
func Make(inputs []Input, opts Options) (*Plan, error) {
	if err := checkTargets(inputs, opts.Targets); err != nil {
		return nil, err
	}
	if err := checkImports(inputs, opts.Imports); err != nil {
		return nil, err
	}
	p := &Plan{Options: opts, Versions: map[string]string{}}
	if len(opts.Targets) > 0 {
		p.Warnings = append(p.Warnings, targetWarning)
	}
	var protected []string
	replaced := map[string]bool{}
	for _, in := range inputs {
		actual := in.Actual
		if actual == nil {
			actual = &providers.State{}
		}
		p.Versions[in.Provider] = actual.Version
		p.Warnings = append(p.Warnings, actual.Warnings...)
		desired := in.Desired
		guard := map[string]bool{}
		for _, d := range in.Desired {
			if d.PreventDestroy {
				guard[d.Address] = true
			}
		}
		if opts.Destroy {
			desired = nil
		}
		if !opts.NoRefresh && len(actual.Drift) > 0 {
			actual = refresh(actual)
		} else if len(actual.Drift) > 0 {
			trimmed := *actual
			trimmed.Drift = nil
			actual = &trimmed
		}
		if !opts.Destroy && !opts.ForgetOnly && !opts.RefreshOnly {
			actual = withImports(actual, in.Imported)
		}
		if targets := opts.targets(); len(targets) > 0 {
			desired, actual = target(desired, actual, in.Desired, targets)
		}
		drift := append([]*providers.Change(nil), actual.Drift...)
		sort.SliceStable(drift, func(i, j int) bool { return drift[i].Before.Address < drift[j].Before.Address })
		for _, d := range drift {
			d.Provider = in.Provider
			p.Drift = append(p.Drift, d)
		}
		if opts.RefreshOnly {
			continue
		}
		for _, d := range actual.Pending {
			p.Pending = append(p.Pending, Pending{Provider: in.Provider, Description: d})
		}
		if opts.ForgetOnly {
			var forgets []*providers.Change
			for _, a := range actual.Objects {
				if address.WithinAny(a.Address, opts.Forget) {
					forgets = append(forgets, &providers.Change{Provider: in.Provider, Action: providers.Forget, Before: a})
				}
			}
			sort.Slice(forgets, func(i, j int) bool { return forgets[i].Before.Address < forgets[j].Before.Address })
			p.Changes = append(p.Changes, forgets...)
			continue
		}
		objs, origin := follow(actual.Objects, desired, opts.Moved)
		changes := diff(in.Provider, desired, objs)
		for _, c := range changes {
			if o, ok := origin[c.Before]; ok {
				c.Before = o
				if c.Action == providers.NoOp {
					c.Action = providers.Update
				}
			}
		}
		for _, c := range changes {
			if c.Action == providers.Delete && len(opts.Forget) > 0 && address.WithinAny(c.Before.Address, opts.Forget) {
				c.Action = providers.Forget
			}
		}
		settleImports(changes)
		forceReplace(changes, opts.Replace, replaced)
		repoint(changes)
		for _, c := range changes {
			if (c.Action == providers.Delete || c.Action == providers.Replace) && guard[c.Before.Address] {
				protected = append(protected, c.Before.Address)
			}
		}
		p.Changes = append(p.Changes, order(changes)...)
	}
	if len(protected) > 0 {
		sort.Strings(protected)
		return nil, &PreventDestroyError{Addresses: dedupe(protected)}
	}
	for _, r := range opts.Replace {
		if !replaced[r] {
			return nil, &ReplaceError{Address: r}
		}
	}
	p.checkPeers(inputs)
	return p, nil
}

// repoint turns into updates the unchanged objects that depend on an
// address whose object is now another one: created, deleted or replaced
// there, or moved there or away (a renumbered scene). Their rows still
// reference the old one, which the apply removes or moves.
func repoint(changes []*providers.Change) {
	other := map[string]bool{}
	for _, c := range changes {
		switch {
		case c.Action == providers.Create, c.Action == providers.Delete, c.Action == providers.Replace, c.Moved():
			if c.Before != nil {
				other[c.Before.Address] = true
			}
			if c.After != nil {
				other[c.After.Address] = true
			}
		}
	}
	if len(other) == 0 {
		return
	}
	for _, c := range changes {
		if c.Action != providers.NoOp || c.After == nil {
			continue
		}
		for _, d := range c.After.Deps {
			if other[d] {
				c.Action, c.Repoint = providers.Update, true
				break
			}
		}
	}
}

// follow applies the moved blocks to the actual objects: an object within
// a From whose new address the configuration declares, and that no actual
// object holds already, is diffed at its new address. origin maps each
// such stand-in back to the object as the backend holds it, for the
// change's Before.
func follow(actual, desired []*providers.Object, moves []Move) ([]*providers.Object, map[*providers.Object]*providers.Object) {
	if len(moves) == 0 {
		return actual, nil
	}
	rename := func(addr string) (string, bool) {
		for _, m := range moves {
			if address.Within(addr, m.From) {
				return m.To + addr[len(m.From):], true
			}
		}
		return addr, false
	}
	wanted := make(map[string]bool, len(desired))
	for _, d := range desired {
		wanted[d.Address] = true
	}
	held := make(map[string]bool, len(actual))
	for _, a := range actual {
		held[a.Address] = true
	}
	origin := map[*providers.Object]*providers.Object{}
	out := make([]*providers.Object, 0, len(actual))
	for _, a := range actual {
		to, ok := rename(a.Address)
		if !ok || wanted[a.Address] || !wanted[to] || held[to] {
			out = append(out, a)
			continue
		}
		moved := *a
		moved.Address = to
		if g, ok := rename(a.Group); ok {
			moved.Group = g
		}
		origin[&moved] = a
		out = append(out, &moved)
	}
	return out, origin
}

// refresh returns the state with its drift applied to the objects; Drift
// is kept, for the plan to report.
func refresh(st *providers.State) *providers.State {
	out := *st
	out.Objects = st.Refreshed()
	return &out
}

// checkPeers compares the versions each backend recorded for the others at
// the last apply with the versions they are at now.
func (p *Plan) checkPeers(inputs []Input) {
	for _, in := range inputs {
		if in.Actual == nil {
			continue
		}
		peers := make([]string, 0, len(in.Actual.Peers))
		for name := range in.Actual.Peers {
			peers = append(peers, name)
		}
		sort.Strings(peers)
		for _, name := range peers {
			recorded := in.Actual.Peers[name]
			now, ok := p.Versions[name]
			if !ok || now == recorded {
				continue
			}
			p.PeerDrift = true
			p.Warnings = append(p.Warnings, fmt.Sprintf(
				"%s is at %s, but the last apply recorded %s in %s. Either that apply stopped after %s committed and before %s did, or %s was changed outside scriptsync. This plan brings every backend to the configuration; applying it records the current versions.",
				name, shortVersion(now), shortVersion(recorded), in.Provider, name, in.Provider, name))
		}
	}
}

func shortVersion(v string) string {
	switch {
	case v == "":
		return "(nothing)"
	case len(v) > 12:
		return v[:12]
	}
	return v
}

// target narrows desired and actual objects to the targeted addresses,
// what lies within them, and (for desired objects) what they depend on.
// all is the provider's full desired set, used to resolve dependencies and
// Resource names when destroying.
func target(desired []*providers.Object, actual *providers.State, all []*providers.Object, targets []string) ([]*providers.Object, *providers.State) {
	hit := func(o *providers.Object) bool {
		for _, t := range targets {
			if address.Within(o.Address, t) || (o.Resource != "" && address.Within(o.Resource, t)) {
				return true
			}
		}
		return false
	}
	byAddr := make(map[string]*providers.Object, len(desired))
	for _, d := range desired {
		byAddr[d.Address] = d
	}
	keep := map[string]bool{}
	var visit func(o *providers.Object)
	visit = func(o *providers.Object) {
		if keep[o.Address] {
			return
		}
		keep[o.Address] = true
		for _, dep := range o.Deps {
			if d := byAddr[dep]; d != nil {
				visit(d)
			}
		}
	}
	for _, d := range desired {
		if hit(d) {
			visit(d)
		}
	}
	// Resource names of actual objects come from the configuration.
	resource := map[string]string{}
	for _, o := range all {
		resource[o.Address] = o.Resource
	}
	var outDesired []*providers.Object
	for _, d := range desired {
		if keep[d.Address] {
			outDesired = append(outDesired, d)
		}
	}
	out := &providers.State{Version: actual.Version, Peers: actual.Peers}
	kept := func(a *providers.Object) bool {
		probe := *a
		if probe.Resource == "" {
			probe.Resource = resource[a.Address]
		}
		return keep[a.Address] || hit(&probe)
	}
	for _, a := range actual.Objects {
		if kept(a) {
			out.Objects = append(out.Objects, a)
		}
	}
	for _, d := range actual.Drift {
		if kept(d.Before) {
			out.Drift = append(out.Drift, d)
		}
	}
	return outDesired, out
}

func dedupe(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// EqualValue compares attribute values as JSON, so that 3 and 3.0, or a
// value before and after a round trip through a backend, compare equal.
func EqualValue(a, b any) bool {
	ja, erra := json.Marshal(a)
	jb, errb := json.Marshal(b)
	return erra == nil && errb == nil && string(ja) == string(jb)
}

// Digest identifies what a plan would do: two plans with equal digests make
// the same changes. A saved plan records it; applying the plan recomputes
// it under the backends' locks and refuses on a difference.
func (p *Plan) Digest() string {
	h := sha256.New()
	for _, c := range p.Changes {
		if c.Action == providers.NoOp && c.Importing() == "" {
			continue
		}
		fmt.Fprintf(h, "%s\x00%s\x00", c.Provider, c.Action)
		if id := c.Importing(); id != "" {
			fmt.Fprintf(h, "import\x00%s\x00", id)
		}
		for _, o := range []*providers.Object{c.Before, c.After} {
			if o == nil {
				h.Write([]byte("-\x00-\x00"))
				continue
			}
			fmt.Fprintf(h, "%s\x00%s\x00", o.Address, o.Hash)
		}
	}
	for _, pd := range p.Pending {
		fmt.Fprintf(h, "pending\x00%s\x00%s\x00", pd.Provider, pd.Description)
	}
	fmt.Fprintf(h, "destroy=%t\x00targets=%s", p.Options.Destroy, strings.Join(p.Options.Targets, "\x01"))
	if len(p.Options.Replace) > 0 {
		fmt.Fprintf(h, "\x00replace=%s", strings.Join(p.Options.Replace, "\x01"))
	}
	return hex.EncodeToString(h.Sum(nil))
}
