package applier

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"scriptsync/planfile"
	"scriptsync/planner"
	"scriptsync/providers"
	"scriptsync/providers/providertest"
)

// setup returns a compensable provider ("git"-like, applied second) and a
// non-compensable one ("sql"-like), each holding one object.
func setup() (*providertest.Fake, *providertest.Fake, func(desiredSQL, desiredGit []*providers.Object) Request) {
	sql := providertest.NewFake("sql", false)
	git := providertest.NewFake("git", true)
	sql.Objects["series.a"] = "1"
	git.Objects["script.p"] = "1"
	req := func(desiredSQL, desiredGit []*providers.Object) Request {
		return Request{Backends: []Backend{{Provider: sql, Commit: providers.CommitLast, Desired: desiredSQL},
			{Provider: git, Commit: providers.CommitUndoable, Desired: desiredGit}}}
	}
	return sql, git, req
}

func unchanged(t *testing.T, f *providertest.Fake, want map[string]string, version int) {
	t.Helper()
	got, v := f.Snapshot()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s holds %v, want %v", f.ProviderName, got, want)
	}
	if v != version {
		t.Errorf("%s version %d, want %d", f.ProviderName, v, version)
	}
	if f.Locked {
		t.Errorf("%s is still locked", f.ProviderName)
	}
}

func TestApplySuccess(t *testing.T) {
	sql, git, req := setup()
	r := req(desired("series.a=2", "series.b=1"), desired("script.p=2"))
	var last Progress
	r.Progress = func(p Progress) { last = p }
	res, err := Apply(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Applied {
		t.Fatal("not applied")
	}
	unchanged(t, sql, map[string]string{"series.a": "2", "series.b": "1"}, 1)
	unchanged(t, git, map[string]string{"script.p": "2"}, 1)
	if sql.Peers["git"] != "1" {
		t.Errorf("sql recorded peers %v, want git at version 1", sql.Peers)
	}
	if last.Done != 3 || last.Total != 3 {
		t.Errorf("progress ended at %d/%d, want 3/3", last.Done, last.Total)
	}
}

func TestApplyNoChanges(t *testing.T) {
	sql, git, req := setup()
	res, err := Apply(context.Background(), req(desired("series.a=1"), desired("script.p=1")))
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied || res.Plan.HasChanges() {
		t.Fatal("a no-op apply applied something")
	}
	unchanged(t, sql, map[string]string{"series.a": "1"}, 0)
	unchanged(t, git, map[string]string{"script.p": "1"}, 0)
}

// Every failure point leaves both backends as they were.
func TestApplyFailuresLeaveNothingBehind(t *testing.T) {
	for _, tc := range []struct {
		name   string
		inject func(sql, git *providertest.Fake)
		undone bool // git committed and had to be compensated
	}{
		{"sql apply fails at a chosen change", func(sql, git *providertest.Fake) { sql.FailApplyAt = "series.b" }, false},
		{"git apply fails", func(sql, git *providertest.Fake) { git.FailApplyAt = "script.p" }, false},
		{"git commit fails", func(sql, git *providertest.Fake) { git.FailCommit = true }, false},
		{"sql commit fails after git moved", func(sql, git *providertest.Fake) { sql.FailCommit = true }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sql, git, req := setup()
			tc.inject(sql, git)
			_, err := Apply(context.Background(), req(desired("series.a=2", "series.b=1"), desired("script.p=2")))
			var ae *ApplyError
			if !errors.As(err, &ae) || !ae.RolledBack {
				t.Fatalf("err = %v, want an ApplyError that rolled back", err)
			}
			unchanged(t, sql, map[string]string{"series.a": "1"}, 0)
			wantGitVersion := 0
			if tc.undone {
				wantGitVersion = 2 // moved, then moved back
				if git.Compensated != 1 {
					t.Errorf("git compensated %d times, want 1", git.Compensated)
				}
			}
			unchanged(t, git, map[string]string{"script.p": "1"}, wantGitVersion)
		})
	}
}

func TestApplyUndoFailureIsReported(t *testing.T) {
	sql, git, req := setup()
	sql.FailCommit = true
	git.FailUndo = true
	_, err := Apply(context.Background(), req(desired("series.a=2"), desired("script.p=2")))
	var ae *ApplyError
	if !errors.As(err, &ae) || ae.RolledBack || len(ae.Undo) != 1 {
		t.Fatalf("err = %v, want an ApplyError naming the failed undo", err)
	}
	unchanged(t, sql, map[string]string{"series.a": "1"}, 0)
}

func TestApplyStale(t *testing.T) {
	sql, git, req := setup()
	r := req(desired("series.a=2"), desired("script.p=1"))
	plan, err := Plan(context.Background(), r.Backends, planner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r.Check = (&planfile.SavedPlan{Versions: plan.Versions, Digest: plan.Digest()}).Check
	sql.Objects["series.a"] = "3" // someone else applied
	sql.Version = 7
	_, err = Apply(context.Background(), r)
	if !errors.Is(err, planfile.ErrStale) {
		t.Fatalf("err = %v, want ErrStale", err)
	}
	unchanged(t, sql, map[string]string{"series.a": "3"}, 7)
	unchanged(t, git, map[string]string{"script.p": "1"}, 0)

	// Same versions but another plan: stale as well.
	r.Check = (&planfile.SavedPlan{Versions: map[string]string{"sql": "7", "git": "0"}, Digest: plan.Digest()}).Check
	r.Backends[0].Desired = desired("series.a=9")
	if _, err := Apply(context.Background(), r); !errors.Is(err, planfile.ErrStale) {
		t.Fatalf("err = %v, want ErrStale for a changed plan", err)
	}
}

func TestApplyCancelled(t *testing.T) {
	sql, git, req := setup()
	r := req(desired("series.a=2"), desired("script.p=2"))
	r.Confirm = func(*planner.Plan) (bool, error) { return false, nil }
	if _, err := Apply(context.Background(), r); !errors.Is(err, ErrCancelled) {
		t.Fatalf("err = %v, want ErrCancelled", err)
	}
	unchanged(t, sql, map[string]string{"series.a": "1"}, 0)
	unchanged(t, git, map[string]string{"script.p": "1"}, 0)
}

func TestApplyLocked(t *testing.T) {
	sql, git, req := setup()
	git.LockHeld = true
	_, err := Apply(context.Background(), req(desired("series.a=2"), desired("script.p=2")))
	var le *providers.LockError
	if !errors.As(err, &le) || le.Provider != "git" {
		t.Fatalf("err = %v, want git's LockError", err)
	}
	unchanged(t, sql, map[string]string{"series.a": "1"}, 0)
	if sql.RolledBack != 1 {
		t.Errorf("sql's transaction was not released (rollbacks: %d)", sql.RolledBack)
	}
}

func TestApplyConflict(t *testing.T) {
	sql, git, req := setup()
	r := req(desired("series.a=2"), desired("script.p=2"))
	r.Confirm = func(*planner.Plan) (bool, error) {
		git.Mu.Lock()
		git.Version = 5 // another writer moved the branch behind our back
		git.Mu.Unlock()
		return true, nil
	}
	_, err := Apply(context.Background(), r)
	if !errors.Is(err, providers.ErrConflict) {
		t.Fatalf("err = %v, want ErrConflict", err)
	}
	unchanged(t, sql, map[string]string{"series.a": "1"}, 0)
	unchanged(t, git, map[string]string{"script.p": "1"}, 5)
}
