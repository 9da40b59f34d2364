package config

import (
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/agext/levenshtein"
	"github.com/hashicorp/hcl/v2"
)

// nodeKind is what a graph node evaluates.
type nodeKind int

const (
	localNode nodeKind = iota
	objectNode
	outputNode
	providerNode
)

// node is one thing to evaluate; its deps must be evaluated first.
type node struct {
	kind   nodeKind
	addr   string // local.x, script.pilot, output.x, provider.sql
	rng    hcl.Range
	exprs  []hcl.Expression
	local  *hcl.Attribute
	object *objectDecl
	output *outputDecl
	prov   *providerDecl
	deps   []*node
	// refs are the references found in exprs, by the node they name, with
	// the first range that names it (for cycle diagnostics).
	refs map[string]hcl.Range
	// stub is set on the node of a block in a file the block cache let
	// load leave unparsed (see stubs): its refs are the cache's, it has
	// no exprs, and it is never evaluated.
	stub *cachedBlock
	done bool
	// leaf is set when no other node refers to this one.
	leaf bool
}

// buildGraph makes one node per local, object, output and provider block
// and resolves their references. Unknown references are diagnostics.
func (ev *evaluator) buildGraph() []*node {
	d := ev.l.decl
	byAddr := map[string]*node{}
	var nodes []*node
	add := func(n *node) {
		byAddr[n.addr] = n
		nodes = append(nodes, n)
	}
	for name, a := range d.locals {
		add(&node{kind: localNode, addr: "local." + name, rng: a.Range, local: a, exprs: []hcl.Expression{a.Expr}})
	}
	for addr, o := range d.objects {
		n := &node{kind: objectNode, addr: addr, rng: o.rng, object: o}
		if o.forEach != nil {
			n.exprs = append(n.exprs, o.forEach)
		}
		for _, a := range sortedAttrs(o.attrs) {
			n.exprs = append(n.exprs, a.Expr)
		}
		add(n)
	}
	for name, o := range d.outputs {
		add(&node{kind: outputNode, addr: "output." + name, rng: o.rng, output: o, exprs: []hcl.Expression{o.value}})
	}
	for name, p := range d.providers {
		n := &node{kind: providerNode, addr: "provider." + name, rng: p.rng, prov: p}
		for _, a := range sortedAttrs(p.attrs) {
			n.exprs = append(n.exprs, a.Expr)
		}
		add(n)
	}
	if ev.l.delta != nil && ev.l.deferred != nil {
		if !ev.stubs(add, byAddr) {
			return nil
		}
		ev.stubbed = true
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].addr < nodes[j].addr })

	for _, n := range nodes {
		if n.stub != nil {
			if !stubRefs(n, d, byAddr) {
				ev.l.partial, ev.unsure = nil, true
				return nil
			}
		} else {
			n.refs = map[string]hcl.Range{}
		}
		for i, expr := range n.exprs {
			// for_each is evaluated before each exists.
			eachOK := n.kind == objectNode && n.object.forEach != nil && !(i == 0 && expr == n.object.forEach)
			for _, t := range expr.Variables() {
				target, diag := ev.resolveRef(t, eachOK)
				if diag != nil {
					ev.l.diags = append(ev.l.diags, diag)
					continue
				}
				if target == "" {
					continue
				}
				if _, seen := n.refs[target]; !seen {
					n.refs[target] = t.SourceRange()
				}
			}
		}
		for target := range n.refs {
			if dep, ok := byAddr[target]; ok {
				n.deps = append(n.deps, dep)
			}
		}
		sort.Slice(n.deps, func(i, j int) bool { return n.deps[i].addr < n.deps[j].addr })
	}
	return nodes
}

// A plan of what changed, in a configuration whose block cache left
// files unparsed (blockcache.go), needs to know which blocks a change
// reaches (see reach) before it knows which of those files it must
// parse. So the graph holds a stub for each block of such a file, with
// the references the cache recorded of it: what refers to a changed
// block, and what that refers to, is found as in a graph of every file;
// load then parses the files of the stubs the scope reaches, and
// evaluates again. The graph is only as the whole configuration's when
// every stub's references name what is declared, and no address is
// declared twice: otherwise the evaluation is unsure, and load parses
// every file for the diagnostics a full evaluation gives.

// stubs adds a node for every block of the deferred files; false (and
// unsure) when one shares an address with another block.
func (ev *evaluator) stubs(add func(*node), byAddr map[string]*node) bool {
	for _, name := range slices.Sorted(maps.Keys(ev.l.deferred)) {
		blocks := ev.l.deferred[name]
		for i := range blocks {
			b := &blocks[i]
			if byAddr[b.addr] != nil {
				ev.l.partial, ev.unsure = nil, true
				return false
			}
			typ, label, _ := strings.Cut(b.addr, ".")
			add(&node{kind: objectNode, addr: b.addr, object: &objectDecl{typ: typ, name: label, addr: b.addr}, stub: b})
		}
	}
	return true
}

// stubRefs sets a stub's refs from the cache; false when one names a
// variable, local or object that is not declared.
func stubRefs(n *node, d *declarations, byAddr map[string]*node) bool {
	n.refs = make(map[string]hcl.Range, len(n.stub.refs))
	for _, ref := range n.stub.refs {
		if name, ok := strings.CutPrefix(ref, "var."); ok {
			if _, ok := d.variables[name]; !ok {
				return false
			}
			continue
		}
		if byAddr[ref] == nil {
			return false
		}
		n.refs[ref] = hcl.Range{}
	}
	return true
}

// forEach reports whether n's block sets for_each.
func (n *node) forEach() bool {
	if n.stub != nil {
		return n.stub.forEach
	}
	return n.object != nil && n.object.forEach != nil
}

// resolveRef names the node a traversal refers to ("" for var and each,
// which need no evaluation order), or explains why it refers to nothing.
func (ev *evaluator) resolveRef(t hcl.Traversal, eachOK bool) (string, *hcl.Diagnostic) {
	d := ev.l.decl
	root := t.RootName()
	rng := t.SourceRange()
	attr := func() (string, bool) {
		if len(t) < 2 {
			return "", false
		}
		a, ok := t[1].(hcl.TraverseAttr)
		return a.Name, ok
	}
	switch {
	case root == "var":
		name, ok := attr()
		if !ok {
			return "", errorAt(rng, "Invalid reference", "A reference to a variable is written var.<name>.")
		}
		if _, ok := d.variables[name]; !ok {
			return "", errorAt(rng, "Reference to undeclared input variable",
				"An input variable named %q is not declared.%s", name, suggest(name, keys(d.variables), "var."))
		}
		return "", nil
	case root == "local":
		name, ok := attr()
		if !ok {
			return "", errorAt(rng, "Invalid reference", "A reference to a local value is written local.<name>.")
		}
		if _, ok := d.locals[name]; !ok {
			return "", errorAt(rng, "Reference to undeclared local value",
				"A local value named %q is not declared.%s", name, suggest(name, keys(d.locals), "local."))
		}
		return "local." + name, nil
	case root == "each":
		if !eachOK {
			return "", errorAt(rng, "Reference to \"each\" in context without for_each",
				"each.key and each.value are only available inside a block that sets for_each (and not in the for_each expression itself).")
		}
		return "", nil
	case isObjectType(root):
		name, ok := attr()
		if !ok {
			return "", errorAt(rng, "Invalid reference", "A reference to a %s is written %s.<name>.", root, root)
		}
		addr := root + "." + name
		if _, ok := d.objects[addr]; !ok && !ev.l.deferredAddrs[addr] {
			var same []string
			for a, o := range d.objects {
				if o.typ == root {
					same = append(same, strings.TrimPrefix(a, root+"."))
				}
			}
			return "", errorAt(rng, "Reference to undeclared "+root,
				"A %s block named %q is not declared.%s", root, name, suggest(name, same, root+"."))
		}
		return addr, nil
	case root == "path" || root == "self" || root == "count" || root == "module" || root == "data" || root == "terraform":
		return "", errorAt(rng, "Unsupported reference", "%q references are not supported by scriptsync.", root)
	default:
		return "", errorAt(rng, "Unknown reference",
			"There is nothing named %q. References start with var, local, each, or an object type (%s).", root, strings.Join(objectTypes, ", "))
	}
}

// order returns the nodes so that every node comes after its deps, or
// reports a cycle.
func (ev *evaluator) order(nodes []*node) []*node {
	const (
		unvisited = iota
		visiting
		visited
	)
	state := map[*node]int{}
	var out []*node
	var stack []*node
	var visit func(n *node) bool
	visit = func(n *node) bool {
		switch state[n] {
		case visited:
			return true
		case visiting:
			// The cycle is the part of the stack from n on.
			i := len(stack) - 1
			for stack[i] != n {
				i--
			}
			cycle := append([]*node{}, stack[i:]...)
			var names []string
			for _, c := range cycle {
				names = append(names, c.addr)
			}
			names = append(names, n.addr)
			last := cycle[len(cycle)-1]
			ev.l.diags = append(ev.l.diags, errorAt(last.refs[n.addr], "Cycle in references",
				"These objects refer to each other in a loop, so none can be evaluated first: %s. Remove one of the references.",
				strings.Join(names, " → ")))
			return false
		}
		state[n] = visiting
		stack = append(stack, n)
		for _, d := range n.deps {
			if !visit(d) {
				return false
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = visited
		out = append(out, n)
		return true
	}
	for _, n := range nodes {
		if !visit(n) {
			return nil
		}
	}
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// suggest returns " Did you mean <prefix><x>?" for the closest candidate.
func suggest(name string, candidates []string, prefix string) string {
	best, bestD := "", 3
	sort.Strings(candidates)
	for _, c := range candidates {
		if d := levenshtein.Distance(name, c, nil); d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return " Did you mean " + prefix + best + "?"
}
