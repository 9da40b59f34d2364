package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	ctyjson "github.com/zclconf/go-cty/cty/json"

	"scriptsync/config"
	"scriptsync/planfile"
	"scriptsync/planner"
	"scriptsync/providers"
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
		Inputs:            w.inputDigests(),
		SensitiveDigests:  sensitive,
		Options:           plan.Options,
		Versions:          plan.Versions,
		Digest:            plan.Digest(),
		Plan:              render.PlanJSON(changesOnly(plan)),
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

// changesOnly is plan without the objects it leaves as they are, for a
// plan file: what an apply of it does, and what show prints of it, at a
// cost that grows with the changes rather than with the library. An
// object left as it is stays when another backend's object of the same
// address changes (the row a script's file is shown with), and so does
// one that moves or is imported. The plan of what changed and the plan of
// the whole configuration save the same file.
func changesOnly(plan *planner.Plan) *planner.Plan {
	changed := map[string]bool{}
	for _, c := range plan.Changes {
		if kept(c) {
			changed[c.Address()] = true
		}
	}
	out := *plan
	out.Changes = nil
	for _, c := range plan.Changes {
		if changed[c.Address()] {
			out.Changes = append(out.Changes, c)
		}
	}
	return &out
}

func kept(c *providers.Change) bool {
	return c.Action != providers.NoOp || c.Importing() != "" || c.Moved()
}

// StaleInputs reports, with a *planfile.StaleError, when the configuration
// loaded now is not the one sp was planned from.
func (w *Workspace) StaleInputs(sp *planfile.SavedPlan) error {
	now := *w.Config
	now.Inputs = w.inputDigests()
	if err := planfile.Stale(sp, planfile.Now{Config: &now, VariableDigests: w.variableDigests()}); err != nil {
		return err
	}
	return w.StaleValues(sp)
}

// StaleValues reports, with a *planfile.StaleError, a variable or an
// output whose value is not the one sp shows: a variable set in the
// environment (SCRIPTSYNC_VAR_*), an env() or a fileexists() answer that
// changed since the plan changes no input file, and may change no object,
// yet an apply would record outputs the plan did not show. Sensitive
// values are not saved, and are not compared here (a sensitive
// variable's digest is: staleInputs).
func (w *Workspace) StaleValues(sp *planfile.SavedPlan) error {
	if sp.Plan == nil {
		return nil
	}
	vars, outputs := w.Values()
	var reasons []string
	for _, name := range differingValues(sp.Plan.Variables, vars) {
		reasons = append(reasons, fmt.Sprintf("the variable %q has another value than at plan time", name))
	}
	for _, name := range differingValues(sp.Plan.Outputs, outputs) {
		reasons = append(reasons, fmt.Sprintf("the output %q has another value than at plan time", name))
	}
	if len(reasons) == 0 {
		return nil
	}
	return &planfile.StaleError{Reason: strings.Join(reasons, "; ")}
}

// differingValues names the values of now, not sensitive in either, that
// saved holds with another value or not at all, in name order.
func differingValues(saved, now []render.NamedValue) []string {
	was := make(map[string]render.NamedValue, len(saved))
	for _, v := range saved {
		was[v.Name] = v
	}
	var out []string
	for _, v := range now {
		old, ok := was[v.Name]
		if ok && (old.Sensitive || v.Sensitive) {
			continue
		}
		if !ok || canonicalJSON(old.Value) != canonicalJSON(v.Value) {
			out = append(out, v.Name)
		}
	}
	sort.Strings(out)
	return out
}

// canonicalJSON is v as JSON once decoded, so that a value read back
// from a plan file and one computed now compare alike.
func canonicalJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	var back any
	if err := json.Unmarshal(b, &back); err != nil {
		return string(b)
	}
	b, _ = json.Marshal(back)
	return string(b)
}

// inputDigests are the digests of every input file of the configuration,
// by path, as a plan file keeps them: those it read, or, for an evaluation
// of what changed, the last apply's with those of what changed as they are
// now (and, for one the memo answered, the last apply's). The files whose
// path is sensitive are one entry, secretInputs, the digest of their
// paths and digests: a plan file holds no secret.
func (w *Workspace) inputDigests() map[string]string {
	fp := w.Config.Fingerprint
	if sc := w.Config.Scope; sc != nil {
		fp = sc.Fingerprint
	}
	all, secret := w.Config.Inputs, w.Config.SecretInputs
	if (w.Config.Inputs == nil || w.Config.Scope != nil) && fp != nil {
		all = make(map[string]string, len(fp.Inputs))
		for _, in := range fp.Inputs {
			all[in.Path] = hex.EncodeToString(in.Sum[:])
		}
		secret = map[string]bool{}
		for _, p := range fp.Secret {
			secret[p] = true
		}
	}
	if len(secret) == 0 {
		return all
	}
	out := make(map[string]string, len(all))
	var hidden []string
	for p, d := range all {
		if secret[p] {
			hidden = append(hidden, p+"\x00"+d)
			continue
		}
		out[p] = d
	}
	if len(hidden) > 0 {
		sort.Strings(hidden)
		sum := sha256.Sum256([]byte(strings.Join(hidden, "\x00")))
		out[secretInputs] = hex.EncodeToString(sum[:])
	}
	return out
}

// secretInputs stands, in a plan file's input digests and in the message
// that a plan is stale, for the files whose path is sensitive.
const secretInputs = "(files whose path is sensitive)"

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
