package providers

import (
	"errors"
	"testing"
)

func TestOpErrorNamesProviderAndStepOnce(t *testing.T) {
	cause := errors.New("disk full")
	for _, tc := range []struct {
		msg, op, want string
	}{
		{"lfs: apply embedding.x: disk full", "apply", "lfs: apply embedding.x: disk full"},
		{"lfs: store object ab: disk full", "apply", "lfs: apply: store object ab: disk full"},
		{"sql: commit: disk full", "commit", "sql: commit: disk full"},
		{"disk full", "commit", "lfs: commit: disk full"},
		{"disk full", "", "lfs: disk full"},
	} {
		err := &OpError{Provider: "lfs", Op: tc.op, Err: wrapped{tc.msg, cause}}
		if tc.msg == "sql: commit: disk full" {
			err.Provider = "sql"
		}
		if got := err.Error(); got != tc.want {
			t.Errorf("OpError{%q, %q} = %q, want %q", tc.msg, tc.op, got, tc.want)
		}
		if !errors.Is(err, cause) {
			t.Errorf("%v does not wrap its cause", err)
		}
	}
}

type wrapped struct {
	msg   string
	cause error
}

func (w wrapped) Error() string { return w.msg }
func (w wrapped) Unwrap() error { return w.cause }
