package cli

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	ucli "github.com/urfave/cli/v2"

	"scriptsync/render"
)

// outputCommand prints the output values the last apply recorded (in the
// SQL bookkeeping), not values computed from the configuration now: like
// Terraform's, they describe what is applied.
func (s *session) outputCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "output",
		Usage:     "print the output values the last apply recorded",
		ArgsUsage: "[NAME]",
		Flags: []ucli.Flag{
			&ucli.BoolFlag{Name: "json", Usage: "print JSON"},
			&ucli.BoolFlag{Name: "raw", Usage: "print NAME's string, number or bool value as it is, without quotes or a newline"},
			noColorFlag(),
		},
		Action: func(c *ucli.Context) error {
			s.commandFlags(c)
			if c.Args().Len() > 1 {
				return tooManyArgs(c, "at most one argument, an output name")
			}
			name := c.Args().First()
			if c.Bool("raw") && (name == "" || c.Bool("json")) {
				return usageError("output -raw needs an output name, and cannot be used with -json")
			}
			ws, err := s.loadArgs(false)
			if err != nil {
				return err
			}
			defer ws.Close()
			recorded, err := ws.RecordedOutputs(s.ctx)
			if err != nil {
				return failure(err)
			}
			if name == "" {
				return s.allOutputs(recorded, c.Bool("json"))
			}
			o, ok := recorded[name]
			if !ok {
				return usageError("output %q not found: the last apply recorded no output of that name (run scriptsync apply to record the configuration's outputs)", name)
			}
			if o.Sensitive {
				return usageError("output %q is sensitive: scriptsync never records sensitive values, so it cannot print it", name)
			}
			switch {
			case c.Bool("raw"):
				switch v := o.Value.(type) {
				case string:
					s.ui.printf("%s", v)
				case bool, float64, int64:
					s.ui.printf("%s", render.FormatValue(v))
				default:
					return usageError("output -raw prints strings, numbers and bools only; %q is a %s (use -json)", name, kindOf(o.Value))
				}
			case c.Bool("json"):
				b, err := json.Marshal(o.Value)
				if err != nil {
					return failure(err)
				}
				s.ui.printf("%s\n", b)
			default:
				s.ui.printf("%s\n", render.FormatValue(o.Value))
			}
			return nil
		},
	}
}

func (s *session) allOutputs(recorded map[string]render.NamedValue, asJSON bool) error {
	names := make([]string, 0, len(recorded))
	for n := range recorded {
		names = append(names, n)
	}
	sort.Strings(names)
	if asJSON {
		doc := map[string]any{}
		for _, n := range names {
			o := recorded[n]
			v := map[string]any{"sensitive": o.Sensitive, "type": render.JSONType(o.Value)}
			if !o.Sensitive {
				v["value"] = o.Value
			}
			doc[n] = v
		}
		b, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			return failure(err)
		}
		s.ui.printf("%s\n", b)
		return nil
	}
	if len(names) == 0 {
		s.ui.printf("%s No outputs found.\n\nThe last apply recorded no output values: the configuration declares none, or it was not applied since they were added.\n",
			s.ui.paint(bold+yellow, "Warning:"))
		return nil
	}
	for _, n := range names {
		v := "<sensitive>"
		if !recorded[n].Sensitive {
			v = render.FormatValue(recorded[n].Value)
		}
		s.ui.printf("%s = %s\n", n, v)
	}
	return nil
}

func kindOf(v any) string {
	switch v.(type) {
	case []any:
		return "list"
	case map[string]any:
		return "map"
	case nil:
		return "null"
	}
	return strconv.Quote(fmt.Sprintf("%T", v))
}
