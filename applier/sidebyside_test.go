package applier

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"scriptsync/providers"
	"scriptsync/providers/providertest"
)

// gatedProvider is a fake whose Apply reports progress and then waits for
// its gate (or its context) before it returns, failing when fail is set:
// the test decides in what order side-by-side Applies end.
type gatedProvider struct {
	*providertest.Fake
	gate    chan struct{}
	started chan struct{}
	fail    error
	// sawCancel is set when Apply returned because its context ended.
	mu        sync.Mutex
	sawCancel bool
}

func newGated(name string, compensable bool) *gatedProvider {
	return &gatedProvider{Fake: providertest.NewFake(name, compensable), gate: make(chan struct{}), started: make(chan struct{})}
}

func (p *gatedProvider) Begin(ctx context.Context, opts providers.BeginOptions) (providers.Tx, error) {
	tx, err := p.Fake.Begin(ctx, opts)
	if err != nil {
		return nil, err
	}
	g := &gatedTx{Tx: tx, p: p}
	if c, ok := tx.(providers.Compensator); ok {
		return &gatedCompensableTx{g, c}, nil
	}
	return g, nil
}

type gatedTx struct {
	providers.Tx
	p *gatedProvider
}

type gatedCompensableTx struct {
	*gatedTx
	providers.Compensator
}

func (t *gatedTx) Apply(ctx context.Context, changes []*providers.Change, progress providers.Progress) error {
	if err := t.Tx.Apply(ctx, changes, progress); err != nil {
		return err
	}
	close(t.p.started)
	select {
	case <-t.p.gate:
		return t.p.fail
	case <-ctx.Done():
		t.p.mu.Lock()
		t.p.sawCancel = true
		t.p.mu.Unlock()
		return ctx.Err()
	}
}

// gatedRequest applies to an object store (lfs, CommitUnreferenced), a
// database (sql) and a repository (git), in that order.
func gatedRequest(lfs, sql, git *gatedProvider) Request {
	return Request{Backends: []Backend{
		{Provider: lfs, Commit: providers.CommitUnreferenced, Desired: desired("lfs.x=1", "lfs.y=1")},
		{Provider: sql, Commit: providers.CommitLast, Desired: desired("series.a=2")},
		{Provider: git, Commit: providers.CommitUndoable, Desired: desired("script.p=2")},
	}}
}

func newGatedTrio() (lfs, sql, git *gatedProvider) {
	return newGated("lfs", false), newGated("sql", false), newGated("git", true)
}

// applyAsync applies req in the background; its error comes on the channel.
func applyAsync(req Request) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := Apply(context.Background(), req)
		done <- err
	}()
	return done
}

func waitStarted(t *testing.T, p *gatedProvider) {
	t.Helper()
	select {
	case <-p.started:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s's Apply did not start", p.ProviderName)
	}
}

func notStarted(t *testing.T, p *gatedProvider) {
	t.Helper()
	select {
	case <-p.started:
		t.Fatalf("%s's Apply started before the provider ahead of it in apply order finished", p.ProviderName)
	case <-time.After(20 * time.Millisecond):
	}
}

// TestApplySideBySide: the object store's Apply runs beside the others
// (sql starts before lfs returns), which run one after the other (git
// waits for sql), and progress reaches the caller in apply order, sql's
// held back until lfs is done.
func TestApplySideBySide(t *testing.T) {
	lfs, sql, git := newGatedTrio()
	req := gatedRequest(lfs, sql, git)
	var mu sync.Mutex
	var seen []string
	req.Progress = func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, fmt.Sprintf("%s %d/%d", p.Provider, p.Done, p.Total))
	}
	done := applyAsync(req)
	waitStarted(t, lfs)
	waitStarted(t, sql)
	notStarted(t, git)
	mu.Lock()
	early := append([]string(nil), seen...)
	mu.Unlock()
	if want := []string{"lfs 1/4", "lfs 2/4"}; !reflect.DeepEqual(early, want) {
		t.Errorf("progress while lfs and sql apply: %q, want %q (sql's held back)", early, want)
	}
	close(sql.gate) // sql finishes first: git starts, its progress waits for lfs
	waitStarted(t, git)
	close(git.gate)
	time.Sleep(10 * time.Millisecond)
	close(lfs.gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if want := []string{"lfs 1/4", "lfs 2/4", "sql 3/4", "git 4/4"}; !reflect.DeepEqual(seen, want) {
		t.Errorf("progress %q, want %q", seen, want)
	}
	unchanged(t, lfs.Fake, map[string]string{"lfs.x": "1", "lfs.y": "1"}, 1)
	unchanged(t, sql.Fake, map[string]string{"series.a": "2"}, 1)
	unchanged(t, git.Fake, map[string]string{"script.p": "2"}, 1)
}

// TestApplySideBySideFailure: the first Apply to fail cancels the one
// running beside it, stops those after it in order from starting, its
// error is the one reported, and every backend is rolled back.
func TestApplySideBySideFailure(t *testing.T) {
	for _, failing := range []string{"lfs", "sql"} {
		t.Run(failing, func(t *testing.T) {
			lfs, sql, git := newGatedTrio()
			sql.Objects["series.a"] = "1"
			git.Objects["script.p"] = "1"
			bad, other := lfs, sql
			if failing == "sql" {
				bad, other = sql, lfs
			}
			bad.fail = errors.New("disk full")
			req := gatedRequest(lfs, sql, git)
			done := applyAsync(req)
			waitStarted(t, lfs)
			waitStarted(t, sql)
			close(bad.gate)
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("the failure of %s's Apply did not end %s's", bad.ProviderName, other.ProviderName)
			}
			var ae *ApplyError
			if !errors.As(err, &ae) || !ae.RolledBack {
				t.Fatalf("error %v, want an ApplyError that rolled back", err)
			}
			var oe *providers.OpError
			if !errors.As(err, &oe) || oe.Provider != failing || oe.Op != "apply" || !errors.Is(err, bad.fail) {
				t.Errorf("error %v, want %s's apply error", err, failing)
			}
			other.mu.Lock()
			cancelled := other.sawCancel
			other.mu.Unlock()
			if !cancelled {
				t.Errorf("%s's Apply was not cancelled", other.ProviderName)
			}
			notStarted(t, git)
			unchanged(t, lfs.Fake, map[string]string{}, 0)
			unchanged(t, sql.Fake, map[string]string{"series.a": "1"}, 0)
			unchanged(t, git.Fake, map[string]string{"script.p": "1"}, 0)
		})
	}
}
