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
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"scriptsync/internal/needs"
	"scriptsync/internal/pgcluster"
)

// EnvDSN names the variable that points the tests at an existing server.
const EnvDSN = "SCRIPTSYNC_TEST_POSTGRES_DSN"

// EnvBin names the variable that overrides the server binaries' directory.
const EnvBin = "SCRIPTSYNC_TEST_POSTGRES_BIN"

// DefaultBin is where Debian's postgresql-15 package puts the binaries.
const DefaultBin = pgcluster.DefaultBin

var (
	mu      sync.Mutex
	shared  *pgcluster.Cluster
	failed  error
	counter atomic.Int64
)

// Run runs the tests, then stops and removes the private cluster if one
// was started. It returns m.Run's exit code.
func Run(m *testing.M) int {
	code := needs.Run(m)
	mu.Lock()
	defer mu.Unlock()
	if shared != nil {
		if err := shared.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		shared = nil
	}
	return code
}

// Require skips t (or fails it when CI=true) when there is no PostgreSQL
// server. Call it from the test's own goroutine before handing t to code
// that runs elsewhere (a testscript's Setup), where a skip cannot stop
// the test.
func Require(t testing.TB) {
	t.Helper()
	if _, err := get(); err != nil {
		if errors.Is(err, pgcluster.ErrUnavailable) {
			needs.Missing(t, "PostgreSQL", "apt-get install postgresql-15, or set "+EnvDSN+" to the DSN of a server", err)
		}
		t.Fatal(err)
	}
}

// NewDatabase returns the DSN (a postgres:// URL) of a new, empty database
// that is dropped when t ends. Without a server it skips t, or fails it
// when CI=true.
func NewDatabase(t testing.TB) string {
	t.Helper()
	c, err := get()
	if err != nil {
		if errors.Is(err, pgcluster.ErrUnavailable) {
			needs.Missing(t, "PostgreSQL", "apt-get install postgresql-15, or set "+EnvDSN+" to the DSN of a server", err)
		}
		t.Fatal(err)
	}
	name := fmt.Sprintf("scriptsync_test_%d_%d", os.Getpid(), counter.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dsn, err := c.CreateDatabase(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := c.DropDatabase(ctx, name); err != nil {
			t.Error(err)
		}
	})
	return dsn
}

// Admin returns the DSN of a superuser on the test server, for tests that
// need to act as an administrator (create roles, terminate backends).
func Admin(t testing.TB) string {
	t.Helper()
	c, err := get()
	if err != nil {
		t.Skip(err)
	}
	return c.Admin()
}

// withDatabase returns dsn with its database replaced.
func withDatabase(dsn, db string) string { return pgcluster.WithDatabase(dsn, db) }

func get() (*pgcluster.Cluster, error) {
	mu.Lock()
	defer mu.Unlock()
	if shared != nil || failed != nil {
		return shared, failed
	}
	if dsn := os.Getenv(EnvDSN); dsn != "" {
		shared = pgcluster.External(dsn)
		return shared, nil
	}
	shared, failed = pgcluster.Start(os.Getenv(EnvBin))
	return shared, failed
}
