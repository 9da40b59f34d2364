package config

import (
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

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
	sceneScript  map[string]string // scene address → script address
	charBlocks   []*charBlock
	embeddings   []*embeddingDecl
	bibles       []*library.Bible
	agents       []*library.Agent
	fountains    map[string]cty.Value // fountain() results by path
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
}

func newEvaluator(l *loader) *evaluator {
	ev := &evaluator{
		l:            l,
		locals:       map[string]cty.Value{},
		objects:      map[string]cty.Value{},
		provs:        map[string]*providers.Config{},
		seriesByAddr: map[string]*library.Series{},
		scriptByAddr: map[string]*library.Script{},
		sceneScript:  map[string]string{},
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
	if ev.l.diags.HasErrors() {
		return
	}
	ordered := ev.order(nodes)
	if ev.l.diags.HasErrors() {
		return
	}
	for _, n := range ordered {
		// Keep going after an error in one node only when its dependencies
		// are sound, so one mistake yields one diagnostic.
		if !depsDone(n) {
			continue
		}
		before := len(ev.l.diags)
		switch n.kind {
		case localNode:
			ev.evalLocal(n)
		case objectNode:
			ev.evalObject(n)
		case outputNode:
			ev.evalOutput(n)
		case providerNode:
			ev.evalProvider(n)
		}
		n.done = !hcl.Diagnostics(ev.l.diags[before:]).HasErrors()
	}
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
		out = append(out, &Variable{Name: name, Description: d.description, Sensitive: d.sensitive, Value: v, Range: d.rng})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// evalObject evaluates an object block: each of its for_each instances, or
// the block itself.
func (ev *evaluator) evalObject(n *node) {
	o := n.object
	ctx := ev.context(n)
	if o.forEach == nil {
		inst := ev.evalInstance(o, ctx, nil, cty.NilVal)
		if inst != nil {
			ev.objects[o.addr] = inst.value
		}
		return
	}
	fe, diags := o.forEach.Value(ctx)
	ev.l.diags = append(ev.l.diags, diags...)
	if diags.HasErrors() {
		return
	}
	rng := o.forEach.Range()
	if fe.ContainsMarked() {
		ev.diag(errorAt(rng, "Invalid for_each argument",
			"for_each cannot use sensitive values: instance keys appear in addresses, which are shown in plans."))
		return
	}
	if fe.IsNull() {
		ev.diag(errorAt(rng, "Invalid for_each argument", "for_each must be a map or a set of strings, not null."))
		return
	}
	ty := fe.Type()
	type kv struct {
		key string
		val cty.Value
	}
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
				return
			}
			items = append(items, kv{v.AsString(), v})
		}
	case ty.IsSetType() || ty.IsListType() || ty.IsTupleType():
		ev.diag(errorAt(rng, "Invalid for_each argument",
			"for_each must be a map or a set of strings; this is %s. Convert a list of strings with toset(...).", ty.FriendlyName()))
		return
	default:
		ev.diag(errorAt(rng, "Invalid for_each argument", "for_each must be a map or a set of strings; this is %s.", ty.FriendlyName()))
		return
	}
	sort.Slice(items, func(i, j int) bool { return items[i].key < items[j].key })
	values := map[string]cty.Value{}
	for _, it := range items {
		key := it.key
		each := cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(key), "value": it.val})
		child := ctx.NewChild()
		child.Variables = map[string]cty.Value{"each": each}
		if inst := ev.evalInstance(o, child, &key, it.val); inst != nil {
			values[key] = inst.value
		}
	}
	ev.objects[o.addr] = cty.ObjectVal(values)
}

// evalInstance evaluates one instance's attributes and builds its object.
func (ev *evaluator) evalInstance(o *objectDecl, ctx *hcl.EvalContext, key *string, _ cty.Value) *instance {
	inst := &instance{
		decl: o,
		key:  key,
		addr: library.Address(o.typ, o.name, key),
		vals: map[string]cty.Value{},
		rngs: map[string]hcl.Range{},
	}
	inst.meta = library.Meta{Address: inst.addr, Resource: inst.addr, PreventDestroy: o.preventDestroy, Range: o.rng}
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
		inst.rngs[spec.name] = a.Expr.Range()
		v, diags := a.Expr.Value(ctx)
		ev.l.diags = append(ev.l.diags, diags...)
		if diags.HasErrors() {
			ok = false
			continue
		}
		if v.ContainsMarked() {
			inst.meta.Sensitive = append(inst.meta.Sensitive, spec.name)
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
	var value cty.Value
	switch o.typ {
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
		return nil
	}
	inst.value = value
	return inst
}
