package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	ctyjson "github.com/zclconf/go-cty/cty/json"

	"scriptsync/applier"
	"scriptsync/config"
	"scriptsync/planner"
)

// SavedPlan records what a plan was computed from, for plan -out;
// version is scriptsync's.
func (w *Workspace) SavedPlan(plan *planner.Plan, vars []config.VarArg, version string) *planner.SavedPlan {
	sensitive := map[string]bool{}
	digests := map[string]string{}
	for _, v := range w.Config.Variables {
		if v.Sensitive {
			sensitive[v.Name] = true
			digests[v.Name] = valueDigest(v)
		}
	}
	sp := &planner.SavedPlan{
		ScriptsyncVersion: version,
		ConfigDigest:      w.Config.Digest,
		Inputs:            w.Config.Inputs,
		SensitiveDigests:  digests,
		Options:           plan.Options,
		Versions:          plan.Versions,
		Digest:            plan.Digest(),
		Plan:              plan.JSON(),
	}
	for _, a := range vars {
		if a.File == "" && sensitive[a.Name] {
			continue
		}
		sp.VarArgs = append(sp.VarArgs, planner.VarArg{File: a.File, Name: a.Name, Value: a.Value})
	}
	return sp
}

func valueDigest(v *config.Variable) string {
	b, err := ctyjson.Marshal(v.Value, v.Value.Type())
	if err != nil {
		b = []byte(v.Value.GoString())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// StaleInputs compares a saved plan's record with the configuration loaded
// now, and says what moved.
func (w *Workspace) StaleInputs(sp *planner.SavedPlan) error {
	cfg := w.Config
	var reasons []string
	if sp.ConfigDigest != cfg.Digest {
		reasons = append(reasons, "the configuration files changed")
	}
	var changed []string
	for path, want := range sp.Inputs {
		if got, ok := cfg.Inputs[path]; !ok || got != want {
			changed = append(changed, path)
		}
	}
	for path := range cfg.Inputs {
		if _, ok := sp.Inputs[path]; !ok {
			changed = append(changed, path)
		}
	}
	sort.Strings(changed)
	if len(changed) > 0 {
		if len(changed) > 5 {
			changed = append(changed[:5], fmt.Sprintf("and %d more", len(changed)-5))
		}
		reasons = append(reasons, "input files changed: "+strings.Join(changed, ", "))
	}
	for _, v := range cfg.Variables {
		if want, ok := sp.SensitiveDigests[v.Name]; ok && want != valueDigest(v) {
			reasons = append(reasons, fmt.Sprintf("the sensitive variable %q has another value than at plan time (sensitive values are not saved in plan files: give it through %s%s or a variable file)", v.Name, config.EnvVarPrefix, v.Name))
		}
	}
	if len(reasons) > 0 {
		return &applier.StaleError{Reason: strings.Join(reasons, "; ") + "; run plan again"}
	}
	return nil
}
