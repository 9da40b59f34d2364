package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run runs scriptsync in dir as if on a terminal, with env.
func run(t *testing.T, dir string, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(Env{Args: append([]string{"scriptsync"}, args...), Dir: dir, Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return env[k] }, StdoutIsTerminal: true})
	return out.String(), errb.String(), code
}

func TestColourFollowsTermAndNoColor(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte("series \"s\" {\n  title = \"S\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		env   map[string]string
		args  []string
		color bool
	}{
		{"terminal", map[string]string{"TERM": "xterm"}, []string{"validate"}, true},
		{"TERM=dumb", map[string]string{"TERM": "dumb"}, []string{"validate"}, false},
		{"NO_COLOR", map[string]string{"NO_COLOR": "1"}, []string{"validate"}, false},
		{"global -no-color", nil, []string{"-no-color", "validate"}, false},
		{"command -no-color", nil, []string{"validate", "-no-color"}, false},
	} {
		out, errOut, code := run(t, dir, tc.env, tc.args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", tc.name, code, errOut)
		}
		if got := strings.Contains(out, "\x1b["); got != tc.color {
			t.Errorf("%s: colour %t, want %t: %q", tc.name, got, tc.color, out)
		}
	}
}

func TestFlagErrorIsOneLineAndTheCommandsUsage(t *testing.T) {
	out, errOut, code := run(t, t.TempDir(), nil, "plan", "-bogus")
	if code != ExitError {
		t.Errorf("exit %d", code)
	}
	lines := strings.Split(errOut, "\n")
	if lines[0] != "Error: scriptsync plan has no flag -bogus" || lines[2] != "Usage: scriptsync plan [options]" {
		t.Errorf("stderr:\n%s", errOut)
	}
	if !strings.Contains(errOut, "-lock-timeout=DURATION") || strings.Contains(errOut, "COMMANDS") || strings.Contains(errOut, "destroy every object") {
		t.Errorf("usage is not plan's alone:\n%s", errOut)
	}
	if out != "" {
		t.Errorf("stdout: %q", out)
	}
}
