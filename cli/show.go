package cli

import (
	"encoding/json"
	"sort"
	"strings"

	ucli "github.com/urfave/cli/v2"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"scriptsync/engine"
	"scriptsync/planner"
	"scriptsync/providers"
)

func (s *session) showCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "show",
		Usage:     "show a saved plan, or the objects scriptsync manages",
		ArgsUsage: "[PLANFILE]",
		Flags:     []ucli.Flag{&ucli.BoolFlag{Name: "json", Usage: "print JSON"}},
		Action: func(c *ucli.Context) error {
			switch c.Args().Len() {
			case 0:
				return s.showState(c.Bool("json"), "")
			case 1:
				sp, err := planner.ReadFile(s.path(c.Args().First()))
				if err != nil {
					return failure(err)
				}
				if c.Bool("json") {
					enc := json.NewEncoder(s.env.Stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(sp.Plan)
				}
				return planner.Render(s.env.Stdout, planner.FromJSON(sp.Plan), planner.RenderOptions{Color: s.color})
			default:
				return usageError("show takes at most one argument, a saved plan file")
			}
		},
	}
}

func (s *session) stateCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "state",
		Usage: "list or show the objects scriptsync manages",
		Subcommands: []*ucli.Command{
			{
				Name:      "list",
				Usage:     "list managed objects by address",
				ArgsUsage: "[ADDRESS...]",
				Action: func(c *ucli.Context) error {
					objs, err := s.managed()
					if err != nil {
						return err
					}
					seen := map[string]bool{}
					var addrs []string
					for _, o := range objs {
						if !seen[o.Object.Address] && matchesAny(o.Object.Address, c.Args().Slice()) {
							seen[o.Object.Address] = true
							addrs = append(addrs, o.Object.Address)
						}
					}
					sort.Strings(addrs)
					for _, a := range addrs {
						s.ui.printf("%s\n", a)
					}
					return nil
				},
			},
			{
				Name:      "show",
				Usage:     "print one managed object",
				ArgsUsage: "ADDRESS",
				Action: func(c *ucli.Context) error {
					if c.Args().Len() != 1 {
						return usageError("state show takes exactly one address")
					}
					return s.showState(false, c.Args().First())
				},
			},
		},
	}
}

func matchesAny(addr string, prefixes []string) bool {
	if len(prefixes) == 0 {
		return true
	}
	for _, p := range prefixes {
		if addr == p || strings.HasPrefix(addr, p+".") || strings.HasPrefix(addr, p+"[") {
			return true
		}
	}
	return false
}

// managed reads the objects every backend holds for scriptsync.
func (s *session) managed() ([]engine.Managed, error) {
	vars, err := scanVarArgs(s.env.Args)
	if err != nil {
		return nil, err
	}
	ws, err := s.load(vars, true)
	if err != nil {
		return nil, err
	}
	defer ws.Close()
	objs, err := ws.State(s.ctx)
	if err != nil {
		return nil, failure(err)
	}
	return objs, nil
}

// showState prints managed objects (only address's, when given).
func (s *session) showState(asJSON bool, address string) error {
	objs, err := s.managed()
	if err != nil {
		return err
	}
	if address != "" {
		var keep []engine.Managed
		for _, o := range objs {
			if o.Object.Address == address {
				keep = append(keep, o)
			}
		}
		if len(keep) == 0 {
			return usageError("no managed object has the address %s (see scriptsync state list)", address)
		}
		objs = keep
	}
	if asJSON {
		type jsonObject struct {
			Address   string         `json:"address"`
			Type      string         `json:"type"`
			Provider  string         `json:"provider"`
			Values    map[string]any `json:"values"`
			Sensitive []string       `json:"sensitive_attributes,omitempty"`
		}
		doc := struct {
			FormatVersion string       `json:"format_version"`
			Objects       []jsonObject `json:"objects"`
		}{FormatVersion: planner.FormatVersion, Objects: []jsonObject{}}
		for _, o := range objs {
			vals := map[string]any{}
			for k, v := range o.Object.Attributes() {
				vals[k] = v
			}
			for _, k := range o.Object.Sensitive {
				vals[k] = nil
			}
			doc.Objects = append(doc.Objects, jsonObject{o.Object.Address, o.Object.Type, o.Provider, vals, o.Object.Sensitive})
		}
		enc := json.NewEncoder(s.env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	}
	if len(objs) == 0 {
		s.ui.printf("No objects are managed yet. Run scriptsync apply to create them.\n")
		return nil
	}
	for i, o := range objs {
		if i > 0 {
			s.ui.printf("\n")
		}
		s.ui.printf("# %s (%s)\n", o.Object.Address, o.Provider)
		s.ui.printf("%s {\n", strings.TrimSpace(blockName(o.Provider, o.Object)))
		attrs := o.Object.Attributes()
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
		for _, k := range o.Object.Sensitive {
			sensitive[k] = true
		}
		for _, k := range keys {
			v := planner.FormatValue(attrs[k])
			if sensitive[k] {
				v = "(sensitive value)"
			}
			s.ui.printf("    %-*s = %s\n", width, k, v)
		}
		s.ui.printf("}\n")
	}
	return nil
}

func blockName(provider string, o *providers.Object) string {
	return planner.BlockHeader(provider, o)
}

// formatCty renders an output value in HCL syntax.
func formatCty(v cty.Value) string {
	if v.IsNull() {
		return "null"
	}
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return v.GoString()
	}
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		return string(b)
	}
	return planner.FormatValue(normalizeJSON(x))
}

// normalizeJSON turns whole float64s into int64 so that 3 prints as 3.
func normalizeJSON(x any) any {
	switch t := x.(type) {
	case float64:
		if t == float64(int64(t)) {
			return int64(t)
		}
		return t
	case []any:
		for i := range t {
			t[i] = normalizeJSON(t[i])
		}
		return t
	case map[string]any:
		for k := range t {
			t[k] = normalizeJSON(t[k])
		}
		return t
	}
	return x
}
