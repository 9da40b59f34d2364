// Package lfstest is a Git LFS server for tests: the Batch API (upload and
// download), basic transfers (PUT and GET), verify and an empty locking
// API, on loopback, with objects on disk, optional authentication, and
// faults that can be switched on to test how clients fail.
//
// It serves any path prefix that ends in /info/lfs (and any other prefix),
// so a test can point the stock git-lfs client (lfs.url), scriptsync's lfs
// provider (url) or a derived <remote>/info/lfs endpoint at it.
//
// A correct server is the default: it stores an upload only when its
// SHA-256 and size match the oid, and it reports an object as present only
// when it holds all of it. The faults make it misbehave on purpose.
package lfstest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// MediaType is the Batch API's content type.
const MediaType = "application/vnd.git-lfs+json"

// Fault is a way the server misbehaves. Inject arms one for a number of
// matching requests.
type Fault int

const (
	// BatchError500 answers batch requests with 500.
	BatchError500 Fault = iota
	// BatchTooMany answers batch requests with 429 and the Retry-After
	// value set by SetRetryAfter.
	BatchTooMany
	// WrongOID answers a batch request for an oid that was not asked for,
	// in place of the first object.
	WrongOID
	// MissingObject leaves the first object out of a batch answer.
	MissingObject
	// ObjectError answers the first object of a batch request with a
	// per-object error (422).
	ObjectError
	// UploadError500 answers an upload (PUT) with 500 and keeps nothing.
	UploadError500
	// UploadTooMany answers an upload (PUT) with 429 and Retry-After.
	UploadTooMany
	// TruncateUpload keeps only the first half of an upload but answers
	// 200, as a broken server or proxy might.
	TruncateUpload
	// CutUpload reads half of an upload and then drops the connection
	// without answering.
	CutUpload
	// VerifyFail answers verify with 422 and discards the object.
	VerifyFail
	numFaults
)

var faultNames = [...]string{"BatchError500", "BatchTooMany", "WrongOID", "MissingObject", "ObjectError",
	"UploadError500", "UploadTooMany", "TruncateUpload", "CutUpload", "VerifyFail"}

func (f Fault) String() string {
	if f >= 0 && f < numFaults {
		return faultNames[f]
	}
	return "Fault(" + strconv.Itoa(int(f)) + ")"
}

// Stats counts the requests the server has handled, faults included.
type Stats struct {
	Batch, Upload, Download, Verify int
	// MaxParallelUploads is the most uploads that were in progress at once.
	MaxParallelUploads int
	// Objects are the oids of the objects asked for in batch requests, in
	// order, with repeats.
	Objects []string
}

// Server is a running test LFS server.
type Server struct {
	// URL is the server's root, http://127.0.0.1:port.
	URL string
	// Endpoint is a conventional LFS endpoint on it:
	// URL + "/repo.git/info/lfs".
	Endpoint string

	dir         string
	srv         *httptest.Server
	actionToken string // required on every action request
	closed      chan struct{}
	closeOnce   sync.Once

	mu         sync.Mutex
	faults     [numFaults]int // remaining count; negative: always
	retryAfter string
	latency    time.Duration
	noVerify   bool
	username   string
	password   string
	token      string
	stats      Stats
	uploading  int
	hostile    Hostile
}

// New starts a server that stores objects under dir. Close stops it.
func New(dir string) (*Server, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o755); err != nil {
		return nil, fmt.Errorf("lfstest: %w", err)
	}
	var tok [16]byte
	if _, err := rand.Read(tok[:]); err != nil {
		return nil, fmt.Errorf("lfstest: %w", err)
	}
	s := &Server{dir: dir, actionToken: hex.EncodeToString(tok[:]), retryAfter: "1", closed: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.srv.URL
	s.Endpoint = s.URL + "/repo.git/info/lfs"
	return s, nil
}

// Start starts a server in a temporary directory of tb and stops it when
// the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s, err := New(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server, cutting open connections.
func (s *Server) Close() {
	// Handlers sleeping in SetLatency may not notice a client that left
	// (the server only watches a connection once the body is read).
	s.closeOnce.Do(func() { close(s.closed) })
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Inject arms fault f for the next times matching requests; times < 0
// arms it until Reset.
func (s *Server) Inject(f Fault, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[f] = times
}

// Reset disarms every fault and removes the latency.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = [numFaults]int{}
	s.latency = 0
}

// SetRetryAfter sets the Retry-After value of 429 answers: seconds or an
// HTTP date ("1" by default; "" sends none).
func (s *Server) SetRetryAfter(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retryAfter = v
}

// SetLatency delays every answer by d, as a slow server would.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// SetVerify sets whether upload answers offer a verify action (they do by
// default).
func (s *Server) SetVerify(offer bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noVerify = !offer
}

// RequireBasicAuth makes batch requests need HTTP basic credentials.
func (s *Server) RequireBasicAuth(username, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.username, s.password, s.token = username, password, ""
}

// RequireToken makes batch requests need "Authorization: Bearer token".
func (s *Server) RequireToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.username, s.password, s.token = "", "", token
}

// Stats returns the request counts so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Objects = append([]string(nil), s.stats.Objects...)
	return st
}

// Has reports whether the server holds all of object oid, as its batch
// answers would.
func (s *Server) Has(oid string) bool {
	data, err := s.Object(oid)
	return err == nil && sha256Hex(data) == oid
}

// Object returns what the server stored for oid, which after a
// TruncateUpload fault is not the object.
func (s *Server) Object(oid string) ([]byte, error) {
	if !validOID(oid) {
		return nil, fmt.Errorf("lfstest: invalid oid %q", oid)
	}
	data, err := os.ReadFile(s.path(oid))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, oid)
	}
	return data, err
}

// Add stores data as an object, as if a client had uploaded it, and
// returns its oid.
func (s *Server) Add(data []byte) (string, error) {
	oid := sha256Hex(data)
	tmp, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "add-*")
	if err != nil {
		return "", err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return oid, s.install(tmp.Name(), oid)
}

// OIDs lists the objects the server stores, complete or not, sorted.
func (s *Server) OIDs() []string {
	var out []string
	filepath.WalkDir(filepath.Join(s.dir, "objects"), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && validOID(d.Name()) {
			out = append(out, d.Name())
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func (s *Server) path(oid string) string {
	return filepath.Join(s.dir, "objects", oid[:2], oid[2:4], oid)
}

func (s *Server) install(tmp, oid string) error {
	dst := s.path(oid)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, dst)
}

// present reports whether the server holds all size bytes of oid. It
// checks the size only: uploads are hashed on arrival, and the one way to
// get a short file is TruncateUpload.
func (s *Server) present(oid string, size int64) bool {
	st, err := os.Stat(s.path(oid))
	return err == nil && st.Size() == size
}

// fire consumes one shot of fault f and reports whether it fires.
func (s *Server) fire(f Fault) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch n := s.faults[f]; {
	case n == 0:
		return false
	case n > 0:
		s.faults[f] = n - 1
	}
	return true
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	latency := s.latency
	if r.Method == http.MethodPut {
		s.uploading++
		s.stats.MaxParallelUploads = max(s.stats.MaxParallelUploads, s.uploading)
		defer func() {
			s.mu.Lock()
			s.uploading--
			s.mu.Unlock()
		}()
	}
	s.mu.Unlock()
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		case <-s.closed:
			return
		}
	}
	path := r.URL.Path
	i := strings.LastIndex(path, "/objects/")
	j := strings.LastIndex(path, "/locks")
	switch {
	case i >= 0 && path[i:] == "/objects/batch" && r.Method == http.MethodPost:
		s.batch(w, r, path[:i])
	case i >= 0 && path[i:] == "/objects/verify" && r.Method == http.MethodPost:
		s.verify(w, r)
	case i >= 0 && r.Method == http.MethodPut:
		s.upload(w, r, path[i+len("/objects/"):])
	case i >= 0 && r.Method == http.MethodGet:
		s.download(w, r, path[i+len("/objects/"):])
	case j >= 0 && s.authorized(w, r):
		// git-lfs checks locks before a push; nothing is ever locked.
		w.Header().Set("Content-Type", MediaType)
		if r.Method == http.MethodGet {
			io.WriteString(w, `{"locks":[]}`)
		} else {
			io.WriteString(w, `{"ours":[],"theirs":[]}`)
		}
	default:
		writeError(w, http.StatusNotFound, "no such LFS route: "+r.Method+" "+path)
	}
}

// authorized checks batch credentials, answering 401 when they are wrong.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	user, pass, token := s.username, s.password, s.token
	s.mu.Unlock()
	switch {
	case token != "":
		if r.Header.Get("Authorization") == "Bearer "+token {
			return true
		}
	case user != "" || pass != "":
		if u, p, ok := r.BasicAuth(); ok && u == user && p == pass {
			return true
		}
	default:
		return true
	}
	w.Header().Set("LFS-Authenticate", `Basic realm="lfstest"`)
	writeError(w, http.StatusUnauthorized, "Credentials needed")
	return false
}

// actionAllowed checks the header the server put in its actions, so tests
// see that clients send action headers.
func (s *Server) actionAllowed(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("X-Lfstest-Action") != s.actionToken {
		writeError(w, http.StatusForbidden, "missing or wrong action header")
		return false
	}
	return true
}

type (
	batchRequest struct {
		Operation string   `json:"operation"`
		Transfers []string `json:"transfers"`
		Objects   []struct {
			OID  string `json:"oid"`
			Size int64  `json:"size"`
		} `json:"objects"`
		HashAlgo string `json:"hash_algo"`
	}
	action struct {
		Href      string            `json:"href"`
		Header    map[string]string `json:"header,omitempty"`
		ExpiresIn int               `json:"expires_in,omitempty"`
	}
	objectError struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	responseObject struct {
		OID           string             `json:"oid"`
		Size          int64              `json:"size"`
		Authenticated bool               `json:"authenticated,omitempty"`
		Actions       map[string]*action `json:"actions,omitempty"`
		Error         *objectError       `json:"error,omitempty"`
	}
)

func (s *Server) batch(w http.ResponseWriter, r *http.Request, prefix string) {
	s.mu.Lock()
	s.stats.Batch++
	retryAfter, noVerify := s.retryAfter, s.noVerify
	s.mu.Unlock()
	if s.attack(w, r, true) {
		return
	}
	if !s.authorized(w, r) {
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, MediaType) {
		writeError(w, http.StatusUnsupportedMediaType, "Content-Type must be "+MediaType)
		return
	}
	var req batchRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 10<<20)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "malformed batch request")
		return
	}
	s.mu.Lock()
	for _, o := range req.Objects {
		s.stats.Objects = append(s.stats.Objects, o.OID)
	}
	s.mu.Unlock()
	switch {
	case s.fire(BatchError500):
		writeError(w, http.StatusInternalServerError, "injected batch failure")
		return
	case s.fire(BatchTooMany):
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		writeError(w, http.StatusTooManyRequests, "injected rate limit")
		return
	}
	if req.Operation != "upload" && req.Operation != "download" {
		writeError(w, http.StatusUnprocessableEntity, "operation must be upload or download")
		return
	}
	if len(req.Transfers) > 0 && !contains(req.Transfers, "basic") {
		writeError(w, http.StatusUnprocessableEntity, "only the basic transfer adapter is supported")
		return
	}
	if req.HashAlgo != "" && req.HashAlgo != "sha256" {
		writeError(w, http.StatusConflict, "only sha256 is supported")
		return
	}

	base := "http://" + r.Host + prefix + "/objects/"
	header := map[string]string{"X-Lfstest-Action": s.actionToken}
	out := make([]responseObject, 0, len(req.Objects))
	for _, o := range req.Objects {
		ro := responseObject{OID: o.OID, Size: o.Size, Authenticated: true}
		switch {
		case !validOID(o.OID):
			ro.Error = &objectError{Code: 422, Message: "invalid oid"}
		case o.Size < 0:
			ro.Error = &objectError{Code: 422, Message: "invalid size"}
		case req.Operation == "download" && !s.present(o.OID, o.Size):
			ro.Error = &objectError{Code: 404, Message: "Object does not exist"}
		case req.Operation == "download":
			ro.Actions = map[string]*action{"download": {Href: base + o.OID, Header: header, ExpiresIn: 3600}}
		case !s.present(o.OID, o.Size):
			ro.Actions = map[string]*action{"upload": {Href: base + o.OID, Header: header, ExpiresIn: 3600}}
			if !noVerify {
				ro.Actions["verify"] = &action{Href: base + "verify", Header: header, ExpiresIn: 3600}
			}
		}
		out = append(out, ro)
	}
	if len(out) > 0 {
		switch {
		case s.fire(WrongOID):
			out[0].OID = sha256Hex([]byte("not asked for " + out[0].OID))
		case s.fire(MissingObject):
			out = out[1:]
		case s.fire(ObjectError):
			out[0].Actions = nil
			out[0].Error = &objectError{Code: 422, Message: "injected object error"}
		}
	}
	w.Header().Set("Content-Type", MediaType)
	json.NewEncoder(w).Encode(map[string]any{"transfer": "basic", "objects": out, "hash_algo": "sha256"})
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request, oid string) {
	s.mu.Lock()
	s.stats.Upload++
	retryAfter := s.retryAfter
	s.mu.Unlock()
	if !validOID(oid) {
		writeError(w, http.StatusNotFound, "invalid oid")
		return
	}
	if s.attack(w, r, false) {
		return
	}
	if !s.actionAllowed(w, r) {
		return
	}
	switch {
	case s.fire(UploadError500):
		io.Copy(io.Discard, r.Body)
		writeError(w, http.StatusInternalServerError, "injected upload failure")
		return
	case s.fire(UploadTooMany):
		io.Copy(io.Discard, r.Body)
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		writeError(w, http.StatusTooManyRequests, "injected rate limit")
		return
	case s.fire(CutUpload):
		io.CopyN(io.Discard, r.Body, max(r.ContentLength/2, 1))
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		writeError(w, http.StatusInternalServerError, "cannot cut the connection")
		return
	}

	tmp, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "put-*")
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), r.Body)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "reading the upload: "+err.Error())
		return
	}
	if s.fire(TruncateUpload) {
		// Keep a short object under the real name and claim success.
		data, _ := os.ReadFile(tmp.Name())
		short := filepath.Join(s.dir, "tmp", "short-"+oid)
		os.WriteFile(short, data[:len(data)/2], 0o644)
		s.install(short, oid)
		w.WriteHeader(http.StatusOK)
		return
	}
	if r.ContentLength >= 0 && n != r.ContentLength {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("got %d bytes, Content-Length says %d", n, r.ContentLength))
		return
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != oid {
		writeError(w, http.StatusUnprocessableEntity, "content does not hash to the oid")
		return
	}
	if err := s.install(tmp.Name(), oid); err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (s *Server) download(w http.ResponseWriter, r *http.Request, oid string) {
	s.mu.Lock()
	s.stats.Download++
	s.mu.Unlock()
	if !validOID(oid) {
		writeError(w, http.StatusNotFound, "invalid oid")
		return
	}
	if !s.actionAllowed(w, r) {
		return
	}
	f, err := os.Open(s.path(oid))
	if err != nil {
		writeError(w, http.StatusNotFound, "Object does not exist")
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	io.Copy(w, f)
}

func (s *Server) verify(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.stats.Verify++
	s.mu.Unlock()
	if !s.actionAllowed(w, r) {
		return
	}
	var o struct {
		OID  string `json:"oid"`
		Size int64  `json:"size"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&o); err != nil || !validOID(o.OID) {
		writeError(w, http.StatusBadRequest, "malformed verify request")
		return
	}
	if s.fire(VerifyFail) {
		// A server whose verification fails does not keep the object.
		os.Remove(s.path(o.OID))
		writeError(w, http.StatusUnprocessableEntity, "injected verification failure")
		return
	}
	if !s.present(o.OID, o.Size) {
		writeError(w, http.StatusNotFound, "object missing or incomplete")
		return
	}
	w.Header().Set("Content-Type", MediaType)
	w.WriteHeader(http.StatusOK)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", MediaType)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func validOID(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ErrNotFound is returned by Object for an oid the server does not hold.
var ErrNotFound = errors.New("lfstest: object not found")
