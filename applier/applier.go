package applier

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"scriptsync/planner"
	"scriptsync/providers"
)

// Backend is a provider with the objects a configuration wants in it.
type Backend struct {
	Provider providers.Provider
	// Commit is the provider's commit class, from its registration.
	Commit  providers.CommitClass
	Desired []*providers.Object
}

// Progress reports an apply's advance.
type Progress struct {
	Provider    string
	Done, Total int   // objects, all providers together
	Bytes       int64 // bytes written or uploaded so far
}

// Request is one apply.
type Request struct {
	// Backends are in apply order.
	Backends    []Backend
	Options     planner.Options
	LockTimeout time.Duration
	// Check is set when applying a saved plan. It is called under the
	// locks, first with the versions the backends hold and a nil plan, then
	// with the plan computed from them; an error refuses the apply (the
	// saved plan is stale: see planfile.Stale).
	Check func(versions map[string]string, plan *planner.Plan) error
	// Confirm is shown the plan before anything changes; false cancels.
	// nil approves. It is asked when the plan has changes, or when
	// OutputsChange says the outputs recorded will.
	Confirm       func(*planner.Plan) (bool, error)
	OutputsChange bool
	// Shown, when set, is called after the providers' Applies and before
	// the first commit: a Confirm that approved without waiting for the
	// plan to be shown (-auto-approve) waits for it there. An error rolls
	// the apply back, so nothing commits that was not shown.
	Shown func() error
	// Progress, when set, is called as objects complete.
	Progress func(Progress)
	// Outputs, when set, is the JSON of the output values, recorded by
	// the provider that commits last (providers.OutputRecorder).
	Outputs []byte
	// Memo, when set, makes the memo the provider that commits last keeps
	// (providers.MemoRecorder) from the plan applied and the stamps of the
	// other providers (providers.Stamper), by name; nil records none. It
	// is asked only when every other provider could be stamped, and also
	// for an apply with nothing to do, which then records the memo alone.
	Memo func(plan *planner.Plan, stamps map[string][]byte) []byte
	// Scope, when set, applies part of the configuration (config.Scope):
	// every Backend's Desired holds the objects of these resources only,
	// each transaction reads only those (providers.ScopeReader, given its
	// stamp in Stamps), and the plan must update objects in place and do
	// nothing else, or Apply returns a *ScopeError before anything
	// changes. The other providers are stamped with
	// providers.ScopeStamper.
	Scope  map[string]bool
	Stamps map[string][]byte
}

// ScopeError is an apply of part of the configuration (Request.Scope)
// that cannot be made so: nothing changed, and the whole configuration's
// apply is needed.
type ScopeError struct{ Why string }

func (e *ScopeError) Error() string { return "the whole configuration must be applied: " + e.Why }

// Result is what an apply did.
type Result struct {
	Plan *planner.Plan
	// Applied is false when there was nothing to do.
	Applied bool
	// Recorded is true when nothing changed but the backends' versions were
	// recorded again (the plan had PeerDrift).
	Recorded bool
	// Versions are the backend versions after the apply.
	Versions map[string]string
	// Warnings are clean-up steps after the commits that failed
	// (providers.Finisher); the apply itself succeeded.
	Warnings []string
}

// ErrCancelled is returned when Confirm declines.
var ErrCancelled = errors.New("apply cancelled")

// Read reads every backend side by side, without locking; the states are
// in backend order.
func Read(ctx context.Context, backends []Backend) ([]*providers.State, error) {
	states := make([]*providers.State, len(backends))
	err := each(backends, func(i int, b Backend) error {
		st, err := b.Provider.Read(ctx, b.Desired)
		states[i] = st
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := vouch(ctx, backends, states, func(i int) any { return backends[i].Provider }); err != nil {
		return nil, err
	}
	return states, nil
}

// vouch hands each Vouchable backend (what of(i) returns: the provider,
// or its Tx) the version the last apply recorded for it (see
// providers.Vouchable).
func vouch(ctx context.Context, backends []Backend, states []*providers.State, of func(int) any) error {
	var peers map[string]string
	for _, st := range states {
		if st != nil && st.Peers != nil {
			peers = st.Peers
			break
		}
	}
	for i, b := range backends {
		v, ok := of(i).(providers.Vouchable)
		if !ok || states[i] == nil {
			continue
		}
		if err := v.Vouch(ctx, states[i], b.Desired, peers[b.Provider.Name()]); err != nil {
			return err
		}
	}
	return nil
}

// Plan reads every backend without locking and computes a plan.
func Plan(ctx context.Context, backends []Backend, opts planner.Options) (*planner.Plan, error) {
	provider := func(i int) any { return backends[i].Provider }
	states, err := Read(ctx, withWants(backends, importWants(backends, opts, provider)))
	if err != nil {
		return nil, err
	}
	imported, err := importPending(ctx, backends, opts.Imports, states, provider)
	if err != nil {
		return nil, err
	}
	return planner.Make(inputs(backends, states, imported), opts)
}

func inputs(backends []Backend, states []*providers.State, imported [][]*providers.Object) []planner.Input {
	in := make([]planner.Input, len(backends))
	for i, b := range backends {
		in[i] = planner.Input{Provider: b.Provider.Name(), Desired: b.Desired, Actual: states[i]}
		if imported != nil {
			in[i].Imported = imported[i]
		}
	}
	return in
}

// each runs f for every backend concurrently and returns the first error in
// backend order.
func each(backends []Backend, f func(int, Backend) error) error {
	errs := make([]error, len(backends))
	var wg sync.WaitGroup
	for i, b := range backends {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f(i, b)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// run is one apply in progress.
type run struct {
	req       Request
	plan      *planner.Plan
	txs       []providers.Tx
	committed []int // indexes of committed transactions, in commit order
	done      int
	total     int
	bytes     int64
	mu        sync.Mutex
}

// Apply locks the backends, plans, and applies the plan as one unit.
func Apply(ctx context.Context, req Request) (*Result, error) {
	r := &run{req: req, txs: make([]providers.Tx, len(req.Backends))}
	defer r.rollback()

	for i, b := range req.Backends {
		tx, err := b.Provider.Begin(ctx, providers.BeginOptions{LockTimeout: req.LockTimeout})
		if err != nil {
			return nil, err
		}
		r.txs[i] = tx
	}
	tx := func(i int) any { return r.txs[i] }
	states := make([]*providers.State, len(req.Backends))
	var imported [][]*providers.Object
	if req.Scope != nil {
		if err := r.readScope(ctx, states); err != nil {
			return nil, err
		}
	} else {
		wants := importWants(req.Backends, req.Options, tx)
		err := each(req.Backends, func(i int, b Backend) error {
			st, err := r.txs[i].Read(ctx, wants[i])
			states[i] = st
			return err
		})
		if err != nil {
			return nil, err
		}
		if err := vouch(ctx, withWants(req.Backends, wants), states, tx); err != nil {
			return nil, err
		}
		if imported, err = importPending(ctx, req.Backends, req.Options.Imports, states, tx); err != nil {
			return nil, err
		}
	}
	if req.Check != nil {
		versions := map[string]string{}
		for i, b := range req.Backends {
			versions[b.Provider.Name()] = states[i].Version
		}
		if err := req.Check(versions, nil); err != nil {
			return nil, err
		}
	}
	plan, err := planner.Make(inputs(req.Backends, states, imported), req.Options)
	if err != nil {
		return nil, err
	}
	if req.Scope != nil {
		if why := ScopeRefusal(plan); why != "" {
			return nil, &ScopeError{Why: why}
		}
	}
	res := &Result{Plan: plan, Versions: plan.Versions}
	if req.Check != nil {
		if err := req.Check(plan.Versions, plan); err != nil {
			return nil, err
		}
	}
	r.plan = plan
	if !plan.HasChanges() && !plan.PeerDrift {
		if req.Confirm != nil && req.OutputsChange && req.Outputs != nil {
			ok, err := req.Confirm(plan)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, ErrCancelled
			}
		}
		if err := r.shown(); err != nil {
			return nil, err
		}
		if err := r.recordOnly(ctx); err != nil {
			return nil, err
		}
		return res, nil
	}
	if req.Confirm != nil && plan.HasChanges() {
		ok, err := req.Confirm(plan)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ErrCancelled
		}
	}
	for _, c := range plan.Changes {
		if c.Action != providers.NoOp || c.Importing() != "" {
			r.total++
		}
	}
	if err := r.applyAll(ctx); err != nil {
		return nil, r.fail(ctx, err)
	}
	if err := r.shown(); err != nil {
		return nil, r.fail(ctx, err)
	}
	versions, err := r.commit(ctx)
	if err != nil {
		return nil, err
	}
	res.Warnings = r.finish(ctx)
	res.Applied = plan.HasChanges()
	res.Recorded = !res.Applied
	res.Versions = versions
	return res, nil
}

// shown waits for Request.Shown.
func (r *run) shown() error {
	if r.req.Shown == nil {
		return nil
	}
	return r.req.Shown()
}

// readScope reads, in every transaction, the objects of Request.Scope.
func (r *run) readScope(ctx context.Context, states []*providers.State) error {
	err := each(r.req.Backends, func(i int, b Backend) error {
		sr, ok := r.txs[i].(providers.ScopeReader)
		if !ok {
			return providers.ErrScope
		}
		st, err := sr.ReadScope(ctx, b.Desired, r.req.Scope, r.req.Stamps[b.Provider.Name()])
		if err == nil && (len(st.Drift) > 0 || len(st.Warnings) > 0 || len(st.Pending) > 0) {
			err = fmt.Errorf("%s has more to say than its objects", b.Provider.Name())
		}
		states[i] = st
		return err
	})
	if err != nil {
		return &ScopeError{Why: err.Error()}
	}
	return nil
}

// ScopeRefusal says why a plan of part of the configuration is not the
// plan of the whole, "" when it is: it updates, creates and deletes
// objects, and that is all it does. Each provider's ReadScope refuses
// the creates and deletes that concern objects outside the part (an LFS
// object another embedding holds, .gitattributes, a path already taken);
// a replacement, a move to another resource or an import concerns more
// than the part's objects and is left to the full plan.
func ScopeRefusal(p *planner.Plan) string {
	if p.PeerDrift || len(p.Drift) > 0 || len(p.Warnings) > 0 || len(p.Pending) > 0 {
		return "the plan has more than changes"
	}
	for _, c := range p.Changes {
		switch c.Action {
		case providers.NoOp, providers.Update, providers.Create, providers.Delete:
		default:
			return fmt.Sprintf("%s %s", c.Action, c.Address())
		}
		// A scene renumbered within its script is one of the script's
		// objects still; a move to another resource is not the part's.
		if c.Importing() != "" || (c.Moved() && c.Before.Resource != c.After.Resource) {
			return fmt.Sprintf("%s %s", c.Action, c.Address())
		}
	}
	return ""
}

func (r *run) progress(provider string) providers.Progress {
	if r.req.Progress == nil {
		return nil
	}
	return func(objects int, bytes int64) {
		r.mu.Lock()
		r.done += objects
		r.bytes += bytes
		p := Progress{Provider: provider, Done: r.done, Total: r.total, Bytes: r.bytes}
		r.mu.Unlock()
		r.req.Progress(p)
	}
}

// commit commits the transactions that can be undone, or need no undo,
// first (in backend order), then the CommitLast ones.
func (r *run) commit(ctx context.Context) (map[string]string, error) {
	versions := map[string]string{}
	var last []int
	for i, tx := range r.txs {
		if r.req.Backends[i].Commit == providers.CommitLast {
			last = append(last, i)
			continue
		}
		if err := tx.Commit(ctx); err != nil {
			return nil, r.fail(ctx, r.opError(i, "commit", err))
		}
		r.committed = append(r.committed, i)
		if vr, ok := tx.(providers.VersionReporter); ok {
			versions[r.name(i)] = vr.CommittedVersion()
		}
	}
	for k, i := range last {
		tx := r.txs[i]
		if pr, ok := tx.(providers.PeerRecorder); ok {
			peers := map[string]string{}
			for name, v := range versions {
				peers[name] = v
			}
			if err := pr.RecordPeers(ctx, peers); err != nil {
				return nil, r.fail(ctx, r.opError(i, "record versions", err))
			}
		}
		// The outputs first: the memo is recorded with them.
		if or, ok := tx.(providers.OutputRecorder); ok && r.req.Outputs != nil && k == len(last)-1 {
			if err := or.RecordOutputs(ctx, r.req.Outputs); err != nil {
				return nil, r.fail(ctx, r.opError(i, "record outputs", err))
			}
		}
		if k == len(last)-1 {
			if err := r.recordMemo(ctx, i, versions); err != nil {
				return nil, r.fail(ctx, r.opError(i, "record memo", err))
			}
		}
		if err := tx.Commit(ctx); err != nil {
			err = r.opError(i, "commit", err)
			if k > 0 {
				// An earlier provider without compensation has committed:
				// nothing can take it back.
				return nil, &ApplyError{Cause: err, Stuck: r.name(last[0])}
			}
			return nil, r.fail(ctx, err)
		}
		r.committed = append(r.committed, i)
		if vr, ok := tx.(providers.VersionReporter); ok {
			versions[r.name(i)] = vr.CommittedVersion()
		}
	}
	return versions, nil
}

// recordMemo hands the memo to the last Tx, the one at index last, when
// it keeps memos and every other provider could be stamped.
func (r *run) recordMemo(ctx context.Context, last int, versions map[string]string) error {
	mr, ok := r.txs[last].(providers.MemoRecorder)
	if !ok || r.req.Memo == nil {
		return nil
	}
	stamps := map[string][]byte{}
	for i, b := range r.req.Backends {
		if i == last {
			continue
		}
		var (
			stamp []byte
			err   error
		)
		if r.req.Scope != nil {
			st, ok := b.Provider.(providers.ScopeStamper)
			if !ok {
				return nil
			}
			stamp, err = st.StampScope(ctx, b.Desired, r.req.Scope, versions[b.Provider.Name()])
		} else {
			st, ok := b.Provider.(providers.Stamper)
			if !ok {
				return nil
			}
			stamp, err = st.Stamp(ctx, b.Desired, versions[b.Provider.Name()])
		}
		if err != nil {
			return nil // a plan reads this backend; the apply is not worse for it
		}
		stamps[b.Provider.Name()] = stamp
	}
	memo := r.req.Memo(r.plan, stamps)
	if memo == nil {
		return nil
	}
	return mr.RecordMemo(ctx, memo)
}

// recordOnly records the memo and the outputs of an apply that had
// nothing to do, committing the last provider's transaction with them
// alone: an output's expression may be all that changed.
func (r *run) recordOnly(ctx context.Context) error {
	last := -1
	for i, b := range r.req.Backends {
		if b.Commit == providers.CommitLast {
			if last >= 0 {
				return nil // one keeper only
			}
			last = i
		}
	}
	if last < 0 {
		return nil
	}
	tx := r.txs[last]
	or, ok := tx.(providers.OutputRecorder)
	ok = ok && r.req.Outputs != nil
	if !ok && r.req.Memo == nil {
		return nil
	}
	if ok {
		if err := or.RecordOutputs(ctx, r.req.Outputs); err != nil {
			return r.opError(last, "record outputs", err)
		}
	}
	if err := r.recordMemo(ctx, last, r.plan.Versions); err != nil {
		return r.opError(last, "record memo", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return r.opError(last, "commit", err)
	}
	return nil
}

// finish runs every committed Tx's Finisher, in backend order.
func (r *run) finish(ctx context.Context) []string {
	var warnings []string
	for i, tx := range r.txs {
		if f, ok := tx.(providers.Finisher); ok {
			if err := f.Finish(ctx); err != nil {
				warnings = append(warnings, r.opError(i, "finish", err).Error())
			}
		}
	}
	return warnings
}

func (r *run) name(i int) string { return r.req.Backends[i].Provider.Name() }

// opError names the provider and the step once (see providers.OpError).
func (r *run) opError(i int, op string, err error) error {
	return &providers.OpError{Provider: r.name(i), Op: op, Err: err}
}

// fail undoes what an apply did so far and returns the error to report:
// cause, and any undo that did not succeed.
func (r *run) fail(ctx context.Context, cause error) error {
	cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	var problems []string
	for i, tx := range r.txs {
		if tx != nil && !r.isCommitted(i) {
			if err := tx.Rollback(cleanup); err != nil {
				problems = append(problems, r.opError(i, "rollback", err).Error())
			}
		}
	}
	for k := len(r.committed) - 1; k >= 0; k-- {
		i := r.committed[k]
		if r.req.Backends[i].Commit != providers.CommitUndoable {
			continue // unreferenced writes need no undo
		}
		c, ok := r.txs[i].(providers.Compensator)
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: undo: its transaction cannot be undone (registered as undoable without implementing Compensator)", r.name(i)))
			continue
		}
		if err := c.Compensate(cleanup); err != nil {
			problems = append(problems, r.opError(i, "undo", err).Error())
		}
	}
	// Rollback after Commit is a no-op by contract, except that it lets a
	// committed Tx release what it held for Finish (lfs's store lock).
	for _, i := range r.committed {
		_ = r.txs[i].Rollback(cleanup)
	}
	r.committed = nil
	r.txs = nil
	if len(problems) > 0 {
		return &ApplyError{Cause: cause, Undo: problems}
	}
	return &ApplyError{Cause: cause, RolledBack: true}
}

func (r *run) isCommitted(i int) bool {
	for _, c := range r.committed {
		if c == i {
			return true
		}
	}
	return false
}

// rollback releases transactions still open when Apply returns. Committed
// ones are told too: Rollback after Commit is a no-op by contract, and it
// lets a Tx release what it held for Finish.
func (r *run) rollback() {
	if r.txs == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, tx := range r.txs {
		if tx != nil {
			_ = tx.Rollback(ctx)
		}
	}
}

// ApplyError is an apply that failed after it started changing backends.
// Unless RolledBack, the backends disagree until another apply converges
// them.
type ApplyError struct {
	Cause error
	// RolledBack is true when every backend was returned to where it was.
	RolledBack bool
	// Undo lists what could not be undone.
	Undo []string
	// Stuck names a provider that had committed, which nothing can undo,
	// when a later CommitLast provider failed to commit.
	Stuck string
}

func (e *ApplyError) Error() string {
	switch {
	case e.Stuck != "":
		return e.Cause.Error() + " (and " + e.Stuck + " had already committed, which cannot be undone)"
	case e.RolledBack:
		return e.Cause.Error() + "; every backend was rolled back, nothing changed"
	}
	return e.Cause.Error() + "; undoing it failed too (" + strings.Join(e.Undo, "; ") + ")"
}

func (e *ApplyError) Unwrap() error { return e.Cause }
