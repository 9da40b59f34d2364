package render

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"

	"scriptsync/address"
	"scriptsync/planner"
	"scriptsync/providers"
)

// UIVersion is the version of Terraform's machine-readable UI that the
// -json stream of plan and apply follows.
const UIVersion = "1.2"

// Stream writes Terraform's machine-readable UI: one JSON object per line,
// each with @level, @message, @module, @timestamp and type.
type Stream struct {
	mu  sync.Mutex
	w   io.Writer
	Now func() time.Time
	err error
}

// NewStream writes messages to w.
func NewStream(w io.Writer) *Stream { return &Stream{w: w, Now: time.Now} }

// Err is the first write error.
func (s *Stream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *Stream) emit(level, typ, message string, fields map[string]any) {
	m := map[string]any{"@level": level, "@message": message, "@module": "scriptsync.ui",
		"@timestamp": s.Now().Format("2006-01-02T15:04:05.000000Z07:00"), "type": typ}
	for k, v := range fields {
		m[k] = v
	}
	b, err := json.Marshal(m)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil && s.err == nil {
		_, err = s.w.Write(append(b, '\n'))
	}
	if s.err == nil {
		s.err = err
	}
}

// Version opens the stream.
func (s *Stream) Version(version string) {
	s.emit("info", "version", "scriptsync "+version, map[string]any{"terraform": version, "scriptsync": version, "ui": UIVersion})
}

// resourceAddr is Terraform's resource address object.
func resourceAddr(c *providers.Change, addr string, o *providers.Object) map[string]any {
	name, key := address.NameKey(addr)
	var k any
	if key != "" {
		k = key
	}
	full := AddressOf(c.Provider, addr, o)
	return map[string]any{"addr": full, "module": "", "resource": full, "implied_provider": c.Provider,
		"resource_type": TypeOf(c.Provider, o), "resource_name": name, "resource_key": k}
}

// uiAction is a change's action as the UI names it.
func uiAction(a providers.Action) string {
	switch a {
	case providers.NoOp:
		return "noop"
	case providers.Replace:
		return "replace"
	}
	return string(a)
}

var planVerb = map[string]string{"create": "Plan to create", "update": "Plan to update", "delete": "Plan to delete", "replace": "Plan to replace"}

func changeFields(c *providers.Change) map[string]any {
	ch := map[string]any{"resource": resourceAddr(c, c.Address(), c.Object()), "action": uiAction(c.Action)}
	if c.Moved() {
		ch["previous_resource"] = resourceAddr(c, c.Before.Address, c.Before)
	}
	if c.Action == providers.Replace {
		ch["reason"] = "cannot_update"
	}
	return ch
}

// PlannedChange reports one change of a plan (no-ops are not reported,
// as in Terraform).
func (s *Stream) PlannedChange(c *providers.Change) {
	if c.Action == providers.NoOp && c.Importing() == "" {
		return
	}
	ch := changeFields(c)
	msg := ChangeAddress(c) + ": " + planVerb[uiAction(c.Action)]
	if id := c.Importing(); id != "" {
		// Terraform's UI: the change carries the import's id; a no-op
		// import is "Plan to import".
		ch["importing"] = map[string]any{"id": id}
		if c.Action == providers.NoOp {
			msg = ChangeAddress(c) + ": Plan to import"
		}
	}
	if c.Moved() && c.Action == providers.Update {
		msg += fmt.Sprintf(" (moved from %s)", ch["previous_resource"].(map[string]any)["addr"])
	}
	s.emit("info", "planned_change", msg, map[string]any{"change": ch})
}

// PendingChange reports a change to a backend that is not an object's (a
// schema migration) as the update of a resource PROVIDER_schema, which the
// human plan shows in the same place; scriptsync.pending_change holds its
// description.
func (s *Stream) PendingChange(pd planner.Pending) {
	addr := pd.Provider + "_schema"
	res := map[string]any{"addr": addr, "module": "", "resource": addr, "implied_provider": pd.Provider,
		"resource_type": addr, "resource_name": "schema", "resource_key": nil}
	s.emit("info", "planned_change", addr+": Plan to update", map[string]any{"change": map[string]any{
		"resource": res, "action": "update", "scriptsync": map[string]any{"pending_change": pd.Description}}})
}

// ResourceDrift reports an object changed outside scriptsync.
func (s *Stream) ResourceDrift(c *providers.Change) {
	verb := "Drift detected (update)"
	if c.After == nil {
		verb = "Drift detected (delete)"
	}
	s.emit("info", "resource_drift", ChangeAddress(c)+": "+verb, map[string]any{"change": changeFields(c)})
}

// Plan reports every drifted object and change, then the summary; with
// outputsChange, a plan that changes only outputs is not "No changes".
func (s *Stream) Plan(p *planner.Plan, outputsChange bool) {
	for _, w := range p.Warnings {
		s.Diagnostic(hcl.DiagWarning, "Warning", w, nil)
	}
	for _, c := range p.Drift {
		s.ResourceDrift(c)
	}
	for _, pd := range p.Pending {
		s.PendingChange(pd)
	}
	for _, c := range p.Changes {
		s.PlannedChange(c)
	}
	sum := p.Summary()
	msg := fmt.Sprintf("Plan: %s%d to add, %d to change, %d to destroy.", ImportCount(sum), sum.Add, sum.Change, sum.Destroy)
	if !p.HasChanges() && !outputsChange {
		msg = "No changes. The backends match the configuration."
	}
	s.ChangeSummary(sum, "plan", msg)
}

// ChangeSummary reports a plan's or apply's totals; operation is plan,
// apply or destroy.
func (s *Stream) ChangeSummary(sum planner.Summary, operation, message string) {
	s.emit("info", "change_summary", message, map[string]any{"changes": map[string]any{
		"add": sum.Add, "change": sum.Change, "import": sum.Import, "remove": sum.Destroy, "operation": operation}})
}

// backendHook is the hook of a backend's apply. A backend commits all its
// objects at once (one transaction, one git commit, one batch of
// uploads), so the hooks of an apply are per backend: the resource is the
// backend, typed scriptsync_backend.
func backendHook(provider string, elapsed time.Duration) map[string]any {
	return map[string]any{
		"resource": map[string]any{"addr": "scriptsync_backend." + provider, "module": "", "resource": "scriptsync_backend." + provider,
			"implied_provider": provider, "resource_type": "scriptsync_backend", "resource_name": provider, "resource_key": nil},
		"action": "update", "elapsed_seconds": int(elapsed.Seconds()),
	}
}

// ApplyStart reports that a backend started applying its changes (a
// negative count when the count is not known).
func (s *Stream) ApplyStart(provider string, changes int) {
	h := backendHook(provider, 0)
	delete(h, "elapsed_seconds")
	msg := fmt.Sprintf("scriptsync_backend.%s: Modifying...", provider)
	if changes >= 0 {
		msg += fmt.Sprintf(" [%d %s]", changes, plural(changes, "change", "changes"))
		h["scriptsync"] = map[string]any{"changes": changes}
	}
	s.emit("info", "apply_start", msg, map[string]any{"hook": h})
}

// ApplyProgress reports a running apply: objects done of total (all
// backends), bytes written or uploaded, time elapsed.
func (s *Stream) ApplyProgress(provider string, done, total int, bytes int64, elapsed time.Duration) {
	h := backendHook(provider, elapsed)
	h["scriptsync"] = map[string]any{"done": done, "total": total, "bytes": bytes}
	s.emit("info", "apply_progress", fmt.Sprintf("scriptsync_backend.%s: Still modifying... [%d/%d objects, %s, %s elapsed]",
		provider, done, total, FormatBytes(bytes), FormatElapsed(elapsed)), map[string]any{"hook": h})
}

// ApplyComplete reports that a backend committed.
func (s *Stream) ApplyComplete(provider string, elapsed time.Duration) {
	s.emit("info", "apply_complete", fmt.Sprintf("scriptsync_backend.%s: Modifications complete after %s", provider, FormatElapsed(elapsed)),
		map[string]any{"hook": backendHook(provider, elapsed)})
}

// ApplyErrored reports that a backend failed to apply.
func (s *Stream) ApplyErrored(provider string, elapsed time.Duration) {
	s.emit("error", "apply_errored", fmt.Sprintf("scriptsync_backend.%s: Modifications errored after %s", provider, FormatElapsed(elapsed)),
		map[string]any{"hook": backendHook(provider, elapsed)})
}

// Outputs reports the output values after an apply.
func (s *Stream) Outputs(outputs []NamedValue) {
	m := map[string]any{}
	for _, o := range outputs {
		v := map[string]any{"sensitive": o.Sensitive, "type": JSONType(o.Value)}
		if !o.Sensitive {
			v["value"] = o.Value
		}
		m[o.Name] = v
	}
	s.emit("info", "outputs", fmt.Sprintf("Outputs: %d", len(outputs)), map[string]any{"outputs": m})
}

// OutputChanges reports the changes to the outputs that a plan found, as
// Terraform's plan does: each output's action, without its value.
func (s *Stream) OutputChanges(changes []OutputChange) {
	if len(changes) == 0 {
		return
	}
	m := map[string]any{}
	for _, c := range changes {
		m[c.Name] = map[string]any{"sensitive": c.Sensitive, "action": c.Action}
	}
	s.emit("info", "outputs", fmt.Sprintf("Outputs: %d", len(changes)), map[string]any{"outputs": m})
}

// JSONType is a value's type in Terraform's JSON type syntax, as far as a
// JSON value tells it.
func JSONType(v any) any {
	switch t := v.(type) {
	case string:
		return "string"
	case bool:
		return "bool"
	case int64, float64, int:
		return "number"
	case []any:
		elems := make([]any, len(t))
		for i, e := range t {
			elems[i] = JSONType(e)
		}
		return []any{"tuple", elems}
	case map[string]any:
		attrs := map[string]any{}
		for k, e := range t {
			attrs[k] = JSONType(e)
		}
		return []any{"object", attrs}
	}
	return "dynamic"
}

// Diagnostic reports an error or warning; subject may be nil.
func (s *Stream) Diagnostic(sev hcl.DiagnosticSeverity, summary, detail string, subject *hcl.Range) {
	level, severity, label := "warn", "warning", "Warning: "
	if sev == hcl.DiagError {
		level, severity, label = "error", "error", "Error: "
	}
	d := map[string]any{"severity": severity, "summary": summary, "detail": detail}
	if subject != nil {
		r := subject
		d["range"] = rangeJSON{r.Filename, posJSON{r.Start.Line, r.Start.Column, r.Start.Byte}, posJSON{r.End.Line, r.End.Column, r.End.Byte}}
	}
	s.emit(level, "diagnostic", label+summary, map[string]any{"diagnostic": d})
}

// FormatElapsed renders a duration as Terraform's hooks do: 1m20s, 5s.
func FormatElapsed(d time.Duration) string {
	return d.Truncate(time.Second).String()
}
