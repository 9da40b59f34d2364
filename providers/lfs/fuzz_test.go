package lfs

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzBatchResponse answers a batch request with arbitrary bodies and
// statuses: the client must fail or succeed with an error that carries no
// credential and no terminal escape, and never panic.
func FuzzBatchResponse(f *testing.F) {
	objs, _ := testObjects(2)
	f.Add(200, `{"transfer":"basic","objects":[{"oid":"`+objs[0].OID+`","size":`+itoa(objs[0].Size)+`}]}`)
	f.Add(200, `{"objects":[{"oid":"`+objs[0].OID+`","size":1,"actions":{"upload":{"href":"http://127.0.0.1:1/x"}}}]}`)
	f.Add(401, `{"message":"bad token tok-fuzz-secret \u001b[2J"}`)
	f.Add(500, "Authorization: Bearer tok-fuzz-secret")
	f.Add(200, `{"objects":[{"oid":"zz","error":{"code":404,"message":"x"}}]}`)
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 100 || status > 599 {
			status = 200
		}
		hc := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
			if r.Body != nil {
				io.Copy(io.Discard, r.Body)
			}
			return &http.Response{StatusCode: status, Status: http.StatusText(status), Request: r,
				Header: http.Header{"Content-Type": {MediaType}}, Body: io.NopCloser(strings.NewReader(body))}, nil
		})}
		c, err := NewClient("http://127.0.0.1:1/repo.git/info/lfs", ClientOptions{Credentials: Credentials{Token: "tok-fuzz-secret"}, HTTPClient: hc, MaxRetries: -1})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Missing(context.Background(), objs)
		if err != nil && (strings.Contains(err.Error(), "tok-fuzz-secret") || strings.Contains(err.Error(), "\x1b")) {
			t.Fatalf("the error leaks: %q", err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
