package lfstest

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Hostile is how the server attacks its clients, for tests of their
// defences; the zero value is a well-behaved server. Each field applies to
// every batch request (EchoUpload to uploads) until SetHostile changes
// it.
type Hostile struct {
	// RedirectTo answers batch requests with 307 to this URL (path and
	// query kept), as a server that moved, or one that wants the
	// credentials sent somewhere else.
	RedirectTo string
	// Trickle sends the batch answer's headers, then one byte of the body
	// every Trickle, forever: it defeats a per-read idle deadline.
	Trickle time.Duration
	// Stall accepts batch requests and never answers, not even headers.
	Stall bool
	// Echo answers batch requests with 401, and EchoUpload uploads with
	// 403, with a message that repeats the request's Authorization header
	// and the credentials it carries, and terminal escape sequences.
	Echo, EchoUpload bool
}

// SetHostile arms h.
func (s *Server) SetHostile(h Hostile) {
	s.mu.Lock()
	s.hostile = h
	s.mu.Unlock()
}

func (s *Server) hostileMode() Hostile {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hostile
}

// attack answers r the hostile way, and reports whether it did.
func (s *Server) attack(w http.ResponseWriter, r *http.Request, batch bool) bool {
	h := s.hostileMode()
	switch {
	case batch && h.RedirectTo != "":
		target := h.RedirectTo + r.URL.Path
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusTemporaryRedirect)
		return true
	case batch && h.Stall:
		select {
		case <-r.Context().Done():
		case <-s.closed:
		}
		return true
	case batch && h.Trickle > 0:
		w.Header().Set("Content-Type", MediaType)
		w.WriteHeader(http.StatusOK)
		f, _ := w.(http.Flusher)
		t := time.NewTicker(h.Trickle)
		defer t.Stop()
		for {
			if _, err := w.Write([]byte(" ")); err != nil {
				return true
			}
			if f != nil {
				f.Flush()
			}
			select {
			case <-t.C:
			case <-r.Context().Done():
				return true
			case <-s.closed:
				return true
			}
		}
	case batch && h.Echo || !batch && h.EchoUpload:
		status := http.StatusUnauthorized
		if !batch {
			status = http.StatusForbidden
		}
		u, p, _ := r.BasicAuth()
		writeError(w, status, "denied: Authorization: "+r.Header.Get("Authorization")+" user="+u+" password="+p+" \x1b[2J\x1b]0;pwned\x07")
		return true
	}
	return false
}

// Recorder is an HTTP server on loopback that records the Authorization
// headers it receives and answers 404: the other origin of a redirect.
type Recorder struct {
	URL string
	srv *httptest.Server

	mu   sync.Mutex
	auth []string
	hits int
}

// StartRecorder starts a Recorder; it stops with the test.
func StartRecorder(tb testing.TB) *Recorder {
	rec := &Recorder{}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.hits++
		if a := r.Header.Get("Authorization"); a != "" {
			rec.auth = append(rec.auth, a)
		}
		rec.mu.Unlock()
		writeError(w, http.StatusNotFound, "recorder")
	}))
	rec.URL = rec.srv.URL
	tb.Cleanup(rec.srv.Close)
	return rec
}

// Seen returns the requests received and the Authorization headers among
// them.
func (rec *Recorder) Seen() (hits int, auth []string) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.hits, append([]string(nil), rec.auth...)
}
