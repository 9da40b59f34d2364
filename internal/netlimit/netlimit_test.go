package netlimit

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func req(t *testing.T, raw string) *http.Request {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	r := &http.Request{URL: u, Header: http.Header{}}
	r.Header.Set("Authorization", "Bearer tok")
	return r
}

func TestCheckRedirect(t *testing.T) {
	for _, tc := range []struct {
		via, to  []string
		keepAuth bool
		refuse   bool
	}{
		{via: []string{"https://h/a"}, to: []string{"https://h:443/b"}, keepAuth: true},
		{via: []string{"http://127.0.0.1:8080/a"}, to: []string{"http://127.0.0.1:9090/b"}},
		{via: []string{"https://h/a"}, to: []string{"https://other/b"}},
		{via: []string{"https://h/a"}, to: []string{"http://h/b"}, refuse: true},
		// Back to the origin after a hop elsewhere: still no credentials.
		{via: []string{"https://h/a", "https://other/b"}, to: []string{"https://h/c"}},
	} {
		var via []*http.Request
		for _, v := range tc.via {
			via = append(via, req(t, v))
		}
		next := req(t, tc.to[0])
		err := CheckRedirect(next, via)
		if tc.refuse {
			if err == nil || !strings.Contains(err.Error(), "https to http") {
				t.Errorf("%v -> %s: %v, want a refusal", tc.via, tc.to[0], err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v -> %s: %v", tc.via, tc.to[0], err)
		}
		if got := next.Header.Get("Authorization") != ""; got != tc.keepAuth {
			t.Errorf("%v -> %s: Authorization kept = %v, want %v", tc.via, tc.to[0], got, tc.keepAuth)
		}
	}
}

func TestFromEnv(t *testing.T) {
	env := map[string]string{EnvIdle: "5s", EnvTotal: "1m"}
	l, err := FromEnv(func(k string) string { return env[k] })
	if err != nil || l.Idle != 5*time.Second || l.Total != time.Minute || l.Header != Defaults.Header {
		t.Errorf("FromEnv = %+v, %v", l, err)
	}
	env[EnvHeader] = "soon"
	if _, err := FromEnv(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), EnvHeader) {
		t.Errorf("FromEnv accepted %q: %v", env[EnvHeader], err)
	}
}
