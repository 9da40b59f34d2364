package cli

import (
	"strings"
	"testing"
)

// Flags after an argument are arguments (as in Terraform): the error says
// to put them first, and shows the command line in that order.
func TestFlagsAfterArgumentsSayHowToFixThem(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"show", "o.plan", "-json"}, "show: flags go before arguments: scriptsync show -json o.plan"},
		{[]string{"apply", "o.plan", "-auto-approve"}, "apply: flags go before arguments: scriptsync apply -auto-approve o.plan"},
		{[]string{"plan", "-no-color", "x", "-detailed-exitcode"}, "plan: flags go before arguments: scriptsync plan -detailed-exitcode x"},
		{[]string{"output", "a", "b"}, "output takes at most one argument, an output name"},
		{[]string{"destroy", "x"}, "destroy takes no arguments"},
	} {
		_, errOut, code := run(t, dir, nil, tc.args...)
		if code != ExitError || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %q", tc.args, code, errOut, tc.want)
		}
		if strings.Count(errOut, "\n") > 3 {
			t.Errorf("%v: the error is more than one message:\n%s", tc.args, errOut)
		}
	}
}

// -version is the version command, as in Terraform.
func TestGlobalVersionFlag(t *testing.T) {
	dir := t.TempDir()
	flag, _, code := run(t, dir, nil, "-version")
	cmd, _, code2 := run(t, dir, nil, "version")
	if code != 0 || code2 != 0 || flag != cmd || !strings.HasPrefix(flag, "scriptsync v"+Version+"\n") {
		t.Errorf("-version printed %q (exit %d), version printed %q (exit %d)", flag, code, cmd, code2)
	}
}

// completion prints a script that asks scriptsync for the words.
func TestCompletion(t *testing.T) {
	dir := t.TempDir()
	script, _, code := run(t, dir, nil, "completion", "bash")
	if code != 0 || !strings.Contains(script, "--generate-bash-completion") || !strings.Contains(script, "complete -o default -F _scriptsync_complete scriptsync") {
		t.Errorf("completion bash: exit %d\n%s", code, script)
	}
	// The words themselves come from urfave/cli, which reads os.Args: see
	// testscripts/completion.txtar, which runs the command as a process.
	if _, errOut, code := run(t, dir, nil, "completion", "fish"); code != ExitError || !strings.Contains(errOut, "bash or zsh") {
		t.Errorf("completion fish: exit %d, %q", code, errOut)
	}
}

// state rm and state mv read -lock-timeout as plan and apply do.
func TestStateEditsParseLockTimeoutLikeApply(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"state", "rm", "-lock-timeout=5", "series.a"}, {"state", "mv", "-lock-timeout=5", "series.a", "series.b"}} {
		_, errOut, code := run(t, dir, nil, args...)
		if code != ExitError || !strings.Contains(errOut, "-lock-timeout=5 needs a unit") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}
