package main

import (
	"os/exec"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"scriptsync/internal/gittest"
	"scriptsync/internal/lfstest"
	"scriptsync/internal/needs"
	"scriptsync/internal/pgtest"
)

// TestGitopsExample runs testscripts/gitops/*.txtar, which run the CI
// jobs of examples/gitops in order, against a new PostgreSQL database
// ($PG_DSN), a git remote over smart HTTP ($GIT_REMOTE) and a Git LFS
// server ($LFS_URL), all on 127.0.0.1. It needs PostgreSQL, git, bash and
// jq: without one it skips, except with CI=true, where it fails.
func TestGitopsExample(t *testing.T) {
	for _, tool := range []string{"bash", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			needs.Missing(t, tool, "apt-get install -y "+tool, err)
		}
	}
	pgtest.Require(t) // here: Setup below runs in the script's goroutine
	p := params(t, "testscripts/gitops")
	setup := p.Setup
	p.Setup = func(env *testscript.Env) error {
		if err := setup(env); err != nil {
			return err
		}
		root := t.TempDir()
		gittest.BareRepo(t, root, "library.git")
		git := gittest.NewHTTPServer(t, root)
		lfs := lfstest.Start(t)
		env.Setenv("PG_DSN", pgtest.NewDatabase(t))
		env.Setenv("GIT_REMOTE", git.URL+"/library.git")
		env.Setenv("LFS_URL", lfs.Endpoint)
		return nil
	}
	testscript.Run(t, p)
}
