// Package netlimit bounds network I/O: every HTTP exchange with a git or
// LFS server has a connect deadline, a deadline for the response headers,
// an idle deadline while the body streams (no byte for that long is a
// failure), and an overall limit on all the exchanges of one command
// together (Budget), so that a server that trickles, stalls
// or never answers cannot hold an apply (and the database lock it holds)
// forever. It also decides where credentials may follow a redirect.
package netlimit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Environment variables that override the defaults; values are Go
// durations ("30s", "5m").
const (
	EnvConnect = "SCRIPTSYNC_NET_CONNECT_TIMEOUT"
	EnvHeader  = "SCRIPTSYNC_NET_RESPONSE_TIMEOUT"
	EnvIdle    = "SCRIPTSYNC_NET_IDLE_TIMEOUT"
	EnvTotal   = "SCRIPTSYNC_NET_TIMEOUT"
)

// Limits are the deadlines of one client. Zero fields take the defaults.
type Limits struct {
	// Connect bounds dialing and the TLS handshake.
	Connect time.Duration
	// Header bounds the wait for the response headers once the request
	// is sent.
	Header time.Duration
	// Idle bounds the silence while a response body streams.
	Idle time.Duration
	// Total bounds the network exchanges of one command together (see
	// Budget); without a Budget in the context, each request alone.
	Total time.Duration
}

// Defaults are generous: a slow link uploading a large embedding must
// not fail, a dead server must not hang a CI job for hours.
var Defaults = Limits{Connect: 30 * time.Second, Header: 2 * time.Minute, Idle: 2 * time.Minute, Total: 30 * time.Minute}

// FromEnv reads the limits from the environment; an unparsable or
// non-positive value is an error naming the variable.
func FromEnv(getenv func(string) string) (Limits, error) {
	l := Defaults
	for _, f := range []struct {
		name string
		dst  *time.Duration
	}{{EnvConnect, &l.Connect}, {EnvHeader, &l.Header}, {EnvIdle, &l.Idle}, {EnvTotal, &l.Total}} {
		v := strings.TrimSpace(getenv(f.name))
		if v == "" {
			continue
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return l, fmt.Errorf("%s = %q is not a positive duration such as 30s or 5m", f.name, v)
		}
		*f.dst = d
	}
	return l, nil
}

func (l Limits) withDefaults() Limits {
	if l.Connect <= 0 {
		l.Connect = Defaults.Connect
	}
	if l.Header <= 0 {
		l.Header = Defaults.Header
	}
	if l.Idle <= 0 {
		l.Idle = Defaults.Idle
	}
	if l.Total <= 0 {
		l.Total = Defaults.Total
	}
	return l
}

// Client returns an HTTP client with the limits, keeping maxIdle
// connections per host, whose redirects never carry credentials to
// another origin nor go from https to http.
func Client(l Limits, maxIdle int) *http.Client {
	l = l.withDefaults()
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: l.Connect, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = l.Connect
	t.ResponseHeaderTimeout = l.Header
	t.ExpectContinueTimeout = time.Second
	if maxIdle > 0 {
		t.MaxIdleConnsPerHost = maxIdle
	}
	return &http.Client{Transport: &transport{next: t, l: l}, CheckRedirect: CheckRedirect}
}

// Wrap returns c with the limits' overall and idle deadlines on every
// request and CheckRedirect when c has none; c itself is not changed.
func Wrap(c *http.Client, l Limits) *http.Client {
	l = l.withDefaults()
	cp := *c
	next := cp.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	if _, done := next.(*transport); !done {
		cp.Transport = &transport{next: next, l: l}
	}
	if cp.CheckRedirect == nil {
		cp.CheckRedirect = CheckRedirect
	}
	return &cp
}

// maxRedirects is how many hops a request follows, as net/http's default.
const maxRedirects = 10

// sensitiveHeaders are dropped on a hop to another origin.
var sensitiveHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Www-Authenticate"}

// CheckRedirect is an http.Client CheckRedirect: it refuses a redirect
// from https to http, and drops credentials on a hop to another origin
// (scheme, host and port: net/http keeps them for another port of the
// same host). It checks every hop against the one before it.
func CheckRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	prev := via[len(via)-1]
	if prev.URL.Scheme == "https" && req.URL.Scheme != "https" {
		return fmt.Errorf("refused a redirect from https to %s://%s: credentials and data must not travel unencrypted", req.URL.Scheme, req.URL.Host)
	}
	for _, v := range via {
		if !SameOrigin(v.URL.Scheme, v.URL.Host, req.URL.Scheme, req.URL.Host) {
			for _, h := range sensitiveHeaders {
				req.Header.Del(h)
			}
			break
		}
	}
	return nil
}

// SameOrigin compares two origins, with the default port made explicit.
func SameOrigin(schemeA, hostA, schemeB, hostB string) bool {
	return strings.EqualFold(schemeA, schemeB) && strings.EqualFold(withPort(schemeA, hostA), withPort(schemeB, hostB))
}

func withPort(scheme, host string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	switch strings.ToLower(scheme) {
	case "https":
		return host + ":443"
	case "http":
		return host + ":80"
	}
	return host
}

// ErrIdle and ErrTotal are the failures the deadlines cause; errors.Is
// finds them in a request's error.
var (
	ErrIdle  = errors.New("the server sent nothing for too long")
	ErrTotal = errors.New("the exchange took longer than allowed")
)

// transport adds the overall and idle deadlines to each request.
type transport struct {
	next http.RoundTripper
	l    Limits
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	var stop func()
	if b := budgetOf(req.Context()); b != nil {
		id, err := b.start(t.l.Total, cancel)
		if err != nil {
			cancel(nil)
			if req.Body != nil {
				req.Body.Close()
			}
			return nil, err
		}
		stop = func() { b.end(id) }
	} else {
		total := time.AfterFunc(t.l.Total, func() { cancel(fmt.Errorf("%w (%s, %s)", ErrTotal, t.l.Total, EnvTotal)) })
		stop = func() { total.Stop() }
	}
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		stop()
		// The budget's end cancels the caller's exchange too: still, say
		// why.
		if cause := context.Cause(ctx); cause != nil && (req.Context().Err() == nil || IsBudget(cause)) {
			err = cause
		}
		cancel(nil)
		return nil, err
	}
	b := &body{rc: resp.Body, ctx: ctx, cancel: cancel, stop: stop, idle: t.l.Idle}
	b.timer = time.AfterFunc(t.l.Idle, b.expire)
	resp.Body = b
	return resp, nil
}

// body is a response body that fails when no byte arrives for idle, or
// when the overall limit passes.
type body struct {
	rc     io.ReadCloser
	ctx    context.Context
	cancel context.CancelCauseFunc
	stop   func() // ends the request's part of the overall limit
	idle   time.Duration
	timer  *time.Timer
	once   sync.Once
}

func (b *body) expire() {
	b.cancel(fmt.Errorf("%w (%s, %s)", ErrIdle, b.idle, EnvIdle))
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.timer.Reset(b.idle)
	}
	if err != nil && err != io.EOF {
		if cause := context.Cause(b.ctx); cause != nil && (errors.Is(cause, ErrIdle) || errors.Is(cause, ErrTotal)) {
			err = cause
		}
	}
	return n, err
}

func (b *body) Close() error {
	b.once.Do(func() {
		b.timer.Stop()
		b.stop()
	})
	err := b.rc.Close()
	b.cancel(nil)
	return err
}
