package config

import (
	"sort"

	"github.com/zclconf/go-cty/cty"

	"scriptsync/formats/fountain"
)

// The evaluation builds one object at a time, in dependency order, so that
// its results and diagnostics are deterministic. Reading and parsing the
// files that objects name is most of its work, and needs no order: these
// functions do it ahead, side by side, and the objects then find their
// files read and parsed (see inputs.prefetch).

// parsedScreenplay is a script source's parse, prepared ahead.
type parsedScreenplay struct {
	sp  *fountain.Screenplay
	err error
}

// vectorHeader is an embedding source's header, prepared ahead.
type vectorHeader struct {
	dims   int
	offset int64
	err    error
}

func inspect(data []byte) vectorHeader {
	dims, offset, err := inspectVector(data)
	return vectorHeader{dims, offset, err}
}

// keepsSource reports whether objects of type typ keep their source's
// contents: a vector's digest is all a plan needs.
func keepsSource(typ string) bool { return typ != "embedding" }

// prepareFor returns what to make of a source file of an object type
// beyond its bytes and digest.
func prepareFor(typ string) func([]byte) any {
	switch typ {
	case "script":
		// A script's bytes are kept (keepsSource) and never modified, so
		// its scenes' text can share them.
		return func(data []byte) any {
			sp, err := fountain.ParseOwned(data)
			return parsedScreenplay{sp, err}
		}
	case "embedding":
		return func(data []byte) any { return inspect(data) }
	}
	return nil
}

// readsSource reports whether building an object of type typ reads its
// source file.
func readsSource(typ string) bool {
	switch typ {
	case "script", "embedding", "bible", "agent":
		return true
	}
	return false
}

// prefetch reads (and prepares) the source files of objects of type typ.
func (ev *evaluator) prefetch(typ string, sources []string) {
	if readsSource(typ) {
		ev.l.inputs.prefetch(sources, prepareFor(typ), keepsSource(typ))
	}
}

// prefetchLiteralSources prefetches the sources that object blocks without
// for_each give as literal strings, as a writers' room declares its
// scripts: one block per script, each naming its file. (A for_each block's
// sources are prefetched when it is evaluated.) nodes are in evaluation
// order. Scripts are read and parsed in the background, in that order and
// a window ahead of the evaluation (see inputs.prefetchAhead): a parsed
// screenplay is several times its file's size, and a library's worth of
// them waiting at once was a fifth of a large plan's memory. The other
// sources are read before the evaluation starts.
func (ev *evaluator) prefetchLiteralSources(nodes []*node) {
	byType := map[string][]string{}
	for _, n := range nodes {
		o := n.object
		if o == nil {
			continue
		}
		a, ok := o.attrs["source"]
		if !ok || o.forEach != nil || len(a.Expr.Variables()) > 0 {
			continue
		}
		v, diags := a.Expr.Value(nil)
		if diags.HasErrors() || !v.IsKnown() || v.IsNull() || !v.Type().Equals(cty.String) {
			continue // evaluation reports it in its place
		}
		byType[o.typ] = append(byType[o.typ], v.AsString())
	}
	types := make([]string, 0, len(byType))
	for t := range byType {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		if t == "script" {
			ev.l.inputs.prefetchAhead(byType[t], prepareFor(t))
			continue
		}
		ev.prefetch(t, byType[t])
	}
}
