package render

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"scriptsync/providers"
)

// Managed is one object a backend holds for scriptsync, with the provider
// that holds it.
type Managed struct {
	Provider string
	Object   *providers.Object
}

// stateJSON is the -json form of managed objects. Values of sensitive
// attributes are null and their names listed.
type stateJSON struct {
	FormatVersion string            `json:"format_version"`
	Objects       []stateObjectJSON `json:"objects"`
}

type stateObjectJSON struct {
	Address   string         `json:"address"`
	Type      string         `json:"type"`
	Provider  string         `json:"provider"`
	Values    map[string]any `json:"values"`
	Sensitive []string       `json:"sensitive_attributes,omitempty"`
}

// StateJSON writes managed objects as one JSON document.
func StateJSON(w io.Writer, objs []Managed) error {
	doc := stateJSON{FormatVersion: FormatVersion, Objects: []stateObjectJSON{}}
	for _, m := range objs {
		o := m.Object
		vals := map[string]any{}
		for k, v := range o.Attributes() {
			vals[k] = v
		}
		for _, k := range o.Sensitive {
			vals[k] = nil
		}
		doc.Objects = append(doc.Objects, stateObjectJSON{o.Address, o.Type, m.Provider, vals, o.Sensitive})
	}
	return encode(w, doc)
}

// State writes managed objects for humans, one block each, sensitive
// values hidden.
func State(w io.Writer, objs []Managed) error {
	p := &printer{w: w}
	for i, m := range objs {
		o := m.Object
		if i > 0 {
			p.printf("\n")
		}
		p.printf("# %s (%s)\n", o.Address, m.Provider)
		p.printf("%s {\n", strings.TrimSpace(BlockHeader(m.Provider, o)))
		attrs := o.Attributes()
		keys := make([]string, 0, len(attrs))
		width := 0
		for k := range attrs {
			keys = append(keys, k)
			if len(k) > width {
				width = len(k)
			}
		}
		sort.Strings(keys)
		sensitive := map[string]bool{}
		for _, k := range o.Sensitive {
			sensitive[k] = true
		}
		for _, k := range keys {
			v := FormatValue(attrs[k])
			if sensitive[k] {
				v = "(sensitive value)"
			}
			p.printf("    %-*s = %s\n", width, k, v)
		}
		p.printf("}\n")
	}
	return p.err
}

func encode(w io.Writer, doc any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}
