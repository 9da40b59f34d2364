package config

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Move is a moved block: the objects scriptsync manages at From (and
// within it) are the ones the configuration now declares at To, so the
// plan moves them, keeping row ids, git history and LFS objects, instead
// of destroying and creating them.
type Move struct {
	From, To string
	Range    hcl.Range
}

var movedSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "from", Required: true}, {Name: "to", Required: true},
}}

func (l *loader) declareMoved(b *hcl.Block) {
	content, diags := b.Body.Content(movedSchema)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() {
		return
	}
	from, ok := l.movedAddress(content.Attributes["from"])
	if !ok {
		return
	}
	to, ok := l.movedAddress(content.Attributes["to"])
	if !ok {
		return
	}
	fromType, toType := strings.SplitN(from, ".", 2)[0], strings.SplitN(to, ".", 2)[0]
	switch {
	case from == to:
		l.diags = append(l.diags, errorAt(b.DefRange, "Redundant moved block", "from and to are both %s.", from))
		return
	case fromType != toType:
		l.diags = append(l.diags, errorAt(b.DefRange, "Invalid moved block",
			"A %s cannot move to a %s: from is %s, to is %s.", fromType, toType, from, to))
		return
	}
	for _, m := range l.decl.moved {
		if m.From == from {
			l.diags = append(l.diags, duplicate("moved block from", from, m.Range, b.DefRange))
			return
		}
	}
	l.decl.moved = append(l.decl.moved, Move{From: from, To: to, Range: b.DefRange})
}

// movedAddress reads an address written as a reference (script.episode,
// script.episode["1"]); the object need not exist.
func (l *loader) movedAddress(a *hcl.Attribute) (string, bool) {
	trav, diags := hcl.AbsTraversalForExpr(a.Expr)
	if diags.HasErrors() {
		l.diags = append(l.diags, errorAt(a.Expr.Range(), "Invalid address",
			"%s must be an object's address, such as script.pilot or script.episode[\"1\"].", a.Name))
		return "", false
	}
	var b strings.Builder
	for _, step := range trav {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			if !isObjectType(s.Name) {
				l.diags = append(l.diags, errorAt(a.Expr.Range(), "Invalid address",
					"%s names %q, which is not an object type (%s).", a.Name, s.Name, strings.Join(objectTypes, ", ")))
				return "", false
			}
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + s.Name)
		case hcl.TraverseIndex:
			switch {
			case s.Key.Type() == cty.String:
				fmt.Fprintf(&b, "[%q]", s.Key.AsString())
			case s.Key.Type() == cty.Number:
				fmt.Fprintf(&b, "[%s]", s.Key.AsBigFloat().Text('f', -1))
			default:
				l.diags = append(l.diags, errorAt(a.Expr.Range(), "Invalid address", "An index must be a string or a number."))
				return "", false
			}
		default:
			l.diags = append(l.diags, errorAt(a.Expr.Range(), "Invalid address", "%s must be an object's address.", a.Name))
			return "", false
		}
	}
	if !strings.Contains(b.String(), ".") {
		l.diags = append(l.diags, errorAt(a.Expr.Range(), "Invalid address", "%s must name an object, not only a type.", a.Name))
		return "", false
	}
	return b.String(), true
}

// Removed is a removed block: the objects at From leave the
// configuration; with Destroy false they stay in the backends, no longer
// managed, instead of being destroyed.
type Removed struct {
	From    string
	Destroy bool
	Range   hcl.Range
}

var removedSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "from", Required: true}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "lifecycle"}},
}

var removedLifecycleSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "destroy", Required: true}}}

func (l *loader) declareRemoved(b *hcl.Block) {
	content, diags := b.Body.Content(removedSchema)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() {
		return
	}
	from, ok := l.movedAddress(content.Attributes["from"])
	if !ok {
		return
	}
	r := Removed{From: from, Destroy: true, Range: b.DefRange}
	for _, lb := range content.Blocks {
		lc, diags := lb.Body.Content(removedLifecycleSchema)
		l.diags = append(l.diags, diags...)
		if diags.HasErrors() {
			return
		}
		v, diags := lc.Attributes["destroy"].Expr.Value(nil)
		l.diags = append(l.diags, diags...)
		if diags.HasErrors() {
			return
		}
		if v.Type() != cty.Bool || v.IsNull() {
			l.diags = append(l.diags, errorAt(lc.Attributes["destroy"].Expr.Range(), "Invalid destroy", "destroy must be true or false."))
			return
		}
		r.Destroy = v.True()
	}
	l.decl.removed = append(l.decl.removed, r)
}
