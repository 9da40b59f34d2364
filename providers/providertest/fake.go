package providertest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"scriptsync/library"
	"scriptsync/providers"
)

// Fake is an in-memory provider with switchable faults, for the tests of
// the packages that drive providers (engine, applier). Its committed state
// is a map of address → hash plus a version that every commit bumps; it
// wants one "series" object per series of the library.
//
// The fields are the backend. A test sets them before it starts the code
// under test and reads them after; while that code runs, hold Mu.
type Fake struct {
	ProviderName string
	// Compensable makes its transactions providers.Compensators.
	Compensable bool

	Mu      sync.Mutex
	Objects map[string]string
	Version int
	Peers   map[string]string
	// Locked is true while a transaction holds the lock.
	Locked bool

	// Faults.
	FailApplyAt string // address whose change fails in Apply
	FailCommit  bool
	FailUndo    bool
	LockHeld    bool // another apply holds the lock
	// DesiredDiags are reported by every Desired.
	DesiredDiags hcl.Diagnostics

	// What happened.
	Applied     []string // addresses applied in the last Apply, in order
	Compensated int
	RolledBack  int
	BeginCount  int
	Warmed      int // calls of Warm
}

var (
	_ providers.Provider        = (*Fake)(nil)
	_ providers.Warmer          = (*Fake)(nil)
	_ providers.Tx              = (*FakeTx)(nil)
	_ providers.PeerRecorder    = (*FakeTx)(nil)
	_ providers.VersionReporter = (*FakeTx)(nil)
	_ providers.Compensator     = (*compensableTx)(nil)
)

// NewFake returns an empty fake named name.
func NewFake(name string, compensable bool) *Fake {
	return &Fake{ProviderName: name, Compensable: compensable, Objects: map[string]string{}}
}

// Registration registers f under its name: its factory returns f itself,
// so that the backend outlives the providers built on it, as a database
// outlives a run. A compensable fake commits as CommitUndoable, another
// as CommitLast.
func (f *Fake) Registration(order int) providers.Registration {
	class := providers.CommitLast
	if f.Compensable {
		class = providers.CommitUndoable
	}
	return providers.Registration{
		Name:    f.ProviderName,
		Order:   order,
		Commit:  class,
		Factory: func(*providers.Config) (providers.Provider, hcl.Diagnostics) { return f, nil },
	}
}

// Snapshot returns a copy of the committed objects and the version.
func (f *Fake) Snapshot() (map[string]string, int) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	out := map[string]string{}
	for k, v := range f.Objects {
		out[k] = v
	}
	return out, f.Version
}

// Name implements providers.Provider.
func (f *Fake) Name() string { return f.ProviderName }

// Desired wants one object per series, whose hash digests its title.
func (f *Fake) Desired(lib *library.Library) ([]*providers.Object, hcl.Diagnostics) {
	var out []*providers.Object
	for _, s := range lib.Series {
		out = append(out, &providers.Object{Address: s.Address, Type: "series", Resource: s.Resource,
			Hash: digest(s.Title), Attrs: map[string]any{"title": s.Title}})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return out, f.DesiredDiags
}

// Warm implements providers.Warmer; it only counts.
func (f *Fake) Warm(ctx context.Context) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Warmed++
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// Read implements providers.Provider. A fake that was never written reads
// as a missing backend: no objects, version "".
func (f *Fake) Read(ctx context.Context, want []*providers.Object) (*providers.State, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return f.read(), nil
}

func (f *Fake) read() *providers.State {
	st := &providers.State{Version: strconv.Itoa(f.Version), Peers: f.Peers}
	if f.Version == 0 && len(f.Objects) == 0 {
		st.Version = ""
	}
	var addrs []string
	for a := range f.Objects {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	for _, a := range addrs {
		st.Objects = append(st.Objects, &providers.Object{Address: a, Type: "series", Hash: f.Objects[a]})
	}
	return st
}

// Begin implements providers.Provider.
func (f *Fake) Begin(ctx context.Context, opts providers.BeginOptions) (providers.Tx, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.BeginCount++
	if f.LockHeld || f.Locked {
		return nil, &providers.LockError{Provider: f.ProviderName, Lock: "fake lock", Timeout: opts.LockTimeout}
	}
	f.Locked = true
	tx := &FakeTx{f: f, base: f.Version}
	if f.Compensable {
		return &compensableTx{tx}, nil
	}
	return tx, nil
}

// Close implements providers.Provider; the backend stays.
func (f *Fake) Close() error { return nil }

// Interfere commits a change behind an open transaction's back, as another
// writer that ignores the lock would.
func (f *Fake) Interfere() {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Objects["series.interloper"] = "x"
	f.Version++
}

// FakeTx is a Fake's transaction.
type FakeTx struct {
	f         *Fake
	base      int
	work      map[string]string
	prev      map[string]string
	prevPeers map[string]string
	committed bool
	done      bool
	peers     map[string]string
}

// Read implements providers.Tx.
func (t *FakeTx) Read(ctx context.Context, want []*providers.Object) (*providers.State, error) {
	return t.f.Read(ctx, want)
}

// Apply implements providers.Tx.
func (t *FakeTx) Apply(ctx context.Context, changes []*providers.Change, progress providers.Progress) error {
	cur, _ := t.f.Snapshot()
	t.work = cur
	t.f.Mu.Lock()
	t.f.Applied = nil
	t.f.Mu.Unlock()
	for _, c := range changes {
		if c.Address() == t.f.FailApplyAt {
			return fmt.Errorf("injected failure at %s", c.Address())
		}
		switch c.Action {
		case providers.Delete:
			delete(t.work, c.Before.Address)
		case providers.Create, providers.Update, providers.Replace:
			if c.Before != nil {
				delete(t.work, c.Before.Address)
			}
			t.work[c.After.Address] = c.After.Hash
		}
		t.f.Mu.Lock()
		t.f.Applied = append(t.f.Applied, c.Address())
		t.f.Mu.Unlock()
		if progress != nil {
			progress(1, 0)
		}
	}
	return nil
}

// Commit implements providers.Tx.
func (t *FakeTx) Commit(ctx context.Context) error {
	t.f.Mu.Lock()
	defer t.f.Mu.Unlock()
	if t.f.FailCommit {
		return errors.New("injected commit failure")
	}
	if t.f.Version != t.base {
		return fmt.Errorf("commit: version moved from %d to %d: %w", t.base, t.f.Version, providers.ErrConflict)
	}
	t.prev, t.prevPeers = t.f.Objects, t.f.Peers
	if t.work != nil {
		t.f.Objects = t.work
	}
	if t.peers != nil {
		t.f.Peers = t.peers
	}
	t.f.Version++
	t.committed, t.done = true, true
	t.f.Locked = false
	return nil
}

// Rollback implements providers.Tx.
func (t *FakeTx) Rollback(ctx context.Context) error {
	t.f.Mu.Lock()
	defer t.f.Mu.Unlock()
	if !t.done {
		t.f.RolledBack++
		t.done = true
		t.f.Locked = false
	}
	return nil
}

// RecordPeers implements providers.PeerRecorder.
func (t *FakeTx) RecordPeers(ctx context.Context, v map[string]string) error {
	t.peers = v
	return nil
}

// CommittedVersion implements providers.VersionReporter.
func (t *FakeTx) CommittedVersion() string {
	t.f.Mu.Lock()
	defer t.f.Mu.Unlock()
	return strconv.Itoa(t.f.Version)
}

type compensableTx struct{ *FakeTx }

// Compensate puts back what the commit replaced, once.
func (t *compensableTx) Compensate(ctx context.Context) error {
	t.f.Mu.Lock()
	defer t.f.Mu.Unlock()
	if t.f.FailUndo {
		return errors.New("injected undo failure")
	}
	if !t.committed {
		return nil
	}
	t.f.Objects, t.f.Peers = t.prev, t.prevPeers
	t.f.Version++
	t.f.Compensated++
	t.committed = false
	return nil
}
