package redact

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

func TestRedactsEveryForm(t *testing.T) {
	const user, pass, token = "writer", "p@ss w/rd!", "tok-0123456789abcdef"
	r := New(token)
	r.AddBasic(user, pass)
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	cases := map[string]string{
		"raw password":    "denied for " + pass,
		"query-escaped":   "denied for " + url.QueryEscape(pass),
		"path-escaped":    "denied for " + url.PathEscape(pass),
		"base64 basic":    "echo: " + basic,
		"authorization":   "Authorization: Basic " + basic,
		"bearer header":   "Authorization: Bearer " + token,
		"bare token":      "your token " + token + " expired",
		"base64 of token": base64.StdEncoding.EncodeToString([]byte(token)),
		"unknown bearer":  "authorization: bearer abcdefghijklmnop",
		"unknown basic":   "Authorization: Basic dXNlcjpzZWNyZXRwYXNz",
		"url userinfo":    "dial https://bob:zz-secret-zz@127.0.0.1:1/x failed",
		"pg unescaped @":  "cannot parse postgres://u:zz-sec@ret-zz@db.internal/x",
		"scp-like":        "fetch bob:zz-secret-zz@host:org/repo.git failed",
		"query token":     "GET /o?X-Amz-Signature=zz-secret-zz&a=1",
		"private_token":   "GET https://h/r.git?private_token=zz-secret-zz",
	}
	for name, in := range cases {
		out := r.String(in)
		for _, leak := range []string{pass, url.QueryEscape(pass), basic, token, "zz-secret-zz", "ret-zz", "zz-sec", "abcdefghijklmnop", "dXNlcjpzZWNyZXRwYXNz"} {
			if strings.Contains(out, leak) {
				t.Errorf("%s: %q still holds %q", name, out, leak)
			}
		}
		if !strings.Contains(out, Mask) {
			t.Errorf("%s: %q redacted nothing", name, out)
		}
	}
}

func TestStripsTerminalEscapes(t *testing.T) {
	in := "bad\x1b[2J\x1b[31mred\x1b]0;title\x07 \u009b1m end\r\x00\u202e"
	out := Text(in)
	if strings.ContainsAny(out, "\x1b\x07\r\x00\u202e\u009b") {
		t.Errorf("Text(%q) = %q, still holds control characters", in, out)
	}
	if !strings.Contains(out, "red") || !strings.Contains(out, "end") {
		t.Errorf("Text(%q) = %q lost the message", in, out)
	}
}

func TestKeepsOrdinaryText(t *testing.T) {
	for _, s := range []string{"the server answered 404 Not Found", "cannot connect to postgres://ann@127.0.0.1:1/library: refused", "push to https://127.0.0.1:8080/repo.git: rejected", "scripts/pilot.fountain: line 3"} {
		if got := Text(s); got != s {
			t.Errorf("Text(%q) = %q, want it unchanged", s, got)
		}
	}
}
