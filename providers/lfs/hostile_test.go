package lfs

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"scriptsync/internal/lfstest"
	"scriptsync/internal/netlimit"
)

// fastLimits are deadlines short enough for tests.
var fastLimits = netlimit.Limits{Connect: time.Second, Header: 500 * time.Millisecond, Idle: 700 * time.Millisecond, Total: 3 * time.Second}

func TestRedirectToAnotherPortCarriesNoCredentials(t *testing.T) {
	srv := lfstest.Start(t)
	rec := lfstest.StartRecorder(t)
	srv.SetHostile(lfstest.Hostile{RedirectTo: rec.URL})
	for name, creds := range map[string]Credentials{
		"bearer": {Token: "tok-redirect-secret"},
		"basic":  {Username: "writer", Password: "pw-redirect-secret"},
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := newClient(t, srv.Endpoint, ClientOptions{Credentials: creds, Limits: fastLimits, MaxRetries: -1})
			objs, _ := testObjects(1)
			_, err := c.Missing(context.Background(), objs)
			if err == nil {
				t.Fatal("Missing succeeded against a redirect to a server that answers 404")
			}
			hits, auth := rec.Seen()
			if hits == 0 {
				t.Fatal("the redirect was not followed: the test proves nothing")
			}
			if len(auth) > 0 {
				t.Errorf("credentials followed a redirect to another port: %q", auth)
			}
		})
	}
}

func TestRedirectFromHTTPSToHTTPIsRefused(t *testing.T) {
	rec := lfstest.StartRecorder(t)
	tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, rec.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer tls.Close()
	c, _ := newClient(t, tls.URL+"/repo.git/info/lfs", ClientOptions{Credentials: Credentials{Token: "tok-downgrade"}, HTTPClient: tls.Client(), Limits: fastLimits, MaxRetries: -1})
	objs, _ := testObjects(1)
	_, err := c.Missing(context.Background(), objs)
	if err == nil || !strings.Contains(err.Error(), "from https to http") {
		t.Fatalf("Missing: %v, want a refused downgrade", err)
	}
	if hits, _ := rec.Seen(); hits != 0 {
		t.Errorf("the client followed a redirect from https to http (%d requests)", hits)
	}
}

func TestStalledServersFailWithinTheDeadlines(t *testing.T) {
	for name, h := range map[string]lfstest.Hostile{
		"no headers": {Stall: true},
		"trickle":    {Trickle: 2 * time.Second},
		"slow drip":  {Trickle: 200 * time.Millisecond},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := lfstest.Start(t)
			srv.SetHostile(h)
			c, _ := newClient(t, srv.Endpoint, ClientOptions{Limits: fastLimits})
			objs, _ := testObjects(1)
			start := time.Now()
			_, err := c.Missing(context.Background(), objs)
			took := time.Since(start)
			if err == nil {
				t.Fatal("Missing succeeded against a stalled server")
			}
			if took > fastLimits.Total+2*time.Second {
				t.Errorf("Missing took %s, longer than the overall limit %s", took, fastLimits.Total)
			}
			if !strings.Contains(err.Error(), "timeout") && !errors.Is(err, netlimit.ErrIdle) && !errors.Is(err, netlimit.ErrTotal) &&
				!strings.Contains(err.Error(), "too long") && !strings.Contains(err.Error(), "longer than allowed") {
				t.Errorf("Missing: %v, want an error that says it timed out", err)
			}
		})
	}
}

func TestServerMessagesAreRedacted(t *testing.T) {
	const token, user, pass = "tok-echo-0123456789", "writer", "pw-echo-secret"
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	for name, tc := range map[string]struct {
		creds Credentials
		h     lfstest.Hostile
	}{
		"batch 401 bearer": {Credentials{Token: token}, lfstest.Hostile{Echo: true}},
		"batch 401 basic":  {Credentials{Username: user, Password: pass}, lfstest.Hostile{Echo: true}},
		"upload 403":       {Credentials{Username: user, Password: pass}, lfstest.Hostile{EchoUpload: true}},
	} {
		t.Run(name, func(t *testing.T) {
			srv := lfstest.Start(t)
			if tc.creds.Token != "" {
				srv.RequireToken(tc.creds.Token)
			} else {
				srv.RequireBasicAuth(tc.creds.Username, tc.creds.Password)
			}
			srv.SetHostile(tc.h)
			c, _ := newClient(t, srv.Endpoint, ClientOptions{Credentials: tc.creds, Limits: fastLimits, MaxRetries: -1})
			objs, data := testObjects(1)
			_, err := upload(c, context.Background(), objs, data)
			if err == nil {
				t.Fatal("Upload succeeded against a server that refuses")
			}
			msg := err.Error()
			if !strings.Contains(msg, "denied") {
				t.Fatalf("Upload: %v, want the server's message (redacted)", err)
			}
			for _, leak := range []string{token, pass, basic, "\x1b"} {
				if strings.Contains(msg, leak) {
					t.Errorf("the error repeats %q: %s", leak, msg)
				}
			}
		})
	}
}

// A server that answers every request after a delay inside each deadline
// cannot stretch an apply's uploads past the overall limit: it covers
// every request of the command together.
func TestSlowServerCannotOutlastTheOverallLimit(t *testing.T) {
	srv := lfstest.Start(t)
	srv.SetLatency(250 * time.Millisecond)
	limits := netlimit.Limits{Connect: time.Second, Header: time.Second, Idle: time.Second, Total: time.Second}
	objs, data := testObjects(24)

	// Each request fits its deadlines: without the command's budget the
	// uploads succeed, however long they take together.
	c, _ := newClient(t, srv.Endpoint, ClientOptions{Limits: limits, Concurrency: 2})
	start := time.Now()
	if err := c.Upload(context.Background(), objs[:12], openBytes(data), nil); err != nil {
		t.Fatalf("Upload without a budget: %v", err)
	}
	if took := time.Since(start); took < limits.Total {
		t.Fatalf("the uploads took %s, within the limit: the test proves nothing", took)
	}

	c, _ = newClient(t, srv.Endpoint, ClientOptions{Limits: limits, Concurrency: 2})
	ctx := netlimit.WithBudget(context.Background())
	start = time.Now()
	err := c.Upload(ctx, objs[12:], openBytes(data), nil)
	took := time.Since(start)
	if err == nil {
		t.Fatal("Upload outlasted the overall limit")
	}
	t.Logf("after %s: %v", took, err)
	if took > limits.Total+time.Second {
		t.Errorf("Upload gave up after %s, the limit is %s", took, limits.Total)
	}
	if !strings.Contains(err.Error(), "took longer in all than "+netlimit.EnvTotal+" allows (1s)") {
		t.Errorf("Upload: %v, want the overall limit's error, naming the variable that sets it", err)
	}
}
