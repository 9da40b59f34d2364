package render

import (
	"encoding/json"
	"io"
	"sort"

	"scriptsync/address"
	"scriptsync/planner"
	"scriptsync/providers"
)

// FormatVersion is the version of the -json formats (plans, state,
// diagnostics) and of plan files, which hold a JSON plan. A change that
// removes or renames a field bumps the major number.
const FormatVersion = "1.0"

// JSONPlan is the -json plan format, version FormatVersion. Fields are
// only ever added within a major version.
type JSONPlan struct {
	FormatVersion   string            `json:"format_version"`
	Destroy         bool              `json:"destroy"`
	Targets         []string          `json:"targets,omitempty"`
	BackendVersions map[string]string `json:"backend_versions"`
	ResourceChanges []JSONChange      `json:"resource_changes"`
	RefreshOnly     bool              `json:"refresh_only,omitempty"`
	// PendingChanges are changes that are not objects' (a schema
	// migration of the SQL database).
	PendingChanges []JSONPending `json:"pending_changes,omitempty"`
	Summary        JSONSummary   `json:"summary"`
	Warnings       []string      `json:"warnings,omitempty"`
	// Drift is Plan.Drift.
	Drift []JSONChange `json:"drift,omitempty"`
	// Variables and Outputs are the configuration's values when the plan
	// was made, for show -json; sensitive ones without their value.
	Variables []NamedValue `json:"variables,omitempty"`
	Outputs   []NamedValue `json:"outputs,omitempty"`
	// PriorOutputs are the outputs the last apply recorded, when it
	// recorded any (HasPriorOutputs), for output_changes.
	PriorOutputs    []NamedValue `json:"prior_outputs,omitempty"`
	HasPriorOutputs bool         `json:"has_prior_outputs,omitempty"`
}

// PriorOutputMap is PriorOutputs by name; nil when none were recorded.
func (jp *JSONPlan) PriorOutputMap() map[string]NamedValue {
	if !jp.HasPriorOutputs {
		return nil
	}
	m := make(map[string]NamedValue, len(jp.PriorOutputs))
	for _, o := range jp.PriorOutputs {
		m[o.Name] = o
	}
	return m
}

// JSONChange is one object's change. Before is null for a create, After
// for a delete. Values of sensitive attributes are left out (null) and
// their names listed in SensitiveAttributes.
type JSONChange struct {
	Address             string         `json:"address"`
	PreviousAddress     string         `json:"previous_address,omitempty"`
	Type                string         `json:"type"`
	Name                string         `json:"name"`
	Index               string         `json:"index,omitempty"`
	Provider            string         `json:"provider"`
	Actions             []string       `json:"actions"`
	Before              map[string]any `json:"before"`
	After               map[string]any `json:"after"`
	ReplacePaths        []string       `json:"replace_paths,omitempty"`
	SensitiveAttributes []string       `json:"sensitive_attributes,omitempty"`
	// Size is the number of bytes the change writes or uploads.
	Size int64 `json:"size,omitempty"`
	// Notes are providers.Change.Notes.
	Notes map[string]any `json:"notes,omitempty"`
	// Importing is set on a change that imports the object, as in
	// Terraform's JSON plan: {"id": the import's ID}.
	Importing *JSONImporting `json:"importing,omitempty"`
}

// JSONImporting is an import's part of a change.
type JSONImporting struct {
	ID string `json:"id"`
}

// JSONPending is a change to a backend that is not an object's.
type JSONPending struct {
	Provider    string `json:"provider"`
	Description string `json:"description"`
}

// count adds one change with action a, as planner.Summary.Count does.
func (s *JSONSummary) count(a providers.Action) {
	var ps planner.Summary
	ps.Count(a)
	s.Add += ps.Add
	s.Change += ps.Change
	s.Destroy += ps.Destroy
	s.Forget += ps.Forget
}

// JSONSummary is the summary line as numbers.
type JSONSummary struct {
	Add     int `json:"add"`
	Change  int `json:"change"`
	Destroy int `json:"destroy"`
	Forget  int `json:"forget,omitempty"`
	Import  int `json:"import,omitempty"`
}

// PlanJSON returns the plan in the -json format.
func PlanJSON(p *planner.Plan) *JSONPlan {
	s := p.Summary()
	out := &JSONPlan{
		FormatVersion:   FormatVersion,
		Destroy:         p.Options.Destroy,
		Targets:         p.Options.Targets,
		BackendVersions: p.Versions,
		ResourceChanges: make([]JSONChange, 0, len(p.Changes)),
		Summary:         JSONSummary{Add: s.Add, Change: s.Change, Destroy: s.Destroy, Forget: s.Forget, Import: s.Import},
		Warnings:        p.Warnings,
	}
	if out.BackendVersions == nil {
		out.BackendVersions = map[string]string{}
	}
	out.RefreshOnly = p.Options.RefreshOnly
	for _, pd := range p.Pending {
		out.PendingChanges = append(out.PendingChanges, JSONPending{Provider: pd.Provider, Description: pd.Description})
	}
	for _, c := range p.Changes {
		out.ResourceChanges = append(out.ResourceChanges, changeJSON(c))
	}
	for _, c := range p.Drift {
		out.Drift = append(out.Drift, changeJSON(c))
	}
	return out
}

// changeJSON is one change in the -json format.
func changeJSON(c *providers.Change) JSONChange {
	o := c.Object()
	name, index := address.NameKey(c.Address())
	jc := JSONChange{
		Address:  c.Address(),
		Type:     o.Type,
		Name:     name,
		Index:    index,
		Provider: c.Provider,
		Actions:  c.Action.Actions(),
	}
	if c.Moved() {
		jc.PreviousAddress = c.Before.Address
	}
	sensitive := map[string]bool{}
	if c.Before != nil {
		jc.Before = redact(c.Before, sensitive)
	}
	if c.After != nil {
		jc.After = redact(c.After, sensitive)
	}
	for k := range sensitive {
		jc.SensitiveAttributes = append(jc.SensitiveAttributes, k)
	}
	sort.Strings(jc.SensitiveAttributes)
	if c.Action == providers.Replace {
		jc.ReplacePaths = planner.ForcesNew(c.Before, c.After)
	}
	if c.After != nil && c.Action != providers.NoOp {
		jc.Size = c.After.Size
	}
	jc.Notes = c.Notes
	if id := c.Importing(); id != "" {
		jc.Importing = &JSONImporting{ID: id}
	}
	return jc
}

// WriteJSON writes the plan in the -json format, one JSON document.
func WritePlanJSON(w io.Writer, p *planner.Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(PlanJSON(p))
}

func redact(o *providers.Object, sensitive map[string]bool) map[string]any {
	attrs := o.Attributes()
	out := make(map[string]any, len(attrs))
	for k, v := range attrs {
		out[k] = v
	}
	for _, k := range o.Sensitive {
		sensitive[k] = true
		out[k] = nil
	}
	return out
}

// PlanFromJSON rebuilds a plan from its JSON form, for rendering a saved plan.
// The objects it holds carry attributes, not payloads: the plan can be
// shown, not applied.
func PlanFromJSON(jp *JSONPlan) *planner.Plan {
	p := &planner.Plan{
		Options:  planner.Options{Destroy: jp.Destroy, Targets: jp.Targets},
		Versions: jp.BackendVersions,
		Warnings: jp.Warnings,
	}
	for _, jc := range jp.ResourceChanges {
		if c := changeFromJSON(jc); c != nil {
			p.Changes = append(p.Changes, c)
		}
	}
	for _, jc := range jp.Drift {
		if c := changeFromJSON(jc); c != nil {
			p.Drift = append(p.Drift, c)
		}
	}
	return p
}

func changeFromJSON(jc JSONChange) *providers.Change {
	c := &providers.Change{Provider: jc.Provider, Action: actionOf(jc.Actions), Notes: jc.Notes}
	if jc.Before != nil {
		addr := jc.Address
		if jc.PreviousAddress != "" {
			addr = jc.PreviousAddress
		}
		c.Before = &providers.Object{Address: addr, Type: jc.Type, Attrs: jc.Before, Sensitive: jc.SensitiveAttributes}
		if jc.Importing != nil {
			c.Before.Import = jc.Importing.ID
		}
	}
	if jc.After != nil {
		c.After = &providers.Object{Address: jc.Address, Type: jc.Type, Attrs: jc.After, Sensitive: jc.SensitiveAttributes,
			ForceNew: jc.ReplacePaths, Size: jc.Size}
	}
	if c.Before == nil && c.After == nil {
		return nil
	}
	return c
}

func actionOf(actions []string) providers.Action {
	if len(actions) == 2 {
		return providers.Replace
	}
	if len(actions) == 1 {
		return providers.Action(actions[0])
	}
	return providers.NoOp
}
