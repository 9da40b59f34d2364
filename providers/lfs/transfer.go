package lfs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// Upload makes the server hold every object in objs. It asks which objects
// the server lacks (batch requests of at most 100), uploads those with the
// basic transfer adapter, at most Concurrency at a time, verifies each when
// the server offers verification, and, for uploads the server did not offer
// to verify, asks again afterwards, so that it returns nil only when the
// server has said it holds every object. open returns a fresh reader of an
// object's bytes; it is called once per attempt. done, when not nil, is
// called with each object once the server holds it, possibly from several
// goroutines at once. Upload returns only after every transfer has stopped.
func (c *Client) Upload(ctx context.Context, objs []Object, open func(Object) (io.ReadCloser, error), done func(Object)) error {
	if done == nil {
		done = func(Object) {}
	}
	var todo []planned
	for _, chunk := range chunks(dedupe(objs), batchSize) {
		ps, err := c.batch(ctx, "upload", chunk)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if p.present {
				done(p.Object)
			} else {
				todo = append(todo, p)
			}
		}
	}
	if len(todo) == 0 {
		return nil
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		mu         sync.Mutex
		firstErr   error
		unverified []Object
		wg         sync.WaitGroup
	)
	jobs := make(chan planned)
	for range min(c.concurrency, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				if ctx.Err() != nil {
					continue // drain after a failure
				}
				verified, err := c.transfer(ctx, p, open)
				mu.Lock()
				switch {
				case err != nil:
					// The first failure is the story; the others are
					// mostly its cancellation.
					if firstErr == nil {
						firstErr = err
						cancel(err)
					}
				case verified:
					mu.Unlock()
					done(p.Object)
					continue
				default:
					unverified = append(unverified, p.Object)
				}
				mu.Unlock()
			}
		}()
	}
	for _, p := range todo {
		jobs <- p
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("lfs: upload: %w", context.Cause(ctx))
	}
	if len(unverified) == 0 {
		return nil
	}
	// Without a verify action, a 200 to the PUT is all the server said; a
	// server (or proxy) that kept a short body would otherwise go unnoticed
	// until a clone fails. Ask once more before anything references them.
	missing, err := c.Missing(ctx, unverified)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		byOID := make(map[string]Object, len(unverified))
		for _, o := range unverified {
			byOID[o.OID] = o
		}
		var lines []string
		for _, oid := range sortedOIDs(missing) {
			lines = append(lines, byOID[oid].describe())
		}
		return fmt.Errorf("lfs: upload to %s: the server accepted %d upload(s) but does not hold them afterwards: %s", c.Endpoint(), len(lines), strings.Join(lines, "; "))
	}
	for _, o := range unverified {
		done(o)
	}
	return nil
}

// transfer uploads one object and verifies it when the server asked for
// verification. verified reports whether the server confirmed it holds the
// object (by verify, or by answering a refreshed batch without an upload
// action).
func (c *Client) transfer(ctx context.Context, p planned, open func(Object) (io.ReadCloser, error)) (verified bool, err error) {
	up, verify := p.upload, p.verify
	if up.expired(c.now()) {
		// Queued behind slow transfers for longer than the server allows:
		// ask for fresh actions.
		ps, err := c.batch(ctx, "upload", []Object{p.Object})
		if err != nil {
			return false, err
		}
		if ps[0].present {
			return true, nil
		}
		up, verify = ps[0].upload, ps[0].verify
	}
	if err := c.put(ctx, p.Object, up, open); err != nil {
		return false, err
	}
	if verify == nil {
		return false, nil
	}
	return true, c.verify(ctx, p.Object, verify)
}

// put sends the object's bytes to the upload action's href.
func (c *Client) put(ctx context.Context, o Object, a *action, open func(Object) (io.ReadCloser, error)) error {
	target, err := url.Parse(a.Href)
	if err != nil {
		return fmt.Errorf("lfs: upload %s: bad href: %w", o.describe(), err)
	}
	what := fmt.Sprintf("upload %s to %s", o.describe(), redact(target))
	resp, err := c.do(ctx, what, func() (*http.Request, error) {
		body, err := open(o)
		if err != nil {
			return nil, err
		}
		if o.Size == 0 {
			// A non-nil body with ContentLength 0 would be sent chunked.
			body.Close()
			body = http.NoBody
		}
		r, err := http.NewRequest(http.MethodPut, target.String(), body)
		if err != nil {
			body.Close()
			return nil, err
		}
		r.ContentLength = o.Size
		r.GetBody = func() (io.ReadCloser, error) { return open(o) }
		c.actionHeaders(r, a, target)
		if r.Header.Get("Content-Type") == "" {
			r.Header.Set("Content-Type", "application/octet-stream")
		}
		return r, nil
	})
	if err != nil {
		return err
	}
	defer drain(resp)
	if resp.StatusCode/100 != 2 {
		return c.statusError(what, resp)
	}
	return nil
}

// verify asks the server to confirm that it holds the uploaded object.
func (c *Client) verify(ctx context.Context, o Object, a *action) error {
	target, err := url.Parse(a.Href)
	if err != nil {
		return fmt.Errorf("lfs: verify %s: bad href: %w", o.describe(), err)
	}
	body, err := json.Marshal(batchObject{OID: o.OID, Size: o.Size})
	if err != nil {
		return fmt.Errorf("lfs: verify %s: %w", o.describe(), err)
	}
	what := fmt.Sprintf("verify %s at %s", o.describe(), redact(target))
	resp, err := c.do(ctx, what, func() (*http.Request, error) {
		r, err := http.NewRequest(http.MethodPost, target.String(), bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		c.actionHeaders(r, a, target)
		r.Header.Set("Accept", MediaType)
		r.Header.Set("Content-Type", MediaType)
		return r, nil
	})
	if err != nil {
		return err
	}
	defer drain(resp)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%w: the upload did not arrive intact", c.statusError(what, resp))
	}
	return nil
}

// actionHeaders sets the headers the server put in an action. Our own
// credentials go along only when the action brings no Authorization of its
// own and points back at the LFS server itself: a storage service's signed
// href must not receive the LFS token.
func (c *Client) actionHeaders(r *http.Request, a *action, target *url.URL) {
	for k, v := range a.Header {
		r.Header.Set(k, v)
	}
	if r.Header.Get("Authorization") == "" && sameOrigin(target, c.endpoint) {
		c.creds.set(r.Header)
	}
}

func sameOrigin(a, b *url.URL) bool {
	return a.Scheme == b.Scheme && strings.EqualFold(a.Host, b.Host)
}
