package gittest

import (
	"net/http"
	"time"
)

// Hostile is how the HTTP server attacks its clients, for tests of their
// defences; the zero value is a well-behaved server.
type Hostile struct {
	// Stall accepts the requests it matches and never answers them, not
	// even with headers, until the client gives up.
	Stall func(*http.Request) bool
	// EchoAuth answers every request with 401 whose body repeats the
	// request's Authorization header (the base64 of user:pass) and
	// terminal escape sequences.
	EchoAuth bool
	// RedirectTo answers every request with 307 to this base URL (path
	// and query kept).
	RedirectTo string
	// Latency delays every answer by this much, then answers it: a server
	// that stays just inside each deadline, every time.
	Latency time.Duration
}

// SetHostile arms h.
func (s *HTTPServer) SetHostile(h Hostile) {
	s.mu.Lock()
	s.hostile = h
	s.mu.Unlock()
}

// IsUploadPack reports whether a request is a fetch's upload-pack (POST
// .../git-upload-pack).
func IsUploadPack(r *http.Request) bool {
	return r.Method == http.MethodPost && len(r.URL.Path) > 16 && r.URL.Path[len(r.URL.Path)-16:] == "/git-upload-pack"
}

// attack answers r the hostile way and reports whether it did.
func (s *HTTPServer) attack(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	h := s.hostile
	s.mu.Unlock()
	if h.Latency > 0 {
		select {
		case <-time.After(h.Latency):
		case <-r.Context().Done():
			return true
		case <-s.done:
			return true
		}
	}
	switch {
	case h.RedirectTo != "":
		target := h.RedirectTo + r.URL.Path
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusTemporaryRedirect)
		return true
	case h.EchoAuth:
		w.Header().Set("WWW-Authenticate", `Basic realm="gittest"`)
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte("denied: Authorization: " + r.Header.Get("Authorization") + " \x1b]0;pwned\x07\x1b[2J\n"))
		return true
	case h.Stall != nil && h.Stall(r):
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
		return true
	}
	return false
}
