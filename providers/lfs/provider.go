package lfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"scriptsync/internal/netlimit"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"scriptsync/library"
	"scriptsync/providers"
)

// Environment variables that carry credentials for the LFS server.
const (
	EnvToken    = "SCRIPTSYNC_LFS_TOKEN"
	EnvUsername = "SCRIPTSYNC_LFS_USERNAME"
	EnvPassword = "SCRIPTSYNC_LFS_PASSWORD"
)

// ObjectType is the Type of every object the provider manages.
const ObjectType = "lfs_object"

func init() {
	providers.Register(providers.Registration{
		Name:       "lfs",
		Order:      providers.OrderObjectStore,
		Commit:     providers.CommitUnreferenced,
		Factory:    New,
		Attributes: []string{"url"},
	})
}

var (
	_ providers.Provider    = (*Provider)(nil)
	_ providers.Initializer = (*Provider)(nil)
	_ providers.Describer   = (*Provider)(nil)
)

// Provider stores embeddings as Git LFS objects. See the package comment.
type Provider struct {
	dir    string // configuration directory
	store  *Store
	remote remote // nil: local store only

	// base is the stamp a transaction's ReadScope was given: the store
	// as the last apply left it, which StampScope moves on by what this
	// apply changed.
	mu   sync.Mutex
	base []byte
}

// remote is where objects go after the local store: a Batch API server
// (*Client) or another repository's local store (fileRemote).
type remote interface {
	// Missing returns the oids among objs that the remote does not hold.
	Missing(ctx context.Context, objs []Object) (map[string]bool, error)
	// Upload makes the remote hold every object; see Client.Upload.
	Upload(ctx context.Context, objs []Object, open func(Object) (io.ReadCloser, error), done func(Object)) error
	// Endpoint names the remote without credentials.
	Endpoint() string
}

// New builds the provider from its configuration block (and the git
// provider's, for the repository path, remote and branch). It validates
// attributes and touches nothing on disk or on the network.
func New(cfg *providers.Config) (providers.Provider, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	for name := range cfg.Attrs {
		if name != "url" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unsupported argument",
				Detail:   fmt.Sprintf("The lfs provider has no argument %q; it accepts only \"url\".", name),
				Subject:  subject(cfg, name),
			})
		}
	}

	gitPath := cfg.Setting("git", "path")
	if !filepath.IsAbs(gitPath) {
		gitPath = filepath.Join(cfg.Dir, gitPath)
	}
	p := &Provider{dir: cfg.Dir, store: NewStore(filepath.Join(gitPath, "lfs"))}

	endpoint, explicit, d := urlAttr(cfg)
	diags = append(diags, d...)
	if diags.HasErrors() {
		return nil, diags
	}
	if !explicit {
		remoteURL := cfg.Setting("git", "remote")
		if remoteURL == "" {
			return p, diags
		}
		var file string
		var err error
		endpoint, file, err = deriveEndpoint(remoteURL)
		if err != nil {
			return nil, append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Cannot derive the LFS server from the git remote",
				Detail:   err.Error() + `; set url in the provider "lfs" block.`,
				Subject:  cfg.PeerRange("git", "remote"),
			})
		}
		if file != "" {
			if !filepath.IsAbs(file) {
				file = filepath.Join(cfg.Dir, file)
			}
			p.remote = &fileRemote{repo: file}
			return p, diags
		}
	}
	if endpoint == "" {
		return p, diags // url = "": local store only
	}

	creds, d := credentials(cfg, endpoint, getenv)
	diags = append(diags, d...)
	if diags.HasErrors() {
		return nil, diags
	}
	limits, err := netlimit.FromEnv(getenv)
	if err != nil {
		return nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid network timeout", Detail: err.Error() + ".", Subject: subject(cfg, "")})
	}
	client, err := NewClient(endpoint, ClientOptions{
		Concurrency: cfg.Parallelism,
		Credentials: creds,
		Ref:         "refs/heads/" + cfg.Setting("git", "branch"),
		Limits:      limits,
	})
	if err != nil {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid lfs url",
			Detail:   strings.TrimPrefix(err.Error(), "lfs: "),
			Subject:  subject(cfg, "url"),
		})
	}
	p.remote = client
	return p, diags
}

// urlAttr reads the url attribute. explicit reports whether the block set
// it (to a string, possibly "" to turn the server off).
func urlAttr(cfg *providers.Config) (endpoint string, explicit bool, diags hcl.Diagnostics) {
	v, ok := cfg.Attrs["url"]
	if !ok || v.IsNull() {
		return "", false, nil
	}
	bad := func(detail string) (string, bool, hcl.Diagnostics) {
		return "", false, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid lfs url",
			Detail:   detail,
			Subject:  subject(cfg, "url"),
		}}
	}
	if !v.IsKnown() {
		return bad("The url must be known when the configuration is loaded.")
	}
	if v.Type() != cty.String {
		return bad(fmt.Sprintf("The url must be a string, not %s.", v.Type().FriendlyName()))
	}
	raw := strings.TrimSpace(v.AsString())
	if raw == "" {
		return "", true, nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad(fmt.Sprintf("The url %s is not an http or https URL, such as https://git.example.com/studio/library.git/info/lfs.", redactRaw(raw)))
	}
	return raw, true, nil
}

// deriveEndpoint turns a git remote into an LFS endpoint the way git-lfs
// does, or into a local repository path (file) for path and file://
// remotes.
func deriveEndpoint(remote string) (endpoint, file string, err error) {
	if u, err := url.Parse(remote); err == nil && u.Scheme != "" && len(u.Scheme) > 1 {
		switch u.Scheme {
		case "http", "https":
			u.Path = lfsPath(u.Path)
			u.RawQuery, u.Fragment = "", ""
			return u.String(), "", nil
		case "ssh", "git", "git+ssh", "ssh+git":
			// git-lfs asks the ssh server for an https endpoint or assumes
			// one on the same host; scriptsync assumes.
			r := url.URL{Scheme: "https", Host: u.Hostname(), Path: lfsPath(u.Path)}
			return r.String(), "", nil
		case "file":
			return "", u.Path, nil
		default:
			return "", "", fmt.Errorf("the git remote's scheme %q has no LFS server", u.Scheme)
		}
	}
	// scp-like syntax: [user@]host:path, as long as no slash comes before
	// the colon (that would be a local path).
	if i := strings.Index(remote, ":"); i > 0 && !strings.Contains(remote[:i], "/") {
		host := remote[:i]
		if at := strings.LastIndex(host, "@"); at >= 0 {
			host = host[at+1:]
		}
		r := url.URL{Scheme: "https", Host: host, Path: lfsPath("/" + strings.TrimPrefix(remote[i+1:], "/"))}
		return r.String(), "", nil
	}
	return "", remote, nil
}

func lfsPath(p string) string {
	p = strings.TrimSuffix(p, "/")
	if !strings.HasSuffix(p, ".git") {
		p += ".git"
	}
	return p + "/info/lfs"
}

// credentials takes them from the URL's user info, or else from the
// environment.
func credentials(cfg *providers.Config, endpoint string, getenv func(string) string) (Credentials, hcl.Diagnostics) {
	if u, err := url.Parse(endpoint); err == nil && u.User != nil {
		pass, _ := u.User.Password()
		return Credentials{Username: u.User.Username(), Password: pass}, nil
	}
	if tok := getenv(EnvToken); tok != "" {
		return Credentials{Token: tok}, nil
	}
	user, pass := getenv(EnvUsername), getenv(EnvPassword)
	if pass != "" && user == "" {
		return Credentials{}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Incomplete LFS credentials",
			Detail:   EnvPassword + " is set but " + EnvUsername + " is not; set both, or " + EnvToken + " for a bearer token.",
			Subject:  subject(cfg, ""),
		}}
	}
	return Credentials{Username: user, Password: pass}, nil
}

// subject is the range of the named attribute, or of the block when the
// attribute was not written (or name is "").
func subject(cfg *providers.Config, name string) *hcl.Range {
	if cfg == nil {
		return nil
	}
	if r, ok := cfg.Ranges[name]; ok && name != "" {
		return &r
	}
	if cfg.DeclRange.Filename != "" {
		r := cfg.DeclRange
		return &r
	}
	return nil
}

// Name implements providers.Provider.
func (p *Provider) Name() string { return "lfs" }

// Desired returns one lfs_object per embedding. Identical vectors get one
// object each (their addresses differ) that share an oid; Apply stores and
// uploads the oid once.
func (p *Provider) Desired(lib *library.Library) ([]*providers.Object, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	objs := make([]*providers.Object, 0, len(lib.Embeddings))
	for _, e := range lib.Embeddings {
		if !validOID(e.OID) || e.Size < 0 || e.Source == "" {
			r := e.Range
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Embedding without a stored vector",
				Detail:   fmt.Sprintf("%s has no valid LFS object id, size and source (oid %q, size %d, source %q); this is a bug in scriptsync's configuration loader.", e.Address, e.OID, e.Size, e.Source),
				Subject:  rangeOrNil(r),
			})
			continue
		}
		objs = append(objs, &providers.Object{
			Address:        e.Address,
			Type:           ObjectType,
			Resource:       e.Resource,
			Hash:           e.OID,
			AttrsFunc:      objectAttrs(e),
			MatchHash:      e.OID,
			PreventDestroy: e.PreventDestroy,
			Size:           e.Size,
			Payload:        e,
			Source:         providers.SourcePath(lib.Dir, e.Source),
		})
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].Address < objs[j].Address })
	return objs, diags
}

func rangeOrNil(r hcl.Range) *hcl.Range {
	if r.Filename == "" {
		return nil
	}
	return &r
}

// Begin opens a transaction. Content-addressed writes need no exclusive
// lock; the shared one only keeps another apply's Finish from removing an
// object this one found stored.
func (p *Provider) Begin(ctx context.Context, opts providers.BeginOptions) (providers.Tx, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	lock, err := lockStore(ctx, p.store.Dir(), false, opts.LockTimeout)
	if errors.Is(err, errLocked) {
		return nil, &providers.LockError{Provider: "lfs", Lock: "lock on the local store " + p.relative(p.store.Dir()), Timeout: opts.LockTimeout, Err: err}
	}
	if err != nil {
		return nil, err
	}
	return &tx{p: p, lock: lock, timeout: opts.LockTimeout}, nil
}

// Init creates the local store. It never contacts the server.
func (p *Provider) Init(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return p.store.Init()
}

// Describe names the local store and the remote, without credentials.
func (p *Provider) Describe() string {
	s := "local store " + p.relative(p.store.ObjectsDir())
	if p.remote != nil {
		s += ", remote " + p.remote.Endpoint()
	}
	return s
}

func (p *Provider) relative(path string) string {
	if rel, err := filepath.Rel(p.dir, path); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return path
}

// Close releases idle connections.
func (p *Provider) Close() error {
	if c, ok := p.remote.(*Client); ok {
		c.CloseIdleConnections()
	}
	return nil
}

// fileRemote is a git remote on the local file system: objects are copied
// into its own LFS store, where git-lfs's standalone file transfer looks for
// them.
type fileRemote struct {
	repo string
}

func (r *fileRemote) store() *Store {
	// A non-bare repository keeps its objects under .git.
	if st, err := os.Stat(filepath.Join(r.repo, ".git")); err == nil && st.IsDir() {
		return NewStore(filepath.Join(r.repo, ".git", "lfs"))
	}
	return NewStore(filepath.Join(r.repo, "lfs"))
}

func (r *fileRemote) Endpoint() string { return r.store().ObjectsDir() }

func (r *fileRemote) Missing(ctx context.Context, objs []Object) (map[string]bool, error) {
	s := r.store()
	missing := map[string]bool{}
	for _, o := range objs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ok, err := s.Has(o.OID, o.Size)
		if err != nil {
			return nil, err
		}
		if !ok {
			missing[o.OID] = true
		}
	}
	return missing, nil
}

func (r *fileRemote) Upload(ctx context.Context, objs []Object, open func(Object) (io.ReadCloser, error), done func(Object)) error {
	// Copying into a path that is not there would create a stray
	// directory where the git push is about to fail anyway.
	if st, err := os.Stat(r.repo); err != nil || !st.IsDir() {
		return fmt.Errorf("lfs: copy objects to the git remote %s: it is not a repository on this machine", r.repo)
	}
	s := r.store()
	for _, o := range dedupe(objs) {
		rc, err := open(o)
		if err != nil {
			return fmt.Errorf("lfs: copy %s to %s: %w", o.describe(), s.ObjectsDir(), err)
		}
		_, err = s.Add(ctx, rc, o.OID, o.Size)
		rc.Close()
		if err != nil {
			return fmt.Errorf("lfs: copy %s to %s: %w", o.describe(), s.ObjectsDir(), err)
		}
		if done != nil {
			done(o)
		}
	}
	return nil
}

// objectAttrs makes an object's attributes when they are shown: a library
// has many vectors, and a plan shows few.
func objectAttrs(e *library.Embedding) func() map[string]any {
	return func() map[string]any {
		return map[string]any{"oid": "sha256:" + e.OID, "size": e.Size, "source": e.Source}
	}
}
