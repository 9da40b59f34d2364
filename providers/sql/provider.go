package sql

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"scriptsync/providers"
)

func init() {
	providers.Register(providers.Registration{
		Name:       "sql",
		Order:      providers.OrderDatabase,
		Commit:     providers.CommitLast,
		Factory:    New,
		Attributes: []string{"driver", "dsn", "checkout"},
	})
}

var (
	_ providers.Provider        = (*Provider)(nil)
	_ providers.Initializer     = (*Provider)(nil)
	_ providers.Describer       = (*Provider)(nil)
	_ providers.Warmer          = (*Provider)(nil)
	_ providers.Tx              = (*Tx)(nil)
	_ providers.PeerRecorder    = (*Tx)(nil)
	_ providers.VersionReporter = (*Tx)(nil)
)

// DefaultDSN is the SQLite database used when the provider block names none,
// relative to the configuration directory.
const DefaultDSN = "scriptrag.db"

// SchemaVersion is the version of the schema this provider writes.
func (p *Provider) SchemaVersion() string { return strconv.Itoa(schemaVersion) }

// Provider is the SQL provider. It is safe for concurrent use; each Tx
// holds its own connection.
type Provider struct {
	d   dialect
	dir string // configuration directory, the fallback for libDir
	// checkout is where the library's git repository is checked out
	// (absolute), or "": scripts.file_path and script_bibles.file_path name
	// files there (see filePath).
	checkout string

	mu   sync.Mutex
	warm *warmth // the read Warm started, until Read or Tx.Read takes it
}

// New builds the provider from its configuration block. It validates driver
// and dsn and does not touch the database.
func New(cfg *providers.Config) (providers.Provider, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	driver, d := stringAttr(cfg, "driver", "sqlite")
	diags = append(diags, d...)
	dsn, d := stringAttr(cfg, "dsn", "")
	diags = append(diags, d...)
	checkout, d := stringAttr(cfg, "checkout", "")
	diags = append(diags, d...)
	if diags.HasErrors() {
		return nil, diags
	}
	dir := cfg.Dir
	if dir == "" {
		dir = "."
	}
	p := &Provider{dir: dir}
	if checkout != "" {
		if !filepath.IsAbs(checkout) {
			checkout = filepath.Join(dir, checkout)
		}
		p.checkout = absPath(checkout)
	}
	switch driver {
	case "sqlite":
		if dsn == "" {
			dsn = DefaultDSN
		}
		path := dsn
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		p.d = newSQLite(dsn, path)
	case "postgres":
		if dsn == "" {
			return nil, hcl.Diagnostics{attrDiag(cfg, "dsn", "Missing PostgreSQL DSN",
				`The "postgres" driver needs a dsn: a postgres:// URL or a key=value connection string.`)}
		}
		pg, err := newPostgres(dsn)
		if err != nil {
			return nil, hcl.Diagnostics{attrDiag(cfg, "dsn", "Invalid PostgreSQL DSN", err.Error())}
		}
		p.d = pg
	default:
		return nil, hcl.Diagnostics{attrDiag(cfg, "driver", "Unsupported SQL driver",
			fmt.Sprintf(`The driver must be "sqlite" or "postgres", not %q.`, driver))}
	}
	return p, nil
}

// stringAttr reads an optional string attribute of the block.
func stringAttr(cfg *providers.Config, name, def string) (string, hcl.Diagnostics) {
	v, ok := cfg.Attrs[name]
	if !ok || v.IsNull() {
		return def, nil
	}
	if !v.IsKnown() || v.Type() != cty.String {
		return "", hcl.Diagnostics{attrDiag(cfg, name, "Incorrect attribute value type",
			fmt.Sprintf("The %q attribute of the sql provider must be a string.", name))}
	}
	return v.AsString(), nil
}

func attrDiag(cfg *providers.Config, name, summary, detail string) *hcl.Diagnostic {
	diag := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail}
	if _, set := cfg.Attrs[name]; set && cfg.Ranges[name] != (hcl.Range{}) {
		r := cfg.Ranges[name]
		diag.Subject = &r
	} else if r, ok := cfg.Ranges[name]; ok && cfg.DeclRange == (hcl.Range{}) {
		diag.Subject = &r
	} else if cfg.DeclRange != (hcl.Range{}) {
		r := cfg.DeclRange
		diag.Subject = &r
	}
	return diag
}

// Name implements providers.Provider.
func (p *Provider) Name() string { return "sql" }

// Describe names the backend without secrets: "sqlite scriptrag.db",
// "postgres postgres://user@host:5432/db".
func (p *Provider) Describe() string { return p.d.describe() }

// Init creates the database and its schema when they are missing. It is
// idempotent.
func (p *Provider) Init(ctx context.Context) error {
	tx, err := p.Begin(ctx, providers.BeginOptions{})
	if err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// Close releases the provider's connections.
func (p *Provider) Close() error {
	p.stopWarm()
	return p.d.close()
}

// absPath is the absolute path with symbolic links resolved, as Python's
// Path.resolve() gives it to ScriptRAG: its indexer finds a script again by
// that exact string. A path that does not exist (yet) is resolved as far as
// its directory.
func absPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		abs = filepath.Clean(p) // Abs fails only when the working directory is gone
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r
	}
	if r, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(r, filepath.Base(abs))
	}
	return abs
}

// filePath is the file_path ScriptRAG's readers resolve on disk, for a
// script or bible: ScriptRAG stores the absolute path of the file it
// indexed. With a checkout, the file's place in the checked-out repository
// (repoPath); without one (or without a repository path), its source file
// in the configuration (source, relative to libDir). A script with no file (an outline) gets a path that
// names no file, in the same directory, unique by address: file_path is
// NOT NULL UNIQUE.
func filePath(checkout, libDir, source, repoPath, address string) string {
	switch {
	case checkout != "" && repoPath != "":
		return absPath(filepath.Join(checkout, filepath.FromSlash(repoPath)))
	case source != "":
		if filepath.IsAbs(source) {
			return absPath(source)
		}
		return absPath(filepath.Join(libDir, filepath.FromSlash(source)))
	}
	base := checkout
	if base == "" {
		base = absPath(libDir)
	}
	return filepath.Join(base, address+".outline")
}
