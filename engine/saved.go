package engine

import (
	"crypto/sha256"
	"encoding/hex"

	ctyjson "github.com/zclconf/go-cty/cty/json"

	"scriptsync/config"
	"scriptsync/planfile"
	"scriptsync/planner"
	"scriptsync/render"
)

// SavedPlan records what a plan was computed from, for plan -out;
// version is scriptsync's. The -var values of sensitive variables, and of
// variables provider blocks read, are left out; their values are recorded
// as digests only.
func (w *Workspace) SavedPlan(plan *planner.Plan, vars []config.VarArg, version string) *planfile.SavedPlan {
	digests := w.variableDigests()
	sensitive := map[string]string{}
	for _, v := range w.Config.Variables {
		// A variable a provider block reads may hold a credential (a DSN
		// given with -var): it is kept out like a sensitive one.
		if v.Sensitive || v.Credential {
			sensitive[v.Name] = digests[v.Name]
		}
	}
	sp := &planfile.SavedPlan{
		ScriptsyncVersion: version,
		ConfigDigest:      w.Config.Digest,
		Inputs:            w.Config.Inputs,
		SensitiveDigests:  sensitive,
		Options:           plan.Options,
		Versions:          plan.Versions,
		Digest:            plan.Digest(),
		Plan:              render.PlanJSON(plan),
	}
	sp.Plan.Variables, sp.Plan.Outputs = w.Values()
	for _, a := range vars {
		if _, secret := sensitive[a.Name]; a.File == "" && secret {
			continue
		}
		sp.VarArgs = append(sp.VarArgs, a)
	}
	return sp
}

// StaleInputs reports, with a *planfile.StaleError, when the configuration
// loaded now is not the one sp was planned from.
func (w *Workspace) StaleInputs(sp *planfile.SavedPlan) error {
	return planfile.Stale(sp, planfile.Now{Config: w.Config, VariableDigests: w.variableDigests()})
}

func (w *Workspace) variableDigests() map[string]string {
	out := map[string]string{}
	for _, v := range w.Config.Variables {
		b, err := ctyjson.Marshal(v.Value, v.Value.Type())
		if err != nil {
			b = []byte(v.Value.GoString())
		}
		sum := sha256.Sum256(b)
		out[v.Name] = hex.EncodeToString(sum[:])
	}
	return out
}
