package providertest_test

// jsonfile is the smallest real provider: it keeps a library's series in
// one JSON file, with a lock file beside it. It exists to prove the
// walkthrough in providers/doc.go: a fourth backend written from the
// contract alone passes the suite.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"scriptsync/library"
	"scriptsync/providers"
	"scriptsync/providers/providertest"
)

var jsonfileRegistration = providers.Registration{
	Name:       "jsonfile",
	Order:      providers.OrderDatabase,
	Commit:     providers.CommitLast,
	Factory:    newJSONFile,
	Attributes: []string{"path"},
	Defaults:   map[string]string{"path": defaultPath},
}

const defaultPath = "series.json"

type jsonFile struct{ path string }

// stored is the file's contents.
type stored struct {
	Version int               `json:"version"`
	Hashes  map[string]string `json:"hashes"`
	Titles  map[string]string `json:"titles"`
}

func newJSONFile(cfg *providers.Config) (providers.Provider, hcl.Diagnostics) {
	path := defaultPath
	if v, ok := cfg.Attrs["path"]; ok && !v.IsNull() {
		path = v.AsString()
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(cfg.Dir, path)
	}
	return &jsonFile{path: path}, nil
}

func (p *jsonFile) Name() string { return "jsonfile" }
func (p *jsonFile) Close() error { return nil }

func (p *jsonFile) Desired(lib *library.Library) ([]*providers.Object, hcl.Diagnostics) {
	var out []*providers.Object
	for _, s := range lib.Series {
		sum := sha256.Sum256([]byte(s.Title))
		out = append(out, &providers.Object{Address: s.Address, Type: "series", Resource: s.Resource,
			Hash: hex.EncodeToString(sum[:]), Attrs: map[string]any{"title": s.Title}, Payload: s})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out, nil
}

func (p *jsonFile) load() (*stored, error) {
	st := &stored{Hashes: map[string]string{}, Titles: map[string]string{}}
	data, err := os.ReadFile(p.path)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("jsonfile: read %s: %w", p.path, err)
	}
	if err := json.Unmarshal(data, st); err != nil {
		return nil, fmt.Errorf("jsonfile: read %s: %w", p.path, err)
	}
	return st, nil
}

func (p *jsonFile) Read(ctx context.Context, want []*providers.Object) (*providers.State, error) {
	st, err := p.load()
	if err != nil {
		return nil, err
	}
	out := &providers.State{}
	if st.Version > 0 {
		out.Version = strconv.Itoa(st.Version)
	}
	for a, h := range st.Hashes {
		out.Objects = append(out.Objects, &providers.Object{Address: a, Type: "series", Hash: h,
			Attrs: map[string]any{"title": st.Titles[a]}})
	}
	return out, nil
}

func (p *jsonFile) Begin(ctx context.Context, opts providers.BeginOptions) (providers.Tx, error) {
	f, err := os.OpenFile(p.path+".lock", os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, &providers.LockError{Provider: "jsonfile", Lock: "lock file " + p.path + ".lock", Timeout: opts.LockTimeout, Err: err}
	}
	f.Close()
	return &jsonTx{p: p}, nil
}

type jsonTx struct {
	p    *jsonFile
	base int
	next *stored
	done bool
}

func (t *jsonTx) Read(ctx context.Context, want []*providers.Object) (*providers.State, error) {
	st, err := t.p.load()
	if err != nil {
		return nil, err
	}
	t.base = st.Version
	return t.p.Read(ctx, want)
}

func (t *jsonTx) Apply(ctx context.Context, changes []*providers.Change, progress providers.Progress) error {
	st, err := t.p.load()
	if err != nil {
		return err
	}
	for _, c := range changes {
		if c.Before != nil {
			delete(st.Hashes, c.Before.Address)
			delete(st.Titles, c.Before.Address)
		}
		if c.After != nil && c.Action != providers.Delete {
			s, ok := c.After.Payload.(*library.Series)
			if !ok {
				return fmt.Errorf("jsonfile: apply %s: the change carries no series", c.After.Address)
			}
			st.Hashes[c.After.Address] = c.After.Hash
			st.Titles[c.After.Address] = s.Title
		}
	}
	t.next = st
	return nil
}

func (t *jsonTx) Commit(ctx context.Context) error {
	defer t.release()
	cur, err := t.p.load()
	if err != nil {
		return err
	}
	if cur.Version != t.base {
		return fmt.Errorf("jsonfile: commit: version moved from %d to %d: %w", t.base, cur.Version, providers.ErrConflict)
	}
	if t.next == nil {
		return nil
	}
	t.next.Version = t.base + 1
	data, err := json.Marshal(t.next)
	if err != nil {
		return err
	}
	tmp := t.p.path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("jsonfile: commit: %w", err)
	}
	return os.Rename(tmp, t.p.path)
}

func (t *jsonTx) Rollback(ctx context.Context) error {
	t.release()
	return nil
}

func (t *jsonTx) release() {
	if !t.done {
		t.done = true
		_ = os.Remove(t.p.path + ".lock")
	}
}

func seriesLibrary(titles ...string) *library.Library {
	lib := &library.Library{}
	for i, title := range titles {
		addr := fmt.Sprintf("series.s%d", i)
		lib.Series = append(lib.Series, &library.Series{Meta: library.Meta{Address: addr, Resource: addr}, Key: addr, Title: title})
	}
	return lib
}

func TestJSONFileProviderPassesTheSuite(t *testing.T) {
	providertest.Run(t, func(t *testing.T) *providertest.Subject {
		dir := t.TempDir()
		open := func(t *testing.T) providers.Provider {
			p, diags := jsonfileRegistration.Factory(&providers.Config{Name: "jsonfile", Dir: dir})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			return p
		}
		return &providertest.Subject{
			Provider: open(t),
			Commit:   jsonfileRegistration.Commit,
			Library:  seriesLibrary("Night Shift", "Day Shift"),
			Changed:  seriesLibrary("Graveyard Shift"),
			Open:     open,
			Interfere: func(t *testing.T, _ providers.Tx) {
				data := `{"version": 99, "hashes": {}, "titles": {}}`
				if err := os.WriteFile(filepath.Join(dir, "series.json"), []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			},
		}
	})
}

func TestFakePassesTheSuite(t *testing.T) {
	for _, compensable := range []bool{false, true} {
		t.Run(fmt.Sprintf("compensable=%t", compensable), func(t *testing.T) {
			providertest.Run(t, func(t *testing.T) *providertest.Subject {
				f := providertest.NewFake("fake", compensable)
				return &providertest.Subject{
					Provider:  f,
					Commit:    f.Registration(0).Commit,
					Library:   seriesLibrary("Night Shift", "Day Shift"),
					Changed:   seriesLibrary("Graveyard Shift"),
					Open:      func(*testing.T) providers.Provider { return f },
					Interfere: func(*testing.T, providers.Tx) { f.Interfere() },
				}
			})
		})
	}
}
