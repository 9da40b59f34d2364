package sql

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/zclconf/go-cty/cty"

	"scriptsync/internal/pgtest"
	"scriptsync/library"
	"scriptsync/providers"
)

func init() {
	postgresBackend = &backend{
		name:        "postgres",
		lockPrefix:  "PostgreSQL advisory lock ",
		namesHolder: true,
		flavor:      flavorPostgres,
		newConfig: func(t testing.TB) *providers.Config {
			return pgConfig(t, pgtest.NewDatabase(t))
		},
	}
}

func pgConfig(t testing.TB, dsn string) *providers.Config {
	return &providers.Config{Name: "sql", Dir: t.TempDir(),
		Attrs: map[string]cty.Value{"driver": cty.StringVal("postgres"), "dsn": cty.StringVal(dsn)}}
}

// pgValues returns a row's values, JSON documents as their text.
func pgValues(t testing.TB, r rows) []any {
	t.Helper()
	vals, err := r.(pgRows).Values()
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vals {
		switch v.(type) {
		case map[string]any, []any:
			b, _ := json.Marshal(v)
			vals[i] = string(b)
		}
	}
	return vals
}

func pgConnect(t testing.TB, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestPostgresDescribe(t *testing.T) {
	for dsn, want := range map[string]string{
		"postgres://ann:hunter2@db.example:6543/library?sslmode=require": "postgres postgres://ann@db.example:6543/library",
		"host=10.1.2.3 port=5433 user=bob password=hunter2 dbname=lib":   "postgres postgres://bob@10.1.2.3:5433/lib",
		"host=/var/run/postgresql user=cy dbname=lib":                    "postgres postgres://cy@localhost:5432/lib?host=/var/run/postgresql",
	} {
		d, err := newPostgres(dsn)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.describe(); got != want {
			t.Errorf("describe(%q) = %q, want %q", dsn, got, want)
		}
		if strings.Contains(d.lockName(), "hunter2") || !strings.HasPrefix(d.lockName(), "PostgreSQL advisory lock ") {
			t.Errorf("lock name %q", d.lockName())
		}
	}
	if _, err := newPostgres("postgres://u:hunter2@h:port/db"); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("malformed DSN: %v", err)
	}
}

func TestPostgresUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dsn := fmt.Sprintf("postgres://ann:hunter2@127.0.0.1:%d/library?connect_timeout=5", port)
	p := postgresBackend.provider(t, pgConfig(t, dsn))
	ctx := context.Background()
	_, readErr := p.Read(ctx, nil)
	_, beginErr := p.Begin(ctx, providers.BeginOptions{})
	want := fmt.Sprintf("sql: cannot connect to postgres://ann@127.0.0.1:%d/library: ", port)
	for _, err := range []error{readErr, beginErr} {
		if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error %v, want %q...", err, want)
		}
		t.Log(err)
	}
}

func TestPostgresMissingDatabase(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	d, _ := newPostgres(dsn)
	d.cfg.Database = "no_such_library"
	p := &Provider{d: d}
	if _, err := p.Read(context.Background(), nil); err == nil || !strings.Contains(err.Error(), `database "no_such_library" does not exist`) {
		t.Errorf("Read: %v", err)
	}
}

func TestPostgresUserWithoutRights(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	admin := pgConnect(t, dsn)
	if _, err := admin.Exec(ctx, "DROP ROLE IF EXISTS scriptsync_reader"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "CREATE ROLE scriptsync_reader LOGIN PASSWORD 'hunter2'"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), pgtest.Admin(t))
		if err == nil {
			c.Exec(context.Background(), "DROP OWNED BY scriptsync_reader")
			c.Exec(context.Background(), "DROP ROLE IF EXISTS scriptsync_reader")
			c.Close(context.Background())
		}
	})
	cfg, _ := pgx.ParseConfig(dsn)
	readerDSN := fmt.Sprintf("postgres://scriptsync_reader:hunter2@%s:%d/%s?sslmode=disable", cfg.Host, cfg.Port, cfg.Database)
	p := postgresBackend.provider(t, pgConfig(t, readerDSN))
	// Reading a database without scriptsync's tables needs no rights.
	if st, err := p.Read(ctx, nil); err != nil || st.Version != "" {
		t.Fatalf("Read: %+v, %v", st, err)
	}
	_, err := p.Begin(ctx, providers.BeginOptions{})
	if err == nil || !strings.Contains(err.Error(), `user "scriptsync_reader" lacks the rights scriptsync needs`) || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Begin: %v", err)
	}
	t.Log(err)
}

func TestPostgresJSONB(t *testing.T) {
	b := postgresBackend
	p := b.open(t)
	apply(t, p, fixture(t, t.TempDir()))
	got := b.strings(t, p, "SELECT metadata->>'content_hash', jsonb_typeof(metadata), pg_typeof(embedding)::text FROM scenes JOIN embeddings ON entity_id = scenes.id LIMIT 1")
	if len(got[0]) != 64 || got[1] != "object" || got[2] != "bytea" {
		t.Errorf("metadata and vector columns: %q", got)
	}
}

// TestPostgresConcurrentApplies starts two applies of different
// configurations at the same moment.
func TestPostgresConcurrentApplies(t *testing.T) {
	ctx := context.Background()
	b := postgresBackend
	// Planned under the lock, as the applier does: the second waits for
	// the first and then applies on top of it.
	t.Run("planned under the lock", func(t *testing.T) {
		p := b.open(t)
		libs := []*library.Library{fixtureWithTitle(t, t.TempDir(), "First"), fixtureWithTitle(t, t.TempDir(), "Second")}
		provs := []*Provider{p, b.reopen(t, p)}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() { _, errs[i] = tryApply(ctx, provs[i], libs[i]) })
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("errors %v", errs)
		}
		st, err := p.Read(ctx, nil)
		if err != nil || st.Version != "2" {
			t.Fatalf("version %q, %v; want 2 (no lost update)", st.Version, err)
		}
		matches := 0
		for _, lib := range libs {
			if len(pending(t, p, lib)) == 0 {
				matches++
			}
		}
		if matches != 1 {
			t.Errorf("the final state equals %d of the configurations, want 1", matches)
		}
	})
	// Planned before the lock, as a saved plan is: exactly one wins, the
	// other fails cleanly.
	t.Run("planned before the lock", func(t *testing.T) {
		p := b.open(t)
		libs := []*library.Library{fixtureWithTitle(t, t.TempDir(), "First"), fixtureWithTitle(t, t.TempDir(), "Second")}
		provs := []*Provider{p, b.reopen(t, p)}
		plans := make([][]*providers.Change, 2)
		for i := range 2 {
			plans[i] = pending(t, provs[i], libs[i])
		}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() {
				tx, err := provs[i].Begin(ctx, providers.BeginOptions{LockTimeout: 30 * time.Second})
				if err != nil {
					errs[i] = err
					return
				}
				defer tx.Rollback(ctx)
				if errs[i] = tx.Apply(ctx, plans[i], nil); errs[i] == nil {
					errs[i] = tx.Commit(ctx)
				}
			})
		}
		wg.Wait()
		won := -1
		for i, err := range errs {
			switch {
			case err == nil:
				won = i
			case !errors.Is(err, providers.ErrConflict):
				t.Errorf("apply %d: %v, want success or ErrConflict", i, err)
			}
		}
		if won < 0 || errs[1-won] == nil {
			t.Fatalf("errors %v: want exactly one winner", errs)
		}
		if c := pending(t, p, libs[won]); len(c) != 0 {
			t.Errorf("final state is not the winner's: %d changes", len(c))
		}
		if st, _ := p.Read(ctx, nil); st.Version != "1" {
			t.Errorf("version %q, want 1", st.Version)
		}
	})
}

// TestPostgresReaderSeesNoHalfApply polls while applies run: every
// observation must be a committed state.
func TestPostgresReaderSeesNoHalfApply(t *testing.T) {
	ctx := context.Background()
	b := postgresBackend
	p := b.open(t)
	if err := p.Init(ctx); err != nil {
		t.Fatal(err)
	}
	lib := benchLibrary(1000)
	// serial -> scenes, dialogues.
	want := map[string][2]int64{"0": {0, 0}, "1": {1000, 4000}, "2": {1000, 4000}, "3": {0, 0}}
	dsn := p.d.(*postgresDialect).dsn
	conn := pgConnect(t, dsn)
	stop := make(chan struct{})
	var polls, reads int
	var pollErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			var serial string
			var scenes, dialogues int64
			err := conn.QueryRow(ctx, `SELECT (SELECT value FROM scriptsync_meta WHERE key = 'serial'),
  (SELECT count(*) FROM scenes), (SELECT count(*) FROM dialogues)`).Scan(&serial, &scenes, &dialogues)
			if err != nil {
				pollErr = err
				return
			}
			if w, ok := want[serial]; !ok || w != [2]int64{scenes, dialogues} {
				pollErr = fmt.Errorf("saw serial %s with %d scenes and %d dialogues", serial, scenes, dialogues)
				return
			}
			polls++
			st, err := p.Read(ctx, nil)
			if err != nil {
				pollErr = err
				return
			}
			if n := len(st.Objects); n != 0 && n != 1000+20*6 {
				pollErr = fmt.Errorf("Read returned %d objects", n)
				return
			}
			reads++
		}
	})
	apply(t, p, lib)
	lib.Scripts[3].Scenes[7].Elements[1].Text = "Changed while someone watches."
	apply(t, p, lib)
	apply(t, p, &library.Library{Dir: "."})
	close(stop)
	wg.Wait()
	if pollErr != nil {
		t.Fatal(pollErr)
	}
	if polls == 0 || reads == 0 {
		t.Errorf("%d polls, %d reads", polls, reads)
	}
	t.Logf("%d polls and %d reads, all consistent", polls, reads)
}

// TestPostgresConnectionKilledMidApply terminates the apply's backend
// between two statements.
func TestPostgresConnectionKilledMidApply(t *testing.T) {
	ctx := context.Background()
	b := postgresBackend
	p := b.open(t)
	lib := fixture(t, t.TempDir())
	admin := pgConnect(t, p.d.(*postgresDialect).dsn)
	desired := mustDesired(t, p, lib)
	tx, err := p.Begin(ctx, providers.BeginOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	st, err := tx.Read(ctx, desired)
	if err != nil {
		t.Fatal(err)
	}
	killed := 0
	err = tx.Apply(ctx, plan(desired, st.Refreshed()), func(int, int64) {
		if killed > 0 {
			return
		}
		err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE datname = current_database() AND application_name LIKE 'scriptsync pid %' AND state = 'idle in transaction'`).Scan(&killed)
		if err != nil {
			t.Error(err)
		}
	})
	if killed != 1 {
		t.Fatalf("terminated %d backends, want 1", killed)
	}
	if err == nil || !strings.HasPrefix(err.Error(), "sql: ") || strings.HasSuffix(err.Error(), "EOF") {
		t.Errorf("Apply on a killed connection: %v", err)
	}
	t.Logf("Apply on a killed connection: %v", err)
	if err := tx.Rollback(ctx); err != nil {
		t.Errorf("Rollback: %v", err)
	}
	st, err = p.Read(ctx, nil)
	if err != nil || st.Version != "" || len(st.Objects) != 0 {
		t.Fatalf("after the failed apply: %+v, %v", st, err)
	}
	apply(t, p, lib)
	if c := pending(t, p, lib); len(c) != 0 {
		t.Errorf("%d changes after the next apply", len(c))
	}
}

// TestPostgresLockRowWithoutAdvisoryLocks: a user who may not take
// advisory locks (as on engines that lack them) still applies one at a
// time, holding the row of scriptsync_lock instead.
func TestPostgresLockRowWithoutAdvisoryLocks(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	admin := pgConnect(t, dsn)
	role := fmt.Sprintf("scriptsync_nolock_%d", os.Getpid())
	for _, q := range []string{
		"DROP ROLE IF EXISTS " + role,
		"CREATE ROLE " + role + " LOGIN PASSWORD 'hunter2'",
		"GRANT USAGE, CREATE ON SCHEMA public TO " + role,
		"REVOKE EXECUTE ON FUNCTION pg_advisory_xact_lock(bigint) FROM PUBLIC",
	} {
		if _, err := admin.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), dsn)
		if err == nil {
			c.Exec(context.Background(), "DROP OWNED BY "+role)
			c.Exec(context.Background(), "DROP ROLE IF EXISTS "+role)
			c.Close(context.Background())
		}
	})
	cfg, _ := pgx.ParseConfig(dsn)
	userDSN := fmt.Sprintf("postgres://%s:hunter2@%s:%d/%s?sslmode=disable", role, cfg.Host, cfg.Port, cfg.Database)
	p := postgresBackend.provider(t, pgConfig(t, userDSN))
	other := postgresBackend.provider(t, pgConfig(t, userDSN))

	tx, err := p.Begin(ctx, providers.BeginOptions{})
	if err != nil {
		t.Fatalf("Begin without advisory locks: %v", err)
	}
	_, err = other.Begin(ctx, providers.BeginOptions{LockTimeout: 300 * time.Millisecond})
	var lock *providers.LockError
	if !errors.As(err, &lock) || !strings.Contains(err.Error(), "lock row scriptsync_lock") || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("second Begin: %v, want a LockError naming the lock row", err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	// Released with the transaction: a whole apply goes through.
	if _, err := tryApply(ctx, other, fixture(t, t.TempDir())); err != nil {
		t.Fatalf("apply after the first transaction ended: %v", err)
	}
	if st, err := p.Read(ctx, nil); err != nil || st.Version != "1" {
		t.Fatalf("after the apply: %+v, %v", st, err)
	}
}
