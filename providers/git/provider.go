package git

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"scriptsync/providers"
)

// Name is the provider's registry name.
const Name = "git"

// Defaults of the provider block's attributes.
const (
	DefaultPath        = "library.git"
	DefaultBranch      = "main"
	DefaultAuthorName  = "scriptsync"
	DefaultAuthorEmail = "scriptsync@localhost"
)

func init() {
	providers.Register(providers.Registration{
		Name:       Name,
		Order:      providers.OrderRepository,
		Commit:     providers.CommitUndoable,
		Factory:    New,
		Attributes: []string{"path", "branch", "remote", "author"},
		Defaults:   map[string]string{"path": DefaultPath, "branch": DefaultBranch},
	})
}

var (
	_ providers.Provider    = (*Provider)(nil)
	_ providers.Initializer = (*Provider)(nil)
	_ providers.Describer   = (*Provider)(nil)
	_ providers.Warmer      = (*Provider)(nil)
)

// Provider keeps the library's files in a branch of a git repository.
type Provider struct {
	path        string // as configured, for Describe
	dir         string // absolute
	branch      string
	ref         plumbing.ReferenceName
	authorName  string
	authorEmail string
	remote      *remote // nil without a remote

	// now is the commit time; tests replace it.
	now func() time.Time

	mu sync.Mutex
	// shardCache holds the manifest shards the last read decoded, by blob
	// id; its entries are never modified.
	shardCache map[plumbing.Hash][]*manifestEntry
	// warming is closed when the read Warm started is done.
	warming chan struct{}
}

// New builds the provider from its block. It touches nothing on disk.
func New(cfg *providers.Config) (providers.Provider, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	p := &Provider{
		path:        DefaultPath,
		branch:      DefaultBranch,
		authorName:  DefaultAuthorName,
		authorEmail: DefaultAuthorEmail,
		now:         time.Now,
	}
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}

	if s, ok, d := stringAttr(cfg, "path"); d != nil {
		diags = append(diags, d)
	} else if ok {
		if s == "" {
			diags = append(diags, attrDiag(cfg, "path", "Invalid git repository path", "The path must not be empty."))
		} else {
			p.path = s
		}
	}
	p.dir = p.path
	if !filepath.IsAbs(p.dir) {
		p.dir = filepath.Join(cfg.Dir, p.dir)
	}

	if s, ok, d := stringAttr(cfg, "branch"); d != nil {
		diags = append(diags, d)
	} else if ok {
		if err := validBranch(s); err != nil {
			diags = append(diags, attrDiag(cfg, "branch", "Invalid git branch name", err.Error()))
		} else {
			p.branch = s
		}
	}
	p.ref = plumbing.NewBranchReferenceName(p.branch)

	if s, ok, d := stringAttr(cfg, "remote"); d != nil {
		diags = append(diags, d)
	} else if ok && s != "" {
		r, err := newRemote(s, cfg.Dir, p.branch, getenv)
		if err != nil {
			diags = append(diags, attrDiag(cfg, "remote", "Invalid git remote", err.Error()))
		} else {
			p.remote = r
		}
	}

	diags = append(diags, p.author(cfg)...)
	if diags.HasErrors() {
		return nil, diags
	}
	return p, diags
}

// Name implements providers.Provider.
func (p *Provider) Name() string { return Name }

// Close implements providers.Provider. The provider holds nothing open
// between calls.
func (p *Provider) Close() error {
	p.waitWarm()
	return nil
}

// Describe implements providers.Describer. It never shows credentials.
func (p *Provider) Describe() string {
	s := fmt.Sprintf("git %s (branch %s)", p.path, p.branch)
	if p.remote != nil {
		s += " → " + p.remote.display
	}
	return s
}

// Init implements providers.Initializer: it creates the bare repository
// when it is missing.
func (p *Provider) Init(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r, err := openRepo(p.dir, p.branch, true)
	if err != nil {
		return err
	}
	return r.close()
}

// Begin implements providers.Provider. Git takes no lock: the branch moves
// by compare-and-swap in Commit, and opts.LockTimeout bounds how long that
// waits for a ref lock file that another process holds.
func (p *Provider) Begin(ctx context.Context, opts providers.BeginOptions) (providers.Tx, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &tx{p: p, lockTimeout: opts.LockTimeout}, nil
}

func (p *Provider) author(cfg *providers.Config) hcl.Diagnostics {
	v, ok := cfg.Attrs["author"]
	if !ok || v.IsNull() {
		return nil
	}
	bad := func(detail string) hcl.Diagnostics {
		return hcl.Diagnostics{attrDiag(cfg, "author", "Invalid git author", detail)}
	}
	if !v.IsWhollyKnown() {
		return bad("The author must be known when the configuration is read.")
	}
	t := v.Type()
	if !t.IsObjectType() && !t.IsMapType() {
		return bad(`The author must be an object: author = { name = "...", email = "..." }.`)
	}
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		key := k.AsString()
		if key != "name" && key != "email" {
			return bad(fmt.Sprintf("The author has no attribute %q; it takes name and email.", key))
		}
		if e.IsNull() {
			continue
		}
		s, err := convert.Convert(e, cty.String)
		if err != nil {
			return bad(fmt.Sprintf("The author's %s must be a string.", key))
		}
		str := s.AsString()
		if str == "" || strings.ContainsAny(str, "<>\n\x00") {
			return bad(fmt.Sprintf("The author's %s must be non-empty and contain no '<', '>' or newline.", key))
		}
		if key == "name" {
			p.authorName = str
		} else {
			p.authorEmail = str
		}
	}
	return nil
}

// stringAttr reads an optional string attribute. ok is false when it is
// absent or null.
func stringAttr(cfg *providers.Config, name string) (string, bool, *hcl.Diagnostic) {
	v, ok := cfg.Attrs[name]
	if !ok || v.IsNull() {
		return "", false, nil
	}
	if !v.IsKnown() {
		return "", false, attrDiag(cfg, name, "Unknown value", fmt.Sprintf("The %s must be known when the configuration is read.", name))
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil {
		return "", false, attrDiag(cfg, name, "Incorrect attribute value type",
			fmt.Sprintf("The git provider's %s must be a string, not %s.", name, v.Type().FriendlyName()))
	}
	return s.AsString(), true, nil
}

func attrDiag(cfg *providers.Config, name, summary, detail string) *hcl.Diagnostic {
	d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail}
	if r, ok := cfg.Ranges[name]; ok {
		d.Subject = r.Ptr()
	} else if cfg.DeclRange != (hcl.Range{}) {
		d.Subject = cfg.DeclRange.Ptr()
	}
	return d
}

func validBranch(name string) error {
	if name == "" {
		return fmt.Errorf("the branch name must not be empty")
	}
	if strings.HasPrefix(name, "refs/") {
		return fmt.Errorf("give the branch name (%q), not a ref", strings.TrimPrefix(strings.TrimPrefix(name, "refs/"), "heads/"))
	}
	if strings.HasPrefix(name, "-") || strings.HasSuffix(name, "/") {
		return fmt.Errorf("%q is not a valid branch name", name)
	}
	if err := plumbing.NewBranchReferenceName(name).Validate(); err != nil {
		return fmt.Errorf("%q is not a valid branch name", name)
	}
	return nil
}

// SchemaVersion is the version of the manifest format this provider
// writes.
func (p *Provider) SchemaVersion() string { return strconv.Itoa(manifestFormat) }
