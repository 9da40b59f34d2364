package git

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"scriptsync/internal/gittest"
	"scriptsync/internal/lfstest"
	"scriptsync/internal/netlimit"
)

// fastNet are deadlines short enough for tests.
var fastNet = map[string]string{
	netlimit.EnvConnect: "1s", netlimit.EnvHeader: "700ms", netlimit.EnvIdle: "700ms", netlimit.EnvTotal: "4s",
}

func withEnv(extra map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range fastNet {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func TestSilentRemoteFailsWithinTheDeadlines(t *testing.T) {
	for name, stall := range map[string]func(*http.Request) bool{
		"upload-pack":  gittest.IsUploadPack,
		"receive-pack": gittest.IsPush,
	} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			bare := gittest.BareRepo(t, root, "lib.git")
			gittest.CommitFiles(t, bare, "main", "theirs", map[string]string{"notes.md": "n\n"})
			srv := gittest.NewHTTPServer(t, root)
			srv.SetHostile(gittest.Hostile{Stall: stall})
			p := newTestProviderEnv(t, t.TempDir(), map[string]cty.Value{"remote": str(srv.RepoURL("lib.git"))}, withEnv(nil))
			lib := fakeLib{scripts: map[string]string{"a": "a\n"}}.library()
			start := time.Now()
			var err error
			if name == "upload-pack" {
				_, err = p.Read(context.Background(), nil)
			} else {
				// Fetch first, so that only the push meets the silence.
				srv.SetHostile(gittest.Hostile{})
				tx, _ := begin(t, p, lib)
				srv.SetHostile(gittest.Hostile{Stall: stall})
				start = time.Now()
				err = tx.Commit(context.Background())
			}
			took := time.Since(start)
			if err == nil {
				t.Fatal("the exchange succeeded against a server that never answers")
			}
			if took > 8*time.Second {
				t.Errorf("it took %s to give up", took)
			}
			if !strings.Contains(err.Error(), "did not answer in time") && !strings.Contains(err.Error(), "timeout") {
				t.Errorf("error = %v, want one that says the remote did not answer in time", err)
			}
		})
	}
}

func TestEchoedCredentialsAreRedacted(t *testing.T) {
	root := t.TempDir()
	gittest.BareRepo(t, root, "lib.git")
	srv := gittest.NewHTTPServer(t, root)
	srv.SetHostile(gittest.Hostile{EchoAuth: true})
	const user, pass = "writer", "echo-horse-secret"
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	p := newTestProviderEnv(t, t.TempDir(), map[string]cty.Value{"remote": str(srv.RepoURL("lib.git"))},
		withEnv(map[string]string{EnvUsername: user, EnvPassword: pass}))
	_, err := p.Read(context.Background(), nil)
	if err == nil {
		t.Fatal("Read succeeded against a server that refuses")
	}
	for _, leak := range []string{pass, basic, "\x1b"} {
		if strings.Contains(err.Error(), leak) {
			t.Errorf("the error repeats %q: %s", leak, err)
		}
	}
}

func TestRedirectToAnotherPortCarriesNoCredentials(t *testing.T) {
	root := t.TempDir()
	gittest.BareRepo(t, root, "lib.git")
	srv := gittest.NewHTTPServer(t, root)
	rec := lfstest.StartRecorder(t)
	srv.SetHostile(gittest.Hostile{RedirectTo: rec.URL})
	p := newTestProviderEnv(t, t.TempDir(), map[string]cty.Value{"remote": str(srv.RepoURL("lib.git"))},
		withEnv(map[string]string{EnvUsername: "writer", EnvPassword: "redirect-horse"}))
	_, err := p.Read(context.Background(), nil)
	if err == nil {
		t.Fatal("Read succeeded against a redirect to a server that answers 404")
	}
	hits, auth := rec.Seen()
	if hits == 0 {
		t.Fatal("the redirect was not followed: the test proves nothing")
	}
	if len(auth) > 0 {
		t.Errorf("credentials followed a redirect to another port: %q", auth)
	}
}

func TestSCPRemoteWithPasswordIsRefusedUnshown(t *testing.T) {
	_, err := newRemote("writer:scp-secret-pw@127.0.0.1:org/repo.git", t.TempDir(), "main", func(string) string { return "" })
	if err == nil {
		t.Fatal("an scp-like remote with a password was accepted")
	}
	if strings.Contains(err.Error(), "scp-secret-pw") {
		t.Errorf("the error repeats the password: %v", err)
	}
}

// A remote that answers every request after a delay inside each deadline
// cannot stretch one command's exchanges past the overall limit.
func TestSlowRemoteCannotOutlastTheOverallLimit(t *testing.T) {
	root := t.TempDir()
	bare := gittest.BareRepo(t, root, "lib.git")
	gittest.CommitFiles(t, bare, "main", "theirs", map[string]string{"notes.md": "n\n"})
	srv := gittest.NewHTTPServer(t, root)
	srv.SetHostile(gittest.Hostile{Latency: 300 * time.Millisecond})
	env := withEnv(map[string]string{netlimit.EnvHeader: "2s", netlimit.EnvIdle: "2s", netlimit.EnvTotal: "1500ms"})
	p := newTestProviderEnv(t, t.TempDir(), map[string]cty.Value{"remote": str(srv.RepoURL("lib.git"))}, env)

	// Each fetch fits the limit alone: without a budget, any number pass.
	for i := range 3 {
		if _, err := p.Read(context.Background(), nil); err != nil {
			t.Fatalf("read %d without a budget: %v", i, err)
		}
	}
	ctx := netlimit.WithBudget(context.Background())
	start := time.Now()
	var err error
	for i := 0; i < 10 && err == nil; i++ {
		_, err = p.Read(ctx, nil)
	}
	took := time.Since(start)
	if err == nil {
		t.Fatal("ten fetches outlasted the overall limit")
	}
	if took > 3*time.Second {
		t.Errorf("gave up after %s, the limit is 1.5s", took)
	}
	if !strings.Contains(err.Error(), "took longer in all than "+netlimit.EnvTotal+" allows (1.5s)") {
		t.Errorf("error = %v, want the overall limit's, naming %s", err, netlimit.EnvTotal)
	}
}
