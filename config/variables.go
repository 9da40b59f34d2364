package config

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// varSource says where a variable's value came from, for messages.
type varSource struct {
	what string
	rng  *hcl.Range
}

// setVariables resolves every variable's value. Lowest precedence first:
// the default, SCRIPTSYNC_VAR_<name>, scriptsync.vars.hcl, each -var-file,
// and each -var, the last two in command-line order.
func (l *loader) setVariables() {
	l.vars = map[string]cty.Value{}
	l.sources = map[string]*varSource{}
	raw := map[string]cty.Value{}

	// The environment: values are parsed as HCL for non-string types, as
	// Terraform does for TF_VAR_. Variables that are not declared are not
	// looked up, so stray ones are ignored.
	for _, name := range l.decl.varOrder {
		value := l.opts.Getenv(EnvVarPrefix + name)
		if value == "" {
			continue
		}
		decl := l.decl.variables[name]
		v, diags := parseVarString(decl, value, "environment variable "+EnvVarPrefix+name)
		l.diags = append(l.diags, diags...)
		raw[name] = v
		l.sources[name] = &varSource{what: "environment variable " + EnvVarPrefix + name}
	}

	if l.inputs.exists(VarFileName) {
		l.readVarFile(VarFileName, raw)
	}
	for _, arg := range l.opts.Vars {
		if arg.File != "" {
			l.readVarFile(arg.File, raw)
			continue
		}
		decl, ok := l.decl.variables[arg.Name]
		if !ok {
			l.diags = append(l.diags, errorf("Value for undeclared variable",
				"A variable named %q was assigned with -var, but the configuration declares no such variable. Declare it with a variable block.", arg.Name))
			continue
		}
		v, diags := parseVarString(decl, arg.Value, "-var "+arg.Name)
		l.diags = append(l.diags, diags...)
		raw[arg.Name] = v
		l.sources[arg.Name] = &varSource{what: "-var " + arg.Name}
	}
	if l.diags.HasErrors() {
		return
	}

	for _, name := range l.decl.varOrder {
		decl := l.decl.variables[name]
		v, set := raw[name]
		if !set {
			if decl.def == cty.NilVal {
				l.diags = append(l.diags, errorAt(decl.rng, "No value for required variable",
					"The variable %q has no default, so it needs a value: -var %s=..., a line in %s, or the environment variable %s%s.",
					name, name, VarFileName, EnvVarPrefix, name))
				continue
			}
			v = decl.def
		}
		conv, err := convertValue(v, decl.typ)
		if err != nil {
			src := l.sources[name]
			d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for variable",
				Detail: "The value for variable " + quote(name) + " is not " + typeName(decl.typ) + ": " + err.Error() + "."}
			if src != nil {
				d.Detail = "The value given by " + src.what + " is not " + typeName(decl.typ) + ": " + err.Error() + "."
				d.Subject = src.rng
			} else {
				d.Subject = &decl.rng
			}
			l.diags = append(l.diags, d)
			continue
		}
		if conv.IsNull() && !decl.nullable {
			l.diags = append(l.diags, errorAt(decl.rng, "Required variable not set", "The variable %q is not nullable but its value is null.", name))
			continue
		}
		if decl.sensitive {
			conv = conv.Mark(sensitiveMark)
			l.marked = true
		}
		l.vars[name] = conv
	}
}

// readVarFile reads a *.vars.hcl file: one attribute per variable.
func (l *loader) readVarFile(name string, raw map[string]cty.Value) {
	if !strings.HasSuffix(name, ".vars.hcl") {
		l.diags = append(l.diags, errorf("Invalid variable file name",
			"The variable file %q must end in .vars.hcl, so that it is not read as configuration.", name))
		return
	}
	f := l.parseFile(name)
	if f == nil {
		return
	}
	attrs, diags := f.Body.JustAttributes()
	l.diags = append(l.diags, diags...)
	for _, a := range sortedAttrs(attrs) {
		if _, ok := l.decl.variables[a.Name]; !ok {
			l.diags = append(l.diags, errorAt(a.NameRange, "Value for undeclared variable",
				"%s assigns %q, but the configuration declares no such variable.", name, a.Name))
			continue
		}
		v, diags := a.Expr.Value(nil)
		if diags.HasErrors() {
			l.diags = append(l.diags, errorAt(a.Expr.Range(), "Invalid variable value",
				"Values in variable files must be literals: they cannot refer to other objects or call functions."))
			continue
		}
		raw[a.Name] = v
		rng := a.Expr.Range()
		l.sources[a.Name] = &varSource{what: name, rng: &rng}
	}
}

// parseVarString turns a string from the command line or the environment
// into a value: as is for string (or untyped) variables, as an HCL
// expression otherwise.
func parseVarString(decl *variableDecl, s, what string) (cty.Value, hcl.Diagnostics) {
	if !decl.hasType || decl.typ == cty.String {
		return cty.StringVal(s), nil
	}
	if err := checkNesting([]byte(s)); err != nil {
		return cty.NilVal, hcl.Diagnostics{errorf("Invalid value for variable", "The value given by %s: %s.", what, err)}
	}
	expr, diags := hclsyntax.ParseExpression([]byte(s), what, hcl.InitialPos)
	if diags.HasErrors() {
		return cty.NilVal, hcl.Diagnostics{errorf("Invalid value for variable",
			"The value given by %s is not a valid expression for %s: %s.", what, typeName(decl.typ), diags[0].Summary)}
	}
	v, diags := expr.Value(nil)
	if diags.HasErrors() {
		return cty.NilVal, hcl.Diagnostics{errorf("Invalid value for variable",
			"The value given by %s must be a literal %s.", what, typeName(decl.typ))}
	}
	return v, nil
}
