package gittest

import (
	"io"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// HTTPServer serves the repositories under Root over git's smart HTTP
// protocol, with push enabled: stock `git http-backend` run through Go's
// net/http/cgi on a loopback httptest server.
type HTTPServer struct {
	// URL is the base URL; a repository Root/x.git is at URL + "/x.git".
	URL  string
	Root string

	srv    *httptest.Server
	stderr lockedBuffer

	mu         sync.Mutex
	user, pass string
	brk        func(*http.Request) bool
	brkAfter   func(*http.Request) bool
	hostile    Hostile
	done       chan struct{} // closed when the test ends: stalls stop
}

// NewHTTPServer starts a server for the repositories under root. It stops
// when the test ends.
func NewHTTPServer(t testing.TB, root string) *HTTPServer {
	t.Helper()
	s := &HTTPServer{Root: root, done: make(chan struct{})}
	backend := &cgi.Handler{
		Path:   GitPath(t),
		Args:   []string{"http-backend"},
		Root:   "/",
		Stderr: &s.stderr,
		Env: append(Env(t),
			"GIT_PROJECT_ROOT="+root,
			"GIT_HTTP_EXPORT_ALL=1",
			// Allow push without REMOTE_USER.
			"GIT_CONFIG_COUNT=1",
			"GIT_CONFIG_KEY_0=http.receivepack",
			"GIT_CONFIG_VALUE_0=true",
		),
	}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		user, pass, brk, brkAfter := s.user, s.pass, s.brk, s.brkAfter
		s.mu.Unlock()
		if s.attack(w, r) {
			return
		}
		if user != "" {
			u, p, ok := r.BasicAuth()
			if !ok || u != user || p != pass {
				w.Header().Set("WWW-Authenticate", `Basic realm="gittest"`)
				http.Error(w, "authentication required", http.StatusUnauthorized)
				return
			}
		}
		if brk != nil && brk(r) {
			breakConnection(w, r)
			return
		}
		if brkAfter != nil && brkAfter(r) {
			// Let git do the work, then lose the answer.
			backend.ServeHTTP(httptest.NewRecorder(), r)
			breakConnection(w, r)
			return
		}
		backend.ServeHTTP(w, r)
	}))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	t.Cleanup(func() { close(s.done) }) // runs first: Close waits for stalled handlers
	return s
}

// RepoURL returns the URL of the repository Root/name.
func (s *HTTPServer) RepoURL(name string) string { return s.URL + "/" + name }

// RequireAuth makes every request need HTTP basic authentication with user
// and pass; an empty user turns the check off.
func (s *HTTPServer) RequireAuth(user, pass string) {
	s.mu.Lock()
	s.user, s.pass = user, pass
	s.mu.Unlock()
}

// Break makes every request for which match returns true fail mid-request:
// the server reads part of the request body and closes the connection
// without answering. A nil match turns it off.
func (s *HTTPServer) Break(match func(*http.Request) bool) {
	s.mu.Lock()
	s.brk = match
	s.mu.Unlock()
}

// BreakAfter makes every request for which match returns true reach git,
// which carries it out, and then closes the connection without the answer:
// the client cannot tell whether its push happened. A nil match turns it
// off.
func (s *HTTPServer) BreakAfter(match func(*http.Request) bool) {
	s.mu.Lock()
	s.brkAfter = match
	s.mu.Unlock()
}

// IsPush reports whether a request is a push (POST .../git-receive-pack).
func IsPush(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/git-receive-pack")
}

// BreakPushes breaks every push (POST .../git-receive-pack) when on.
func (s *HTTPServer) BreakPushes(on bool) {
	if !on {
		s.Break(nil)
		return
	}
	s.Break(IsPush)
}

func breakConnection(w http.ResponseWriter, r *http.Request) {
	// Take part of the request, as a server that dies mid-way would.
	_, _ = io.CopyN(io.Discard, r.Body, 512)
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "gittest: connection broken on purpose", http.StatusBadGateway)
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		http.Error(w, "gittest: connection broken on purpose", http.StatusBadGateway)
		return
	}
	_ = conn.Close()
}
