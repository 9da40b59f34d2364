package engine

import (
	"scriptsync/render"
)

// Values are the configuration's variables and outputs as renderings show
// them; a sensitive one has no value.
func (w *Workspace) Values() (vars, outputs []render.NamedValue) {
	for _, v := range w.Config.Variables {
		nv := render.NamedValue{Name: v.Name, Sensitive: v.Sensitive}
		if !v.Sensitive {
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
	return vars, outputs
}
