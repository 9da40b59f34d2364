package render

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"scriptsync/planner"
	"scriptsync/providers"
)

// Options tune human output.
type Options struct {
	Color bool
	// Providers orders the per-backend summary; providers absent from the
	// plan are skipped.
	Providers []string
	// CompactWarnings shows each warning's first sentence only, as
	// Terraform's -compact-warnings does.
	CompactWarnings bool
	// Outputs are the changes to the outputs an apply would record.
	Outputs []OutputChange
}

const (
	colorReset  = "\x1b[0m"
	colorGreen  = "\x1b[32m"
	colorYellow = "\x1b[33m"
	colorRed    = "\x1b[31m"
	colorBold   = "\x1b[1m"
)

type printer struct {
	w     io.Writer
	color bool
	err   error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

// attrLine prints an attribute's line, its name padded to width: what
// printf("      %s %-*s = %s\n") prints, without boxing four values for
// each of a large plan's hundreds of thousands of lines.
func (p *printer) attrLine(mark, name string, width int, value string) {
	p.put("      ", mark, " ", name)
	for pad := width - utf8.RuneCountInString(name); pad > 0; pad -= len(spaces) {
		p.put(spaces[:min(pad, len(spaces))])
	}
	p.put(" = ", value, "\n")
}

// put writes strings as they are, until a write fails.
func (p *printer) put(ss ...string) {
	for _, s := range ss {
		if p.err != nil {
			return
		}
		_, p.err = io.WriteString(p.w, s)
	}
}

const spaces = "                                "

func (p *printer) paint(code, s string) string {
	if !p.color {
		return s
	}
	return code + s + colorReset
}

// Plan writes a plan the way Terraform does: one block per changed
// object, then per-backend totals and the summary line.
func Plan(w io.Writer, plan *planner.Plan, opts Options) error {
	// A large plan is hundreds of thousands of short lines: one write
	// each would cost more than computing the plan.
	bw := bufio.NewWriterSize(w, 64<<10)
	p := &printer{w: bw, color: opts.Color}
	err := p.render(plan, opts)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return err
}

func (p *printer) render(plan *planner.Plan, opts Options) error {
	if opts.CompactWarnings && len(plan.Warnings) > 0 {
		p.printf("%s\n", p.paint(colorYellow+colorBold, "Warnings:"))
		for _, warn := range plan.Warnings {
			first, _, _ := strings.Cut(warn, ". ")
			p.printf("  - %s\n", strings.TrimSuffix(first, "."))
		}
		p.printf("\nTo see the full warning notes, run scriptsync without -compact-warnings.\n\n")
	} else {
		for _, warn := range plan.Warnings {
			p.printf("%s %s\n\n", p.paint(colorYellow+colorBold, "Warning:"), warn)
		}
	}
	p.drift(plan)
	if plan.Options.RefreshOnly {
		if len(plan.Drift) == 0 {
			p.printf("%s\n", p.paint(colorGreen+colorBold, "No changes.")+" No objects have changed outside of scriptsync.")
		} else {
			p.printf("This is a refresh-only plan, so scriptsync will not take any actions to undo these. A plain plan shows the changes that repair them.\n")
		}
		return p.err
	}
	if !plan.HasChanges() && len(opts.Outputs) > 0 {
		p.outputs(opts.Outputs)
		p.printf("\nYou can apply this plan to record these new output values, without changing any object in the backends.\n")
		return p.err
	}
	if !plan.HasChanges() {
		p.printf("%s\n", p.paint(colorGreen+colorBold, "No changes.")+" The backends match the configuration.")
		return p.err
	}
	p.printf("scriptsync will perform the following actions:\n")
	for _, pd := range plan.Pending {
		p.printf("\n  %s %s\n", p.paint(colorBold, "#"), p.paint(colorBold, pd.Provider+" schema will be changed"))
		p.printf("  %s %s_schema {\n", p.paint(colorYellow, "~"), pd.Provider)
		for _, line := range strings.Split(pd.Description, "\n") {
			p.printf("      %s\n", line)
		}
		p.printf("    }\n")
	}
	for _, c := range plan.Changes {
		if c.Action != providers.NoOp || c.Importing() != "" {
			p.change(c)
		}
	}
	p.printf("\n")
	p.backends(plan, opts.Providers)
	s := plan.Summary()
	forget := ""
	if s.Forget > 0 {
		forget = fmt.Sprintf(", %d to forget", s.Forget)
	}
	p.printf("%s %s%d to add, %d to change, %d to destroy%s.\n", p.paint(colorBold, "Plan:"), ImportCount(s), s.Add, s.Change, s.Destroy, forget)
	if len(opts.Outputs) > 0 {
		p.outputs(opts.Outputs)
	}
	return p.err
}

// drift writes Terraform's "Objects have changed outside of ..." section:
// each drifted object as scriptsync recorded it and as the backend holds
// it now.
func (p *printer) drift(plan *planner.Plan) {
	if len(plan.Drift) == 0 {
		return
	}
	p.printf("%s\n\n", p.paint(colorBold, "Note: Objects have changed outside of scriptsync"))
	p.printf("scriptsync detected the following changes made outside of scriptsync since the last \"scriptsync apply\":\n")
	for _, d := range plan.Drift {
		verb, mark, color := "has changed", "~", colorYellow
		if d.After == nil {
			verb, mark, color = "has been deleted", "-", colorRed
		}
		p.printf("\n  %s %s %s\n", p.paint(colorBold, "#"), p.paint(colorBold, d.Before.Address), verb)
		before := d.Before.Attributes()
		p.printf("  %s %s {\n", p.paint(color, mark), blockHeader(d.Provider, d.Before, before))
		shown := *d
		if d.After == nil {
			shown.Action = providers.Delete
		} else {
			shown.Action = providers.Update
		}
		var after map[string]any
		if d.After != nil {
			after = d.After.Attributes()
		}
		p.attrs(&shown, before, after)
		p.printf("  %s }\n", strings.Repeat(" ", len(mark)))
	}
	if !plan.Options.RefreshOnly {
		p.printf("\nUnless you have made equivalent changes to your configuration, the apply below undoes them.\n")
	}
	p.printf("\n%s\n\n", strings.Repeat("─", 77))
}

func (p *printer) change(c *providers.Change) {
	o := c.Object()
	var verb, mark, color string
	switch c.Action {
	case providers.Create:
		verb, mark, color = "will be created", "+", colorGreen
	case providers.Update:
		verb, mark, color = "will be updated in place", "~", colorYellow
	case providers.Delete:
		verb, mark, color = "will be destroyed", "-", colorRed
	case providers.Replace:
		verb, mark, color = "must be replaced", "-/+", colorRed
	case providers.Forget:
		verb, mark, color = "will no longer be managed by scriptsync (it stays in the backend)", ".", colorBold
	case providers.NoOp:
		verb, mark, color = "will be imported", " ", colorBold
	}
	id := c.Importing()
	if c.Moved() && c.Action == providers.Update && c.Before.Hash == c.After.Hash && sameAttributes(c.Before, c.After) {
		p.printf("\n  %s %s has moved to %s\n", p.paint(colorBold, "#"), p.paint(colorBold, c.Before.Address), p.paint(colorBold, ChangeAddress(c)))
	} else {
		p.printf("\n  %s %s %s\n", p.paint(colorBold, "#"), p.paint(colorBold, ChangeAddress(c)), verb)
		if c.Moved() {
			p.printf("  # (moved from %s)\n", c.Before.Address)
		}
		switch {
		case id != "" && c.Action == providers.Delete:
			p.printf("  # (a row within import %q that the configuration does not declare)\n", id)
		case id != "" && c.Action != providers.NoOp:
			p.printf("  # (imported from %q)\n", id)
		}
	}
	// An object's attributes may be made each time they are asked for
	// (AttrsFunc): o's once, for its header and its lines.
	shown := o.Attributes()
	p.printf("  %s %s {\n", p.paint(color, mark), blockHeader(c.Provider, o, shown))
	switch {
	case c.Action == providers.Forget:
		p.printf("        # (its data stays as it is)\n")
	case c.Action == providers.NoOp:
		p.printf("        # (id %q; the backend already holds what the configuration says)\n", id)
	default:
		var before, after map[string]any // c.Before's and c.After's
		if c.After == nil {
			before = shown
		} else {
			after = shown
			if c.Before != nil {
				before = c.Before.Attributes()
			}
		}
		p.attrs(c, before, after)
		if note := VectorNote(c.Notes); note != "" {
			p.printf("        # (%s)\n", note)
		}
		if b, a, ok := NoteText(c); ok {
			p.printf("      %s text = <<-EOT\n", p.paint(colorYellow, "~"))
			p.diffLines(TextDiff(b, a))
			p.printf("        EOT\n")
		}
	}
	pad := strings.Repeat(" ", len(mark))
	p.printf("  %s }\n", pad)
}

// BlockHeader names an object's block: its type, and the path of a file,
// the name of a declared object, or nothing for a derived one.
func BlockHeader(provider string, o *providers.Object) string {
	return blockHeader(provider, o, o.Attributes())
}

// blockHeader is BlockHeader of an object whose attributes are attrs.
func blockHeader(provider string, o *providers.Object, attrs map[string]any) string {
	typ := TypeOf(provider, o)
	if path, ok := attrs["path"].(string); ok && path != "" && !slices.Contains(o.Sensitive, "path") {
		return typ + " " + strconv.Quote(path)
	}
	if rest, ok := strings.CutPrefix(o.Address, o.Type+"."); ok && !strings.ContainsAny(rest, ".[") {
		return typ + " " + strconv.Quote(rest)
	}
	return typ
}

// sameAttributes reports whether an object that moved shows no other
// change: Terraform's "has moved to" (a renumbered scene, whose number
// changed, is an update in place that moved).
func sameAttributes(before, after *providers.Object) bool {
	b, a := before.Attributes(), after.Attributes()
	if len(b) != len(a) {
		return false
	}
	for k, v := range b {
		if w, ok := a[k]; !ok || !planner.EqualValue(v, w) {
			return false
		}
	}
	return true
}

// attrs writes the lines of c's attributes: before and after are those of
// c.Before and c.After.
func (p *printer) attrs(c *providers.Change, before, after map[string]any) {
	names := map[string]bool{}
	for k := range before {
		names[k] = true
	}
	for k := range after {
		names[k] = true
	}
	sorted := make([]string, 0, len(names))
	for k := range names {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	sensitive := map[string]bool{}
	for _, o := range []*providers.Object{c.Before, c.After} {
		if o != nil {
			for _, s := range o.Sensitive {
				sensitive[s] = true
			}
		}
	}
	forces := map[string]bool{}
	if c.Action == providers.Replace {
		for _, f := range planner.ForcesNew(c.Before, c.After) {
			forces[f] = true
		}
	}
	type line struct {
		mark, name, value string
		diff              []DiffLine // a text shown as lines
	}
	lines := make([]line, 0, len(sorted))
	hidden := 0
	for _, k := range sorted {
		bv, inBefore := before[k]
		av, inAfter := after[k]
		show := func(v any) string {
			if sensitive[k] {
				return "(sensitive value)"
			}
			return FormatValue(v)
		}
		switch {
		case !sensitive[k] && (isText(bv) || isText(av)) && !(inBefore && inAfter && planner.EqualValue(bv, av)):
			var b, a any
			mark := p.paint(colorYellow, "~")
			if inBefore && c.Action != providers.Create {
				b = bv
			} else {
				mark = p.paint(colorGreen, "+")
			}
			if inAfter && c.Action != providers.Delete {
				a = av
			} else {
				mark = p.paint(colorRed, "-")
			}
			lines = append(lines, line{mark: mark, name: k, value: "<<-EOT", diff: TextDiff(b, a)})
		case c.Action == providers.Create:
			lines = append(lines, line{mark: p.paint(colorGreen, "+"), name: k, value: show(av)})
		case c.Action == providers.Delete:
			lines = append(lines, line{mark: p.paint(colorRed, "-"), name: k, value: show(bv) + " -> null"})
		case inBefore && inAfter && planner.EqualValue(bv, av):
			hidden++
		case !inBefore:
			lines = append(lines, line{mark: p.paint(colorGreen, "+"), name: k, value: show(av)})
		case !inAfter:
			lines = append(lines, line{mark: p.paint(colorRed, "-"), name: k, value: show(bv) + " -> null"})
		default:
			v := show(bv) + " -> " + show(av)
			if forces[k] {
				v += p.paint(colorRed, " # forces replacement")
			}
			lines = append(lines, line{mark: p.paint(colorYellow, "~"), name: k, value: v})
		}
	}
	width := 0
	for _, l := range lines {
		if len(l.name) > width {
			width = len(l.name)
		}
	}
	for _, l := range lines {
		p.attrLine(l.mark, l.name, width, l.value)
		if l.diff == nil && l.value != "<<-EOT" {
			continue
		}
		p.diffLines(l.diff)
		p.printf("        EOT\n")
	}
	if hidden > 0 {
		noun := "attributes"
		if hidden == 1 {
			noun = "attribute"
		}
		p.printf("        # (%d unchanged %s hidden)\n", hidden, noun)
	}
}

// backends prints one line per provider with changes.
func (p *printer) backends(plan *planner.Plan, order []string) {
	type tally struct {
		planner.Summary
		bytes int64
	}
	per := map[string]*tally{}
	var seen []string
	for _, c := range plan.Changes {
		if c.Action == providers.NoOp && c.Importing() == "" {
			continue
		}
		t := per[c.Provider]
		if t == nil {
			t = &tally{}
			per[c.Provider] = t
			seen = append(seen, c.Provider)
		}
		t.Count(c.Action)
		if c.Importing() != "" && c.Action != providers.Delete {
			t.Import++
		}
		if c.After != nil && c.Action != providers.NoOp {
			t.bytes += c.After.Size
		}
	}
	if len(order) == 0 {
		order = seen
	}
	p.printf("Changes by backend:\n")
	for _, name := range order {
		t := per[name]
		if t == nil {
			continue
		}
		p.printf("  %-4s %s%d to add, %d to change, %d to destroy", name+":", ImportCount(t.Summary), t.Add, t.Change, t.Destroy)
		if t.Forget > 0 {
			p.printf(", %d to forget", t.Forget)
		}
		if t.bytes > 0 {
			p.printf(", %s to write", FormatBytes(t.bytes))
		}
		p.printf("\n")
	}
	p.printf("\n")
}

// diffLines prints a text's diff, marks in colour, inside its <<-EOT.
func (p *printer) diffLines(lines []DiffLine) {
	for _, d := range lines {
		mark := d.Mark
		switch mark {
		case "+":
			mark = p.paint(colorGreen, "+")
		case "-":
			mark = p.paint(colorRed, "-")
		}
		p.printf("          %s %s\n", mark, d.Text)
	}
}

// ImportCount is Terraform's "N to import, " that opens a summary line of
// a plan that imports, "" for one that does not.
func ImportCount(s planner.Summary) string {
	if s.Import == 0 {
		return ""
	}
	return fmt.Sprintf("%d to import, ", s.Import)
}
