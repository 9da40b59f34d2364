package config

import (
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"scriptsync/library"
)

// Import is an import block: the object the configuration declares at To
// is the one a backend holds under ID, which scriptsync does not manage
// yet. The plan says it "will be imported"; the apply records it as
// managed, keeping its row id, git history and LFS object, and updates it
// in place where it differs from the configuration. What an ID is depends
// on the object's type (docs/adoption.md).
type Import struct {
	To, ID string
	Range  hcl.Range
}

var importSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "to", Required: true}, {Name: "id", Required: true},
}}

// importable are the block types an import may name: the objects a
// backend can hold without scriptsync (a script's scenes and characters
// come with their script).
var importable = []string{"series", "script", "scene", "bible", "embedding", "agent"}

func (l *loader) declareImport(b *hcl.Block) {
	content, diags := b.Body.Content(importSchema)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() {
		return
	}
	to, ok := l.movedAddress(content.Attributes["to"])
	if !ok {
		return
	}
	typ := strings.SplitN(to, ".", 2)[0]
	if !containsName(importable, typ) {
		l.diags = append(l.diags, errorAt(content.Attributes["to"].Expr.Range(), "Invalid import address",
			"A %s cannot be imported on its own: import the block that declares it (%s).", typ, strings.Join(importable, ", ")))
		return
	}
	idAttr := content.Attributes["id"]
	v, diags := idAttr.Expr.Value(nil)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() {
		return
	}
	var id string
	switch {
	case v.IsNull() || !v.IsKnown():
	case v.Type() == cty.String:
		id = v.AsString()
	case v.Type() == cty.Number:
		id = v.AsBigFloat().Text('f', -1)
	}
	if id == "" {
		l.diags = append(l.diags, errorAt(idAttr.Expr.Range(), "Invalid import id",
			"id must be a non-empty string: what the backend knows the object by (docs/adoption.md)."))
		return
	}
	for _, imp := range l.decl.imports {
		if imp.To == to {
			l.diags = append(l.diags, duplicate("import block for", to, imp.Range, b.DefRange))
			return
		}
	}
	l.decl.imports = append(l.decl.imports, Import{To: to, ID: id, Range: b.DefRange})
}

func containsName(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkImports reports import blocks whose address the library does not
// declare.
func checkImports(lib *library.Library, imports []Import) hcl.Diagnostics {
	if len(imports) == 0 {
		return nil
	}
	declared := map[string]bool{}
	// An import names one instance (script.episode["1"], not
	// script.episode), as in Terraform.
	lib.Each(func(m library.Meta) {
		// A script's characters come with it: they are not imported alone.
		if !strings.Contains(m.Address, ".characters[") {
			declared[m.Address] = true
		}
	})
	var diags hcl.Diagnostics
	for _, imp := range imports {
		if declared[imp.To] {
			continue
		}
		var instances []string
		for addr := range declared {
			if strings.HasPrefix(addr, imp.To+"[") && !strings.Contains(addr[len(imp.To):], ".") {
				instances = append(instances, addr)
			}
		}
		if len(instances) > 0 {
			sort.Strings(instances)
			diags = append(diags, errorAt(imp.Range, "Import of a block with instances",
				"%s declares several objects: write an import block for each instance, such as %s.", imp.To, instances[0]))
			continue
		}
		diags = append(diags, errorAt(imp.Range, "Import of an undeclared object",
			"The import block names %s, which the configuration does not declare. Declare the object as the backend holds it (scriptsync import -generate-config-out=FILE writes such declarations), then import it.", imp.To))
	}
	return diags
}
