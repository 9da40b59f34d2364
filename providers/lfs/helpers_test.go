package lfs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"scriptsync/formats/npy"
	"scriptsync/library"
	"scriptsync/providers"
	// The provider reads git's settings, with git's defaults, through
	// providers.Config.Setting: git must be registered, as it is in
	// scriptsync.
	_ "scriptsync/providers/git"
)

// fixture writes n distinct vectors of dims float32 values into a fresh
// configuration directory and returns the library that declares them.
func fixture(tb testing.TB, n, dims int) *library.Library {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "vectors"), 0o755); err != nil {
		tb.Fatal(err)
	}
	lib := &library.Library{Dir: dir}
	v := make([]float32, dims)
	for i := range n {
		for d := range v {
			v[d] = float32(i) + float32(d)/1000
		}
		data := npy.Encode(v)
		src := fmt.Sprintf("vectors/%05d.npy", i)
		if err := os.WriteFile(filepath.Join(dir, src), data, 0o644); err != nil {
			tb.Fatal(err)
		}
		lib.Embeddings = append(lib.Embeddings, embedding(fmt.Sprintf("%05d", i), src, data))
	}
	return lib
}

func embedding(key, src string, data []byte) *library.Embedding {
	sum := sha256.Sum256(data)
	addr := fmt.Sprintf("embedding.e[%q]", key)
	return &library.Embedding{
		Meta:       library.Meta{Address: addr, Resource: addr},
		Scene:      fmt.Sprintf("script.pilot.scenes[%q]", key),
		Script:     "script.pilot",
		Model:      "test-model",
		Dimensions: (len(data) - 128) / 4,
		Source:     src,
		Path:       "embeddings/" + key + ".npy",
		OID:        hex.EncodeToString(sum[:]),
		Size:       int64(len(data)),
		DataOffset: 128,
	}
}

// config builds a provider configuration for dir: attrs for the lfs block,
// git for the git block (path, remote, branch), env for Getenv.
func config(dir string, attrs map[string]cty.Value, git map[string]string, env map[string]string) *providers.Config {
	gitAttrs := map[string]cty.Value{}
	for k, v := range git {
		gitAttrs[k] = cty.StringVal(v)
	}
	if attrs == nil {
		attrs = map[string]cty.Value{}
	}
	return &providers.Config{
		Name:   "lfs",
		Dir:    dir,
		Attrs:  attrs,
		Getenv: func(k string) string { return env[k] },
		Peers:  map[string]*providers.Config{"git": {Name: "git", Dir: dir, Attrs: gitAttrs}},
	}
}

// newProvider builds the provider for lib with an optional server url.
func newProvider(tb testing.TB, lib *library.Library, url string) *Provider {
	tb.Helper()
	attrs := map[string]cty.Value{}
	if url != "" {
		attrs["url"] = cty.StringVal(url)
	}
	p, diags := New(config(lib.Dir, attrs, nil, nil))
	if diags.HasErrors() {
		tb.Fatal(diags.Error())
	}
	prov := p.(*Provider)
	if c, ok := prov.remote.(*Client); ok {
		fastRetries(c)
	}
	tb.Cleanup(func() { prov.Close() })
	return prov
}

// sleeps records the backoff a client would have slept.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// fastRetries makes a client's backoff instant so fault tests run quickly,
// recording the sleeps it would have made.
func fastRetries(c *Client) *sleeps {
	s := &sleeps{}
	c.sleep = func(ctx context.Context, d time.Duration) error {
		s.mu.Lock()
		s.d = append(s.d, d)
		s.mu.Unlock()
		return ctx.Err()
	}
	return s
}

// creates turns desired objects into create changes.
func creates(objs []*providers.Object) []*providers.Change {
	out := make([]*providers.Change, len(objs))
	for i, o := range objs {
		out[i] = &providers.Change{Provider: "lfs", Action: providers.Create, After: o}
	}
	return out
}

// applyAll plans lib against p and applies every create, as the applier
// would.
func applyAll(tb testing.TB, p *Provider, lib *library.Library) (objects int, bytes int64, err error) {
	tb.Helper()
	ctx := context.Background()
	want, diags := p.Desired(lib)
	if diags.HasErrors() {
		tb.Fatal(diags.Error())
	}
	state, err := p.Read(ctx, want)
	if err != nil {
		return 0, 0, err
	}
	have := map[string]bool{}
	for _, o := range state.Objects {
		have[o.Address] = true
	}
	var todo []*providers.Object
	for _, o := range want {
		if !have[o.Address] {
			todo = append(todo, o)
		}
	}
	tx, err := p.Begin(ctx, providers.BeginOptions{})
	if err != nil {
		return 0, 0, err
	}
	err = tx.Apply(ctx, creates(todo), func(n int, b int64) { objects += n; bytes += b })
	if err != nil {
		tx.Rollback(ctx)
		return objects, bytes, err
	}
	return objects, bytes, tx.Commit(ctx)
}

func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// openBytes serves objects from memory for client tests.
func openBytes(data map[string][]byte) func(Object) (io.ReadCloser, error) {
	return func(o Object) (io.ReadCloser, error) {
		d, ok := data[o.OID]
		if !ok {
			return nil, fmt.Errorf("no data for %s", o.OID)
		}
		return io.NopCloser(bytes.NewReader(d)), nil
	}
}
