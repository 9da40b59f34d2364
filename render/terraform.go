package render

import (
	"encoding/json"
	"io"
	"sort"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"scriptsync/address"
	"scriptsync/planner"
	"scriptsync/providers"
)

// TerraformFormatVersion is the version of Terraform's JSON plan
// representation that show -json PLANFILE follows; TerraformStateVersion
// that of its state representation (show -json).
const (
	TerraformFormatVersion = "1.2"
	TerraformStateVersion  = "1.0"
)

// NamedValue is a variable's or output's value in a plan. The value of a
// sensitive one is never kept (nil).
type NamedValue struct {
	Name      string `json:"name"`
	Value     any    `json:"value"`
	Sensitive bool   `json:"sensitive,omitempty"`
}

// CtyValue turns a configuration value into a JSON-compatible one.
func CtyValue(v cty.Value) any {
	if v.IsNull() || !v.IsWhollyKnown() {
		return nil
	}
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return nil
	}
	var x any
	if json.Unmarshal(b, &x) != nil {
		return nil
	}
	return normalizeJSON(x)
}

// TFPlan is Terraform's JSON plan representation (format 1.2), as
// scriptsync fills it. Keys Terraform does not define live under
// "scriptsync".
type TFPlan struct {
	FormatVersion    string                `json:"format_version"`
	TerraformVersion string                `json:"terraform_version"`
	Variables        map[string]TFVariable `json:"variables"`
	PlannedValues    TFValues              `json:"planned_values"`
	ResourceDrift    []TFResourceChange    `json:"resource_drift,omitempty"`
	ResourceChanges  []TFResourceChange    `json:"resource_changes"`
	OutputChanges    map[string]TFChange   `json:"output_changes"`
	PriorState       *TFState              `json:"prior_state,omitempty"`
	Applyable        bool                  `json:"applyable"`
	Complete         bool                  `json:"complete"`
	Errored          bool                  `json:"errored"`
	Scriptsync       TFPlanExtras          `json:"scriptsync"`
}

// TFVariable is one input variable's value.
type TFVariable struct {
	Value any `json:"value"`
}

// TFPlanExtras are scriptsync's keys in a plan representation.
type TFPlanExtras struct {
	Destroy         bool                   `json:"destroy"`
	Targets         []string               `json:"targets,omitempty"`
	BackendVersions map[string]string      `json:"backend_versions"`
	Summary         JSONSummary            `json:"summary"`
	Backends        map[string]JSONSummary `json:"backends"`
	Warnings        []string               `json:"warnings,omitempty"`
}

// TFValues is a values representation: a root module and its outputs.
type TFValues struct {
	Outputs    map[string]TFOutput `json:"outputs,omitempty"`
	RootModule TFModule            `json:"root_module"`
}

// TFOutput is an output's value in a values representation.
type TFOutput struct {
	Sensitive bool   `json:"sensitive"`
	Value     any    `json:"value,omitempty"`
	Type      string `json:"type,omitempty"`
}

// TFModule holds the resources of a values representation (scriptsync has
// no child modules).
type TFModule struct {
	Resources []TFResource `json:"resources"`
}

// TFResource is one object in a values representation.
type TFResource struct {
	Address         string          `json:"address"`
	Mode            string          `json:"mode"`
	Type            string          `json:"type"`
	Name            string          `json:"name"`
	Index           any             `json:"index,omitempty"`
	ProviderName    string          `json:"provider_name"`
	SchemaVersion   int             `json:"schema_version"`
	Values          map[string]any  `json:"values"`
	SensitiveValues map[string]bool `json:"sensitive_values"`
	Scriptsync      TFExtras        `json:"scriptsync"`
}

// TFExtras are scriptsync's keys on a resource: the backend, and the
// configuration address the object is known by in -target and state
// commands.
type TFExtras struct {
	Backend       string `json:"backend"`
	ConfigAddress string `json:"config_address"`
	// Size is the number of bytes the change writes or uploads.
	Size int64 `json:"size,omitempty"`
	// TextDiffs are the folded line diffs of the attributes shown as text
	// (a scene's text, a bible's), as the human plan shows them.
	TextDiffs map[string][]DiffLine `json:"text_diffs,omitempty"`
	// Vector is an embedding's dimensions and how far its vector moved
	// (cosine_distance from the applied vector; null when unknown).
	Vector map[string]any `json:"vector,omitempty"`
}

// TFResourceChange is one object's planned change.
type TFResourceChange struct {
	Address         string   `json:"address"`
	PreviousAddress string   `json:"previous_address,omitempty"`
	Mode            string   `json:"mode"`
	Type            string   `json:"type"`
	Name            string   `json:"name"`
	Index           any      `json:"index,omitempty"`
	ProviderName    string   `json:"provider_name"`
	Change          TFChange `json:"change"`
	ActionReason    string   `json:"action_reason,omitempty"`
	Scriptsync      TFExtras `json:"scriptsync"`
}

// TFChange is Terraform's change representation.
type TFChange struct {
	Actions         []string   `json:"actions"`
	Before          any        `json:"before"`
	After           any        `json:"after"`
	AfterUnknown    any        `json:"after_unknown"`
	BeforeSensitive any        `json:"before_sensitive"`
	AfterSensitive  any        `json:"after_sensitive"`
	ReplacePaths    [][]string `json:"replace_paths,omitempty"`
	// Importing is Terraform's: set on a change that imports the object.
	Importing *JSONImporting `json:"importing,omitempty"`
}

// TFState is Terraform's state representation.
type TFState struct {
	FormatVersion    string   `json:"format_version"`
	TerraformVersion string   `json:"terraform_version,omitempty"`
	Values           TFValues `json:"values"`
}

// ProviderName is a backend's provider_name: not a registry address (there
// is no registry), but the same source shape, so tools that split it work.
func ProviderName(backend string) string { return "scriptsync/" + backend }

func nameIndex(addr string) (string, any) {
	name, key := address.NameKey(addr)
	if key == "" {
		return name, nil
	}
	return name, key
}

func sensitiveMap(o *providers.Object) map[string]bool {
	m := map[string]bool{}
	if o != nil {
		for _, k := range o.Sensitive {
			m[k] = true
		}
	}
	return m
}

func resourceOf(provider string, o *providers.Object) TFResource {
	name, index := nameIndex(o.Address)
	return TFResource{
		Address: AddressOf(provider, o.Address, o), Mode: "managed", Type: TypeOf(provider, o),
		Name: name, Index: index, ProviderName: ProviderName(provider),
		Values: redact(o, map[string]bool{}), SensitiveValues: sensitiveMap(o),
		Scriptsync: TFExtras{Backend: provider, ConfigAddress: o.Address},
	}
}

// TFChangeOf is a change in Terraform's representation.
func TFChangeOf(c *providers.Change) TFResourceChange {
	o := c.Object()
	name, index := nameIndex(c.Address())
	rc := TFResourceChange{
		Address: ChangeAddress(c), Mode: "managed", Type: TypeOf(c.Provider, o),
		Name: name, Index: index, ProviderName: ProviderName(c.Provider),
		Scriptsync: TFExtras{Backend: c.Provider, ConfigAddress: c.Address()},
	}
	if c.Moved() {
		rc.PreviousAddress = AddressOf(c.Provider, c.Before.Address, c.Before)
	}
	ch := TFChange{Actions: c.Action.Actions(), AfterUnknown: map[string]any{}, BeforeSensitive: false, AfterSensitive: false}
	var before, after map[string]any
	if c.Before != nil {
		before = redact(c.Before, map[string]bool{})
		ch.Before, ch.BeforeSensitive = before, sensitiveMap(c.Before)
	}
	if c.After != nil {
		after = redact(c.After, map[string]bool{})
		ch.After, ch.AfterSensitive = after, sensitiveMap(c.After)
	}
	if c.Action == providers.Replace {
		rc.ActionReason = "replace_because_cannot_update"
		for _, f := range planner.ForcesNew(c.Before, c.After) {
			ch.ReplacePaths = append(ch.ReplacePaths, []string{f})
		}
	}
	if id := c.Importing(); id != "" {
		ch.Importing = &JSONImporting{ID: id}
	}
	rc.Change = ch
	if c.Action != providers.NoOp {
		if c.After != nil {
			rc.Scriptsync.Size = c.After.Size
		}
		rc.Scriptsync.TextDiffs = textDiffs(c, before, after)
		if b, a, ok := NoteText(c); ok {
			if rc.Scriptsync.TextDiffs == nil {
				rc.Scriptsync.TextDiffs = map[string][]DiffLine{}
			}
			rc.Scriptsync.TextDiffs["text"] = TextDiff(b, a)
		}
		if _, ok := c.Notes["dimensions"]; ok {
			rc.Scriptsync.Vector = c.Notes
		}
	}
	return rc
}

// textDiffs diffs the attributes shown as text, as the human plan does.
func textDiffs(c *providers.Change, before, after map[string]any) map[string][]DiffLine {
	var out map[string][]DiffLine
	secret := sensitiveMap(c.Object())
	for k := range union(before, after) {
		b, a := before[k], after[k]
		if secret[k] || !(isText(b) || isText(a)) || planner.EqualValue(b, a) {
			continue
		}
		if out == nil {
			out = map[string][]DiffLine{}
		}
		out[k] = TextDiff(b, a)
	}
	return out
}

func union(a, b map[string]any) map[string]bool {
	m := map[string]bool{}
	for k := range a {
		m[k] = true
	}
	for k := range b {
		m[k] = true
	}
	return m
}

// BackendSummaries counts each backend's changes.
func BackendSummaries(p *planner.Plan) map[string]JSONSummary {
	out := map[string]JSONSummary{}
	for _, c := range p.Changes {
		s := out[c.Provider]
		s.count(c.Action)
		out[c.Provider] = s
	}
	return out
}

// TerraformPlan builds the plan representation. vars and outputs are the
// configuration's values (sensitive ones without their value); recorded
// are the outputs of the last apply, nil when none were recorded.
func TerraformPlan(p *planner.Plan, version string, vars, outputs []NamedValue, recorded map[string]NamedValue) *TFPlan {
	s := p.Summary()
	doc := &TFPlan{
		FormatVersion: TerraformFormatVersion, TerraformVersion: version,
		Variables:       map[string]TFVariable{},
		ResourceChanges: []TFResourceChange{},
		OutputChanges:   map[string]TFChange{},
		PlannedValues:   TFValues{RootModule: TFModule{Resources: []TFResource{}}},
		PriorState: &TFState{FormatVersion: TerraformStateVersion, TerraformVersion: version,
			Values: TFValues{RootModule: TFModule{Resources: []TFResource{}}}},
		Applyable: p.HasChanges(),
		Complete:  len(p.Options.Targets) == 0,
		Scriptsync: TFPlanExtras{
			Destroy: p.Options.Destroy, Targets: p.Options.Targets, BackendVersions: p.Versions,
			Summary:  JSONSummary{Add: s.Add, Change: s.Change, Destroy: s.Destroy, Import: s.Import},
			Backends: BackendSummaries(p), Warnings: p.Warnings,
		},
	}
	if doc.Scriptsync.BackendVersions == nil {
		doc.Scriptsync.BackendVersions = map[string]string{}
	}
	for _, v := range vars {
		doc.Variables[v.Name] = TFVariable{Value: v.Value}
	}
	for _, c := range p.Changes {
		doc.ResourceChanges = append(doc.ResourceChanges, TFChangeOf(c))
		if c.After != nil {
			doc.PlannedValues.RootModule.Resources = append(doc.PlannedValues.RootModule.Resources, resourceOf(c.Provider, c.After))
		}
		if c.Before != nil {
			doc.PriorState.Values.RootModule.Resources = append(doc.PriorState.Values.RootModule.Resources, resourceOf(c.Provider, c.Before))
		}
	}
	for _, c := range p.Drift {
		doc.ResourceDrift = append(doc.ResourceDrift, TFChangeOf(c))
	}
	sortResources(doc.PlannedValues.RootModule.Resources)
	sortResources(doc.PriorState.Values.RootModule.Resources)
	if len(outputs) > 0 {
		doc.PlannedValues.Outputs = map[string]TFOutput{}
	}
	for _, o := range outputs {
		doc.PlannedValues.Outputs[o.Name] = TFOutput{Sensitive: o.Sensitive, Value: o.Value}
		ch := TFChange{Actions: []string{"create"}, After: o.Value, AfterUnknown: false, BeforeSensitive: false, AfterSensitive: o.Sensitive}
		if old, ok := recorded[o.Name]; ok {
			ch.Before, ch.BeforeSensitive = old.Value, old.Sensitive
			ch.Actions = []string{"update"}
			if old.Sensitive == o.Sensitive && planner.EqualValue(old.Value, o.Value) {
				ch.Actions = []string{"no-op"}
			}
		}
		if p.Options.Destroy {
			ch.Actions, ch.After = []string{"delete"}, nil
		}
		doc.OutputChanges[o.Name] = ch
	}
	if recorded != nil {
		doc.PriorState.Values.Outputs = map[string]TFOutput{}
		for name, o := range recorded {
			doc.PriorState.Values.Outputs[name] = TFOutput{Sensitive: o.Sensitive, Value: o.Value}
			if _, still := doc.OutputChanges[name]; !still {
				doc.OutputChanges[name] = TFChange{Actions: []string{"delete"}, Before: o.Value, AfterUnknown: false, BeforeSensitive: o.Sensitive, AfterSensitive: false}
			}
		}
	}
	return doc
}

func sortResources(rs []TFResource) {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Address < rs[j].Address })
}

// WriteTerraformPlan writes the plan representation, one JSON document.
func WriteTerraformPlan(w io.Writer, doc *TFPlan) error { return encode(w, doc) }

// TerraformState writes managed objects in Terraform's state
// representation; outputs are the last apply's (nil when none recorded).
func TerraformState(w io.Writer, objs []Managed, version string, outputs map[string]NamedValue) error {
	doc := TFState{FormatVersion: TerraformStateVersion, TerraformVersion: version,
		Values: TFValues{RootModule: TFModule{Resources: []TFResource{}}}}
	for _, m := range objs {
		doc.Values.RootModule.Resources = append(doc.Values.RootModule.Resources, resourceOf(m.Provider, m.Object))
	}
	sortResources(doc.Values.RootModule.Resources)
	if len(outputs) > 0 {
		doc.Values.Outputs = map[string]TFOutput{}
		for name, o := range outputs {
			doc.Values.Outputs[name] = TFOutput{Sensitive: o.Sensitive, Value: o.Value}
		}
	}
	return encode(w, doc)
}
