package config

import (
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

func hclIdent(s string) bool { return hclsyntax.ValidIdentifier(s) }

func typeConstraint(expr hcl.Expression) (cty.Type, hcl.Diagnostics) {
	ty, diags := typeexpr.TypeConstraint(expr)
	if diags.HasErrors() {
		return cty.DynamicPseudoType, diags
	}
	return ty, nil
}

// convertValue converts v to ty, with an error a user can act on.
func convertValue(v cty.Value, ty cty.Type) (cty.Value, error) {
	if ty == cty.DynamicPseudoType {
		return v, nil
	}
	out, err := convert.Convert(v, ty)
	if err != nil {
		if pe, ok := err.(cty.PathError); ok && len(pe.Path) > 0 {
			return cty.NilVal, pathError(pe)
		}
		return cty.NilVal, err
	}
	return out, nil
}

type pathErr struct{ msg string }

func (e pathErr) Error() string { return e.msg }

func pathError(pe cty.PathError) error {
	var b strings.Builder
	for _, step := range pe.Path {
		switch s := step.(type) {
		case cty.GetAttrStep:
			b.WriteString("." + s.Name)
		case cty.IndexStep:
			switch s.Key.Type() {
			case cty.String:
				b.WriteString("[" + strconv.Quote(s.Key.AsString()) + "]")
			case cty.Number:
				b.WriteString("[" + s.Key.AsBigFloat().Text('f', -1) + "]")
			}
		}
	}
	return pathErr{strings.TrimPrefix(b.String(), ".") + ": " + pe.Error()}
}

func typeName(ty cty.Type) string {
	switch {
	case ty == cty.String:
		return "a string"
	case ty == cty.Number:
		return "a number"
	case ty == cty.Bool:
		return "a bool"
	case ty == cty.DynamicPseudoType:
		return "any value"
	default:
		return ty.FriendlyName()
	}
}

func quote(s string) string { return strconv.Quote(s) }

func itoa(n int) string { return strconv.Itoa(n) }

func joinQuoted(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}
