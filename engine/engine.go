package engine

import (
	"context"
	"path/filepath"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"scriptsync/applier"
	"scriptsync/config"
	"scriptsync/planner"
	"scriptsync/providers"
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
	build := func(configs map[string]*providers.Config) {
		built = true
		var d hcl.Diagnostics
		ws.Backends, d = buildProviders(configs)
		factoryDiags = append(factoryDiags, d...)
		if opts.Warm && !factoryDiags.HasErrors() {
			for _, b := range ws.Backends {
				if w, ok := b.Provider.(providers.Warmer); ok {
					w.Warm(ctx)
				}
			}
		}
	}
	cacheDir := ""
	if !opts.NoCache {
		cacheDir = CacheDir(opts.getenv)
	}
	cfg, diags := config.Load(config.Options{Dir: opts.Dir, Vars: opts.Vars, Getenv: opts.Getenv,
		OnProviders: build, CacheDir: cacheDir})
	if diags.HasErrors() {
		ws.Close()
		return nil, &DiagnosticsError{Diags: diags, Files: cfg.Files}
	}
	ws.Config = cfg
	if !built {
		build(cfg.Providers)
	}
	diags = append(diags, factoryDiags...)
	diags = append(diags, desired(cfg, ws.Backends)...)
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

// Plan reads every backend, without locking, and computes a plan.
func (w *Workspace) Plan(ctx context.Context, opts planner.Options) (*planner.Plan, error) {
	return applier.Plan(ctx, w.Backends, w.withMoves(opts))
}

// withMoves adds the configuration's moved blocks, and the removed blocks
// that keep their objects, to opts.
func (w *Workspace) withMoves(opts planner.Options) planner.Options {
	if w.Config == nil {
		return opts
	}
	if len(opts.Moved) == 0 {
		for _, m := range w.Config.Moved {
			opts.Moved = append(opts.Moved, planner.Move{From: m.From, To: m.To})
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
	req.Backends = w.Backends
	req.Options = w.withMoves(req.Options)
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

// CacheDir is where configurations remember their vectors' digests between
// runs: $SCRIPTSYNC_CACHE_DIR ("off" for none), else scriptsync under the
// user's cache directory ($XDG_CACHE_HOME, or ~/.cache). Without a home
// there is no cache, and every run reads every vector.
func CacheDir(getenv func(string) string) string {
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
