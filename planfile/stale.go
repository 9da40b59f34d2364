package planfile

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"scriptsync/config"
	"scriptsync/planner"
)

var (
	// ErrStale is returned (wrapped) when a saved plan no longer matches
	// the backends or the inputs.
	ErrStale = errors.New("Saved plan is stale")
)

// StaleError says why a saved plan is stale. Reason says what moved; what
// to do about it is the CLI's to say.
type StaleError struct{ Reason string }

func (e *StaleError) Error() string { return ErrStale.Error() + ": " + e.Reason }
func (e *StaleError) Unwrap() error { return ErrStale }

// Now is what a saved plan is checked against. Each caller knows part of
// it (the reader the format, the engine the configuration, the applier
// the backends under their locks); a zero field is not checked.
type Now struct {
	// FormatVersion is the plan-file format this scriptsync applies; a
	// plan of another major version cannot be applied.
	FormatVersion string
	// Config is the configuration loaded now: its digest, its inputs' and
	// the digests of its variables' values (see VariableDigests).
	Config *config.Config
	// VariableDigests digest every variable's value now, by name.
	VariableDigests map[string]string
	// Versions are the backends' versions now, by provider.
	Versions map[string]string
	// Digest is the digest of the plan computed now (planner.Plan.Digest).
	Digest string
}

// Stale reports whether saved can no longer be applied as it was shown,
// and why, with a *StaleError; nil when it can. The checks run in the
// order an apply meets them, and the first that fails is reported.
func Stale(saved *SavedPlan, now Now) error {
	for _, check := range []func(*SavedPlan, Now) []string{staleFormat, staleInputs, staleVersions, staleChanges} {
		if reasons := check(saved, now); len(reasons) > 0 {
			return &StaleError{Reason: strings.Join(reasons, "; ")}
		}
	}
	return nil
}

// Check is the applier's Request.Check for applying sp: under the locks,
// the backends must be at the versions sp read (plan is nil then), and
// the plan computed from them must make the changes sp saved.
func (sp *SavedPlan) Check(versions map[string]string, plan *planner.Plan) error {
	if plan == nil {
		return Stale(sp, Now{Versions: versions})
	}
	return Stale(sp, Now{Digest: plan.Digest()})
}

func staleFormat(saved *SavedPlan, now Now) []string {
	if now.FormatVersion == "" || major(saved.FormatVersion) == major(now.FormatVersion) {
		return nil
	}
	return []string{fmt.Sprintf("has format version %s, which this scriptsync (format %s) cannot apply",
		saved.FormatVersion, now.FormatVersion)}
}

func major(v string) string {
	m, _, _ := strings.Cut(v, ".")
	return m
}

func staleInputs(saved *SavedPlan, now Now) []string {
	cfg := now.Config
	if cfg == nil {
		return nil
	}
	var reasons []string
	if saved.ConfigDigest != cfg.Digest {
		reasons = append(reasons, "the configuration files changed")
	}
	var changed []string
	for path, want := range saved.Inputs {
		if got, ok := cfg.Inputs[path]; !ok || got != want {
			changed = append(changed, path)
		}
	}
	for path := range cfg.Inputs {
		if _, ok := saved.Inputs[path]; !ok {
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
		if want, ok := saved.SensitiveDigests[v.Name]; ok && want != now.VariableDigests[v.Name] {
			reasons = append(reasons, fmt.Sprintf("the variable %q has another value than at plan time (plan files do not keep the values of sensitive variables or of variables provider blocks read: give it through %s%s or a variable file)", v.Name, config.EnvVarPrefix, v.Name))
		}
	}
	return reasons
}

func staleVersions(saved *SavedPlan, now Now) []string {
	if now.Versions == nil {
		return nil
	}
	var moved []string
	for name, got := range now.Versions {
		if want := saved.Versions[name]; got != want {
			moved = append(moved, fmt.Sprintf("%s moved from %s to %s", name, orNone(want), orNone(got)))
		}
	}
	if len(moved) == 0 {
		return nil
	}
	sort.Strings(moved)
	return []string{strings.Join(moved, ", ") + " since the plan was made"}
}

func orNone(v string) string {
	if v == "" {
		return "(empty)"
	}
	if len(v) > 12 {
		return v[:12]
	}
	return v
}

func staleChanges(saved *SavedPlan, now Now) []string {
	if now.Digest == "" || now.Digest == saved.Digest {
		return nil
	}
	return []string{"the changes it would make today differ from the saved ones"}
}
