package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"scriptsync/applier"
	"scriptsync/config"
	"scriptsync/engine"
	"scriptsync/library"
	"scriptsync/planfile"
	"scriptsync/planner"
	"scriptsync/providers"
)

// load opens the workspace (see engine.Open), printing diagnostics.
// loadArgs loads the workspace with the -var and -var-file arguments of the
// command line.
func (s *session) loadArgs(warm bool) (*engine.Workspace, error) {
	vars, err := scanVarArgs(s.env.Args)
	if err != nil {
		return nil, err
	}
	return s.load(vars, warm)
}

func (s *session) load(vars []config.VarArg, warm bool) (*engine.Workspace, error) {
	done := s.log.phase("load configuration and build providers")
	ws, err := engine.Open(s.ctx, engine.Options{Dir: s.dir, Vars: vars, Getenv: s.env.Getenv, Warm: warm,
		Parallelism: s.parallelism, Recall: s.recall, Scope: s.scope, Saving: s.saving})
	if err == nil {
		note := ""
		switch {
		case ws.Unchanged() || (ws.Config.Scope != nil && ws.Config.Scope.Empty()):
			note = "; unchanged since the last apply (its memo holds)"
		case ws.Config.Scope != nil && len(ws.Config.Scope.Blocks) > 0:
			note = fmt.Sprintf("; %d input files and %d blocks changed since the last apply, evaluated what they reach (%d resources)",
				len(ws.Config.Scope.Changed), len(ws.Config.Scope.Blocks), len(ws.Config.Scope.Resources))
		case ws.Config.Scope != nil:
			note = fmt.Sprintf("; %d input files changed since the last apply, evaluated what they reach (%d resources)",
				len(ws.Config.Scope.Changed), len(ws.Config.Scope.Resources))
		case ws.GaveWay() != "":
			note = "; evaluated in full (" + ws.GaveWay() + ")"
		}
		done(fmt.Sprintf("%d providers: %s%s", len(ws.Backends), strings.Join(ws.ProviderNames(), ", "), note))
	} else {
		done("failed")
	}
	var de *engine.DiagnosticsError
	if errors.As(err, &de) {
		s.ui.diagnostics(de.Diags, de.Files)
		return nil, silent(ExitError)
	}
	if err != nil {
		return nil, failure(err)
	}
	s.ui.diagnostics(ws.Warnings, ws.Config.Files)
	return ws, nil
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

// explain turns errors from planning and applying into messages a user can
// act on.
func (s *session) explain(err error, ws *engine.Workspace) error {
	var pd *planner.PreventDestroyError
	var le *providers.LockError
	var se *planfile.StaleError
	var ae *applier.ApplyError
	var de *engine.DiagnosticsError
	switch {
	case errors.As(err, &de):
		// A plan of what changed that gave way evaluated the whole
		// configuration, which has errors: shown as a load shows them.
		s.ui.diagnostics(de.Diags, de.Files)
		return silent(ExitError)
	case errors.As(err, &pd):
		var diags hcl.Diagnostics
		ranges := objectRanges(ws.Config.Library)
		for _, addr := range pd.Addresses {
			d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Object cannot be destroyed",
				Detail: addr + " has lifecycle.prevent_destroy set, but the plan would destroy it. To avoid this, remove the setting (to allow destroying it), keep the object in the configuration, or narrow the plan with -target."}
			if r, ok := ranges[addr]; ok {
				d.Subject = &r
			}
			diags = append(diags, d)
		}
		s.ui.diagnostics(diags, ws.Config.Files)
		return silent(ExitError)
	case errors.As(err, &le):
		return failure(fmt.Errorf("Error acquiring the lock\n\n%s.\n\nscriptsync takes this lock so that only one apply runs against a set of backends at a time. Wait for the other apply to finish, or give it longer with -lock-timeout (for example -lock-timeout=30s).", err))
	case errors.As(err, &se):
		return failure(fmt.Errorf("%s; run plan again.\n\nNothing was changed.", se.Error()))
	case errors.As(err, &ae) && !ae.RolledBack:
		return failure(fmt.Errorf("%s: run apply again to converge", err))
	}
	return failure(err)
}

// objectRanges maps object addresses to where they are declared.
func objectRanges(lib *library.Library) map[string]hcl.Range {
	out := map[string]hcl.Range{}
	lib.Each(func(m library.Meta) { out[m.Address] = m.Range })
	return out
}
