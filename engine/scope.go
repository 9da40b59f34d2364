package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"scriptsync/applier"
	"scriptsync/config"
	"scriptsync/planner"
	"scriptsync/providers"
)

// A plan of what changed. When the memo's fingerprint differs from the
// configuration only in the contents of a few input files (a scene
// rewritten, a vector regenerated) and every backend still holds what the
// memo's apply left, config evaluates only what those files reach
// (config.Scope), every provider derives the objects of that part and
// reads only those (providers.ScopeReader), and the planner diffs them.
// Everything outside the scope evaluates as it did for that apply and is
// held as that apply left it, so its changes are none. The plan is used
// only when it cannot differ from a full one: its changes update, create
// or delete objects of the scope (applier.ScopeRefusal), and each
// provider's ReadScope refuses what may touch objects outside it (an
// embedding's path in .gitattributes, an LFS object the store holds
// unnamed). Anything else takes the full path, as does anything a backend
// cannot read in part.

// inScope returns the objects of objs whose resource is one of resources.
func inScope(objs []*providers.Object, resources map[string]bool) []*providers.Object {
	out := objs[:0:0]
	for _, o := range objs {
		if resources[o.Resource] {
			out = append(out, o)
		}
	}
	return out
}

// errWhole says why a scoped plan gave way to the full one.
type errWhole struct{ why string }

func (e *errWhole) Error() string { return "a full plan is needed: " + e.why }

// scopedPlan plans a scoped workspace, or says why the full plan must be
// made instead.
func (w *Workspace) scopedPlan(ctx context.Context, opts planner.Options) (*planner.Plan, error) {
	if w.memo == nil {
		return nil, &errWhole{"no memo"}
	}
	keeper := w.memoKeeper()
	resources := w.Config.Scope.Resources
	states := make([]*providers.State, len(w.Backends))
	errs := make([]error, len(w.Backends))
	var wg sync.WaitGroup
	for i, b := range w.Backends {
		sr, ok := b.Provider.(providers.ScopeReader)
		if !ok {
			return nil, &errWhole{b.Provider.Name() + " cannot be read in part"}
		}
		stamp := []byte(w.memoDigest)
		if i != keeper {
			stamp = w.memo.Stamps[b.Provider.Name()]
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			states[i], errs[i] = sr.ReadScope(ctx, b.Desired, resources, stamp)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, &errWhole{fmt.Sprintf("%s: %v", w.Backends[i].Provider.Name(), err)}
		}
		if st := states[i]; len(st.Drift) > 0 || len(st.Warnings) > 0 || len(st.Pending) > 0 {
			return nil, &errWhole{w.Backends[i].Provider.Name() + " has more to say than its objects"}
		}
	}
	in := make([]planner.Input, len(w.Backends))
	for i, b := range w.Backends {
		in[i] = planner.Input{Provider: b.Provider.Name(), Desired: b.Desired, Actual: states[i]}
	}
	p, err := planner.Make(in, opts)
	if err != nil {
		return nil, &errWhole{err.Error()}
	}
	if why := applier.ScopeRefusal(p); why != "" {
		return nil, &errWhole{why}
	}
	return p, nil
}

// whole loads the whole configuration again, for a scoped workspace that
// must plan in full (its backends are built), and returns its
// diagnostics.
func (w *Workspace) whole() (*config.Config, hcl.Diagnostics) {
	return config.Load(config.Options{Dir: w.opts.Dir, Vars: w.opts.Vars, Getenv: w.opts.Getenv, CacheDir: w.cacheDir})
}

// becomeWhole makes a scoped workspace whose scoped plan or apply gave
// way the whole configuration's: evaluated again, every object derived.
// Warnings the scoped evaluation did not see are Rewarned.
func (w *Workspace) becomeWhole() error {
	cfg, diags := w.whole()
	if diags.HasErrors() {
		return &DiagnosticsError{Diags: diags, Files: cfg.Files}
	}
	w.Config, w.memo, w.held = cfg, nil, nil
	diags = append(append(diags, w.factoryDiags...), desired(cfg, w.Backends)...)
	if diags.HasErrors() {
		return &DiagnosticsError{Diags: append(warningsOnly(diags), errorsOnly(diags)...), Files: cfg.Files}
	}
	w.Rewarned = warningsOnly(diags)
	w.Warnings = w.Rewarned
	return nil
}

// planWhole makes the full plan of a scoped workspace whose scoped plan
// gave way: it evaluates the whole configuration, derives every object
// and reads every backend.
func (w *Workspace) planWhole(ctx context.Context, opts planner.Options) (*planner.Plan, error) {
	if err := w.becomeWhole(); err != nil {
		return nil, err
	}
	p, err := applier.Plan(ctx, w.Backends, w.withMoves(opts))
	if err == nil {
		w.annotate(p)
	}
	return p, err
}

// scopeLog records why a scoped workspace plans in full (see GaveWay).
func (w *Workspace) scopeLog(err error) { w.gaveWay = err.Error() }

// GaveWay says why a workspace opened for a plan or apply of what
// changed (Options.Recall or Scope) whose backends still held what the
// last apply left evaluates the whole configuration instead; "" when it
// does not, or the backends did not hold.
func (w *Workspace) GaveWay() string {
	if w.gaveWay == "" && w.Config != nil {
		return w.Config.Whole
	}
	return w.gaveWay
}

// applyScoped applies a scoped workspace: the objects of its scope, read
// under the locks, when the plan of them updates objects in place only;
// else the whole configuration, evaluated again.
func (w *Workspace) applyScoped(ctx context.Context, req applier.Request) (*applier.Result, error) {
	sc := w.Config.Scope
	scoped := req
	stamps := map[string][]byte{}
	for name, st := range w.memo.Stamps {
		stamps[name] = st
	}
	if k := w.memoKeeper(); k >= 0 {
		stamps[w.Backends[k].Provider.Name()] = []byte(w.memoDigest)
	}
	scoped.Backends, scoped.Scope, scoped.Stamps = w.Backends, sc.Resources, stamps
	if !sc.Empty() {
		// With nothing changed, the memo that holds is the one to keep.
		scoped.Memo = w.memoOf(req.Options, sc.Fingerprint)
	}
	res, err := applier.Apply(ctx, scoped)
	var se *applier.ScopeError
	if !errors.As(err, &se) {
		return res, err
	}
	w.scopeLog(se)
	if err := w.becomeWhole(); err != nil {
		return nil, err
	}
	// The outputs the caller took from the scoped configuration hold
	// recorded values (Scope.Unevaluated): taken again from the whole
	// configuration.
	req.Outputs = w.OutputsJSON()
	req.Backends = w.Backends
	req.Memo = w.memoFor(req.Options)
	return applier.Apply(ctx, req)
}
