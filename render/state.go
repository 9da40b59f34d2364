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
