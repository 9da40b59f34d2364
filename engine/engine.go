package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"scriptsync/applier"
	"scriptsync/config"
	"scriptsync/planner"
	"scriptsync/providers"
	"scriptsync/render"
)

// Options says which configuration to open and how.
type Options struct {
	// Dir is the configuration directory.
	Dir string
	// Vars are the -var and -var-file arguments in command-line order.
	Vars []config.VarArg
	// Getenv reads the environment; nil reads nothing.
	Getenv func(string) string
	// Warm starts reading the backends that can be read before the
	// configuration is fully evaluated (providers.Warmer), for a command
	// that reads them next.
	Warm bool
	// NoCache turns off the cache of vector digests (see CacheDir).
	NoCache bool
	// Parallelism is handed to every provider (providers.Config); 0 means
	// their defaults.
	Parallelism int
	// Recall lets a plain plan be answered by the memo of the last apply
	// (see memo.go) instead of evaluating the configuration, when nothing
	// changed since. The Workspace is then Unchanged: it has no library or
	// desired objects, and Plan answers an empty plan. For a command that
	// needs every object anyway (a saved plan), leave it off.
	Recall bool
	// Scope lets a plain apply evaluate, read and write only what the
	// input files changed since the last apply reach (see scope.go), as
	// Recall lets a plain plan.
	Scope bool
	// Saving is Scope for a plan that is saved (plan -out) rather than
	// applied: every backend's stamp is checked as a plan checks it, not
	// as an apply does before its locks, and the recorded values of the
	// outputs out of the scope are read, for the saved plan to show.
	Saving bool
}

func (o *Options) getenv(name string) string {
	if o.Getenv == nil {
		return ""
	}
	return o.Getenv(name)
}

// DiagnosticsError is a configuration that cannot be used: Diags say why,
// Files hold the sources they point into, for snippets.
type DiagnosticsError struct {
	Diags hcl.Diagnostics
	Files map[string]*hcl.File
}

func (e *DiagnosticsError) Error() string { return e.Diags.Error() }

// Workspace is a loaded configuration with its providers built and their
// desired objects computed. Close it.
type Workspace struct {
	Config   *config.Config
	Backends []applier.Backend // in apply order
	// Warnings are the diagnostics of loading that are not errors.
	Warnings hcl.Diagnostics

	// Rewarned are warnings a scoped workspace found only when its plan
	// had to evaluate the whole configuration after all: a caller that
	// showed Warnings after Open shows these after Plan.
	Rewarned hcl.Diagnostics

	opts         Options
	cacheDir     string
	factoryDiags hcl.Diagnostics
	gaveWay      string
	// memo is the last apply's, when it and every stamp held but the
	// configuration's inputs did not all (a scoped Config may then plan).
	memo *memo
	// memoDigest is the SHA-256 of memo as recorded: the keeper's stamp
	// for a scoped read (the memo it holds must still be this one).
	memoDigest string
	// held are the recorded values of a scoped Config's unevaluated
	// outputs (Scope.Unevaluated), for an apply.
	held []render.NamedValue
	// recorded are the outputs the last apply recorded, once read
	// (RecordedOutputs).
	recorded     map[string]render.NamedValue
	recordedErr  error
	recordedRead bool
}

// Open loads the configuration and builds every provider. It touches no
// backend, except that with Options.Warm it starts reading those that can
// be read early. A configuration in error returns a *DiagnosticsError:
// the loader's diagnostics as they came, or, when the configuration loaded
// but a provider refused it, the warnings first and then the errors.
func Open(ctx context.Context, opts Options) (*Workspace, error) {
	ws := &Workspace{}
	var factoryDiags hcl.Diagnostics
	built := false
	warm := func() {
		if opts.Warm && !factoryDiags.HasErrors() {
			for _, b := range ws.Backends {
				if w, ok := b.Provider.(providers.Warmer); ok {
					w.Warm(ctx)
				}
			}
		}
	}
	build := func(configs map[string]*providers.Config) {
		built = true
		var d hcl.Diagnostics
		for _, c := range configs {
			if c != nil {
				c.Parallelism = opts.Parallelism
			}
		}
		ws.Backends, d = buildProviders(configs)
		factoryDiags = append(factoryDiags, d...)
		if !opts.Recall && !opts.Scope {
			warm()
		}
	}
	var (
		recall func(func(*config.Fingerprint) bool) (bool, bool)
		whole  func()
	)
	if opts.Recall || opts.Scope {
		// Reading ahead is for the full plan: it waits until the memo
		// could not answer, and the configuration is evaluated whole.
		recall = func(holds func(*config.Fingerprint) bool) (bool, bool) {
			if factoryDiags.HasErrors() {
				return false, false
			}
			held, backends := ws.recall(ctx, holds)
			// An apply is never answered by the memo alone.
			return held && opts.Recall, backends
		}
		whole = warm
	}
	cacheDir := ""
	if !opts.NoCache {
		cacheDir = CacheDir(opts.Dir, opts.getenv)
		if opts.getenv("SCRIPTSYNC_CACHE_DIR") == "" && cacheDir != "" {
			EnsureCacheDir(opts.Dir)
		}
	}
	ws.opts, ws.cacheDir = opts, cacheDir
	cfg, diags := config.Load(config.Options{Dir: opts.Dir, Vars: opts.Vars, Getenv: opts.Getenv,
		OnProviders: build, CacheDir: cacheDir, Recall: recall, Scope: opts.Recall || opts.Scope, Whole: whole})
	if diags.HasErrors() {
		ws.Close()
		return nil, &DiagnosticsError{Diags: diags, Files: cfg.Files}
	}
	ws.Config = cfg
	if !built {
		build(cfg.Providers)
	}
	ws.factoryDiags = factoryDiags
	diags = append(diags, factoryDiags...)
	if !cfg.Unchanged {
		d := desired(cfg, ws.Backends)
		if cfg.Scope != nil && len(d) == 0 && !opts.Recall && len(cfg.Scope.Unevaluated) > 0 {
			ws.held = ws.heldOutputs(ctx, cfg.Scope.Unevaluated)
		}
		if cfg.Scope != nil && (len(d) > 0 || (!opts.Recall && len(cfg.Scope.Unevaluated) > 0 && ws.held == nil)) {
			// Whatever there is to say, the whole configuration says it;
			// an apply records and prints every output.
			why := "the objects in scope have diagnostics"
			if len(d) == 0 {
				why = "the last apply recorded no value for an output outside what changed"
			}
			ws.scopeLog(&errWhole{why})
			var ld hcl.Diagnostics
			if cfg, ld = ws.whole(); ld.HasErrors() {
				ws.Close()
				return nil, &DiagnosticsError{Diags: ld, Files: cfg.Files}
			}
			ws.Config, ws.memo, ws.held = cfg, nil, nil
			diags = append(ld, factoryDiags...)
			d = desired(cfg, ws.Backends)
		}
		diags = append(diags, d...)
	}
	ws.Warnings = warningsOnly(diags)
	if diags.HasErrors() {
		ws.Close()
		return nil, &DiagnosticsError{Diags: append(warningsOnly(diags), errorsOnly(diags)...), Files: cfg.Files}
	}
	return ws, nil
}

// buildProviders runs every registered provider's factory. A provider
// whose factory fails is left out; its diagnostics say why.
func buildProviders(configs map[string]*providers.Config) ([]applier.Backend, hcl.Diagnostics) {
	var backends []applier.Backend
	var diags hcl.Diagnostics
	for _, reg := range providers.Registered() {
		p, d := reg.Factory(configs[reg.Name])
		diags = append(diags, d...)
		if d.HasErrors() || p == nil {
			continue
		}
		backends = append(backends, applier.Backend{Provider: p, Commit: reg.Commit})
	}
	return backends, diags
}

// desired fills every backend's Desired. Each provider turns the whole
// library into its objects: side by side, they take as long as the
// slowest one. The diagnostics come in backend order.
func desired(cfg *config.Config, backends []applier.Backend) hcl.Diagnostics {
	perBackend := make([]hcl.Diagnostics, len(backends))
	var wg sync.WaitGroup
	for i := range backends {
		b := &backends[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.Desired, perBackend[i] = b.Provider.Desired(cfg.Library)
			if cfg.Scope != nil {
				b.Desired = inScope(b.Desired, cfg.Scope.Resources)
			}
		}()
	}
	wg.Wait()
	var diags hcl.Diagnostics
	for _, d := range perBackend {
		diags = append(diags, d...)
	}
	return diags
}

// Close releases every provider.
func (w *Workspace) Close() {
	for _, b := range w.Backends {
		_ = b.Provider.Close()
	}
}

// ProviderNames lists the providers in apply order.
func (w *Workspace) ProviderNames() []string {
	names := make([]string, len(w.Backends))
	for i, b := range w.Backends {
		names[i] = b.Provider.Name()
	}
	return names
}

// Validate loads the configuration and runs every provider's factory and
// Desired, which touch no backend, and returns every diagnostic in the
// order they arose (each provider's factory, then its Desired), with the
// files they point into.
func Validate(opts Options) (hcl.Diagnostics, map[string]*hcl.File) {
	cfg, diags := config.Load(config.Options{Dir: opts.Dir, Vars: opts.Vars, Getenv: opts.Getenv})
	if diags.HasErrors() {
		return diags, cfg.Files
	}
	for _, reg := range providers.Registered() {
		p, d := reg.Factory(cfg.Providers[reg.Name])
		diags = append(diags, d...)
		if p == nil || d.HasErrors() {
			continue
		}
		_, d = p.Desired(cfg.Library)
		diags = append(diags, d...)
		_ = p.Close()
	}
	return diags, cfg.Files
}

// Unchanged reports whether the workspace was opened with Recall and the
// last apply's memo answered for it: nothing changed since that apply.
func (w *Workspace) Unchanged() bool { return w.Config != nil && w.Config.Unchanged }

// Plan reads every backend, without locking, and computes a plan. An
// Unchanged workspace answers a plain plan without reading: it is empty.
func (w *Workspace) Plan(ctx context.Context, opts planner.Options) (*planner.Plan, error) {
	if w.Unchanged() {
		if !plainPlan(opts) {
			return nil, errors.New("engine: the workspace was opened to answer a plain plan from the memo; open it without Recall for this plan")
		}
		return &planner.Plan{Options: w.withMoves(opts)}, nil
	}
	if w.Config.Scope != nil {
		if !plainPlan(opts) {
			return nil, errors.New("engine: the workspace was opened to answer a plain plan from what changed; open it without Recall for this plan")
		}
		p, err := w.scopedPlan(ctx, w.withMoves(opts))
		if err == nil {
			w.annotate(p)
			return p, nil
		}
		w.scopeLog(err)
		return w.planWhole(ctx, opts)
	}
	p, err := applier.Plan(ctx, w.Backends, w.withMoves(opts))
	if err == nil {
		w.annotate(p)
	}
	return p, err
}

// withMoves adds the configuration's moved blocks, its import blocks (when
// opts names no imports of its own), and the removed blocks that keep
// their objects, to opts.
func (w *Workspace) withMoves(opts planner.Options) planner.Options {
	if w.Config == nil {
		return opts
	}
	if len(opts.Moved) == 0 {
		for _, m := range w.Config.Moved {
			opts.Moved = append(opts.Moved, planner.Move{From: m.From, To: m.To})
		}
	}
	if len(opts.Imports) == 0 && !opts.Destroy && !opts.ForgetOnly {
		for _, imp := range w.Config.Imports {
			opts.Imports = append(opts.Imports, providers.Import{To: imp.To, ID: imp.ID})
		}
	}
	if !opts.ForgetOnly {
		for _, r := range w.Config.Removed {
			if !r.Destroy {
				opts.Forget = append(opts.Forget, r.From)
			}
		}
	}
	return opts
}

// Apply locks the backends, plans and applies; req.Backends is filled in.
func (w *Workspace) Apply(ctx context.Context, req applier.Request) (*applier.Result, error) {
	if w.Unchanged() {
		return nil, errors.New("engine: the workspace was opened to answer a plan from the memo; open it without Recall to apply")
	}
	req.Backends = w.Backends
	req.Options = w.withMoves(req.Options)
	defer func() { w.recordedRead = false }() // the apply may record others
	if confirm := req.Confirm; confirm != nil {
		req.Confirm = func(p *planner.Plan) (bool, error) {
			w.annotate(p)
			return confirm(p)
		}
	}
	if w.Config.Scope != nil {
		if !plainPlan(req.Options) || req.Options.NoRefresh || w.memo == nil {
			return nil, errors.New("engine: the workspace was opened to apply what changed; open it without Scope for this apply")
		}
		return w.applyScoped(ctx, req)
	}
	req.Memo = w.memoFor(req.Options)
	return applier.Apply(ctx, req)
}

// Init creates the backends that can be created ahead of the first apply,
// telling ready about each, in apply order.
func (w *Workspace) Init(ctx context.Context, ready func(provider, description string)) error {
	for _, b := range w.Backends {
		in, ok := b.Provider.(providers.Initializer)
		if !ok {
			continue
		}
		if err := in.Init(ctx); err != nil {
			return &providers.OpError{Provider: b.Provider.Name(), Op: "init", Err: err}
		}
		ready(b.Provider.Name(), Describe(b.Provider))
	}
	return nil
}

// Describe names a provider's backend in one line, or gives its name.
func Describe(p providers.Provider) string {
	if d, ok := p.(providers.Describer); ok {
		return d.Describe()
	}
	return p.Name()
}

// CacheDir is where a configuration remembers its vectors' digests
// between runs: $SCRIPTSYNC_CACHE_DIR ("off" for none), else .scriptsync/
// in the configuration directory dir (kept out of git by the .gitignore
// that EnsureCacheDir writes there), like Terraform's .terraform/.
func CacheDir(dir string, getenv func(string) string) string {
	switch env := getenv("SCRIPTSYNC_CACHE_DIR"); env {
	case "off":
		return ""
	case "":
	default:
		if abs, err := filepath.Abs(env); err == nil {
			return abs
		}
		return ""
	}
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, WorkDir, "cache")
}

// WorkDir is scriptsync's directory in a configuration directory.
const WorkDir = ".scriptsync"

// EnsureCacheDir makes the default cache directory's parent, with a
// .gitignore that ignores all of it. Failing is no error: without a cache
// every run reads every vector.
func EnsureCacheDir(dir string) {
	work := filepath.Join(dir, WorkDir)
	if err := os.MkdirAll(work, 0o755); err != nil {
		return
	}
	ignore := filepath.Join(work, ".gitignore")
	if _, err := os.Stat(ignore); err == nil {
		return
	}
	_ = os.WriteFile(ignore, []byte("# scriptsync's working files (the vector digest cache): never commit them.\n*\n"), 0o644)
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
