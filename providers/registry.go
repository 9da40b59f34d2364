package providers

import (
	"sort"
	"strconv"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Config is a provider block, evaluated. When the configuration has no
// block for a provider, its factory gets a Config with no Attrs and must
// fall back to its embedded default.
type Config struct {
	Name string
	// Dir is the absolute configuration directory; relative paths in
	// attributes resolve against it.
	Dir string
	// Attrs are the block's attributes, evaluated; Ranges say where each
	// was written.
	Attrs  map[string]cty.Value
	Ranges map[string]hcl.Range
	// DeclRange is the block header's range (zero when there is no block).
	DeclRange hcl.Range
	// Getenv reads the environment (tokens, libpq variables).
	Getenv func(string) string
	// Peers are the other providers' configurations, for defaults that
	// derive from a peer's (the LFS store lives in the git repository; the
	// LFS URL defaults to the git remote's). Peers of a peer are nil.
	Peers map[string]*Config
	// Parallelism bounds concurrent operations against the backend
	// (-parallelism); 0 means the provider's default.
	Parallelism int
}

// Setting returns the named string attribute of the peer provider's block,
// or, when the block does not set it, the default the peer declared in its
// Registration.Defaults. It is how a provider reads a peer's settings (the
// LFS store lives in the git repository) without repeating its defaults.
func (c *Config) Setting(peer, name string) string {
	def := ""
	if reg, ok := Lookup(peer); ok {
		def = reg.Defaults[name]
	}
	pc := c.Peers[peer]
	if pc == nil {
		return def
	}
	v, ok := pc.Attrs[name]
	if !ok || v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return def
	}
	return v.AsString()
}

// PeerRange is where the peer's block sets the attribute, or the peer's
// block when it does not (nil without one), for a diagnostic about a
// setting read with Setting.
func (c *Config) PeerRange(peer, name string) *hcl.Range {
	pc := c.Peers[peer]
	if pc == nil {
		return nil
	}
	if r, ok := pc.Ranges[name]; ok {
		return &r
	}
	if pc.DeclRange.Filename != "" {
		r := pc.DeclRange
		return &r
	}
	return nil
}

// Factory builds a provider from its configuration. It validates the
// attributes and reports problems as diagnostics naming them; it must not
// touch the backend.
type Factory func(cfg *Config) (Provider, hcl.Diagnostics)

// Apply order: a provider's changes are applied after those of providers
// with a lower Order (a CommitUnreferenced provider's beside them: see
// package doc), and its progress is reported after theirs. Nothing is
// visible to readers until the commits, so the order only says what
// exists first.
const (
	// OrderObjectStore is for content-addressed stores (LFS): their
	// objects exist before anything points at them.
	OrderObjectStore = 10
	// OrderDatabase is for the database that indexes the library (SQL).
	OrderDatabase = 20
	// OrderRepository is for the versioned file tree (git).
	OrderRepository = 30
)

// CommitClass says when the applier commits a provider's transaction, and
// whether a commit can be taken back when a later one fails.
type CommitClass int

const (
	// CommitLast is a transaction held open until every other provider has
	// committed, which cannot be undone once committed (a SQL
	// transaction). It is the zero value; one provider should have it.
	CommitLast CommitClass = iota
	// CommitUndoable is a transaction that commits before CommitLast ones
	// and can be undone afterwards: its Tx implements Compensator (a git
	// branch move, by compare-and-swap).
	CommitUndoable
	// CommitUnreferenced is a transaction whose writes no reader sees until
	// another provider's commit refers to them (content-addressed LFS
	// objects): it commits early and needs no undo.
	CommitUnreferenced
)

func (c CommitClass) String() string {
	switch c {
	case CommitLast:
		return "last"
	case CommitUndoable:
		return "undoable"
	case CommitUnreferenced:
		return "unreferenced"
	}
	return "CommitClass(" + strconv.Itoa(int(c)) + ")"
}

// Registration describes a registered provider.
type Registration struct {
	Name string
	// Order places the provider in apply order (see OrderObjectStore).
	Order int
	// Commit is the provider's commit class.
	Commit  CommitClass
	Factory Factory
	// Attributes lists the attribute names the provider block accepts, for
	// validation before the factory runs.
	Attributes []string
	// Defaults are the values of string attributes when the block does
	// not set them, for peers that read them (Config.Setting).
	Defaults map[string]string
}

var (
	mu       sync.RWMutex
	registry = map[string]Registration{}
)

// Register makes a provider available. It panics on a duplicate name: that
// is a programming error, caught at start-up.
func Register(r Registration) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[r.Name]; dup {
		panic("providers: Register called twice for " + r.Name)
	}
	registry[r.Name] = r
}

// Lookup returns the registration of the named provider.
func Lookup(name string) (Registration, bool) {
	mu.RLock()
	defer mu.RUnlock()
	r, ok := registry[name]
	return r, ok
}

// Registered returns every registration in apply order.
func Registered() []Registration {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Registration, 0, len(registry))
	for _, r := range registry {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Order != out[j].Order {
			return out[i].Order < out[j].Order
		}
		return out[i].Name < out[j].Name
	})
	return out
}
