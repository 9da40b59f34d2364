package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// jq ARGS... runs the real jq over the previous command's stdout, as the
// Terraform CI scripts that read plans do, and makes jq's output the
// stdout to check.
func cmdJQ(ts *testscript.TestScript, neg bool, args []string) {
	path, err := exec.LookPath("jq")
	if err != nil {
		ts.Fatalf("jq is not installed (scripts guard with [!jq] skip; CI must install it: .ci/run)")
	}
	in := ts.ReadFile("stdout")
	cmd := exec.Command(path, args...)
	cmd.Stdin = strings.NewReader(in)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	if neg {
		if err == nil {
			ts.Fatalf("jq %s succeeded unexpectedly", strings.Join(args, " "))
		}
		return
	}
	if err != nil {
		ts.Fatalf("jq %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	ts.Stdout().Write(out.Bytes())
}

// haveOPA is the [opa] condition: OPA is installed, or this is CI.
func haveOPA() bool {
	_, err := exec.LookPath("opa")
	return err == nil || os.Getenv("CI") == "true"
}

// haveJQ is the [jq] condition: jq is installed, or this is CI, where its
// absence must fail the test rather than skip it.
func haveJQ() bool { return haveTool("jq") }

// haveTool is a condition on a command-line tool (jq, the sqlite3 shell
// that drift tests edit a database with, as another program would): it is
// installed, or this is CI, where its absence must fail the test rather
// than skip it.
func haveTool(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil || os.Getenv("CI") == "true"
}
