package lfs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"scriptsync/internal/lfstest"
)

func newClient(tb testing.TB, endpoint string, opts ClientOptions) (*Client, *sleeps) {
	tb.Helper()
	c, err := NewClient(endpoint, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.CloseIdleConnections)
	return c, fastRetries(c)
}

// testObjects returns n small objects and their bytes.
func testObjects(n int) ([]Object, map[string][]byte) {
	var objs []Object
	data := map[string][]byte{}
	for i := range n {
		d := []byte(fmt.Sprintf("object %d %s", i, strings.Repeat("x", i%7*100)))
		sum := sha256.Sum256(d)
		oid := hex.EncodeToString(sum[:])
		data[oid] = d
		objs = append(objs, Object{OID: oid, Size: int64(len(d)), Label: fmt.Sprintf("embedding.e[%q] (vectors/%d.npy)", fmt.Sprint(i), i)})
	}
	return objs, data
}

// upload runs Client.Upload and returns the error and the objects reported
// done.
func upload(c *Client, ctx context.Context, objs []Object, data map[string][]byte) (map[string]bool, error) {
	done := map[string]bool{}
	var mu = make(chan struct{}, 1)
	err := c.Upload(ctx, objs, openBytes(data), func(o Object) {
		mu <- struct{}{}
		done[o.OID] = true
		<-mu
	})
	return done, err
}

// assertHeld checks that the server holds exactly the objects in want (by
// its own batch answers, the way any client would see it), and no
// incomplete copy of the others is claimed present.
func assertHeld(t *testing.T, srv *lfstest.Server, objs []Object, want bool) {
	t.Helper()
	for _, o := range objs {
		if got := srv.Has(o.OID); got != want {
			t.Errorf("server has %s = %v, want %v", o.OID[:12], got, want)
		}
	}
	c, _ := newClient(t, srv.Endpoint, ClientOptions{})
	missing, err := c.Missing(context.Background(), objs)
	if err != nil {
		t.Fatalf("Missing after the fault: %v", err)
	}
	for _, o := range objs {
		if missing[o.OID] == want {
			t.Errorf("server claims present(%s) = %v, but it holds it = %v", o.OID[:12], !missing[o.OID], want)
		}
	}
}

func TestUploadFaults(t *testing.T) {
	for _, tc := range []struct {
		name     string
		fault    lfstest.Fault
		times    int
		noVerify bool
		wantErr  string // "" means the upload succeeds (after retries)
	}{
		{name: "no fault"},
		{name: "batch 500 then success", fault: lfstest.BatchError500, times: 2},
		{name: "batch 500 forever", fault: lfstest.BatchError500, times: -1, wantErr: "the server answered 500 Internal Server Error: injected batch failure (gave up after 6 attempts)"},
		{name: "batch 429 then success", fault: lfstest.BatchTooMany, times: 1},
		{name: "wrong oid in the answer", fault: lfstest.WrongOID, times: 1, wantErr: "which was not asked for"},
		{name: "object left out of the answer", fault: lfstest.MissingObject, times: 1, wantErr: `the server did not answer for embedding.e["0"] (vectors/0.npy), oid `},
		{name: "per-object error", fault: lfstest.ObjectError, times: 1, wantErr: `lfs: upload embedding.e["0"] (vectors/0.npy), oid `},
		{name: "upload 500 then success", fault: lfstest.UploadError500, times: 3},
		{name: "upload 429 then success", fault: lfstest.UploadTooMany, times: 1},
		{name: "upload 500 forever", fault: lfstest.UploadError500, times: -1, wantErr: "injected upload failure (gave up after 6 attempts)"},
		{name: "connection cut during upload, then success", fault: lfstest.CutUpload, times: 2},
		{name: "connection cut forever", fault: lfstest.CutUpload, times: -1, wantErr: "the server closed the connection before answering (gave up after 6 attempts)"},
		{name: "truncated upload caught by verify", fault: lfstest.TruncateUpload, times: 1, wantErr: "the server answered 404 Not Found: object missing or incomplete: the upload did not arrive intact"},
		{name: "truncated upload without verify", fault: lfstest.TruncateUpload, times: 1, noVerify: true, wantErr: "the server accepted 1 upload(s) but does not hold them afterwards"},
		{name: "failed verify", fault: lfstest.VerifyFail, times: 1, wantErr: "the server answered 422 Unprocessable Entity: injected verification failure: the upload did not arrive intact"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := lfstest.Start(t)
			srv.SetVerify(!tc.noVerify)
			if tc.times != 0 {
				srv.Inject(tc.fault, tc.times)
			}
			c, slept := newClient(t, srv.Endpoint, ClientOptions{Concurrency: 2})
			objs, data := testObjects(5)
			done, err := upload(c, context.Background(), objs, data)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Upload: %v", err)
				}
				if len(done) != len(objs) {
					t.Fatalf("%d objects reported done, want %d", len(done), len(objs))
				}
				assertHeld(t, srv, objs, true)
				if tc.times > 0 && len(slept.all()) < tc.times {
					t.Errorf("retried after %v, want %d backoffs", slept.all(), tc.times)
				}
				return
			}
			if err == nil {
				t.Fatal("Upload succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v\nwant it to contain %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "EOF") {
				t.Errorf("error %q mentions a bare EOF", err)
			}
			srv.Reset()
			// Whatever the fault left behind (a short copy may sit on the
			// server's disk), the server must not claim an object it cannot
			// serve; a clean retry then completes.
			c2, _ := newClient(t, srv.Endpoint, ClientOptions{})
			missing, err := c2.Missing(context.Background(), objs)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range objs {
				if !missing[o.OID] && !srv.Has(o.OID) {
					t.Errorf("after the failure the server claims %s, which it does not hold", o.OID[:12])
				}
			}
			if _, err := upload(c2, context.Background(), objs, data); err != nil {
				t.Fatalf("clean retry: %v", err)
			}
			assertHeld(t, srv, objs, true)
		})
	}
}

func TestPerObjectErrorIsTyped(t *testing.T) {
	srv := lfstest.Start(t)
	srv.Inject(lfstest.ObjectError, 1)
	c, _ := newClient(t, srv.Endpoint, ClientOptions{})
	objs, data := testObjects(3)
	_, err := upload(c, context.Background(), objs, data)
	var oe *ObjectError
	if !errors.As(err, &oe) {
		t.Fatalf("error %v is not an *ObjectError", err)
	}
	if oe.Code != 422 || oe.Message != "injected object error" || oe.OID != objs[0].OID || !strings.Contains(oe.Label, "vectors/0.npy") {
		t.Fatalf("ObjectError = %+v", oe)
	}
	if srv.Stats().Upload != 0 {
		t.Errorf("%d uploads after a refused batch, want none", srv.Stats().Upload)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		header string
		want   time.Duration
		err    string
	}{
		{header: "2", want: 2 * time.Second},
		{header: "0", want: 0},
		{header: now.Add(7 * time.Second).Format(http.TimeFormat), want: 7 * time.Second},
		{header: now.Add(-time.Hour).Format(http.TimeFormat), want: 0},
		{header: "3600", err: "the server asks to retry after 1h0m0s, longer than scriptsync waits (1m0s): try again later"},
	} {
		t.Run(tc.header, func(t *testing.T) {
			srv := lfstest.Start(t)
			srv.SetRetryAfter(tc.header)
			srv.Inject(lfstest.BatchTooMany, 1)
			c, slept := newClient(t, srv.Endpoint, ClientOptions{})
			c.now = func() time.Time { return now }
			objs, data := testObjects(1)
			_, err := upload(c, context.Background(), objs, data)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error = %v, want %q", err, tc.err)
				}
				if len(slept.all()) != 0 {
					t.Errorf("slept %v before giving up", slept.all())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := slept.all(); len(got) != 1 || got[0] != tc.want {
				t.Fatalf("slept %v, want [%v]", got, tc.want)
			}
		})
	}
}

func TestBackoffGrows(t *testing.T) {
	srv := lfstest.Start(t)
	srv.SetRetryAfter("")
	srv.Inject(lfstest.BatchError500, 4)
	c, slept := newClient(t, srv.Endpoint, ClientOptions{})
	objs, data := testObjects(1)
	if _, err := upload(c, context.Background(), objs, data); err != nil {
		t.Fatal(err)
	}
	got := slept.all()
	if len(got) != 4 {
		t.Fatalf("slept %v, want 4 backoffs", got)
	}
	for i, d := range got {
		base := defaultBaseBackoff << i
		if d < base || d > base+base/4 {
			t.Errorf("backoff %d = %v, want %v plus up to 25%%", i, d, base)
		}
	}
}

func TestSlowServer(t *testing.T) {
	srv := lfstest.Start(t)
	srv.SetLatency(20 * time.Millisecond)
	c, _ := newClient(t, srv.Endpoint, ClientOptions{})
	objs, data := testObjects(4)
	if _, err := upload(c, context.Background(), objs, data); err != nil {
		t.Fatalf("a slow server that answers is fine: %v", err)
	}

	srv2 := lfstest.Start(t)
	srv2.SetLatency(time.Hour)
	c2, _ := newClient(t, srv2.Endpoint, ClientOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := upload(c2, ctx, objs, data)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want one wrapping context.DeadlineExceeded", err)
	}
	if !strings.HasPrefix(err.Error(), "lfs: batch upload at "+srv2.Endpoint+"/objects/batch: ") {
		t.Errorf("error %q does not say what timed out", err)
	}
	srv2.Reset()
	assertHeld(t, srv2, objs, false)
}

func TestParallelUploadsAreBounded(t *testing.T) {
	srv := lfstest.Start(t)
	srv.SetLatency(30 * time.Millisecond)
	c, _ := newClient(t, srv.Endpoint, ClientOptions{Concurrency: 3})
	objs, data := testObjects(12)
	if _, err := upload(c, context.Background(), objs, data); err != nil {
		t.Fatal(err)
	}
	st := srv.Stats()
	if st.Upload != 12 || st.Verify != 12 {
		t.Fatalf("stats = %+v, want 12 uploads and 12 verifies", st)
	}
	if st.MaxParallelUploads < 2 || st.MaxParallelUploads > 3 {
		t.Fatalf("%d uploads ran at once, want 2 or 3 (Concurrency 3)", st.MaxParallelUploads)
	}
}

func TestBatchesHoldAtMost100Objects(t *testing.T) {
	srv := lfstest.Start(t)
	c, _ := newClient(t, srv.Endpoint, ClientOptions{})
	objs, data := testObjects(250)
	missing, err := c.Missing(context.Background(), append(objs, objs[0]))
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) != 250 {
		t.Fatalf("%d missing, want 250", len(missing))
	}
	if st := srv.Stats(); st.Batch != 3 || len(st.Objects) != 250 {
		t.Fatalf("%d batch requests for %d objects, want 3 for 250 (duplicates asked once)", st.Batch, len(st.Objects))
	}
	// Objects the server already has are skipped.
	if _, err := upload(c, context.Background(), objs[:10], data); err != nil {
		t.Fatal(err)
	}
	before := srv.Stats().Upload
	if _, err := upload(c, context.Background(), objs, data); err != nil {
		t.Fatal(err)
	}
	if got := srv.Stats().Upload - before; got != 240 {
		t.Fatalf("%d uploads, want 240 (10 were already there)", got)
	}
}

func TestCredentials(t *testing.T) {
	objs, data := testObjects(2)
	t.Run("basic from the URL", func(t *testing.T) {
		srv := lfstest.Start(t)
		srv.RequireBasicAuth("writer", "s3cret")
		u, _ := url.Parse(srv.Endpoint)
		u.User = url.UserPassword("writer", "s3cret")
		c, _ := newClient(t, u.String(), ClientOptions{})
		if _, err := upload(c, context.Background(), objs, data); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(c.Endpoint(), "s3cret") || strings.Contains(c.Endpoint(), "writer") {
			t.Errorf("Endpoint() = %q shows credentials", c.Endpoint())
		}
	})
	t.Run("bearer token", func(t *testing.T) {
		srv := lfstest.Start(t)
		srv.RequireToken("tok-123")
		c, _ := newClient(t, srv.Endpoint, ClientOptions{Credentials: Credentials{Token: "tok-123"}})
		if _, err := upload(c, context.Background(), objs, data); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		srv := lfstest.Start(t)
		srv.RequireBasicAuth("writer", "s3cret")
		u, _ := url.Parse(srv.Endpoint)
		u.User = url.UserPassword("writer", "wrong-pw")
		c, _ := newClient(t, u.String(), ClientOptions{})
		_, err := upload(c, context.Background(), objs, data)
		if err == nil || !strings.Contains(err.Error(), "401 Unauthorized: Credentials needed; check the credentials") {
			t.Fatalf("error = %v", err)
		}
		if strings.Contains(err.Error(), "wrong-pw") || strings.Contains(err.Error(), "writer@") {
			t.Fatalf("error %q leaks credentials", err)
		}
		if fmt.Sprintf("%v %+v %#v", c.creds, c.creds, c.creds) != "lfs.Credentials(redacted) lfs.Credentials(redacted) lfs.Credentials(redacted)" {
			t.Fatalf("credentials print as %v", c.creds)
		}
	})
	t.Run("no credentials", func(t *testing.T) {
		srv := lfstest.Start(t)
		srv.RequireToken("tok-123")
		c, _ := newClient(t, srv.Endpoint, ClientOptions{})
		_, err := upload(c, context.Background(), objs, data)
		if err == nil || !strings.Contains(err.Error(), "set credentials in the url's user info or with SCRIPTSYNC_LFS_TOKEN") {
			t.Fatalf("error = %v", err)
		}
	})
	t.Run("only to the LFS server itself", func(t *testing.T) {
		c, _ := newClient(t, "https://lfs.example.com/repo.git/info/lfs", ClientOptions{Credentials: Credentials{Token: "tok"}})
		for href, want := range map[string]string{
			"https://lfs.example.com/objects/1":     "Bearer tok",
			"https://storage.example.net/bucket/1":  "",
			"http://lfs.example.com/objects/1":      "",
			"https://LFS.example.com/objects/1?x=1": "Bearer tok",
		} {
			u, _ := url.Parse(href)
			r, _ := http.NewRequest(http.MethodPut, href, nil)
			c.actionHeaders(r, &action{Href: href}, u)
			if got := r.Header.Get("Authorization"); got != want {
				t.Errorf("%s: Authorization = %q, want %q", href, got, want)
			}
		}
		u, _ := url.Parse("https://lfs.example.com/objects/1")
		r, _ := http.NewRequest(http.MethodPut, u.String(), nil)
		c.actionHeaders(r, &action{Href: u.String(), Header: map[string]string{"Authorization": "RemoteAuth xyz"}}, u)
		if got := r.Header.Get("Authorization"); got != "RemoteAuth xyz" {
			t.Errorf("the action's own Authorization was replaced by %q", got)
		}
	})
}

func TestErrorsRedactURLs(t *testing.T) {
	// Nothing listens on this port: the transport error names the URL.
	c, _ := newClient(t, "http://user:hunter2@127.0.0.1:1/repo.git/info/lfs?token=abc", ClientOptions{MaxRetries: -1})
	_, err := c.Missing(context.Background(), []Object{{OID: strings.Repeat("a", 64), Size: 1}})
	if err == nil {
		t.Fatal("Missing succeeded against a closed port")
	}
	for _, secret := range []string{"hunter2", "user", "token=abc"} {
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("error %q contains %q", err, secret)
		}
	}
	if !strings.Contains(err.Error(), "http://127.0.0.1:1/repo.git/info/lfs/objects/batch") {
		t.Errorf("error %q does not name the endpoint", err)
	}
	if _, err := NewClient("ftp://user:pw@host/x", ClientOptions{}); err == nil || strings.Contains(err.Error(), "pw") {
		t.Fatalf("NewClient(ftp) = %v", err)
	}
}

func TestExpiredActionIsRefreshed(t *testing.T) {
	srv := lfstest.Start(t)
	c, _ := newClient(t, srv.Endpoint, ClientOptions{})
	start := time.Now()
	calls := 0
	// The first batch answer arrives at start; the transfer then looks at
	// its action two hours later, long after expires_in (3600 s).
	c.now = func() time.Time {
		calls++
		if calls == 1 {
			return start
		}
		return start.Add(2 * time.Hour)
	}
	objs, data := testObjects(1)
	if _, err := upload(c, context.Background(), objs, data); err != nil {
		t.Fatal(err)
	}
	if st := srv.Stats(); st.Batch != 2 || st.Upload != 1 {
		t.Fatalf("stats = %+v, want a second batch request for fresh actions and one upload", st)
	}
}

func TestResponseValidation(t *testing.T) {
	oid := strings.Repeat("b", 64)
	for _, tc := range []struct {
		name, body, want string
	}{
		{"not json", "<html>oops</html>", "the server's answer is not a batch response"},
		{"empty", "", "the body is empty or cut short"},
		{"other transfer", `{"transfer":"tus","objects":[]}`, `the server chose the "tus" transfer adapter`},
		{"other hash", `{"hash_algo":"sha512","objects":[]}`, `hash algorithm "sha512"`},
		{"duplicate", `{"objects":[{"oid":"` + oid + `","size":1},{"oid":"` + oid + `","size":1}]}`, "answered twice"},
		{"bad href", `{"objects":[{"oid":"` + oid + `","size":1,"actions":{"upload":{"href":"file:///etc/passwd"}}}]}`, "href file:///etc/passwd is not an http or https URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newStubServer(t, http.StatusOK, tc.body)
			c, _ := newClient(t, srv, ClientOptions{})
			_, err := c.Missing(context.Background(), []Object{{OID: oid, Size: 1}})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want %q", err, tc.want)
			}
		})
	}
}

// newStubServer answers every request with status and body, for response
// validation tests; it returns the endpoint.
func newStubServer(t *testing.T, status int, body string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", MediaType)
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/info/lfs"
}
