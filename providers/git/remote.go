package git

import (
	"bufio"
	"compress/zlib"
	"context"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/sideband"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/client"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"

	"scriptsync/internal/netlimit"
	"scriptsync/internal/redact"
	"scriptsync/providers"
)

// Environment variables with credentials for the remote, read through the
// provider Config's Getenv. Credentials in the remote URL take precedence.
const (
	// EnvUsername and EnvPassword are HTTP basic credentials; the password
	// may be a token. The username defaults to "scriptsync" when only a
	// password is set.
	EnvUsername = "SCRIPTSYNC_GIT_USERNAME"
	EnvPassword = "SCRIPTSYNC_GIT_PASSWORD"
	// EnvSSHKey is a private key file for ssh remotes, and
	// EnvSSHKeyPassphrase its passphrase. Without them, ssh uses the agent.
	EnvSSHKey           = "SCRIPTSYNC_GIT_SSH_KEY"
	EnvSSHKeyPassphrase = "SCRIPTSYNC_GIT_SSH_KEY_PASSPHRASE"
)

// remote is the configured remote repository.
type remote struct {
	ep      *transport.Endpoint // without credentials
	display string              // for humans: never has credentials
	secrets []string            // redacted from every error message
	red     *redact.Redactor    // secrets in every form, for every message
	limits  netlimit.Limits

	username, password string // http basic, or ssh password
	sshKey, sshPass    string

	branch plumbing.ReferenceName
	// track is the local ref that keeps the last fetched or pushed remote
	// head (and so its objects) in the local repository.
	track plumbing.ReferenceName
}

var (
	schemeRE = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*)://`)
	scpRE    = regexp.MustCompile(`^(?:([^@/:]+)@)?([^@/:]+):(.*)$`)
	// scpPasswordRE is user:pass@host:path, an scp-like address that
	// carries a password.
	scpPasswordRE = regexp.MustCompile(`^[^@/:]+:[^@]*@[^@/:]+:`)
)

// newRemote parses the remote attribute. Its errors never repeat the URL,
// which may hold credentials.
func newRemote(raw, dir, branch string, getenv func(string) string) (*remote, error) {
	rm := &remote{
		branch: plumbing.NewBranchReferenceName(branch),
		track:  plumbing.ReferenceName("refs/scriptsync/remote/" + branch),
	}
	switch m := schemeRE.FindStringSubmatch(raw); {
	case m != nil:
		u, err := url.Parse(raw)
		if err != nil {
			return nil, errors.New("the remote is not a valid URL")
		}
		scheme := strings.ToLower(u.Scheme)
		var user, pass string
		hasPass := false
		if u.User != nil {
			user = u.User.Username()
			pass, hasPass = u.User.Password()
		}
		switch scheme {
		case "http", "https":
			if u.Host == "" {
				return nil, fmt.Errorf("the %s remote has no host", scheme)
			}
			rm.username, rm.password = user, pass
			if user != "" && !hasPass {
				// https://TOKEN@host/...: the user part is the secret.
				rm.secrets = append(rm.secrets, user)
			}
		case "ssh":
			if u.Host == "" {
				return nil, errors.New("the ssh remote has no host")
			}
			rm.username, rm.password = user, pass
		case "git":
			if u.User != nil {
				return nil, errors.New("a git:// remote takes no credentials")
			}
			if u.Host == "" {
				return nil, errors.New("the git:// remote has no host")
			}
		case "file":
			if u.User != nil || (u.Host != "" && u.Host != "localhost") {
				return nil, errors.New("a file:// remote names a local path: file:///path/to/repo.git")
			}
			if !filepath.IsAbs(u.Path) {
				return nil, errors.New("a file:// remote needs an absolute path: file:///path/to/repo.git")
			}
		default:
			return nil, fmt.Errorf("the remote's scheme %q is not supported; use https, http, ssh, git or file", scheme)
		}
		if pass != "" {
			rm.secrets = append(rm.secrets, pass, url.QueryEscape(pass), url.PathEscape(pass))
		}
		clean := *u
		clean.User = nil
		if scheme == "ssh" && user != "" {
			clean.User = url.User(user) // a login name, not a secret; ssh needs it
		}
		for _, vs := range u.Query() {
			rm.secrets = append(rm.secrets, vs...) // ?private_token=...
		}
		shown := clean
		shown.RawQuery, shown.Fragment = "", ""
		rm.display = shown.String()
		ep, err := transport.NewEndpoint(clean.String())
		if err != nil {
			return nil, errors.New("the remote is not a valid URL")
		}
		rm.ep = ep
	case scpPasswordRE.MatchString(raw):
		// user:pass@host:path is no address ssh understands; whatever it
		// is, the part before the @ holds a password, so it is not shown.
		return nil, fmt.Errorf("the remote looks like an scp-like address with a password (user:password@host:path), which ssh does not accept; use ssh://user@host/path with %s, or an ssh key (%s)", EnvPassword, EnvSSHKey)
	case scpRE.MatchString(raw) && !filepath.IsAbs(raw) && !strings.HasPrefix(raw, "."):
		// user@host:path, as ssh and git understand it.
		ep, err := transport.NewEndpoint(raw)
		if err != nil || ep.Protocol != "ssh" {
			return nil, errors.New("the remote is not a valid scp-like ssh address (user@host:path)")
		}
		rm.ep, rm.display = ep, redact.Text(raw)
	default:
		path := raw
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		ep, err := transport.NewEndpoint(path)
		if err != nil {
			return nil, errors.New("the remote is not a valid path")
		}
		rm.ep, rm.display = ep, redact.Text(raw)
	}
	if rm.ep.Protocol == "http" || rm.ep.Protocol == "https" {
		if rm.username == "" && rm.password == "" {
			rm.username, rm.password = getenv(EnvUsername), getenv(EnvPassword)
			if rm.password != "" && rm.username == "" {
				rm.username = "scriptsync"
			}
		}
	}
	if rm.ep.Protocol == "ssh" && rm.password == "" {
		rm.sshKey, rm.sshPass = getenv(EnvSSHKey), getenv(EnvSSHKeyPassphrase)
	}
	for _, s := range []string{rm.password, rm.sshPass} {
		if s != "" {
			rm.secrets = append(rm.secrets, s)
		}
	}
	rm.red = redact.New(rm.secrets...)
	rm.red.AddBasic(rm.username, rm.password)
	limits, err := netlimit.FromEnv(getenv)
	if err != nil {
		return nil, err
	}
	rm.limits = limits
	return rm, nil
}

// client is the transport for the remote: for http(s), one with
// scriptsync's deadlines and redirect rules.
func (rm *remote) client() (transport.Transport, error) {
	if rm.ep.Protocol == "http" || rm.ep.Protocol == "https" {
		return githttp.NewClient(netlimit.Client(rm.limits, 2)), nil
	}
	return client.NewClient(rm.ep)
}

// bound limits one exchange with the remote: by the command's network
// budget when its context has one (netlimit.Budget), else by the overall
// deadline alone. The HTTP client bounds each of its requests too; the
// other transports (ssh, git://) have no deadlines of their own.
func (rm *remote) bound(ctx context.Context) (context.Context, func(), error) {
	return netlimit.Bound(ctx, rm.limits)
}

func (rm *remote) auth() (transport.AuthMethod, error) {
	switch rm.ep.Protocol {
	case "http", "https":
		if rm.username == "" && rm.password == "" {
			return nil, nil
		}
		return &githttp.BasicAuth{Username: rm.username, Password: rm.password}, nil
	case "ssh":
		user := rm.ep.User
		if user == "" {
			user = "git"
		}
		switch {
		case rm.password != "":
			return &gitssh.Password{User: user, Password: rm.password}, nil
		case rm.sshKey != "":
			a, err := gitssh.NewPublicKeysFromFile(user, rm.sshKey, rm.sshPass)
			if err != nil {
				return nil, fmt.Errorf("read the ssh key in %s: %w", EnvSSHKey, err)
			}
			return a, nil
		}
	}
	return nil, nil
}

// remoteError is a transport error with every credential removed from its
// text. It matches the error it replaces with errors.Is, but does not
// unwrap to it, so that nothing prints the original by accident.
type remoteError struct {
	msg string
	err error
}

func (e *remoteError) Error() string        { return e.msg }
func (e *remoteError) Is(target error) bool { return errors.Is(e.err, target) }

// fail wraps a transport error for op, without credentials.
func (rm *remote) fail(op string, err error) error {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	switch {
	case errors.Is(err, transport.ErrAuthenticationRequired), errors.Is(err, transport.ErrAuthorizationFailed):
		msg += fmt.Sprintf(" (give credentials in the remote URL or in %s and %s)", EnvUsername, EnvPassword)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), strings.HasSuffix(msg, "EOF"):
		msg = "the connection closed before the exchange finished (" + msg + ")"
	}
	if netlimit.IsBudget(err) {
		msg = err.Error()
	} else if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, netlimit.ErrTotal) || errors.Is(err, netlimit.ErrIdle) {
		msg = "the remote did not answer in time (" + msg + "); the deadlines are set with " + netlimit.EnvHeader + ", " + netlimit.EnvIdle + " and " + netlimit.EnvTotal
	}
	return &remoteError{msg: rm.redact(fmt.Sprintf("git: %s %s: %s", op, rm.display, msg)), err: err}
}

func (rm *remote) redact(s string) string { return rm.red.String(s) }

// overBudget replaces *err, when the command's network budget ran out
// during the exchange, with an error that says so: the transport only
// saw its context cancelled.
func (rm *remote) overBudget(ctx context.Context, op string, err *error) {
	if *err == nil || netlimit.IsBudget(*err) {
		return
	}
	if cause := context.Cause(ctx); netlimit.IsBudget(cause) {
		*err = rm.fail(op, cause)
	}
}

// fetch brings the remote branch's commit into the local repository and
// returns it; the zero hash when the remote has no such branch.
func (rm *remote) fetch(ctx context.Context, r *repo) (plumbing.Hash, error) {
	head, err := rm.fetchHead(ctx, r)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	rm.setTrack(ctx, r, head)
	return head, nil
}

func (rm *remote) fetchHead(ctx context.Context, r *repo) (head plumbing.Hash, err error) {
	ctx, done, err := rm.bound(ctx)
	if err != nil {
		return plumbing.ZeroHash, rm.fail("fetch from", err)
	}
	defer done()
	defer rm.overBudget(ctx, "fetch from", &err)
	auth, err := rm.auth()
	if err != nil {
		return plumbing.ZeroHash, rm.fail("fetch from", err)
	}
	c, err := rm.client()
	if err != nil {
		return plumbing.ZeroHash, rm.fail("fetch from", err)
	}
	s, err := c.NewUploadPackSession(rm.ep, auth)
	if err != nil {
		return plumbing.ZeroHash, rm.fail("fetch from", err)
	}
	defer func() {
		if cerr := s.Close(); cerr != nil && err == nil {
			err = rm.fail("fetch from", cerr)
		}
	}()
	ar, err := s.AdvertisedReferencesContext(ctx)
	if errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, rm.fail("fetch from", err)
	}
	head = ar.References[rm.branch.String()]
	if head.IsZero() || r.has(head) {
		return head, nil
	}

	req := packp.NewUploadPackRequestFromCapabilities(ar.Capabilities)
	// A thin pack would need objects outside it; the pack is stored as is.
	req.Capabilities.Delete(capability.ThinPack)
	if ar.Capabilities.Supports(capability.NoProgress) {
		_ = req.Capabilities.Set(capability.NoProgress)
	}
	req.Wants = []plumbing.Hash{head}
	for _, ref := range []plumbing.ReferenceName{rm.track, rm.branch} {
		if h, err := readRef(r.gitDir, ref); err == nil && !h.IsZero() && r.has(h) {
			req.Haves = append(req.Haves, h)
		}
	}
	resp, err := s.UploadPack(ctx, req)
	if err != nil {
		return plumbing.ZeroHash, rm.fail("fetch from", err)
	}
	defer resp.Close()
	var pack io.Reader = resp
	switch {
	case req.Capabilities.Supports(capability.Sideband64k):
		pack = sideband.NewDemuxer(sideband.Sideband64k, resp)
	case req.Capabilities.Supports(capability.Sideband):
		pack = sideband.NewDemuxer(sideband.Sideband, resp)
	}
	if err := packfile.UpdateObjectStorage(r.st, pack); err != nil {
		return plumbing.ZeroHash, rm.fail("fetch from", err)
	}
	if !r.has(head) {
		return plumbing.ZeroHash, rm.fail("fetch from", fmt.Errorf("the remote did not send commit %s", head))
	}
	return head, nil
}

// setTrack records the remote head locally. It is a cache: losing a race
// with another process is harmless.
func (rm *remote) setTrack(ctx context.Context, r *repo, h plumbing.Hash) {
	cur, err := readRef(r.gitDir, rm.track)
	if err != nil || cur == h {
		return
	}
	_ = casRef(ctx, r.gitDir, rm.track, cur, h, 0)
}

// push moves the remote branch from old to new (zero new: deletes it),
// with lease: the branch must be at old, both when the remote advertises
// it and when its receive-pack updates it, so a concurrent push makes this
// one fail with an error wrapping providers.ErrConflict. send says whether
// the objects of new that old lacks must be sent.
func (rm *remote) push(ctx context.Context, r *repo, old, new plumbing.Hash, send bool) (err error) {
	ctx, release, err := rm.bound(ctx)
	if err != nil {
		return rm.fail("push to", err)
	}
	defer release()
	defer rm.overBudget(ctx, "push to", &err)
	auth, err := rm.auth()
	if err != nil {
		return rm.fail("push to", err)
	}
	c, err := rm.client()
	if err != nil {
		return rm.fail("push to", err)
	}
	s, err := c.NewReceivePackSession(rm.ep, auth)
	if err != nil {
		return rm.fail("push to", err)
	}
	defer func() {
		if cerr := s.Close(); cerr != nil && err == nil {
			err = rm.fail("push to", cerr)
		}
	}()
	ar, err := s.AdvertisedReferencesContext(ctx)
	if err != nil {
		return rm.fail("push to", err)
	}
	if cur := ar.References[rm.branch.String()]; cur != old {
		return fmt.Errorf("git: push to %s: branch %s is at %s there, not at %s as read (someone else pushed): %w",
			rm.display, strings.TrimPrefix(rm.branch.String(), "refs/heads/"), shortHash(cur), shortHash(old), providers.ErrConflict)
	}
	if new.IsZero() && !ar.Capabilities.Supports(capability.DeleteRefs) {
		return fmt.Errorf("git: push to %s: the remote does not allow deleting a branch", rm.display)
	}

	req := packp.NewReferenceUpdateRequestFromCapabilities(ar.Capabilities)
	req.Commands = []*packp.Command{{Name: rm.branch, Old: old, New: new}}
	var done chan error
	if !new.IsZero() {
		var objs []plumbing.Hash
		if send {
			if objs, err = objectsToPush(r, old, new); err != nil {
				return err
			}
		}
		pr, pw := io.Pipe()
		done = make(chan error, 1)
		go func() {
			err := writePackStream(pw, r, objs)
			_ = pw.CloseWithError(err)
			done <- err
		}()
		req.Packfile = pr
		defer pr.Close()
	}
	status, err := s.ReceivePack(ctx, req)
	if done != nil {
		_ = req.Packfile.Close()
		if perr := <-done; perr != nil && err == nil && !errors.Is(perr, io.ErrClosedPipe) {
			err = perr
		}
	}
	if err == nil && status != nil {
		err = status.Error()
	}
	if err != nil {
		if status != nil && status.Error() != nil {
			// receive-pack refuses a command whose old value is stale; tell
			// that apart from other refusals by looking again.
			if cur, lerr := rm.head(ctx); lerr == nil && cur != old {
				return fmt.Errorf("git: push to %s: the branch moved on the remote while pushing (%s): %w",
					rm.display, rm.redact(err.Error()), providers.ErrConflict)
			}
			if new.IsZero() && strings.Contains(err.Error(), "current branch") {
				return fmt.Errorf("git: push to %s: the remote refuses to delete its current branch %s (receive.denyDeleteCurrent); "+
					"it keeps commit %s, and the next apply builds on it", rm.display, rm.branch.Short(), shortHash(old))
			}
		}
		return rm.fail("push to", err)
	}
	rm.setTrack(ctx, r, new)
	return nil
}

// head returns the remote branch's commit without fetching it.
func (rm *remote) head(ctx context.Context) (h plumbing.Hash, err error) {
	ctx, done, err := rm.bound(ctx)
	if err != nil {
		return plumbing.ZeroHash, rm.fail("list", err)
	}
	defer done()
	defer rm.overBudget(ctx, "list", &err)
	auth, err := rm.auth()
	if err != nil {
		return plumbing.ZeroHash, rm.fail("list", err)
	}
	c, err := rm.client()
	if err != nil {
		return plumbing.ZeroHash, rm.fail("list", err)
	}
	s, err := c.NewUploadPackSession(rm.ep, auth)
	if err != nil {
		return plumbing.ZeroHash, rm.fail("list", err)
	}
	defer func() {
		if cerr := s.Close(); cerr != nil && err == nil {
			err = rm.fail("list", cerr)
		}
	}()
	ar, err := s.AdvertisedReferencesContext(ctx)
	if errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, rm.fail("list", err)
	}
	return ar.References[rm.branch.String()], nil
}

// objectsToPush lists the objects of commit new that a repository at old
// lacks: the commit, and the trees and blobs that differ between the two
// trees.
func objectsToPush(r *repo, old, new plumbing.Hash) ([]plumbing.Hash, error) {
	newTree, err := r.commitTree(new)
	if err != nil {
		return nil, err
	}
	var oldTree plumbing.Hash
	if !old.IsZero() {
		if oldTree, err = r.commitTree(old); err != nil {
			return nil, err
		}
	}
	out := []plumbing.Hash{new}
	seen := map[plumbing.Hash]bool{new: true}
	if err := diffTrees(r, oldTree, newTree, seen, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func diffTrees(r *repo, old, new plumbing.Hash, seen map[plumbing.Hash]bool, out *[]plumbing.Hash) error {
	if old == new || seen[new] {
		return nil
	}
	seen[new] = true
	*out = append(*out, new)
	newData, err := r.readTyped(new, plumbing.TreeObject)
	if err != nil {
		return err
	}
	newEntries, err := parseTree(newData)
	if err != nil {
		return fmt.Errorf("git: tree %s: %w", new, err)
	}
	oldEntries := map[string]*treeEntry{}
	if !old.IsZero() {
		oldData, err := r.readTyped(old, plumbing.TreeObject)
		if err != nil {
			return err
		}
		if oldEntries, err = parseTree(oldData); err != nil {
			return fmt.Errorf("git: tree %s: %w", old, err)
		}
	}
	for name, e := range newEntries {
		o := oldEntries[name]
		if o != nil && o.hash == e.hash {
			continue
		}
		switch {
		case e.isTree():
			var ot plumbing.Hash
			if o != nil && o.isTree() {
				ot = o.hash
			}
			if err := diffTrees(r, ot, e.hash, seen, out); err != nil {
				return err
			}
		case e.mode == "160000": // a submodule's commit is not ours to send
		case !seen[e.hash]:
			seen[e.hash] = true
			*out = append(*out, e.hash)
		}
	}
	return nil
}

// writePackStream writes the objects as a packfile to w.
func writePackStream(w io.Writer, r *repo, objs []plumbing.Hash) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	sum := sha1.New()
	mw := io.MultiWriter(bw, sum)
	hdr := []byte{'P', 'A', 'C', 'K', 0, 0, 0, 2, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(hdr[8:], uint32(len(objs)))
	if _, err := mw.Write(hdr); err != nil {
		return err
	}
	zw, _ := zlib.NewWriterLevel(mw, compression)
	var eh [16]byte
	for _, h := range objs {
		t, data, err := r.readObject(h)
		if err != nil {
			return err
		}
		if _, err := mw.Write(packEntryHeader(eh[:0], t, len(data))); err != nil {
			return err
		}
		zw.Reset(mw)
		if _, err := zw.Write(data); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
	}
	if _, err := bw.Write(sum.Sum(nil)); err != nil {
		return err
	}
	return bw.Flush()
}
