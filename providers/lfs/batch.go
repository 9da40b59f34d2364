package lfs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"scriptsync/internal/netlimit"
	redactpkg "scriptsync/internal/redact"
)

// MediaType is the Batch API's content type.
const MediaType = "application/vnd.git-lfs+json"

// batchSize is the most objects one batch request names; git-lfs and the
// common servers use 100.
const batchSize = 100

// Defaults for ClientOptions.
const (
	DefaultConcurrency   = 8
	DefaultMaxRetries    = 5
	defaultBaseBackoff   = 250 * time.Millisecond
	defaultMaxBackoff    = 8 * time.Second
	defaultMaxRetryAfter = time.Minute
)

// Credentials authenticate Batch API requests. They never print: String
// and GoString redact them, so a stray %v cannot leak a token.
type Credentials struct {
	Username, Password string // HTTP basic
	Token              string // HTTP bearer; wins over basic
}

func (c Credentials) String() string   { return "lfs.Credentials(redacted)" }
func (c Credentials) GoString() string { return c.String() }

func (c Credentials) empty() bool { return c.Username == "" && c.Password == "" && c.Token == "" }

func (c Credentials) set(h http.Header) {
	switch {
	case c.Token != "":
		h.Set("Authorization", "Bearer "+c.Token)
	case c.Username != "" || c.Password != "":
		req := http.Request{Header: h}
		req.SetBasicAuth(c.Username, c.Password)
	}
}

// ClientOptions configure a Client. Zero values take the defaults.
type ClientOptions struct {
	Credentials Credentials
	// Ref is the fully qualified ref the objects belong to
	// (refs/heads/main); servers may use it to check permissions.
	Ref string
	// Concurrency bounds parallel transfers (DefaultConcurrency).
	Concurrency int
	// MaxRetries is how often a request is retried after a 429, a 5xx or a
	// broken connection (DefaultMaxRetries); negative means never.
	MaxRetries int
	// HTTPClient sends the requests; nil means a client tuned for
	// Concurrency connections to one host. Either way its redirects never
	// carry credentials to another origin or from https to http, and the
	// Limits' overall and idle deadlines apply.
	HTTPClient *http.Client
	// Limits are the network deadlines (netlimit.Defaults when zero).
	Limits netlimit.Limits
}

// Client speaks the Git LFS Batch API
// (https://github.com/git-lfs/git-lfs/blob/main/docs/api/batch.md) with the
// basic transfer adapter, for uploads and for asking which objects a server
// holds.
type Client struct {
	endpoint    *url.URL // without userinfo: credentials travel in headers
	creds       Credentials
	ref         string
	concurrency int
	maxRetries  int
	http        *http.Client
	red         *redactpkg.Redactor // the client's credentials, in every form
	limits      netlimit.Limits

	baseBackoff   time.Duration
	maxBackoff    time.Duration
	maxRetryAfter time.Duration
	// sleep and now are replaced by tests to observe backoff without
	// waiting for it.
	sleep func(ctx context.Context, d time.Duration) error
	now   func() time.Time
}

// NewClient returns a client for the LFS server at endpoint (the URL that
// /objects/batch is appended to). Credentials in the URL's userinfo are
// used when opts carries none.
func NewClient(endpoint string, opts ClientOptions) (*Client, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("lfs: endpoint %s is not an http or https URL", redactRaw(endpoint))
	}
	creds := opts.Credentials
	if creds.empty() && u.User != nil {
		creds.Username = u.User.Username()
		creds.Password, _ = u.User.Password()
	}
	u.User = nil
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	c := &Client{
		endpoint:      u,
		creds:         creds,
		ref:           opts.Ref,
		concurrency:   opts.Concurrency,
		maxRetries:    opts.MaxRetries,
		http:          opts.HTTPClient,
		baseBackoff:   defaultBaseBackoff,
		maxBackoff:    defaultMaxBackoff,
		maxRetryAfter: defaultMaxRetryAfter,
		sleep:         sleepCtx,
		now:           time.Now,
	}
	if c.concurrency <= 0 {
		c.concurrency = DefaultConcurrency
	}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = DefaultMaxRetries
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	c.red = redactpkg.New(creds.Token)
	c.red.AddBasic(creds.Username, creds.Password)
	c.limits = opts.Limits
	if c.http == nil {
		// Keep a connection per worker alive; the default of 2 would
		// reconnect for most uploads.
		c.http = netlimit.Client(opts.Limits, c.concurrency)
	} else {
		c.http = netlimit.Wrap(c.http, opts.Limits)
	}
	return c, nil
}

// Endpoint is the server URL without credentials, safe to print.
func (c *Client) Endpoint() string { return redact(c.endpoint) }

// CloseIdleConnections releases the client's idle connections.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

// Object is an LFS object a client transfers, with a label (the embedding's
// address and source) that errors use so that a user can find the file.
type Object struct {
	OID   string
	Size  int64
	Label string
}

func (o Object) describe() string {
	if o.Label == "" {
		return "oid " + o.OID
	}
	return o.Label + ", oid " + o.OID
}

// Wire types of the Batch API.
type (
	batchRequest struct {
		Operation string        `json:"operation"`
		Transfers []string      `json:"transfers"`
		Ref       *batchRef     `json:"ref,omitempty"`
		Objects   []batchObject `json:"objects"`
		HashAlgo  string        `json:"hash_algo"`
	}
	batchRef struct {
		Name string `json:"name"`
	}
	batchObject struct {
		OID  string `json:"oid"`
		Size int64  `json:"size"`
	}
	batchResponse struct {
		Transfer string           `json:"transfer"`
		Objects  []responseObject `json:"objects"`
		HashAlgo string           `json:"hash_algo"`
	}
	responseObject struct {
		OID     string             `json:"oid"`
		Size    int64              `json:"size"`
		Actions map[string]*action `json:"actions"`
		Error   *objectError       `json:"error"`
	}
	action struct {
		Href      string            `json:"href"`
		Header    map[string]string `json:"header"`
		ExpiresIn int64             `json:"expires_in"`
		ExpiresAt string            `json:"expires_at"`

		// deadline is when the action stops being valid (zero: never),
		// computed when the response arrives.
		deadline time.Time
	}
	objectError struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
)

// planned is what a batch response says about one object.
type planned struct {
	Object
	present bool // the server has it: no upload action
	upload  *action
	verify  *action
}

// ObjectError is a server's refusal of one object in a batch response.
type ObjectError struct {
	Object
	Code    int
	Message string
}

func (e *ObjectError) Error() string {
	return fmt.Sprintf("lfs: upload %s: the server refused the object: %d %s", e.describe(), e.Code, e.Message)
}

// batch sends one batch request for objs (at most batchSize, distinct oids)
// and validates the answer: the basic transfer, exactly the oids asked for,
// and a usable upload href for every object the server lacks. Per-object
// errors come back joined, as *ObjectError values.
func (c *Client) batch(ctx context.Context, op string, objs []Object) ([]planned, error) {
	req := batchRequest{Operation: op, Transfers: []string{"basic"}, HashAlgo: "sha256"}
	if c.ref != "" {
		req.Ref = &batchRef{Name: c.ref}
	}
	for _, o := range objs {
		req.Objects = append(req.Objects, batchObject{OID: o.OID, Size: o.Size})
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("lfs: batch: %w", err)
	}
	target := c.endpoint.JoinPath("objects", "batch")
	what := "batch " + op + " at " + redact(target)
	resp, err := c.do(ctx, what, func() (*http.Request, error) {
		r, err := http.NewRequest(http.MethodPost, target.String(), bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		r.Header.Set("Accept", MediaType)
		r.Header.Set("Content-Type", MediaType)
		c.creds.set(r.Header)
		return r, nil
	})
	if err != nil {
		return nil, err
	}
	defer drain(resp)
	if resp.StatusCode != http.StatusOK {
		return nil, c.statusError(what, resp)
	}
	var br batchResponse
	dec := json.NewDecoder(io.LimitReader(resp.Body, 32<<20))
	if err := dec.Decode(&br); err != nil {
		return nil, fmt.Errorf("lfs: %s: the server's answer is not a batch response: %s", what, jsonProblem(err))
	}
	received := c.now()
	if br.Transfer != "" && br.Transfer != "basic" {
		return nil, fmt.Errorf("lfs: %s: the server chose the %q transfer adapter, but scriptsync asked for and speaks only \"basic\"", what, br.Transfer)
	}
	if br.HashAlgo != "" && br.HashAlgo != "sha256" {
		return nil, fmt.Errorf("lfs: %s: the server uses hash algorithm %q, want sha256", what, br.HashAlgo)
	}

	asked := make(map[string]Object, len(objs))
	for _, o := range objs {
		asked[o.OID] = o
	}
	answered := make(map[string]bool, len(br.Objects))
	out := make([]planned, 0, len(objs))
	var errs []error
	for _, ro := range br.Objects {
		o, ok := asked[ro.OID]
		if !ok {
			return nil, fmt.Errorf("lfs: %s: the server answered for oid %q, which was not asked for", what, c.clip(ro.OID, 80))
		}
		if answered[ro.OID] {
			return nil, fmt.Errorf("lfs: %s: the server answered twice for %s", what, o.describe())
		}
		answered[ro.OID] = true
		if ro.Error != nil {
			errs = append(errs, &ObjectError{Object: o, Code: ro.Error.Code, Message: c.clip(ro.Error.Message, 300)})
			continue
		}
		p := planned{Object: o}
		switch op {
		case "upload":
			p.upload = ro.Actions["upload"]
			p.verify = ro.Actions["verify"]
			p.present = p.upload == nil
		case "download":
			p.present = ro.Actions["download"] != nil
		}
		for name, a := range ro.Actions {
			if a == nil {
				continue
			}
			if err := a.check(received); err != nil {
				return nil, fmt.Errorf("lfs: %s: %s action for %s: %w", what, name, o.describe(), err)
			}
		}
		out = append(out, p)
	}
	for _, o := range objs {
		if !answered[o.OID] {
			errs = append(errs, fmt.Errorf("lfs: %s: the server did not answer for %s", what, o.describe()))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// check validates an action's href and computes its deadline.
func (a *action) check(received time.Time) error {
	u, err := url.Parse(a.Href)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("href %s is not an http or https URL", redactRaw(a.Href))
	}
	if a.ExpiresIn != 0 {
		a.deadline = received.Add(time.Duration(a.ExpiresIn) * time.Second)
	} else if a.ExpiresAt != "" {
		if t, err := time.Parse(time.RFC3339, a.ExpiresAt); err == nil {
			a.deadline = t
		}
	}
	return nil
}

// expired reports whether the action is (nearly) past its deadline, so that
// a transfer queued behind slow ones asks for a fresh one.
func (a *action) expired(now time.Time) bool {
	return !a.deadline.IsZero() && now.Add(5*time.Second).After(a.deadline)
}

// Missing returns the oids among objs that the server does not hold, asking
// with upload batch requests of at most 100 objects: an object the server
// answers without an upload action is present.
func (c *Client) Missing(ctx context.Context, objs []Object) (map[string]bool, error) {
	missing := map[string]bool{}
	for _, chunk := range chunks(dedupe(objs), batchSize) {
		ps, err := c.batch(ctx, "upload", chunk)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if !p.present {
				missing[p.OID] = true
			}
		}
	}
	return missing, nil
}

func dedupe(objs []Object) []Object {
	seen := make(map[string]bool, len(objs))
	out := make([]Object, 0, len(objs))
	for _, o := range objs {
		if !seen[o.OID] {
			seen[o.OID] = true
			out = append(out, o)
		}
	}
	return out
}

func chunks[T any](s []T, n int) [][]T {
	var out [][]T
	for len(s) > n {
		out = append(out, s[:n:n])
		s = s[n:]
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}

// do sends the request that newReq builds, retrying with exponential
// backoff after a broken connection, a 429 or a 5xx (other than 501 and
// 505, which no retry changes), and honouring Retry-After. It returns the
// first other response, or an error once the retries are spent. what names
// the operation (with a redacted URL) for errors.
func (c *Client) do(ctx context.Context, what string, newReq func() (*http.Request, error)) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		req, err := newReq()
		if err != nil {
			return nil, fmt.Errorf("lfs: %s: %w", what, err)
		}
		req.Header.Set("User-Agent", "scriptsync-lfs")
		resp, err := c.http.Do(req.WithContext(ctx))
		var failure error
		var wait time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, fmt.Errorf("lfs: %s: %w", what, context.Cause(ctx))
			}
			if deadline(err) {
				// A server that stalled once stalls again: retrying would
				// multiply the time the apply holds its locks.
				return nil, fmt.Errorf("lfs: %s: %s", what, c.red.String(transportProblem(err)))
			}
			failure = fmt.Errorf("lfs: %s: %s", what, c.red.String(transportProblem(err)))
			wait = c.backoff(attempt)
		case retryable(resp.StatusCode):
			failure = c.statusError(what, resp)
			drain(resp)
			var ok bool
			if wait, ok = retryAfter(resp.Header.Get("Retry-After"), c.now()); !ok {
				wait = c.backoff(attempt)
			} else if wait > c.maxRetryAfter {
				return nil, fmt.Errorf("%w; the server asks to retry after %s, longer than scriptsync waits (%s): try again later", failure, wait.Round(time.Second), c.maxRetryAfter)
			}
		default:
			return resp, nil
		}
		if attempt >= c.maxRetries {
			if attempt == 0 {
				return nil, failure
			}
			return nil, fmt.Errorf("%w (gave up after %d attempts)", failure, attempt+1)
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("lfs: %s: %w (while waiting to retry after: %v)", what, err, failure)
		}
	}
}

// deadline reports whether err is one of the network deadlines.
func deadline(err error) bool {
	var ne net.Error
	return errors.Is(err, netlimit.ErrIdle) || errors.Is(err, netlimit.ErrTotal) || errors.As(err, &ne) && ne.Timeout()
}

func retryable(status int) bool {
	return status == http.StatusTooManyRequests ||
		status >= 500 && status != http.StatusNotImplemented && status != http.StatusHTTPVersionNotSupported
}

// backoff is base·2^attempt, capped, with up to 25% jitter so that parallel
// workers do not retry in lockstep.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.baseBackoff << min(attempt, 16)
	if d > c.maxBackoff || d <= 0 {
		d = c.maxBackoff
	}
	return d + time.Duration(rand.Int64N(int64(d)/4+1))
}

// retryAfter parses a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > 1<<31 {
			n = 1 << 31
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// statusError describes an unsuccessful response with the server's own
// message, when it sent one, and a hint for the statuses users can fix.
func (c *Client) statusError(what string, resp *http.Response) error {
	msg := c.serverMessage(resp)
	var hint string
	switch resp.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		if c.creds.empty() {
			hint = "; set credentials in the url's user info or with SCRIPTSYNC_LFS_TOKEN, or SCRIPTSYNC_LFS_USERNAME and SCRIPTSYNC_LFS_PASSWORD"
		} else {
			hint = "; check the credentials (url user info, SCRIPTSYNC_LFS_TOKEN, SCRIPTSYNC_LFS_USERNAME/SCRIPTSYNC_LFS_PASSWORD)"
		}
	case http.StatusNotFound:
		if strings.HasPrefix(what, "batch") {
			hint = "; is the lfs url right?"
		}
	}
	if msg != "" {
		msg = ": " + msg
	}
	return fmt.Errorf("lfs: %s: the server answered %s%s%s", what, resp.Status, msg, hint)
}

// serverMessage extracts the message of an LFS error body ({"message":
// ...}) or the start of a text body, made safe to print.
func (c *Client) serverMessage(resp *http.Response) string {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var e struct {
		Message   string `json:"message"`
		RequestID string `json:"request_id"`
	}
	if json.Unmarshal(data, &e) == nil && e.Message != "" {
		msg := c.clip(e.Message, 300)
		if e.RequestID != "" {
			msg += " (request id " + c.clip(e.RequestID, 80) + ")"
		}
		return msg
	}
	ct := resp.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "text/plain") || strings.Contains(ct, "json") {
		return c.clip(strings.TrimSpace(string(data)), 200)
	}
	return ""
}

// clip is clip after the client's redaction: every server message that
// reaches a user passes through it.
func (c *Client) clip(s string, n int) string { return clip(c.red.String(s), n) }

// clip makes server-supplied text safe for a terminal: printable, one
// line, bounded.
func clip(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		if !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, s)
	if len(s) > n {
		s = s[:n] + "..."
	}
	return s
}

func jsonProblem(err error) string {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "the body is empty or cut short"
	}
	return err.Error()
}

// transportProblem describes a failed round trip without the URL (which
// may carry a signed query) that *url.Error repeats, and without a bare
// EOF.
func transportProblem(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "the server closed the connection before answering"
	case errors.As(err, &ne) && ne.Timeout():
		return "timed out waiting for the server: " + err.Error() + " (deadlines: " + netlimit.EnvConnect + ", " + netlimit.EnvHeader + ", " + netlimit.EnvIdle + ", " + netlimit.EnvTotal + ")"
	}
	return err.Error()
}

// drain reads what is left of a body (a little) and closes it so that the
// connection can be reused.
func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// redact renders a URL without userinfo, query or fragment: a signed
// upload href carries its token in the query.
func redact(u *url.URL) string {
	r := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	return r.String()
}

func redactRaw(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(an unparsable URL)"
	}
	return redact(u)
}

// sortedOIDs returns the keys of a set in order, for deterministic errors.
func sortedOIDs(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
