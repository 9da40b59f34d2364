package config

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"scriptsync/library"
)

// An evaluation of what changed (Options.Scope). When the only difference
// from the apply the memo recalls is the contents of a few input files,
// each read as its source by one object instance, and the backends still
// hold what that apply left, the plan needs only the objects those files
// reach: the blocks that own them, the blocks that refer to those
// (transitively), and, to evaluate them, what they refer to. Everything
// else evaluates as it did for that apply, so its objects are as the
// backends hold them. The engine reads the scope's objects only, and
// takes the full path whenever the scope's plan could differ from the
// whole configuration's (see engine.Workspace.Plan).
//
// The blocks a change may reach are locals, outputs (evaluated, for
// their errors; a plan does not show them), scripts, embeddings, bibles that
// name their script, agents, and character blocks without for_each: the
// objects of each are derived from the block and what it refers to alone
// (a bible that names no script belongs to the library's only one, which
// a part of the library cannot tell). A block a change reaches may gain
// or lose instances (a scene added, and its embedding), when each reads a
// source of its own: the instances it had are the owners the fingerprint
// recorded, if it counted that many (Fingerprint.Instances), and those
// gone are in the scope for their objects to be deleted. A character
// block has just the one.

// scopedTypes are the block types a scoped evaluation may re-evaluate.
var scopedTypes = map[string]bool{"script": true, "embedding": true, "bible": true, "agent": true, "character": true}

// nodeOf is the block address of a resource: embedding.pilot for
// embedding.pilot["3"].
func nodeOf(resource string) string {
	if i := strings.IndexByte(resource, '['); i >= 0 {
		return resource[:i]
	}
	return resource
}

// reach returns the nodes to evaluate for d: the changed inputs' blocks,
// their dependents and everything those refer to; nil when d cannot be
// scoped.
func (ev *evaluator) reach(ordered []*node, d *delta) map[*node]bool {
	decl := ev.l.decl
	if len(decl.removed) > 0 || len(decl.imports) > 0 {
		ev.refuse("removed and import blocks")
		return nil
	}
	byAddr := make(map[string]*node, len(ordered))
	dependents := map[*node][]*node{}
	for _, n := range ordered {
		byAddr[n.addr] = n
		for _, dep := range n.deps {
			dependents[dep] = append(dependents[dep], n)
		}
	}
	dirty := map[*node]bool{}
	var grow func(n *node) bool
	grow = func(n *node) bool {
		if dirty[n] {
			return true
		}
		switch n.kind {
		case localNode, outputNode:
			// No objects of their own; what refers to them is reached.
		case objectNode:
			if !scopedTypes[n.object.typ] || (n.object.typ == "character" && n.forEach()) {
				return false
			}
		default:
			return false
		}
		dirty[n] = true
		for _, m := range dependents[n] {
			if !grow(m) {
				return false
			}
		}
		return true
	}
	// A block added, removed or rewritten is a change of its own. One
	// added or rewritten may name the scenes of a script another block
	// embeds, or take a path one of its blocks has: that script is
	// evaluated with every block that names it. One removed leaves its
	// instances' objects to delete; it must be a block whose every
	// instance read a source of its own, which the memo names.
	removed := map[string]bool{}
	scripts := false // a script block comes, goes or is rewritten
	for _, addr := range d.blocks {
		n := byAddr[addr]
		_, had := d.fp.Blocks[addr]
		// A script block rewritten may gain, lose or rename instances
		// (its for_each), which changes the library's only script too.
		scripts = scripts || blockType(addr) == "script"
		if n == nil {
			if !had || !sourcedTypes[blockType(addr)] {
				ev.refuse(addr + " was removed, a block whose objects a part of the configuration cannot name")
				return nil
			}
			removed[addr] = true
			continue
		}
		if had && blockType(addr) == "character" {
			// Its instances read no file of their own: the block may
			// have had others (a for_each), which the scope cannot name.
			ev.refuse(addr + " was rewritten, a block whose instances then a part of the configuration cannot name")
			return nil
		}
		if !grow(n) {
			ev.refuse(addr + " changed, a block a change cannot reach alone")
			return nil
		}
		for _, dep := range n.deps {
			if dep.kind == objectNode && dep.object.typ == "script" && !grow(dep) {
				ev.refuse(addr + " changed, and names " + dep.addr + ", which a change cannot reach alone")
				return nil
			}
		}
	}
	if scripts {
		// A bible that names no script belongs to the library's only one.
		for _, o := range decl.objects {
			if _, named := o.attrs["script"]; o.typ == "bible" && !named {
				ev.refuse("a script block changed, and " + o.addr + " names no script")
				return nil
			}
		}
		for _, n := range ordered {
			if n.stub != nil && n.object.typ == "bible" && !n.stub.script {
				ev.refuse("a script block changed, and " + n.addr + " names no script")
				return nil
			}
		}
	}
	for _, i := range d.changed {
		owner := d.fp.Inputs[i].Owner
		if removed[nodeOf(owner)] {
			continue // its block is gone: its instances' objects go
		}
		n := byAddr[nodeOf(owner)]
		if owner == "" || n == nil || !grow(n) {
			ev.refuse(fmt.Sprintf("%s changed, which %s", d.fp.Inputs[i].Path, ownerText(owner)))
			return nil
		}
	}
	in := map[*node]bool{}
	var up func(n *node)
	up = func(n *node) {
		if in[n] {
			return
		}
		in[n] = true
		for _, dep := range n.deps {
			up(dep)
		}
	}
	for n := range dirty {
		up(n)
	}
	// Character and scene blocks add to the script they name: a script
	// evaluated is evaluated with them.
	for grown := true; grown; {
		grown = false
		for _, n := range ordered {
			if in[n] || n.kind != objectNode || (n.object.typ != "character" && n.object.typ != "scene") {
				continue
			}
			for _, dep := range n.deps {
				if in[dep] && dep.kind == objectNode && dep.object.typ == "script" {
					up(n)
					grown = true
					break
				}
			}
		}
	}
	// An output that needs nothing more is evaluated too, so that an
	// apply has every output it can.
	for _, n := range ordered {
		if n.kind != outputNode || in[n] {
			continue
		}
		all := true
		for _, dep := range n.deps {
			all = all && in[dep]
		}
		if all {
			in[n] = true
		}
	}
	// A block that names a scene or a script by a value carrying its
	// address, rather than by a reference, has no edge to it: a change to
	// that script cannot tell whether it reaches the block.
	for _, n := range ordered {
		if n.kind != objectNode {
			continue
		}
		switch n.object.typ {
		case "embedding", "character", "scene":
		default:
			continue
		}
		named := false
		for _, dep := range n.deps {
			named = named || (dep.kind == objectNode && (dep.object.typ == "script" || dep.object.typ == "scene"))
		}
		if !named {
			ev.refuse(n.addr + " names its scene or script by value, not by a reference")
			return nil
		}
	}
	ev.dirty, ev.removed = dirty, removed
	return in
}

// sourcedTypes are the block types whose every instance reads a source
// of its own when the block is in a scope (see scope).
var sourcedTypes = map[string]bool{"script": true, "embedding": true, "bible": true, "agent": true}

// refuse records why the evaluation cannot be scoped (Config.Whole).
// A path that came from a sensitive value is masked in it: it is shown
// (SCRIPTSYNC_LOG) as diagnostics are.
func (ev *evaluator) refuse(why string) { ev.l.whole = ev.l.inputs.hide(why) }

// ownerText says who read an input, for refuse.
func ownerText(owner string) string {
	if owner == "" {
		return "a function or more than one block read"
	}
	return owner + " read, a block a change cannot reach alone"
}

// within returns the nodes of ns that the evaluation covers.
func (ev *evaluator) within(ns []*node) []*node {
	if ev.only == nil {
		return ns
	}
	out := make([]*node, 0, len(ev.only))
	for _, n := range ns {
		if ev.only[n] {
			out = append(out, n)
		}
	}
	return out
}

// scope checks a scoped evaluation's library against the fingerprint it
// started from and returns its Scope; nil when the whole configuration
// must be evaluated instead: a changed block had an instance that read
// no source of its own, or has one now.
func (ev *evaluator) scope(lib *library.Library) *Scope {
	d := ev.l.delta
	dirty := map[string]bool{}
	for n := range ev.dirty {
		dirty[n.addr] = true
	}
	for b := range ev.removed {
		dirty[b] = true
	}
	// The instances of the changed blocks, then and now.
	then := map[string]bool{}
	for _, in := range d.fp.Inputs {
		if in.Owner != "" && dirty[nodeOf(in.Owner)] {
			then[in.Owner] = true
		}
	}
	// Every instance of a changed block must read its own source, and a
	// bible must name its script.
	type sourced struct {
		m      library.Meta
		source string
	}
	var reached []sourced
	for _, x := range lib.Scripts {
		reached = append(reached, sourced{x.Meta, x.Source})
	}
	for _, x := range lib.Embeddings {
		reached = append(reached, sourced{x.Meta, x.Source})
	}
	for _, x := range lib.Bibles {
		if dirty[nodeOf(x.Resource)] && x.Script == "" {
			ev.refuse(x.Address + " names no script")
			return nil
		}
		reached = append(reached, sourced{x.Meta, x.Source})
	}
	for _, x := range lib.Agents {
		reached = append(reached, sourced{x.Meta, x.Source})
	}
	now := map[string]bool{}
	for _, x := range reached {
		if !dirty[nodeOf(x.m.Resource)] {
			continue
		}
		if x.source == "" || ev.l.inputs.owner(x.source) != x.m.Resource {
			ev.refuse(x.m.Address + " has other sources now")
			return nil
		}
		now[x.m.Resource] = true
	}
	// An instance may come or go (a scene added, its embedding with it):
	// the instances a changed block had are those that read a file of
	// their own, if the fingerprint counted as many. Any other is one
	// whose objects the scope would not read.
	if d.fp.Instances == nil {
		ev.refuse("the last apply's memo does not count instances")
		return nil
	}
	count := map[string]int{}
	for r := range then {
		count[nodeOf(r)]++
	}
	for n := range ev.dirty {
		if n.kind == objectNode && sourcedTypes[n.object.typ] && count[n.addr] != d.fp.Instances[n.addr] {
			ev.refuse(n.addr + " had instances that did not read a file of their own")
			return nil
		}
	}
	for b := range ev.removed {
		if count[b] != d.fp.Instances[b] {
			ev.refuse(b + " was removed, and had instances that did not read a file of their own")
			return nil
		}
	}
	if why := ev.readsDiffer(d.fp, dirty); why != "" {
		ev.refuse(why)
		return nil
	}
	sc := &Scope{Resources: map[string]bool{}}
	lib.Each(func(m library.Meta) { sc.Resources[m.Resource] = true })
	// An instance the change removed has objects to delete. An embedding
	// removed gives its path back, which an embedding of a block out of
	// the scope may have wanted and not had: that one moves.
	for r := range then {
		if now[r] {
			continue
		}
		sc.Resources[r] = true
		if !strings.HasPrefix(r, "embedding.") {
			continue
		}
		for _, b := range d.fp.Displaced {
			if !dirty[b] {
				ev.refuse(fmt.Sprintf("%s is removed, and %s may take its path", r, b))
				return nil
			}
		}
	}
	evaluated := map[string]bool{}
	for n := range ev.only {
		if n.kind == outputNode {
			evaluated[n.output.name] = true
		}
	}
	for name := range ev.l.decl.outputs {
		if !evaluated[name] {
			sc.Unevaluated = append(sc.Unevaluated, name)
		}
	}
	sort.Strings(sc.Unevaluated)
	fp, changed, ok := ev.fingerprintNow(lib, d, dirty)
	if !ok {
		ev.refuse("a changed file cannot be read")
		return nil
	}
	sc.Changed, sc.Blocks, sc.Fingerprint = changed, d.blocks, fp
	return sc
}

// fingerprintNow is the whole configuration's fingerprint after a scoped
// evaluation of lib (see scope): the recalled one, with the files the
// changed blocks' instances read as they read them now (a new instance's
// source joins, a removed one's leaves) and the changed blocks' instances
// as they are now, and the changed files' paths, sorted. false when a
// changed file that is still read cannot be.
func (ev *evaluator) fingerprintNow(lib *library.Library, d *delta, dirty map[string]bool) (*Fingerprint, []string, bool) {
	if ev.l.inputs.failed() {
		return nil, nil, false
	}
	digests := ev.l.inputs.digests()
	fp := *d.fp
	fp.Config = ev.l.configDigest()
	fp.Blocks, fp.Rest, _ = ev.l.blockDigests()
	fp.Inputs = make([]InputDigest, 0, len(d.fp.Inputs)+len(digests))
	var changed []string
	for _, i := range d.changed {
		changed = append(changed, d.fp.Inputs[i].Path)
	}
	for _, in := range d.fp.Inputs {
		sum, read := digests[in.Path]
		if !read {
			if in.Owner != "" && dirty[nodeOf(in.Owner)] {
				continue // the instance that read it reads it no more
			}
			fp.Inputs = append(fp.Inputs, in)
			continue
		}
		now, ok := inputDigest(in.Path, sum, ev.l.inputs.owner(in.Path))
		if !ok {
			return nil, nil, false
		}
		fp.Inputs = append(fp.Inputs, now)
	}
	// The files read now and not then join, in path order: the others
	// are in order already, and a library has a million of them.
	var joined []InputDigest
	for path, sum := range digests {
		if _, had := d.fp.inputAt(path); had {
			continue
		}
		in, ok := inputDigest(path, sum, ev.l.inputs.owner(path))
		if !ok {
			return nil, nil, false
		}
		joined = append(joined, in)
	}
	if len(joined) > 0 {
		byPath := func(a, b InputDigest) int { return strings.Compare(a.Path, b.Path) }
		slices.SortFunc(joined, byPath)
		kept := fp.Inputs
		fp.Inputs = make([]InputDigest, 0, len(kept)+len(joined))
		for len(kept) > 0 || len(joined) > 0 {
			if len(joined) == 0 || (len(kept) > 0 && kept[0].Path < joined[0].Path) {
				fp.Inputs, kept = append(fp.Inputs, kept[0]), kept[1:]
			} else {
				fp.Inputs, joined = append(fp.Inputs, joined[0]), joined[1:]
			}
		}
	}
	sort.Strings(changed)
	// A file the scope read is as secret as its path is now, unless it has
	// no one owner, whose other readers may be out of the scope; one the
	// scope did not read is as it was.
	secret := ev.l.inputs.secrets()
	for _, p := range d.fp.Secret {
		if _, read := digests[p]; !read || ev.l.inputs.owner(p) == "" {
			if secret == nil {
				secret = map[string]bool{}
			}
			secret[p] = true
		}
	}
	fp.Secret = secretInputs(fp.Inputs, secret)
	fp.Instances = maps.Clone(fp.Instances)
	for b := range dirty {
		delete(fp.Instances, b)
	}
	for b, n := range instances(lib) {
		if dirty[b] {
			fp.Instances[b] = n
		}
	}
	// The changed blocks are displaced as the scoped evaluation found:
	// had a block out of the scope taken one's path, the backends would
	// have a file there, and the scope's plan would give way.
	displaced := map[string]bool{}
	for _, b := range fp.Displaced {
		if !dirty[b] {
			displaced[b] = true
		}
	}
	for b := range ev.displaced {
		if dirty[b] {
			displaced[b] = true
		}
	}
	fp.Displaced = slices.Sorted(maps.Keys(displaced))
	return &fp, changed, true
}

// readsDiffer says how what the scoped evaluation read differs from what
// the evaluation fp records read, "" when it does not: a file it did not
// read then, or read otherwise (another owner), a file it could not read,
// or an environment variable, fileexists() or fileset() question it did
// not ask. A block whose content decides what it reads could otherwise
// leave a memo that misses a file.
func (ev *evaluator) readsDiffer(fp *Fingerprint, dirty map[string]bool) string {
	l := ev.l
	if l.inputs.failed() {
		return "a file could not be read"
	}
	// An instance of a changed block reads what it reads: a new one its
	// source, the file another instance of such a block read before it.
	// Out of the scope, blocks read what they read then, and none of
	// these files.
	changing := func(owner string) bool { return owner != "" && dirty[nodeOf(owner)] }
	for path := range l.inputs.digests() {
		i, ok := fp.inputAt(path)
		owner := ""
		if ok {
			owner = fp.Inputs[i].Owner
		}
		now := l.inputs.owner(path)
		if changing(now) && (!ok || changing(owner)) {
			continue
		}
		if !ok {
			return path + " is read now, and was not"
		}
		if now != owner {
			return path + " is read by another block now"
		}
	}
	r := &l.recorded
	r.mu.Lock()
	defer r.mu.Unlock()
	for name, d := range r.env {
		if fp.Env[name] != d {
			return "env(" + name + ") is read now, and was not"
		}
	}
	for path, answer := range r.exists {
		if was, ok := fp.Exists[path]; !ok || was != answer {
			return "fileexists(" + path + ") is asked now, and was not"
		}
	}
	for key, d := range r.filesets {
		if fp.Filesets[key] != d {
			return "a fileset() is asked now, and was not"
		}
	}
	return ""
}
