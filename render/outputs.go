package render

import (
	"bytes"
	"encoding/json"
	"sort"
)

// OutputChange is an output whose value an apply would record otherwise
// than the last apply did: Terraform's "Changes to Outputs".
type OutputChange struct {
	Name string
	// Action is "create", "update" or "delete".
	Action    string
	Before    any
	After     any
	Sensitive bool
}

// OutputChanges compares the outputs now with prior, those the last apply
// recorded (nil when it recorded none), by name. A sensitive value is not
// recorded, so a sensitive output changes only when it comes or goes, or
// stops being sensitive. With partial set, now holds only some outputs
// (the others are unchanged), and none is taken for deleted.
func OutputChanges(now []NamedValue, prior map[string]NamedValue, partial bool) []OutputChange {
	var out []OutputChange
	seen := map[string]bool{}
	for _, o := range now {
		seen[o.Name] = true
		was, ok := prior[o.Name]
		switch {
		case !ok:
			out = append(out, OutputChange{Name: o.Name, Action: "create", After: o.Value, Sensitive: o.Sensitive})
		case was.Sensitive != o.Sensitive || (!o.Sensitive && !sameJSON(was.Value, o.Value)):
			out = append(out, OutputChange{Name: o.Name, Action: "update", Before: was.Value, After: o.Value, Sensitive: o.Sensitive || was.Sensitive})
		}
	}
	if !partial {
		for name, was := range prior {
			if !seen[name] {
				out = append(out, OutputChange{Name: name, Action: "delete", Before: was.Value, Sensitive: was.Sensitive})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// sameJSON reports whether a and b encode alike: a value read back from
// JSON has float64 numbers where a computed one has int64.
func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// outputLine is one output change as Terraform shows it: its mark, name
// and values.
func outputLine(c OutputChange) (mark, text string) {
	value := func(v any) string {
		if c.Sensitive {
			return "(sensitive value)"
		}
		return FormatValue(v)
	}
	switch c.Action {
	case "create":
		return "+", c.Name + " = " + value(c.After)
	case "delete":
		return "-", c.Name + " = " + value(c.Before) + " -> null"
	}
	return "~", c.Name + " = " + value(c.Before) + " -> " + value(c.After)
}

// outputs writes the "Changes to Outputs" section.
func (p *printer) outputs(changes []OutputChange) {
	p.printf("\n%s\n", p.paint(colorBold, "Changes to Outputs:"))
	for _, c := range changes {
		mark, text := outputLine(c)
		switch mark {
		case "+":
			mark = p.paint(colorGreen, mark)
		case "-":
			mark = p.paint(colorRed, mark)
		default:
			mark = p.paint(colorYellow, mark)
		}
		p.printf("  %s %s\n", mark, text)
	}
}
