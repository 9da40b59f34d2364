package config

import (
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"scriptsync/providers"
)

// Object block types, in the order plans list them.
var objectTypes = []string{"series", "script", "scene", "character", "embedding", "bible", "agent"}

func isObjectType(t string) bool {
	for _, o := range objectTypes {
		if o == t {
			return true
		}
	}
	return false
}

var rootSchema = func() *hcl.BodySchema {
	s := &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "output", LabelNames: []string{"name"}},
		{Type: "provider", LabelNames: []string{"name"}},
		{Type: "moved"},
		{Type: "removed"},
		{Type: "import"},
	}}
	for _, t := range objectTypes {
		s.Blocks = append(s.Blocks, hcl.BlockHeaderSchema{Type: t, LabelNames: []string{"name"}})
	}
	return s
}()

var variableSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "type"}, {Name: "default"}, {Name: "description"}, {Name: "sensitive"}, {Name: "nullable"},
}}

var outputSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "value", Required: true}, {Name: "description"}, {Name: "sensitive"},
}}

var lifecycleSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "prevent_destroy"}}}

// attrSpec describes one attribute of an object block.
type attrSpec struct {
	name     string
	typ      cty.Type // cty.DynamicPseudoType: any value (metadata, references)
	required bool
}

var objectAttrs = map[string][]attrSpec{
	"series": {
		{name: "title", typ: cty.String},
		{name: "description", typ: cty.String},
		{name: "metadata", typ: cty.DynamicPseudoType},
	},
	"script": {
		{name: "source", typ: cty.String},
		{name: "path", typ: cty.String},
		{name: "title", typ: cty.String},
		{name: "author", typ: cty.String},
		{name: "series", typ: cty.DynamicPseudoType},
		{name: "season", typ: cty.Number},
		{name: "episode", typ: cty.Number},
		{name: "metadata", typ: cty.DynamicPseudoType},
	},
	"scene": {
		{name: "script", typ: cty.DynamicPseudoType, required: true},
		{name: "number", typ: cty.Number, required: true},
		{name: "heading", typ: cty.String, required: true},
		{name: "location", typ: cty.String},
		{name: "time_of_day", typ: cty.String},
		{name: "content", typ: cty.String},
		{name: "metadata", typ: cty.DynamicPseudoType},
	},
	"character": {
		{name: "script", typ: cty.DynamicPseudoType, required: true},
		{name: "name", typ: cty.String, required: true},
		{name: "aliases", typ: cty.List(cty.String)},
		{name: "description", typ: cty.String},
		{name: "metadata", typ: cty.DynamicPseudoType},
	},
	"embedding": {
		{name: "scene", typ: cty.DynamicPseudoType, required: true},
		{name: "model", typ: cty.String, required: true},
		{name: "dimensions", typ: cty.Number},
		{name: "source", typ: cty.String, required: true},
		{name: "path", typ: cty.String},
	},
	"bible": {
		{name: "source", typ: cty.String, required: true},
		{name: "path", typ: cty.String},
		{name: "title", typ: cty.String},
		{name: "script", typ: cty.DynamicPseudoType},
	},
	"agent": {
		{name: "source", typ: cty.String, required: true},
	},
}

var objectSchemas = func() map[string]*hcl.BodySchema {
	out := map[string]*hcl.BodySchema{}
	for typ, specs := range objectAttrs {
		s := &hcl.BodySchema{
			Attributes: []hcl.AttributeSchema{{Name: "for_each"}},
			Blocks:     []hcl.BlockHeaderSchema{{Type: "lifecycle"}},
		}
		for _, a := range specs {
			// Required-ness is checked after evaluation, so that a missing
			// attribute and a null one read the same.
			s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: a.name})
		}
		out[typ] = s
	}
	return out
}()

// declarations are the blocks of a configuration, checked for shape and
// uniqueness but not evaluated.
type declarations struct {
	variables map[string]*variableDecl
	locals    map[string]*hcl.Attribute
	outputs   map[string]*outputDecl
	providers map[string]*providerDecl
	objects   map[string]*objectDecl // by "type.name"
	varOrder  []string
	moved     []Move
	removed   []Removed
	imports   []Import
}

type variableDecl struct {
	name        string
	typ         cty.Type
	hasType     bool
	def         cty.Value // cty.NilVal when absent
	description string
	sensitive   bool
	nullable    bool
	rng         hcl.Range
}

type outputDecl struct {
	name        string
	value       hcl.Expression
	description string
	sensitive   bool
	rng         hcl.Range
}

type providerDecl struct {
	name  string
	attrs hcl.Attributes
	rng   hcl.Range
}

type objectDecl struct {
	typ, name      string
	addr           string
	attrs          hcl.Attributes
	forEach        hcl.Expression
	preventDestroy bool
	rng            hcl.Range
	rngs           map[string]hcl.Range // see attrRanges
}

// attrRanges says where each attribute of the block is written. Every
// instance of a for_each block shares the one map (it becomes their
// library.Meta.AttrRanges): nobody changes it.
func (o *objectDecl) attrRanges() map[string]hcl.Range {
	if o.rngs == nil {
		o.rngs = make(map[string]hcl.Range, len(o.attrs))
		for name, a := range o.attrs {
			o.rngs[name] = a.Expr.Range()
		}
	}
	return o.rngs
}

func (l *loader) declare() {
	d := &declarations{
		variables: map[string]*variableDecl{},
		locals:    map[string]*hcl.Attribute{},
		outputs:   map[string]*outputDecl{},
		providers: map[string]*providerDecl{},
		objects:   map[string]*objectDecl{},
	}
	l.decl = d
	names := make([]string, 0, len(l.files))
	for n := range l.files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		content, diags := l.files[name].Body.Content(rootSchema)
		l.diags = append(l.diags, diags...)
		if content == nil {
			continue
		}
		for _, b := range content.Blocks {
			switch b.Type {
			case "variable":
				l.declareVariable(b)
			case "locals":
				attrs, diags := b.Body.JustAttributes()
				l.diags = append(l.diags, diags...)
				for _, a := range sortedAttrs(attrs) {
					if prev, dup := d.locals[a.Name]; dup {
						l.diags = append(l.diags, duplicate("local value", a.Name, prev.Range, a.NameRange))
						continue
					}
					if !hclIdent(a.Name) {
						l.diags = append(l.diags, errorAt(a.NameRange, "Invalid local value name", "%q is not a valid name: use letters, digits, underscores and dashes, starting with a letter.", a.Name))
						continue
					}
					d.locals[a.Name] = a
				}
			case "output":
				l.declareOutput(b)
			case "provider":
				l.declareProvider(b)
			case "moved":
				l.declareMoved(b)
			case "removed":
				l.declareRemoved(b)
			case "import":
				l.declareImport(b)
			default:
				l.declareObject(b)
			}
		}
	}
}

func (l *loader) declareVariable(b *hcl.Block) {
	name := b.Labels[0]
	if !l.validName(b, "variable") {
		return
	}
	if prev, dup := l.decl.variables[name]; dup {
		l.diags = append(l.diags, duplicate("variable", name, prev.rng, b.DefRange))
		return
	}
	content, diags := b.Body.Content(variableSchema)
	l.diags = append(l.diags, diags...)
	v := &variableDecl{name: name, typ: cty.DynamicPseudoType, def: cty.NilVal, nullable: true, rng: b.DefRange}
	if a, ok := content.Attributes["type"]; ok {
		ty, diags := typeConstraint(a.Expr)
		l.diags = append(l.diags, diags...)
		v.typ, v.hasType = ty, true
	}
	if a, ok := content.Attributes["description"]; ok {
		v.description = l.staticString(a)
	}
	if a, ok := content.Attributes["sensitive"]; ok {
		v.sensitive = l.staticBool(a)
	}
	if a, ok := content.Attributes["nullable"]; ok {
		v.nullable = l.staticBool(a)
	}
	if a, ok := content.Attributes["default"]; ok {
		val, diags := a.Expr.Value(nil)
		if diags.HasErrors() {
			l.diags = append(l.diags, errorAt(a.Expr.Range(), "Invalid default value", "A variable's default must be a literal value: it cannot refer to other objects or call functions."))
		} else if conv, err := convertValue(val, v.typ); err != nil {
			l.diags = append(l.diags, errorAt(a.Expr.Range(), "Invalid default value for variable", "This default value is not compatible with the variable's type constraint: %s.", err))
		} else {
			v.def = conv
		}
	}
	l.decl.variables[name] = v
	l.decl.varOrder = append(l.decl.varOrder, name)
}

func (l *loader) declareOutput(b *hcl.Block) {
	name := b.Labels[0]
	if !l.validName(b, "output") {
		return
	}
	if prev, dup := l.decl.outputs[name]; dup {
		l.diags = append(l.diags, duplicate("output", name, prev.rng, b.DefRange))
		return
	}
	content, diags := b.Body.Content(outputSchema)
	l.diags = append(l.diags, diags...)
	o := &outputDecl{name: name, rng: b.DefRange}
	if a, ok := content.Attributes["value"]; ok {
		o.value = a.Expr
	}
	if a, ok := content.Attributes["description"]; ok {
		o.description = l.staticString(a)
	}
	if a, ok := content.Attributes["sensitive"]; ok {
		o.sensitive = l.staticBool(a)
	}
	if o.value != nil {
		l.decl.outputs[name] = o
	}
}

func (l *loader) declareProvider(b *hcl.Block) {
	name := b.Labels[0]
	reg, ok := providers.Lookup(name)
	if !ok {
		var known []string
		for _, r := range providers.Registered() {
			known = append(known, r.Name)
		}
		l.diags = append(l.diags, errorAt(b.LabelRanges[0], "Unknown provider",
			"There is no provider named %q. The providers are: %s.", name, joinQuoted(known)))
		return
	}
	if prev, dup := l.decl.providers[name]; dup {
		l.diags = append(l.diags, duplicate("provider", name, prev.rng, b.DefRange))
		return
	}
	schema := &hcl.BodySchema{}
	for _, a := range reg.Attributes {
		schema.Attributes = append(schema.Attributes, hcl.AttributeSchema{Name: a})
	}
	content, diags := b.Body.Content(schema)
	l.diags = append(l.diags, diags...)
	l.decl.providers[name] = &providerDecl{name: name, attrs: content.Attributes, rng: b.DefRange}
}

func (l *loader) declareObject(b *hcl.Block) {
	name := b.Labels[0]
	if !l.validName(b, b.Type) {
		return
	}
	addr := b.Type + "." + name
	if prev, dup := l.decl.objects[addr]; dup {
		l.diags = append(l.diags, duplicate(b.Type, name, prev.rng, b.DefRange))
		return
	}
	content, diags := b.Body.Content(objectSchemas[b.Type])
	l.diags = append(l.diags, diags...)
	o := &objectDecl{typ: b.Type, name: name, addr: addr, attrs: content.Attributes, rng: b.DefRange}
	if a, ok := o.attrs["for_each"]; ok {
		o.forEach = a.Expr
		delete(o.attrs, "for_each")
	}
	for _, lb := range content.Blocks {
		lc, diags := lb.Body.Content(lifecycleSchema)
		l.diags = append(l.diags, diags...)
		if a, ok := lc.Attributes["prevent_destroy"]; ok {
			o.preventDestroy = l.staticBool(a)
		}
	}
	l.decl.objects[addr] = o
}

func (l *loader) validName(b *hcl.Block, what string) bool {
	if hclIdent(b.Labels[0]) {
		return true
	}
	l.diags = append(l.diags, errorAt(b.LabelRanges[0], "Invalid "+what+" name",
		"%q is not a valid name: use letters, digits, underscores and dashes, starting with a letter or underscore.", b.Labels[0]))
	return false
}

func (l *loader) staticString(a *hcl.Attribute) string {
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || v.IsNull() {
		l.diags = append(l.diags, errorAt(a.Expr.Range(), "Invalid value", "%s must be a literal string.", a.Name))
		return ""
	}
	s, err := convertValue(v, cty.String)
	if err != nil {
		l.diags = append(l.diags, errorAt(a.Expr.Range(), "Invalid value", "%s must be a string: %s.", a.Name, err))
		return ""
	}
	return s.AsString()
}

func (l *loader) staticBool(a *hcl.Attribute) bool {
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || v.IsNull() {
		l.diags = append(l.diags, errorAt(a.Expr.Range(), "Invalid value", "%s must be a literal true or false.", a.Name))
		return false
	}
	b, err := convertValue(v, cty.Bool)
	if err != nil {
		l.diags = append(l.diags, errorAt(a.Expr.Range(), "Invalid value", "%s must be true or false: %s.", a.Name, err))
		return false
	}
	return b.True()
}

func duplicate(what, name string, first, again hcl.Range) *hcl.Diagnostic {
	return errorAt(again, "Duplicate "+what+" "+quote(name),
		"A %s named %q was already declared at %s. Names must be unique within a configuration.", what, name, shortRange(first))
}

func shortRange(r hcl.Range) string {
	return r.Filename + ":" + itoa(r.Start.Line) + "," + itoa(r.Start.Column)
}

// sortedAttrs lists attributes in source order.
func sortedAttrs(attrs hcl.Attributes) []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		ri, rj := out[i].Range, out[j].Range
		if ri.Filename != rj.Filename {
			return ri.Filename < rj.Filename
		}
		return ri.Start.Byte < rj.Start.Byte
	})
	return out
}
