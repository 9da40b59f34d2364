package config

import (
	"github.com/hashicorp/hcl/v2"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2/ext/customdecode"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// derivedSensitive are the attributes a backend computes from a block's
// attribute: when the attribute is sensitive, so are they (a secret in a
// heading is also in the location read from it).
var derivedSensitive = map[string]map[string][]string{
	// file_path is the row's absolute path: the checkout's path, or,
	// with no checkout, the source's.
	"script":    {"path": {"file_path"}, "source": {"file_path"}},
	"bible":     {"path": {"file_path"}, "source": {"file_path"}},
	"embedding": {"path": {"file_path"}},
	"scene":     {"heading": {"location", "time_of_day", "text"}, "content": {"text"}},
}

// referenceAttrs name another block: their value resolves to an address,
// so the marks of the referenced block's attributes are not theirs (what
// a provider derives from the referenced object is marked where it is
// derived, as series_title is).
var referenceAttrs = map[string]bool{"series": true, "script": true, "scene": true}

// withDerived adds to sensitive the attributes derived from its members.
func withDerived(typ string, sensitive []string) []string {
	out := slices.Clone(sensitive)
	for _, name := range sensitive {
		for _, d := range derivedSensitive[typ][name] {
			if !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	return out
}

// addSensitive returns sensitive with names added once.
func addSensitive(sensitive []string, names ...string) []string {
	out := slices.Clone(sensitive)
	for _, n := range names {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// markAttrs marks the attributes of an object value named in sensitive,
// so that a reference to them (series.a.metadata.pw) stays sensitive.
func markAttrs(v cty.Value, sensitive []string) cty.Value {
	if len(sensitive) == 0 || v == cty.NilVal || !v.Type().IsObjectType() || v.IsNull() || !v.IsKnown() {
		return v
	}
	m := v.AsValueMap()
	changed := false
	for _, k := range sensitive {
		if a, ok := m[k]; ok {
			m[k] = a.Mark(sensitiveMark)
			changed = true
		}
	}
	if !changed {
		return v
	}
	return cty.ObjectVal(m)
}

// credentialEnv reports whether an environment variable holds a
// credential: the ones scriptsync and libpq read, and any whose name says
// so. env() of one is sensitive.
func credentialEnv(name string) bool {
	n := strings.ToUpper(name)
	switch n {
	case "PGPASSWORD", "PGPASSFILE", "PGSERVICEFILE", "DATABASE_URL", "SCRIPTSYNC_DSN",
		"SCRIPTSYNC_LFS_TOKEN", "SCRIPTSYNC_LFS_PASSWORD", "SCRIPTSYNC_GIT_PASSWORD", "SCRIPTSYNC_GIT_TOKEN",
		"GIT_ASKPASS", "SSH_AUTH_SOCK":
		return true
	}
	for _, w := range []string{"PASSWORD", "PASSWD", "TOKEN", "SECRET", "CREDENTIAL", "PRIVATE_KEY", "API_KEY", "ACCESS_KEY", "AUTH"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return strings.HasSuffix(n, "_DSN") || strings.HasSuffix(n, "_URL") && strings.Contains(n, "DATABASE")
}

// closureMarks are the marks of every value an expression closure reads,
// so that can(regex("x", var.secret)) is as sensitive as its argument:
// whether it succeeds says something about the secret.
func closureMarks(arg cty.Value) cty.ValueMarks {
	closure := customdecode.ExpressionClosureFromVal(arg)
	marks := cty.ValueMarks{}
	for _, t := range closure.Expression.Variables() {
		v, diags := t.TraverseAbs(closure.EvalContext)
		if diags.HasErrors() {
			continue
		}
		if v.ContainsMarked() {
			marks[sensitiveMark] = struct{}{}
		}
	}
	return marks
}

// markedTry is hcl's try and can, with the marks of what they read.
func markedTry(f function.Function) function.Function {
	spec := &function.Spec{
		Params:   f.Params(),
		VarParam: f.VarParam(),
		Type: func(args []cty.Value) (cty.Type, error) {
			return f.ReturnTypeForValues(args)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			v, err := f.Call(args)
			if err != nil {
				return v, err
			}
			marks := cty.ValueMarks{}
			for _, a := range args {
				for m := range closureMarks(a) {
					marks[m] = struct{}{}
				}
			}
			if len(marks) > 0 {
				v = v.WithMarks(marks)
			}
			return v, nil
		},
	}
	return function.New(spec)
}

var (
	tryFunc = markedTry(tryfunc.TryFunc)
	canFunc = markedTry(tryfunc.CanFunc)
)

// varRoots are the variables the expressions of nodes name.
func varRoots(nodes map[*node]bool) map[string]bool {
	out := map[string]bool{}
	for n := range nodes {
		for _, e := range n.exprs {
			for _, t := range e.Variables() {
				if t.RootName() != "var" || len(t) < 2 {
					continue
				}
				if a, ok := t[1].(hcl.TraverseAttr); ok {
					out[a.Name] = true
				}
			}
		}
	}
	return out
}
