package needs

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestMissingSkipsAndCounts(t *testing.T) {
	if os.Getenv("CI") == "true" {
		t.Setenv("CI", "")
	}
	for range 2 {
		t.Run("needs tool", func(t *testing.T) {
			Missing(t, "the tool", "apt-get install -y tool", errors.New("not found"))
			t.Error("Missing did not stop the test")
		})
	}
	got := Summary()
	if !strings.Contains(got, "skipped 2 tests for want of the tool (apt-get install -y tool)") {
		t.Errorf("Summary() = %q", got)
	}
	mu.Lock()
	clear(skipped)
	mu.Unlock()
}

func TestMissingFailsInCI(t *testing.T) {
	t.Setenv("CI", "true")
	ft := &fakeT{}
	func() {
		defer func() { recover() }() // fakeT.Fatalf stops like t.Fatalf
		Missing(ft, "the tool", "install it", errors.New("not found"))
	}()
	if !ft.failed || !strings.Contains(ft.msg, "required when CI=true") {
		t.Errorf("in CI, Missing should fail the test: failed=%v msg=%q", ft.failed, ft.msg)
	}
	if Summary() != "" {
		t.Errorf("a failure in CI is not a skip: %q", Summary())
	}
}

// fakeT records a fatal failure instead of stopping the real test.
type fakeT struct {
	testing.TB
	failed bool
	msg    string
}

func (f *fakeT) Helper() {}
func (f *fakeT) Fatalf(format string, args ...any) {
	f.failed = true
	f.msg = format
	panic("fatal")
}
