// Package pgtest gives tests a throwaway PostgreSQL database.
//
// With SCRIPTSYNC_TEST_POSTGRES_DSN set, tests use that server (the DSN of a
// user allowed to create databases). Otherwise the first test that asks for
// a database starts a private cluster: initdb into a temporary directory and
// pg_ctl start on a free loopback port, with the server binaries of
// /usr/lib/postgresql/15/bin (SCRIPTSYNC_TEST_POSTGRES_BIN overrides it),
// run as the postgres user when the tests run as root. One cluster serves
// the whole test binary; each test gets a fresh database, dropped when it
// ends. A package that uses pgtest calls Run from its TestMain, so that the
// cluster is stopped and removed at the end:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }
//
// Without a server, tests skip with a message that says how to enable them;
// when CI=true they fail instead.
package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN names the variable that points the tests at an existing server.
const EnvDSN = "SCRIPTSYNC_TEST_POSTGRES_DSN"

// EnvBin names the variable that overrides the server binaries' directory.
const EnvBin = "SCRIPTSYNC_TEST_POSTGRES_BIN"

// DefaultBin is where Debian's postgresql-15 package puts the binaries.
const DefaultBin = "/usr/lib/postgresql/15/bin"

// errUnavailable means there is no server and none can be started.
var errUnavailable = errors.New("pgtest: no PostgreSQL server")

type cluster struct {
	admin string // DSN of a superuser, database postgres
	dir   string // temporary directory of a private cluster, "" for an external server
	bin   string
	owner *user.User // runs the server binaries when the tests run as root
}

var (
	mu      sync.Mutex
	shared  *cluster
	failed  error
	counter atomic.Int64
)

// Run runs the tests, then stops and removes the private cluster if one
// was started. It returns m.Run's exit code.
func Run(m *testing.M) int {
	code := m.Run()
	mu.Lock()
	defer mu.Unlock()
	if shared != nil {
		if err := shared.stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		shared = nil
	}
	return code
}

// NewDatabase returns the DSN (a postgres:// URL) of a new, empty database
// that is dropped when t ends. Without a server it skips t, or fails it
// when CI=true.
func NewDatabase(t testing.TB) string {
	t.Helper()
	c, err := get()
	if err != nil {
		if errors.Is(err, errUnavailable) && os.Getenv("CI") != "true" {
			t.Skipf("%v; install postgresql-15 (apt-get install postgresql-15) or set %s to the DSN of a server", err, EnvDSN)
		}
		t.Fatal(err)
	}
	name := fmt.Sprintf("scriptsync_test_%d_%d", os.Getpid(), counter.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := c.exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database: %v", err)
		}
	})
	return withDatabase(c.admin, name)
}

// Admin returns the DSN of a superuser on the test server, for tests that
// need to act as an administrator (create roles, terminate backends).
func Admin(t testing.TB) string {
	t.Helper()
	c, err := get()
	if err != nil {
		t.Skip(err)
	}
	return c.admin
}

// withDatabase returns dsn with its database replaced.
func withDatabase(dsn, db string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + db
		return u.String()
	}
	return dsn + " dbname=" + db
}

func get() (*cluster, error) {
	mu.Lock()
	defer mu.Unlock()
	if shared != nil || failed != nil {
		return shared, failed
	}
	if dsn := os.Getenv(EnvDSN); dsn != "" {
		shared = &cluster{admin: dsn}
		return shared, nil
	}
	shared, failed = start()
	return shared, failed
}

func (c *cluster) exec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, c.admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// start creates and starts a private cluster.
func start() (*cluster, error) {
	bin := os.Getenv(EnvBin)
	if bin == "" {
		bin = DefaultBin
	}
	if _, err := os.Stat(filepath.Join(bin, "pg_ctl")); err != nil {
		return nil, fmt.Errorf("%w: %s/pg_ctl not found", errUnavailable, bin)
	}
	c := &cluster{bin: bin}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("%w: running as root and there is no postgres user to run the server as", errUnavailable)
		}
		c.owner = u
	}
	dir, err := os.MkdirTemp("", "scriptsync-pgtest-")
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	c.dir = dir
	if c.owner != nil {
		uid, _ := strconv.Atoi(c.owner.Uid)
		gid, _ := strconv.Atoi(c.owner.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			c.remove()
			return nil, fmt.Errorf("pgtest: %w", err)
		}
	}
	port, err := freePort()
	if err != nil {
		c.remove()
		return nil, fmt.Errorf("pgtest: %w", err)
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

// run runs a server binary, as the postgres user when we are root.
func (c *cluster) run(name string, args ...string) error {
	path := filepath.Join(c.bin, name)
	cmd := exec.Command(path, args...)
	if c.owner != nil {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	}
	cmd.Dir = os.TempDir()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pgtest: %s: %w\n%s", name, err, strings.TrimSpace(out.String()))
	}
	return nil
}

func (c *cluster) stop() error {
	if c.dir == "" {
		return nil
	}
	err := c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop")
	c.remove()
	return err
}

func (c *cluster) remove() {
	os.RemoveAll(c.dir)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
