package render

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"scriptsync/planner"
	"scriptsync/providers"
)

// CommentLimit is the most characters a GitHub comment holds; Markdown
// keeps below it by summarising whole sections, never cutting one.
const CommentLimit = 65536

// MarkdownOptions tune the pull-request rendering.
type MarkdownOptions struct {
	// Limit is the size to stay under (CommentLimit when 0).
	Limit int
	// Providers orders the backends table.
	Providers []string
	// PlanFile names the saved plan in the note shown when sections are
	// summarised.
	PlanFile string
	// Outputs are the changes to the outputs an apply would record.
	Outputs []OutputChange
}

// Markdown writes a plan as a comment for a pull request: the totals per
// backend, the warnings, drift, then one collapsible section per script
// (or other top-level block) with its changes and scene diffs.
func Markdown(w io.Writer, p *planner.Plan, opts MarkdownOptions) error {
	limit := opts.Limit
	if limit <= 0 {
		limit = CommentLimit
	}
	var head strings.Builder
	s := p.Summary()
	head.WriteString("### scriptsync plan\n\n")
	switch {
	case !p.HasChanges() && len(opts.Outputs) > 0:
		head.WriteString("**Changes to outputs only.** No object in the backends changes.\n")
	case !p.HasChanges():
		head.WriteString("**No changes.** The backends match the configuration.\n")
	default:
		fmt.Fprintf(&head, "**Plan: %s%d to add, %d to change, %d to destroy.**\n\n", ImportCount(s), s.Add, s.Change, s.Destroy)
		head.WriteString("| Backend | Add | Change | Destroy | To write |\n|---|--:|--:|--:|--:|\n")
		per, bytes := BackendSummaries(p), map[string]int64{}
		for _, c := range p.Changes {
			if c.Action != providers.NoOp && c.After != nil {
				bytes[c.Provider] += c.After.Size
			}
		}
		for _, name := range backendOrder(p, opts.Providers) {
			t := per[name]
			if t == (JSONSummary{}) {
				continue
			}
			size := ""
			if bytes[name] > 0 {
				size = FormatBytes(bytes[name])
			}
			fmt.Fprintf(&head, "| %s | %d | %d | %d | %s |\n", name, t.Add, t.Change, t.Destroy, size)
		}
	}
	if len(opts.Outputs) > 0 {
		head.WriteString(outputsBlock(opts.Outputs, limit/8, opts.PlanFile))
	}
	for _, warn := range p.Warnings {
		fmt.Fprintf(&head, "\n> [!WARNING]\n> %s\n", strings.ReplaceAll(warn, "\n", "\n> "))
	}
	var sections []section
	if len(p.Drift) > 0 {
		sections = append(sections, driftSection(p.Drift))
	}
	sections = append(sections, groupSections(p)...)
	var body strings.Builder
	var summarised []section
	// Reserve room for the note and the list of summarised sections.
	reserve := 600
	for _, sec := range sections {
		reserve += len(sec.line) + 1
	}
	budget := limit - head.Len() - reserve
	for _, sec := range sections {
		if body.Len()+len(sec.text) > budget {
			summarised = append(summarised, sec)
			continue
		}
		body.WriteString(sec.text)
	}
	out := head.String() + "\n" + body.String()
	if len(summarised) > 0 {
		file := opts.PlanFile
		if file == "" {
			file = "PLANFILE"
		}
		var note strings.Builder
		fmt.Fprintf(&note, "\n> [!NOTE]\n> This plan is larger than a comment can hold: %d %s summarised below. Run `scriptsync show %s` for the full plan.\n\n",
			len(summarised), plural(len(summarised), "section is", "sections are"), file)
		for _, sec := range summarised {
			line := sec.line + "\n"
			if len(out)+note.Len()+len(line) > limit-80 {
				fmt.Fprintf(&note, "- … and more (%d sections in all)\n", len(summarised))
				break
			}
			note.WriteString(line)
		}
		out += note.String()
	}
	_, err := io.WriteString(w, out)
	return err
}

// backendOrder is the given order, or else the plan's (Backends).
func backendOrder(p *planner.Plan, order []string) []string {
	if len(order) > 0 {
		return order
	}
	return Backends(p)
}

// Backends lists the plan's providers in apply order.
func Backends(p *planner.Plan) []string {
	var order []string
	seen := map[string]bool{}
	for _, c := range p.Changes {
		if !seen[c.Provider] {
			seen[c.Provider] = true
			order = append(order, c.Provider)
		}
	}
	return order
}

// section is one collapsible block, and the line that stands for it when
// the comment has no room.
type section struct {
	text, line string
}

// rootOf is the top-level block an address belongs to, with its key:
// script.pilot for script.pilot.scenes["3"], script.ep["1"] for
// script.ep["1"].scenes["2"].
func rootOf(addr string) string {
	typ, rest, ok := strings.Cut(addr, ".")
	if !ok {
		return addr
	}
	i := strings.IndexAny(rest, ".[")
	if i < 0 {
		return addr
	}
	if rest[i] == '[' {
		// A key is a quoted string, which may hold dots and brackets.
		if end := strings.Index(rest[i:], "\"]"); end >= 0 {
			return typ + "." + rest[:i+end+2]
		}
	}
	return typ + "." + rest[:i]
}

// groupOf is the script a change belongs to, for grouping: an embedding
// goes with its scene's script, a bible with its script, and the files and
// objects of other backends with their row's group (byAddr).
func groupOf(c *providers.Change, byAddr map[string]string) string {
	if g, ok := byAddr[c.Address()]; ok {
		return g
	}
	attrs := c.Object().Attributes()
	if sc, ok := attrs["scene"].(string); ok && sc != "" {
		return rootOf(sc)
	}
	if sc, ok := attrs["script"].(string); ok && sc != "" && c.Object().Type == "bible" {
		return rootOf(sc)
	}
	return rootOf(c.Address())
}

func groupSections(p *planner.Plan) []section {
	var order []string
	groups := map[string][]*providers.Change{}
	// The files and objects of other backends go with their row, changed
	// or not; only those rows' attributes are read (a large plan's no-ops
	// make theirs when asked).
	need := map[string]bool{}
	for _, c := range p.Changes {
		if c.Provider != "sql" && c.Action != providers.NoOp {
			need[c.Address()] = true
		}
	}
	byAddr := map[string]string{}
	for _, c := range p.Changes {
		if c.Provider == "sql" && (c.Action != providers.NoOp || need[c.Address()]) {
			byAddr[c.Address()] = groupOf(c, nil)
		}
	}
	for _, c := range p.Changes {
		if c.Action == providers.NoOp {
			continue
		}
		g := groupOf(c, byAddr)
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], c)
	}
	var out []section
	for _, g := range order {
		cs := groups[g]
		counts := map[string]*JSONSummary{}
		var backends []string
		for _, c := range cs {
			t := counts[c.Provider]
			if t == nil {
				t = &JSONSummary{}
				counts[c.Provider] = t
				backends = append(backends, c.Provider)
			}
			t.count(c.Action)
		}
		var parts []string
		for _, b := range backends {
			t := counts[b]
			parts = append(parts, fmt.Sprintf("%s +%d ~%d -%d", b, t.Add, t.Change, t.Destroy))
		}
		title := fmt.Sprintf("<code>%s</code>: %d %s (%s)", htmlEscape(g), len(cs), plural(len(cs), "change", "changes"), strings.Join(parts, ", "))
		var b strings.Builder
		fmt.Fprintf(&b, "<details><summary>%s</summary>\n\n", title)
		for _, c := range cs {
			markdownChange(&b, c, false)
		}
		b.WriteString("</details>\n\n")
		out = append(out, section{text: b.String(), line: "- " + strings.NewReplacer("<code>", "`", "</code>", "`").Replace(title)})
	}
	return out
}

func driftSection(drift []*providers.Change) section {
	var b strings.Builder
	fmt.Fprintf(&b, "<details open><summary>Drift: %d %s changed outside scriptsync</summary>\n\n", len(drift), plural(len(drift), "object", "objects"))
	b.WriteString("Since the last apply, these objects changed in their backend. Applying this plan repairs them.\n\n")
	for _, c := range drift {
		markdownChange(&b, c, true)
	}
	b.WriteString("</details>\n\n")
	return section{text: b.String(), line: fmt.Sprintf("- Drift: %d objects changed outside scriptsync", len(drift))}
}

var mdVerb = map[providers.Action]string{
	providers.Create: "create", providers.Update: "update in place", providers.Delete: "destroy", providers.Replace: "replace",
}

// markdownChange writes one change: a heading line, the changed plain
// attributes as a list, and each text attribute as a diff block.
func markdownChange(b *strings.Builder, c *providers.Change, drift bool) {
	mark := map[providers.Action]string{providers.Create: "+", providers.Update: "~", providers.Delete: "-", providers.Replace: "-/+"}[c.Action]
	verb := mdVerb[c.Action]
	if drift {
		verb, mark = "changed outside scriptsync", "~"
		if c.After == nil {
			verb, mark = "deleted outside scriptsync", "-"
		}
	}
	fmt.Fprintf(b, "**`%s %s`** %s", mark, ChangeAddress(c), verb)
	if c.Moved() {
		fmt.Fprintf(b, " (moved from `%s`)", c.Before.Address)
	}
	b.WriteString("\n\n")
	var before, after map[string]any
	if c.Before != nil {
		before = redact(c.Before, map[string]bool{})
	}
	if c.After != nil {
		after = redact(c.After, map[string]bool{})
	}
	secret := sensitiveMap(c.Object())
	keys := make([]string, 0)
	for k := range union(before, after) {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var diffs []string
	listed := false
	for _, k := range keys {
		bv, av := before[k], after[k]
		if planner.EqualValue(bv, av) {
			continue
		}
		if !secret[k] && (isText(bv) || isText(av)) {
			diffs = append(diffs, k)
			continue
		}
		if c.Action == providers.Create || c.Action == providers.Delete {
			continue // the heading says it; a new object's values are in the code
		}
		show := func(v any) string {
			if secret[k] {
				return "(sensitive value)"
			}
			return FormatValue(v)
		}
		fmt.Fprintf(b, "- `%s`: %s → %s\n", k, inlineCode(show(bv)), inlineCode(show(av)))
		listed = true
	}
	if note := VectorNote(c.Notes); note != "" {
		fmt.Fprintf(b, "- %s\n", note)
		listed = true
	}
	noted := map[string][2]any{}
	if nb, na, ok := NoteText(c); ok {
		diffs = append(diffs, "text")
		noted["text"] = [2]any{nb, na}
	}
	for i, k := range diffs {
		if i > 0 || listed {
			b.WriteString("\n")
		}
		lines := TextDiff(before[k], after[k])
		if n, ok := noted[k]; ok {
			lines = TextDiff(n[0], n[1])
		}
		var d strings.Builder
		for _, l := range lines {
			d.WriteString(l.Mark + " " + l.Text + "\n")
		}
		fence := codeFence(d.String())
		fmt.Fprintf(b, "`%s`:\n\n%sdiff\n%s%s\n", k, fence, d.String(), fence)
	}
	b.WriteString("\n")
}

// codeFence is a fence longer than any run of backticks in s.
func codeFence(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// inlineCode quotes a value as inline code, whatever backticks it holds.
func inlineCode(s string) string {
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if fence != "`" {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// outputsBlock is the "Changes to outputs" part of a comment, within
// budget characters: each value cut at outputValueLimit, and, when even
// that is too long, the outputs' names alone.
func outputsBlock(changes []OutputChange, budget int, file string) string {
	var lines strings.Builder
	for _, c := range changes {
		mark, text := outputLine(c)
		if len(text) > outputValueLimit {
			text = strings.ToValidUTF8(text[:outputValueLimit], "") + "…"
		}
		fmt.Fprintf(&lines, "%s %s\n", mark, text)
	}
	if lines.Len() > budget {
		if file == "" {
			file = "PLANFILE"
		}
		lines.Reset()
		for _, c := range changes {
			mark, _ := outputLine(c)
			fmt.Fprintf(&lines, "%s %s\n", mark, c.Name)
		}
		if lines.Len() > budget {
			return fmt.Sprintf("\n%d outputs change; run `scriptsync show %s` for their values.\n", len(changes), file)
		}
		fence := codeFence(lines.String())
		return fmt.Sprintf("\nChanges to outputs (values in `scriptsync show %s`):\n\n%s\n%s%s\n", file, fence, lines.String(), fence)
	}
	fence := codeFence(lines.String())
	return fmt.Sprintf("\nChanges to outputs:\n\n%s\n%s%s\n", fence, lines.String(), fence)
}

// outputValueLimit is the most of an output change's line a comment shows.
const outputValueLimit = 300
