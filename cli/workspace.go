package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"scriptsync/applier"
	"scriptsync/config"
	"scriptsync/library"
	"scriptsync/planner"
	"scriptsync/providers"
)

// workspace is a loaded configuration with its providers built.
type workspace struct {
	cfg      *config.Config
	backends []applier.Backend
}

func (w *workspace) close() {
	for _, b := range w.backends {
		_ = b.Provider.Close()
	}
}

func (w *workspace) providerNames() []string {
	names := make([]string, len(w.backends))
	for i, b := range w.backends {
		names[i] = b.Provider.Name()
	}
	return names
}

// load reads the configuration and builds every provider, printing
// diagnostics. It touches no backend, except that with warm it starts
// reading those that can be read before the configuration is fully
// evaluated (providers.Warmer), for a command that reads them next.
func (s *session) load(vars []config.VarArg, warm bool) (*workspace, error) {
	ws := &workspace{}
	var factoryDiags hcl.Diagnostics
	built := false
	build := func(configs map[string]*providers.Config) {
		built = true
		for _, reg := range providers.Registered() {
			p, d := reg.Factory(configs[reg.Name])
			factoryDiags = append(factoryDiags, d...)
			if d.HasErrors() || p == nil {
				continue
			}
			ws.backends = append(ws.backends, applier.Backend{Provider: p})
		}
		if warm && !factoryDiags.HasErrors() {
			for _, b := range ws.backends {
				if w, ok := b.Provider.(providers.Warmer); ok {
					w.Warm(s.ctx)
				}
			}
		}
	}
	cfg, diags := config.Load(config.Options{Dir: s.dir, Vars: vars, Getenv: s.env.Getenv, OnProviders: build,
		CacheDir: cacheDir(s.env.Getenv)})
	if diags.HasErrors() {
		ws.close()
		s.ui.diagnostics(diags, cfg.Files)
		return nil, silent(ExitError)
	}
	ws.cfg = cfg
	if !built {
		build(cfg.Providers)
	}
	diags = append(diags, factoryDiags...)
	// Each provider turns the whole library into its objects: side by
	// side, they take as long as the slowest one.
	desiredDiags := make([]hcl.Diagnostics, len(ws.backends))
	var wg sync.WaitGroup
	for i := range ws.backends {
		b := &ws.backends[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.Desired, desiredDiags[i] = b.Provider.Desired(cfg.Library)
		}()
	}
	wg.Wait()
	for _, d := range desiredDiags {
		diags = append(diags, d...)
	}
	s.ui.diagnostics(warningsOnly(diags), cfg.Files)
	if diags.HasErrors() {
		s.ui.diagnostics(errorsOnly(diags), cfg.Files)
		ws.close()
		return nil, silent(ExitError)
	}
	return ws, nil
}

func errorsOnly(diags hcl.Diagnostics) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			out = append(out, d)
		}
	}
	return out
}

func warningsOnly(diags hcl.Diagnostics) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			out = append(out, d)
		}
	}
	return out
}

// scanVarArgs returns the -var and -var-file arguments in command-line
// order (urfave/cli keeps each flag's values apart).
func scanVarArgs(args []string) ([]config.VarArg, error) {
	var out []config.VarArg
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name != "var" && name != "var-file" {
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, usageError("-%s needs a value", name)
			}
			i++
			value = args[i]
		}
		if name == "var-file" {
			out = append(out, config.VarArg{File: value})
			continue
		}
		n, v, ok := strings.Cut(value, "=")
		if !ok || n == "" {
			return nil, usageError("-var %q is not NAME=VALUE", value)
		}
		out = append(out, config.VarArg{Name: n, Value: v})
	}
	return out, nil
}

// savedPlan records what a plan was computed from.
func savedPlan(ws *workspace, plan *planner.Plan, vars []config.VarArg) *planner.SavedPlan {
	sensitive := map[string]bool{}
	digests := map[string]string{}
	for _, v := range ws.cfg.Variables {
		if v.Sensitive {
			sensitive[v.Name] = true
			digests[v.Name] = valueDigest(v)
		}
	}
	sp := &planner.SavedPlan{
		ScriptsyncVersion: Version,
		ConfigDigest:      ws.cfg.Digest,
		Inputs:            ws.cfg.Inputs,
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

// staleInputs compares a saved plan's record with the configuration loaded
// now, and says what moved.
func staleInputs(sp *planner.SavedPlan, ws *workspace) error {
	var reasons []string
	if sp.ConfigDigest != ws.cfg.Digest {
		reasons = append(reasons, "the configuration files changed")
	}
	var changed []string
	for path, want := range sp.Inputs {
		if got, ok := ws.cfg.Inputs[path]; !ok || got != want {
			changed = append(changed, path)
		}
	}
	for path := range ws.cfg.Inputs {
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
	for _, v := range ws.cfg.Variables {
		if want, ok := sp.SensitiveDigests[v.Name]; ok && want != valueDigest(v) {
			reasons = append(reasons, fmt.Sprintf("the sensitive variable %q has another value than at plan time (sensitive values are not saved in plan files: give it through %s%s or a variable file)", v.Name, config.EnvVarPrefix, v.Name))
		}
	}
	if len(reasons) > 0 {
		return &applier.StaleError{Reason: strings.Join(reasons, "; ") + "; run plan again"}
	}
	return nil
}

// explain turns errors from planning and applying into messages a user can
// act on.
func (s *session) explain(err error, ws *workspace) error {
	var pd *planner.PreventDestroyError
	var le *providers.LockError
	var se *applier.StaleError
	switch {
	case errors.As(err, &pd):
		var diags hcl.Diagnostics
		ranges := objectRanges(ws.cfg.Library)
		for _, addr := range pd.Addresses {
			d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Object cannot be destroyed",
				Detail: addr + " has lifecycle.prevent_destroy set, but the plan would destroy it. To avoid this, remove the setting (to allow destroying it), keep the object in the configuration, or narrow the plan with -target."}
			if r, ok := ranges[addr]; ok {
				d.Subject = &r
			}
			diags = append(diags, d)
		}
		s.ui.diagnostics(diags, ws.cfg.Files)
		return silent(ExitError)
	case errors.As(err, &le):
		return failure(fmt.Errorf("Error acquiring the lock\n\n%s.\n\nscriptsync takes this lock so that only one apply runs against a set of backends at a time. Wait for the other apply to finish, or give it longer with -lock-timeout (for example -lock-timeout=30s).", err))
	case errors.As(err, &se):
		return failure(fmt.Errorf("%s.\n\nNothing was changed.", se.Error()))
	}
	return failure(err)
}

// objectRanges maps object addresses to where they are declared.
func objectRanges(lib *library.Library) map[string]hcl.Range {
	out := map[string]hcl.Range{}
	add := func(m library.Meta) { out[m.Address] = m.Range }
	for _, x := range lib.Series {
		add(x.Meta)
	}
	for _, x := range lib.Scripts {
		add(x.Meta)
		for _, sc := range x.Scenes {
			add(sc.Meta)
		}
		for _, c := range x.Characters {
			add(c.Meta)
		}
	}
	for _, x := range lib.Embeddings {
		add(x.Meta)
	}
	for _, x := range lib.Bibles {
		add(x.Meta)
	}
	for _, x := range lib.Agents {
		add(x.Meta)
	}
	return out
}

// cacheDir is where configurations remember their vectors' digests between
// runs: $SCRIPTSYNC_CACHE_DIR ("off" for none), else scriptsync under the
// user's cache directory ($XDG_CACHE_HOME, or ~/.cache). Without a home
// there is no cache, and every run reads every vector.
func cacheDir(getenv func(string) string) string {
	switch dir := getenv("SCRIPTSYNC_CACHE_DIR"); dir {
	case "off":
		return ""
	case "":
	default:
		if abs, err := filepath.Abs(dir); err == nil {
			return abs
		}
		return ""
	}
	if dir := getenv("XDG_CACHE_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "scriptsync")
	}
	if home := getenv("HOME"); filepath.IsAbs(home) {
		return filepath.Join(home, ".cache", "scriptsync")
	}
	return ""
}
