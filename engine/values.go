package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"scriptsync/planner"
	"scriptsync/providers"
	"scriptsync/render"
)

// Values are the configuration's variables and outputs as renderings show
// them; a sensitive one has no value, and neither has a variable that a
// provider block reads (it may hold a credential, a DSN given with -var).
func (w *Workspace) Values() (vars, outputs []render.NamedValue) {
	for _, v := range w.Config.Variables {
		secret := v.Sensitive || v.Credential
		nv := render.NamedValue{Name: v.Name, Sensitive: secret}
		if !secret {
			nv.Value = render.CtyValue(v.Value)
		}
		vars = append(vars, nv)
	}
	for _, o := range w.Config.Outputs {
		nv := render.NamedValue{Name: o.Name, Sensitive: o.Sensitive}
		if !o.Sensitive {
			nv.Value = render.CtyValue(o.Value)
		}
		outputs = append(outputs, nv)
	}
	outputs = append(outputs, w.held...)
	sort.Slice(outputs, func(i, j int) bool { return outputs[i].Name < outputs[j].Name })
	return vars, outputs
}

// heldOutputs returns the recorded values of the outputs names, which a
// scoped evaluation left out: none of them refers to anything that
// changed since the apply that recorded them, the one the memo recalls
// (an apply checks under its locks that the memo still holds). Nil when
// one has no recorded value.
func (w *Workspace) heldOutputs(ctx context.Context, names []string) []render.NamedValue {
	recorded, err := w.RecordedOutputs(ctx)
	if err != nil {
		return nil
	}
	out := make([]render.NamedValue, 0, len(names))
	for _, name := range names {
		o, ok := recorded[name]
		if !ok {
			return nil
		}
		out = append(out, o)
	}
	return out
}

// OutputsJSON is what an apply records of the outputs (Values' outputs).
func (w *Workspace) OutputsJSON() []byte {
	_, outputs := w.Values()
	if outputs == nil {
		outputs = []render.NamedValue{}
	}
	b, err := json.Marshal(outputs)
	if err != nil {
		return nil // values come from JSON: cannot happen
	}
	return b
}

// RecordedOutputs reads the outputs the last apply recorded, by name; nil
// when no apply recorded any. They are read once per workspace, until it
// applies.
func (w *Workspace) RecordedOutputs(ctx context.Context) (map[string]render.NamedValue, error) {
	if !w.recordedRead {
		w.recorded, w.recordedErr = w.readRecordedOutputs(ctx)
		w.recordedRead = true
	}
	return w.recorded, w.recordedErr
}

func (w *Workspace) readRecordedOutputs(ctx context.Context) (map[string]render.NamedValue, error) {
	for _, b := range w.Backends {
		r, ok := b.Provider.(providers.OutputReader)
		if !ok {
			continue
		}
		data, err := r.RecordedOutputs(ctx)
		if err != nil {
			return nil, &providers.OpError{Provider: b.Provider.Name(), Op: "read outputs", Err: err}
		}
		if data == nil {
			return nil, nil
		}
		var list []render.NamedValue
		if err := json.Unmarshal(data, &list); err != nil {
			return nil, fmt.Errorf("%s: the recorded outputs are malformed: %w", b.Provider.Name(), err)
		}
		out := make(map[string]render.NamedValue, len(list))
		for _, o := range list {
			out[o.Name] = o
		}
		return out, nil
	}
	return nil, nil
}

// OutputChanges are the changes to the outputs that an apply with opts
// would record (RecordsOutputs), against those the last apply recorded.
// A workspace the memo answered has none; a scoped one compares the
// outputs it evaluated (the others refer to nothing that changed).
func (w *Workspace) OutputChanges(ctx context.Context, opts planner.Options) ([]render.OutputChange, error) {
	if w.Unchanged() || !RecordsOutputs(opts) {
		return nil, nil
	}
	prior, err := w.RecordedOutputs(ctx)
	if err != nil {
		return nil, err
	}
	_, now := w.Values()
	if opts.Destroy {
		now = nil // a destroyed library has no outputs
	}
	return render.OutputChanges(now, prior, w.Config.Scope != nil && w.held == nil), nil
}
