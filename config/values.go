package config

import (
	"math/big"
	"sort"

	"github.com/zclconf/go-cty/cty"
)

// goValue converts a known, unmarked value to the JSON-compatible Go value
// providers store: string, int64, float64, bool, nil, []any, map[string]any.
func goValue(v cty.Value) any {
	if v.IsNull() {
		return nil
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return v.AsString()
	case ty == cty.Number:
		bf := v.AsBigFloat()
		if bf.IsInt() {
			if i, acc := bf.Int64(); acc == big.Exact {
				return i
			}
		}
		f, _ := bf.Float64()
		return f
	case ty == cty.Bool:
		return v.True()
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		out := make([]any, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			out = append(out, goValue(e))
		}
		return out
	case ty.IsMapType() || ty.IsObjectType():
		out := map[string]any{}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			out[k.AsString()] = goValue(e)
		}
		return out
	}
	return nil
}

// ctyValue converts a JSON-compatible Go value back, for reference values.
func ctyValue(x any) cty.Value {
	switch t := x.(type) {
	case nil:
		return cty.NullVal(cty.DynamicPseudoType)
	case string:
		return cty.StringVal(t)
	case int64:
		return cty.NumberIntVal(t)
	case int:
		return cty.NumberIntVal(int64(t))
	case float64:
		return cty.NumberFloatVal(t)
	case bool:
		return cty.BoolVal(t)
	case []any:
		if len(t) == 0 {
			return cty.EmptyTupleVal
		}
		vals := make([]cty.Value, len(t))
		for i, e := range t {
			vals[i] = ctyValue(e)
		}
		return cty.TupleVal(vals)
	case map[string]any:
		vals := map[string]cty.Value{}
		for k, e := range t {
			vals[k] = ctyValue(e)
		}
		return cty.ObjectVal(vals)
	}
	return cty.NullVal(cty.DynamicPseudoType)
}

func str(v cty.Value) string {
	if v.IsNull() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}

func strOrNull(s string) cty.Value {
	if s == "" {
		return cty.NullVal(cty.String)
	}
	return cty.StringVal(s)
}

func intPtrVal(p *int64) cty.Value {
	if p == nil {
		return cty.NullVal(cty.Number)
	}
	return cty.NumberIntVal(*p)
}

// wholeNumber reads an optional whole-number attribute.
func (ev *evaluator) wholeNumber(inst *instance, name string, min int64) (*int64, bool) {
	v := inst.vals[name]
	if v.IsNull() {
		return nil, true
	}
	bf := v.AsBigFloat()
	i, acc := bf.Int64()
	if !bf.IsInt() || acc != big.Exact || i < min {
		ev.diag(errorAt(inst.rngs[name], "Invalid value for "+quote(name),
			"%s must be a whole number of at least %d, not %s.", name, min, bf.Text('g', -1)))
		return nil, false
	}
	return &i, true
}

// metadata reads an optional metadata attribute: an object or map.
func (ev *evaluator) metadata(inst *instance) (map[string]any, bool) {
	v := inst.vals["metadata"]
	if v.IsNull() {
		return nil, true
	}
	if !v.Type().IsObjectType() && !v.Type().IsMapType() {
		ev.diag(errorAt(inst.rngs["metadata"], "Incorrect attribute value type",
			"metadata must be an object such as { status = \"draft\" }, not %s.", v.Type().FriendlyName()))
		return nil, false
	}
	return goValue(v).(map[string]any), true
}

// reference reads an attribute that names another object: its value must be
// an object reference such as script.pilot or each.value from
// script.pilot.scenes. want is the kind of object expected; ok reports
// whether the address names one.
func (ev *evaluator) reference(inst *instance, name, want string, ok func(addr string) bool) (string, bool) {
	v := inst.vals[name]
	if v.IsNull() {
		return "", true
	}
	rng := inst.rngs[name]
	hint := "Refer to the object itself, for example " + name + " = " + want + ".<name>."
	if want == "scene" {
		hint = "Refer to a scene block (scene.<name>) or to a derived scene (script.<name>.scenes[\"3\"], or each.value when for_each iterates script.<name>.scenes)."
	}
	if !v.Type().IsObjectType() || !v.Type().HasAttribute("address") {
		ev.diag(errorAt(rng, "Invalid reference", "%s must refer to a %s, not %s. %s", name, want, v.Type().FriendlyName(), hint))
		return "", false
	}
	a := v.GetAttr("address")
	if a.IsNull() || a.Type() != cty.String || !ok(a.AsString()) {
		what := "another kind of object"
		if !a.IsNull() && a.Type() == cty.String {
			what = a.AsString()
		}
		ev.diag(errorAt(rng, "Invalid reference", "%s must refer to a %s, not %s. %s", name, want, what, hint))
		return "", false
	}
	return a.AsString(), true
}

// defaultPath is where an object's file lands when path is not set:
// dir/<name><ext>, or dir/<name>/<key><ext> for a for_each instance.
func defaultPath(dir string, inst *instance, ext string) string {
	if inst.key == nil {
		return dir + "/" + inst.decl.name + ext
	}
	return dir + "/" + inst.decl.name + "/" + *inst.key + ext
}

// keyOf is an object's key: its block name, with the for_each key.
func keyOf(inst *instance) string {
	if inst.key == nil {
		return inst.decl.name
	}
	return inst.decl.name + "[" + quote(*inst.key) + "]"
}

func sortedStrings(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
