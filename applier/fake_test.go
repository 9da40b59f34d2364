package applier

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"scriptsync/library"
	"scriptsync/providers"
)

// fake is an in-memory provider with switchable faults. Its committed
// state is a map of address → hash plus a version that every commit bumps.
type fake struct {
	name        string
	compensable bool

	mu      sync.Mutex
	objects map[string]string
	version int
	peers   map[string]string
	locked  bool

	failApplyAt string // address whose change fails in Apply
	failCommit  bool
	failUndo    bool
	lockHeld    bool
	applied     []string // addresses applied in the last Apply, in order
	compensated int
	rolledBack  int
	beginCount  int
}

func newFake(name string, compensable bool) *fake {
	return &fake{name: name, compensable: compensable, objects: map[string]string{}}
}

func (f *fake) snapshot() (map[string]string, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]string{}
	for k, v := range f.objects {
		out[k] = v
	}
	return out, f.version
}

func (f *fake) Name() string { return f.name }

func (f *fake) Desired(*library.Library) ([]*providers.Object, hcl.Diagnostics) { return nil, nil }

func (f *fake) Read(ctx context.Context, want []*providers.Object) (*providers.State, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := &providers.State{Version: strconv.Itoa(f.version), Peers: f.peers}
	var addrs []string
	for a := range f.objects {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	for _, a := range addrs {
		st.Objects = append(st.Objects, &providers.Object{Address: a, Type: "series", Hash: f.objects[a]})
	}
	return st, nil
}

func (f *fake) Begin(ctx context.Context, opts providers.BeginOptions) (providers.Tx, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.beginCount++
	if f.lockHeld || f.locked {
		return nil, &providers.LockError{Provider: f.name, Lock: "fake lock", Timeout: opts.LockTimeout}
	}
	f.locked = true
	tx := &fakeTx{f: f, base: f.version}
	if f.compensable {
		return &compensableTx{tx}, nil
	}
	return tx, nil
}

func (f *fake) Close() error { return nil }

type fakeTx struct {
	f         *fake
	base      int
	work      map[string]string
	prev      map[string]string
	committed bool
	done      bool
	peers     map[string]string
}

func (t *fakeTx) Read(ctx context.Context, want []*providers.Object) (*providers.State, error) {
	return t.f.Read(ctx, want)
}

func (t *fakeTx) Apply(ctx context.Context, changes []*providers.Change, progress providers.Progress) error {
	cur, _ := t.f.snapshot()
	t.work = cur
	t.f.applied = nil
	for _, c := range changes {
		if c.Address() == t.f.failApplyAt {
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
		t.f.applied = append(t.f.applied, c.Address())
		if progress != nil {
			progress(1, 0)
		}
	}
	return nil
}

func (t *fakeTx) Commit(ctx context.Context) error {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	if t.f.failCommit {
		return errors.New("injected commit failure")
	}
	if t.f.version != t.base {
		return providers.ErrConflict
	}
	if t.work != nil {
		t.prev = t.f.objects
		t.f.objects = t.work
	}
	if t.peers != nil {
		t.f.peers = t.peers
	}
	t.f.version++
	t.committed, t.done = true, true
	t.f.locked = false
	return nil
}

func (t *fakeTx) Rollback(ctx context.Context) error {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	if !t.done {
		t.f.rolledBack++
		t.done = true
		t.f.locked = false
	}
	return nil
}

func (t *fakeTx) RecordPeers(ctx context.Context, v map[string]string) error {
	t.peers = v
	return nil
}

func (t *fakeTx) CommittedVersion() string { return strconv.Itoa(t.f.version) }

type compensableTx struct{ *fakeTx }

func (t *compensableTx) Compensate(ctx context.Context) error {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	if t.f.failUndo {
		return errors.New("injected undo failure")
	}
	if !t.committed {
		return nil
	}
	t.f.objects = t.prev
	t.f.version++
	t.f.compensated++
	t.committed = false
	return nil
}

// desired builds desired objects: "addr=hash" pairs.
func desired(pairs ...string) []*providers.Object {
	var out []*providers.Object
	for _, p := range pairs {
		addr, hash, _ := cut(p)
		out = append(out, &providers.Object{Address: addr, Type: "series", Hash: hash})
	}
	return out
}

func cut(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '=' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
