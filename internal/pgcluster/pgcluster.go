// Package pgcluster starts and stops throwaway PostgreSQL clusters: initdb
// into a temporary directory and pg_ctl start on a free loopback port,
// tuned for speed rather than durability (fsync off). It serves the tests
// (through internal/pgtest) and the benchmark command, which both need a
// private server that leaves nothing behind.
//
// It needs the server binaries (Debian's postgresql-15 package puts them
// in DefaultBin). Running as root, it runs them as the postgres user,
// which initdb requires.
package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"scriptsync/internal/loopback"
)

// DefaultBin is where Debian's postgresql-15 package puts the binaries.
const DefaultBin = "/usr/lib/postgresql/15/bin"

// ErrUnavailable is wrapped by Start when there are no server binaries to
// start a cluster with.
var ErrUnavailable = errors.New("pgcluster: no PostgreSQL server")

// Cluster is a PostgreSQL server: a private one that Start created, or an
// existing one that External names.
type Cluster struct {
	admin string     // DSN of a superuser, database postgres
	dir   string     // temporary directory of a private cluster, "" for an external server
	bin   string     // server binaries
	owner *user.User // runs the server binaries when we run as root
}

// External is a server that someone else runs; admin is the DSN of a user
// allowed to create databases. Stop leaves it running.
func External(admin string) *Cluster { return &Cluster{admin: admin} }

// Start creates and starts a private cluster with the server binaries in
// bin (DefaultBin when empty). Stop stops it and removes its files.
func Start(bin string) (*Cluster, error) {
	if bin == "" {
		bin = DefaultBin
	}
	if _, err := os.Stat(filepath.Join(bin, "pg_ctl")); err != nil {
		return nil, fmt.Errorf("%w: %s/pg_ctl not found", ErrUnavailable, bin)
	}
	c := &Cluster{bin: bin}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("%w: running as root and there is no postgres user to run the server as", ErrUnavailable)
		}
		c.owner = u
	}
	dir, err := os.MkdirTemp("", "scriptsync-pgtest-")
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	c.dir = dir
	if c.owner != nil {
		uid, _ := strconv.Atoi(c.owner.Uid)
		gid, _ := strconv.Atoi(c.owner.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			c.remove()
			return nil, fmt.Errorf("pgcluster: %w", err)
		}
	}
	port, err := loopback.FreePort()
	if err != nil {
		c.remove()
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	data := filepath.Join(dir, "data")
	if err := c.run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"); err != nil {
		c.remove()
		return nil, err
	}
	// The settings trade durability, which a throwaway cluster does not
	// need, for speed.
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100",
		port, dir)
	if err := c.run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60", "-o", opts, "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		c.remove()
		return nil, fmt.Errorf("%w\n%s", err, log)
	}
	c.admin = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	return c, nil
}

// Admin is the DSN of a superuser (of the user External was given), on
// the postgres database.
func (c *Cluster) Admin() string { return c.admin }

// Exec runs one statement as the administrator.
func (c *Cluster) Exec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, c.admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// CreateDatabase creates an empty database and returns its DSN.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) (string, error) {
	if err := c.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("pgcluster: create database: %w", err)
	}
	return WithDatabase(c.admin, name), nil
}

// DropDatabase drops a database, disconnecting whoever is still on it.
func (c *Cluster) DropDatabase(ctx context.Context, name string) error {
	if err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("pgcluster: drop database: %w", err)
	}
	return nil
}

// Stop stops a private cluster and removes its files; it leaves an
// external server alone.
func (c *Cluster) Stop() error {
	if c.dir == "" {
		return nil
	}
	err := c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop")
	c.remove()
	return err
}

// WithDatabase returns dsn (a URL or key=value pairs) with its database
// replaced.
func WithDatabase(dsn, db string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + db
		return u.String()
	}
	return dsn + " dbname=" + db
}

// run runs a server binary, as the postgres user when we are root.
func (c *Cluster) run(name string, args ...string) error {
	path := filepath.Join(c.bin, name)
	cmd := exec.Command(path, args...)
	if c.owner != nil {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	}
	cmd.Dir = os.TempDir()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pgcluster: %s: %w\n%s", name, err, strings.TrimSpace(out.String()))
	}
	return nil
}

func (c *Cluster) remove() {
	os.RemoveAll(c.dir)
}
