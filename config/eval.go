package config

import (
	"sort"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"scriptsync/address"
	"scriptsync/library"
	"scriptsync/providers"
)

// sensitiveMark marks values that derive from sensitive variables.
const sensitiveMark = "sensitive"

// evaluator evaluates a configuration's nodes in dependency order and
// collects the objects they declare.
type evaluator struct {
	l       *loader
	funcs   map[string]function.Function
	varsVal cty.Value
	locals  map[string]cty.Value
	objects map[string]cty.Value // block address → its value for references
	outputs []*Output
	provs   map[string]*providers.Config

	series       []*library.Series
	seriesByAddr map[string]*library.Series
	scripts      []*library.Script
	scriptByAddr map[string]*library.Script
	sceneBlocks  []*library.Scene
	sceneByAddr  map[string]*library.Scene
	embedPaths   map[string]string // embedding path → the embedding that took it
	displaced    map[string]bool   // Fingerprint.Displaced
	charBlocks   []*charBlock
	embeddings   []*library.Embedding
	bibles       []*library.Bible
	agents       []*library.Agent
	fountains    map[string]cty.Value // fountain() results by path
	deferred     []*deferral          // for_each blocks to build last
	// credVars are the variables provider blocks read, directly or through
	// locals: their values may be credentials (a DSN with a password).
	credVars map[string]bool
	// only, when set, are the nodes a scoped evaluation covers (see
	// scope.go); dirty are those whose value may have changed.
	only, dirty map[*node]bool
	// removed are the blocks a change removed (see reach), by address.
	removed map[string]bool
	// unsure is set when the graph's stubs (see stubs) may not be what
	// the files they stand for declare: load parses every file.
	unsure bool
	// stubbed is set when the graph has stubs: only an evaluation of
	// what changed builds them, once recall has found what did.
	stubbed bool
}

// instance is one evaluated instance of an object block.
type instance struct {
	decl  *objectDecl
	key   *string // for_each key, nil without for_each
	addr  string
	vals  map[string]cty.Value
	rngs  map[string]hcl.Range
	meta  library.Meta
	value cty.Value
	// unreferenced is set when nothing refers to the instance's block:
	// a build may then skip making a value nobody reads.
	unreferenced bool
}

func newEvaluator(l *loader) *evaluator {
	ev := &evaluator{
		l:            l,
		locals:       map[string]cty.Value{},
		objects:      map[string]cty.Value{},
		provs:        map[string]*providers.Config{},
		seriesByAddr: map[string]*library.Series{},
		scriptByAddr: map[string]*library.Script{},
		sceneByAddr:  map[string]*library.Scene{},
		embedPaths:   map[string]string{},
		displaced:    map[string]bool{},
		fountains:    map[string]cty.Value{},
	}
	ev.funcs = ev.functions()
	vars := map[string]cty.Value{}
	for name, v := range l.vars {
		vars[name] = v
	}
	ev.varsVal = cty.ObjectVal(vars)
	return ev
}

func (ev *evaluator) diag(d *hcl.Diagnostic) { ev.l.diags = append(ev.l.diags, d) }

func (ev *evaluator) run() {
	nodes := ev.buildGraph()
	if ev.l.diags.HasErrors() || ev.unsure {
		return
	}
	ordered := ev.order(nodes)
	if ev.l.diags.HasErrors() {
		return
	}
	for _, n := range ordered {
		n.leaf = true
	}
	for _, n := range ordered {
		for _, d := range n.deps {
			d.leaf = false
		}
	}
	// The provider blocks, and what they refer to, are evaluated first, so
	// that Options.OnProviders hears of the backends as early as it can;
	// then the rest, in order. Diagnostics keep the order of ordered.
	first := providerClosure(ordered)
	if ev.l.deferred != nil {
		for n := range first {
			for target := range n.refs {
				if ev.l.deferredAddrs[target] {
					// A provider needs a deferred file: load parses it
					// and evaluates again.
					return
				}
			}
		}
	}
	ev.credVars = varRoots(first)
	seq := make([]int, 0, len(ordered)) // positions in ordered, in evaluation order
	for i, n := range ordered {
		if first[n] {
			seq = append(seq, i)
		}
	}
	announceAt := len(seq) - 1
	for i, n := range ordered {
		if !first[n] {
			seq = append(seq, i)
		}
	}
	inOrder := make([]*node, len(seq))
	for k, i := range seq {
		inOrder[k] = ordered[i]
	}
	// The sources are read ahead once the providers are announced: a
	// configuration that Options.Recall finds unchanged reads none.
	prefetch := func() bool {
		if ev.announceProviders(first) && ev.l.recall() {
			return false
		}
		if ev.l.deferred != nil && ev.l.delta == nil {
			// The rest needs the deferred files: load parses them and
			// evaluates again.
			return false
		}
		if ev.l.deferred != nil && !ev.stubbed {
			// What changed is known: load evaluates again, with the
			// deferred files' blocks as stubs.
			ev.l.partial = map[string]bool{}
			return false
		}
		if ev.l.delta != nil {
			if ev.only = ev.reach(ordered, ev.l.delta); ev.only == nil {
				ev.l.delta = nil
				if ev.l.opts.Whole != nil {
					ev.l.opts.Whole()
				}
				if ev.l.deferred != nil {
					return false // the whole configuration, every file parsed
				}
			} else if ev.l.deferred != nil {
				// The scope needs the files of the stubs it reaches:
				// load parses them and evaluates again.
				for n := range ev.only {
					if n.stub != nil {
						if ev.l.partial == nil {
							ev.l.partial = map[string]bool{}
						}
						ev.l.partial[ev.l.deferredFile[n.addr]] = true
					}
				}
				if ev.l.partial != nil {
					return false
				}
				ev.l.settled = true
			}
		}
		ev.prefetchLiteralSources(ev.within(inOrder))
		return true
	}
	if announceAt < 0 && !prefetch() {
		return
	}
	base := len(ev.l.diags)
	var spans []diagSpan
	for k, i := range seq {
		n := ordered[i]
		// Keep going after an error in one node only when its dependencies
		// are sound, so one mistake yields one diagnostic.
		if (ev.only == nil || ev.only[n]) && depsDone(n) {
			before := len(ev.l.diags)
			switch n.kind {
			case localNode:
				ev.evalLocal(n)
			case objectNode:
				if d := ev.evalObject(n); d != nil {
					d.pos = i
				}
			case outputNode:
				ev.evalOutput(n)
			case providerNode:
				ev.evalProvider(n)
			}
			n.done = !hcl.Diagnostics(ev.l.diags[before:]).HasErrors()
			spans = append(spans, diagSpan{i, before, len(ev.l.diags)})
		}
		if k == announceAt && !prefetch() {
			return
		}
	}
	for _, d := range ev.deferred {
		before := len(ev.l.diags)
		ev.finish(d)
		d.n.done = d.n.done && !hcl.Diagnostics(ev.l.diags[before:]).HasErrors()
		spans = append(spans, diagSpan{d.pos, before, len(ev.l.diags)})
	}
	ev.l.diags = append(ev.l.diags[:base], orderDiags(ev.l.diags, spans)...)
}

// providerClosure returns the provider nodes and the nodes they depend
// on, directly or not.
func providerClosure(ordered []*node) map[*node]bool {
	in := map[*node]bool{}
	var add func(n *node)
	add = func(n *node) {
		if in[n] {
			return
		}
		in[n] = true
		for _, d := range n.deps {
			add(d)
		}
	}
	for _, n := range ordered {
		if n.kind == providerNode {
			add(n)
		}
	}
	return in
}

// announceProviders tells Options.OnProviders the providers' configuration
// once the provider blocks evaluated without error, and reports whether
// it did.
func (ev *evaluator) announceProviders(first map[*node]bool) bool {
	if ev.l.opts.OnProviders == nil {
		return false
	}
	for n := range first {
		if !n.done {
			return false
		}
	}
	if !ev.l.announced {
		ev.l.announced = true
		ev.l.opts.OnProviders(ev.providerConfigs())
	}
	return true
}

// diagSpan is where one node's diagnostics are in the list: [from, to).
type diagSpan struct{ pos, from, to int }

// orderDiags returns the diagnostics of spans ordered by node position, in
// their order within each node.
func orderDiags(diags hcl.Diagnostics, spans []diagSpan) hcl.Diagnostics {
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].pos < spans[j].pos })
	var out hcl.Diagnostics
	for _, s := range spans {
		out = append(out, diags[s.from:s.to]...)
	}
	return out
}

func depsDone(n *node) bool {
	for _, d := range n.deps {
		if !d.done {
			return false
		}
	}
	return true
}

// context returns the evaluation context for a node's expressions: var,
// and the locals and objects the node refers to.
func (ev *evaluator) context(n *node) *hcl.EvalContext {
	vars := map[string]cty.Value{"var": ev.varsVal}
	locals := map[string]cty.Value{}
	byType := map[string]map[string]cty.Value{}
	for target := range n.refs {
		switch typ, name := splitAddr(target); {
		case typ == "local":
			locals[name] = ev.locals[name]
		default:
			if byType[typ] == nil {
				byType[typ] = map[string]cty.Value{}
			}
			byType[typ][name] = ev.objects[target]
		}
	}
	vars["local"] = cty.ObjectVal(locals)
	for typ, m := range byType {
		vars[typ] = cty.ObjectVal(m)
	}
	return &hcl.EvalContext{Variables: vars, Functions: ev.funcs}
}

func splitAddr(addr string) (string, string) {
	for i := 0; i < len(addr); i++ {
		if addr[i] == '.' {
			return addr[:i], addr[i+1:]
		}
	}
	return addr, ""
}

func (ev *evaluator) evalLocal(n *node) {
	v, diags := n.local.Expr.Value(ev.context(n))
	ev.l.diags = append(ev.l.diags, diags...)
	if !diags.HasErrors() {
		ev.locals[n.local.Name] = v
	}
}

func (ev *evaluator) evalOutput(n *node) {
	o := n.output
	v, diags := o.value.Value(ev.context(n))
	ev.l.diags = append(ev.l.diags, diags...)
	if diags.HasErrors() {
		return
	}
	if v.ContainsMarked() && !o.sensitive {
		ev.diag(errorAt(o.value.Range(), "Output refers to sensitive values",
			"The value of output %q derives from a sensitive variable. Add sensitive = true to the output block to show that you mean to expose it (it is then redacted in human output).", o.name))
		return
	}
	v, _ = v.UnmarkDeep()
	ev.outputs = append(ev.outputs, &Output{Name: o.name, Sensitive: o.sensitive, Value: v, Range: o.rng})
}

func (ev *evaluator) evalProvider(n *node) {
	p := n.prov
	ctx := ev.context(n)
	cfg := &providers.Config{Name: p.name, Dir: ev.l.dir, Attrs: map[string]cty.Value{}, Ranges: map[string]hcl.Range{},
		DeclRange: p.rng, Getenv: ev.l.opts.Getenv}
	for _, a := range sortedAttrs(p.attrs) {
		v, diags := a.Expr.Value(ctx)
		ev.l.diags = append(ev.l.diags, diags...)
		if diags.HasErrors() {
			continue
		}
		v, _ = v.UnmarkDeep()
		cfg.Attrs[a.Name] = v
		cfg.Ranges[a.Name] = a.Expr.Range()
	}
	ev.provs[p.name] = cfg
}

// providerConfigs returns a configuration for every registered provider,
// each knowing its peers'.
func (ev *evaluator) providerConfigs() map[string]*providers.Config {
	out := map[string]*providers.Config{}
	for _, r := range providers.Registered() {
		cfg, ok := ev.provs[r.Name]
		if !ok {
			cfg = &providers.Config{Name: r.Name, Dir: ev.l.dir, Attrs: map[string]cty.Value{},
				Ranges: map[string]hcl.Range{}, Getenv: ev.l.opts.Getenv}
		}
		out[r.Name] = cfg
	}
	for name, cfg := range out {
		cfg.Peers = map[string]*providers.Config{}
		for peer, pc := range out {
			if peer != name {
				shallow := *pc
				shallow.Peers = nil
				cfg.Peers[peer] = &shallow
			}
		}
	}
	return out
}

func (ev *evaluator) variables() []*Variable {
	var out []*Variable
	for _, name := range ev.l.decl.varOrder {
		d := ev.l.decl.variables[name]
		v, ok := ev.l.vars[name]
		if !ok {
			continue
		}
		v, _ = v.UnmarkDeep()
		out = append(out, &Variable{Name: name, Description: d.description, Sensitive: d.sensitive,
			Credential: ev.credVars[name], Value: v, Range: d.rng})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// evalObject evaluates an object block: each of its for_each instances, or
// the block itself. A for_each block that reads a file per instance and
// that nothing refers to is built last (it returns its deferral), so that
// its files are read while the rest of the configuration is evaluated.
func (ev *evaluator) evalObject(n *node) *deferral {
	o := n.object
	ctx := ev.context(n)
	if o.forEach == nil {
		inst := ev.evalInstance(o, ctx, nil)
		if inst != nil {
			ev.objects[o.addr] = inst.value
		}
		return nil
	}
	fe, diags := o.forEach.Value(ctx)
	ev.l.diags = append(ev.l.diags, diags...)
	if diags.HasErrors() {
		return nil
	}
	rng := o.forEach.Range()
	if ev.l.marked && fe.ContainsMarked() {
		ev.diag(errorAt(rng, "Invalid for_each argument",
			"for_each cannot use sensitive values: instance keys appear in addresses, which are shown in plans."))
		return nil
	}
	if fe.IsNull() {
		ev.diag(errorAt(rng, "Invalid for_each argument", "for_each must be a map or a set of strings, not null."))
		return nil
	}
	ty := fe.Type()
	var items []kv
	switch {
	case ty.IsMapType() || ty.IsObjectType():
		for it := fe.ElementIterator(); it.Next(); {
			k, v := it.Element()
			items = append(items, kv{k.AsString(), v})
		}
	case ty.IsSetType() && ty.ElementType() == cty.String:
		for it := fe.ElementIterator(); it.Next(); {
			_, v := it.Element()
			if v.IsNull() {
				ev.diag(errorAt(rng, "Invalid for_each argument", "for_each sets cannot contain null."))
				return nil
			}
			items = append(items, kv{v.AsString(), v})
		}
	case ty.IsSetType() || ty.IsListType() || ty.IsTupleType():
		ev.diag(errorAt(rng, "Invalid for_each argument",
			"for_each must be a map or a set of strings; this is %s. Convert a list of strings with toset(...).", ty.FriendlyName()))
		return nil
	default:
		ev.diag(errorAt(rng, "Invalid for_each argument", "for_each must be a map or a set of strings; this is %s.", ty.FriendlyName()))
		return nil
	}
	sort.Slice(items, func(i, j int) bool { return items[i].key < items[j].key })
	// Attributes first, for every instance; then the files the instances
	// name are read side by side; then the objects are built, in key order.
	insts := make([]*instance, len(items))
	for i, it := range items {
		key := it.key
		each := cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(key), "value": it.val})
		child := ctx.NewChild()
		child.Variables = map[string]cty.Value{"each": each}
		if insts[i] = ev.evalAttrs(o, child, &key); insts[i] != nil {
			insts[i].unreferenced = n.leaf
		}
	}
	var sources []string
	for _, inst := range insts {
		if inst != nil {
			if v := inst.vals["source"]; v != cty.NilVal && !v.IsNull() {
				sources = append(sources, v.AsString())
			}
		}
	}
	d := &deferral{n: n, items: items, insts: insts}
	if n.leaf && readsSource(o.typ) {
		d.fetched = ev.l.inputs.prefetchAsync(sources, prepareFor(o.typ), keepsSource(o.typ), false)
		ev.deferred = append(ev.deferred, d)
		return d
	}
	ev.prefetch(o.typ, sources)
	ev.finish(d)
	return nil
}

// kv is one for_each element.
type kv struct {
	key string
	val cty.Value
}

// deferral is a for_each block whose attributes are evaluated and whose
// objects are still to build.
type deferral struct {
	n       *node
	pos     int // in evaluation order
	items   []kv
	insts   []*instance // nil where the attributes were in error
	fetched *sync.WaitGroup
}

// finish builds a for_each block's objects, in key order.
func (ev *evaluator) finish(d *deferral) {
	if d.fetched != nil {
		d.fetched.Wait()
	}
	if d.n.leaf {
		// Nothing refers to the block: build the objects, not its value.
		for _, inst := range d.insts {
			if inst != nil {
				ev.build(inst)
			}
		}
		ev.objects[d.n.object.addr] = cty.EmptyObjectVal
		d.items, d.insts = nil, nil
		return
	}
	values := make(map[string]cty.Value, len(d.items))
	for i, inst := range d.insts {
		if inst != nil && ev.build(inst) {
			values[d.items[i].key] = inst.value
		}
	}
	ev.objects[d.n.object.addr] = cty.ObjectVal(values)
	d.items, d.insts = nil, nil // built: what is left of them is in the library
}

// evalInstance evaluates one instance's attributes and builds its object.
func (ev *evaluator) evalInstance(o *objectDecl, ctx *hcl.EvalContext, key *string) *instance {
	inst := ev.evalAttrs(o, ctx, key)
	if inst == nil || !ev.build(inst) {
		return nil
	}
	return inst
}

// evalAttrs evaluates one instance's attributes, or returns nil with
// diagnostics.
func (ev *evaluator) evalAttrs(o *objectDecl, ctx *hcl.EvalContext, key *string) *instance {
	inst := &instance{
		decl: o,
		key:  key,
		addr: address.Of(o.typ, o.name, key),
		vals: make(map[string]cty.Value, len(objectAttrs[o.typ])),
		rngs: o.attrRanges(),
	}
	inst.meta = library.Meta{Address: inst.addr, Resource: inst.addr, PreventDestroy: o.preventDestroy, Range: o.rng, AttrRanges: inst.rngs}
	ok := true
	for _, spec := range objectAttrs[o.typ] {
		a, present := o.attrs[spec.name]
		if !present {
			if spec.required {
				ev.diag(errorAt(o.rng, "Missing required argument",
					"The argument %q is required in a %s block, but no definition was found.", spec.name, o.typ))
				ok = false
			}
			inst.vals[spec.name] = cty.NullVal(spec.typ)
			continue
		}
		v, diags := a.Expr.Value(ctx)
		ev.l.diags = append(ev.l.diags, diags...)
		if diags.HasErrors() {
			ok = false
			continue
		}
		if ev.l.marked && v.ContainsMarked() {
			if !referenceAttrs[spec.name] {
				inst.meta.Sensitive = append(inst.meta.Sensitive, spec.name)
			}
			v, _ = v.UnmarkDeep()
		}
		conv, err := convertValue(v, spec.typ)
		if err != nil {
			ev.diag(errorAt(a.Expr.Range(), "Incorrect attribute value type",
				"Inappropriate value for attribute %q: %s.", spec.name, err))
			ok = false
			continue
		}
		if conv.IsNull() && spec.required {
			ev.diag(errorAt(a.Expr.Range(), "Missing required argument", "The argument %q is required, but its value is null.", spec.name))
			ok = false
			continue
		}
		inst.vals[spec.name] = conv
	}
	if !ok {
		return nil
	}
	inst.meta.Sensitive = withDerived(o.typ, inst.meta.Sensitive)
	return inst
}

// build makes an instance's object from its attributes and sets its
// value; it reports false, with diagnostics, when it cannot.
func (ev *evaluator) build(inst *instance) bool {
	var value cty.Value
	switch inst.decl.typ {
	case "series":
		value = ev.buildSeries(inst)
	case "script":
		value = ev.buildScript(inst)
	case "scene":
		value = ev.buildScene(inst)
	case "character":
		value = ev.buildCharacter(inst)
	case "embedding":
		value = ev.buildEmbedding(inst)
	case "bible":
		value = ev.buildBible(inst)
	case "agent":
		value = ev.buildAgent(inst)
	}
	if value == cty.NilVal {
		return false
	}
	inst.value = markAttrs(value, inst.meta.Sensitive)
	return true
}
