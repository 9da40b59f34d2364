package providers

import (
	"sort"
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
}

// String returns the attribute as a string, or def when it is absent or
// null. Factories validate types; this is for reading a peer's attributes.
func (c *Config) String(name, def string) string {
	if c == nil {
		return def
	}
	v, ok := c.Attrs[name]
	if !ok || v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return def
	}
	return v.AsString()
}

// Factory builds a provider from its configuration. It validates the
// attributes and reports problems as diagnostics naming them; it must not
// touch the backend.
type Factory func(cfg *Config) (Provider, hcl.Diagnostics)

// Registration describes a registered provider.
type Registration struct {
	Name string
	// Order places the provider in apply order: lower applies first.
	Order   int
	Factory Factory
	// Attributes lists the attribute names the provider block accepts, for
	// validation before the factory runs.
	Attributes []string
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
