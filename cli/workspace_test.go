package cli

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"scriptsync/applier"
	"scriptsync/config"
	"scriptsync/planfile"
)

func TestScanVarArgsKeepsCommandLineOrder(t *testing.T) {
	got, err := scanVarArgs([]string{"scriptsync", "plan", "-var", "a=1", "--var-file=x.vars.hcl", "-target", "script.p", "-var=b=2=3", "--", "-var", "c=4"})
	if err != nil {
		t.Fatal(err)
	}
	want := []config.VarArg{{Name: "a", Value: "1"}, {File: "x.vars.hcl"}, {Name: "b", Value: "2=3"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("scanVarArgs = %+v, want %+v", got, want)
	}
	for _, bad := range [][]string{{"-var"}, {"-var", "novalue"}, {"-var", "=x"}} {
		if _, err := scanVarArgs(append([]string{"scriptsync", "plan"}, bad...)); err == nil {
			t.Errorf("scanVarArgs(%q) accepted it", bad)
		}
	}
}

func TestExplainStaleSaysWhatToDo(t *testing.T) {
	s := &session{}
	err := s.explain(&planfile.StaleError{Reason: "sql moved from 1 to 2 since the plan was made"}, nil)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != ExitError {
		t.Fatalf("explain = %v, want an exit error", err)
	}
	if msg := ee.err.Error(); !strings.HasPrefix(msg, "Saved plan is stale: sql moved from 1 to 2 since the plan was made; run plan again.") ||
		!strings.HasSuffix(msg, "Nothing was changed.") {
		t.Errorf("message %q", msg)
	}
}

func TestExplainApplyErrorSaysWhenToApplyAgain(t *testing.T) {
	s := &session{}
	cause := errors.New("sql: commit: disk full")
	for _, tc := range []struct {
		err  *applier.ApplyError
		want string
	}{
		{&applier.ApplyError{Cause: cause, RolledBack: true}, "sql: commit: disk full; every backend was rolled back, nothing changed"},
		{&applier.ApplyError{Cause: cause, Undo: []string{"git: undo: gone"}}, "sql: commit: disk full; undoing it failed too (git: undo: gone): run apply again to converge"},
	} {
		var ee *exitError
		if err := s.explain(tc.err, nil); !errors.As(err, &ee) || ee.err.Error() != tc.want {
			t.Errorf("explain = %v, want %q", err, tc.want)
		}
	}
}
