package sql

import (
	"context"
	stdsql "database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"scriptsync/providers"
)

// sqliteBusyTimeout is how long a statement outside Begin waits for a lock
// (readers wait only while a checkpoint or recovery runs).
const sqliteBusyTimeout = 5 * time.Second

// sqliteDialect is the SQLite database in one file, through
// modernc.org/sqlite. The database is opened lazily: Read of a missing file
// does not create it.
type sqliteDialect struct {
	dsn  string // as configured, for messages
	path string // absolute

	mu sync.Mutex
	db *stdsql.DB
}

func newSQLite(dsn, path string) *sqliteDialect {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return &sqliteDialect{dsn: dsn, path: path}
}

func (d *sqliteDialect) describe() string { return "sqlite " + d.dsn }

func (d *sqliteDialect) close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.db == nil {
		return nil
	}
	err := d.db.Close()
	d.db = nil
	return err
}

// open returns the database handle, creating the file only when create.
func (d *sqliteDialect) open(create bool) (*stdsql.DB, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.db != nil {
		return d.db, nil
	}
	mode := "rwc"
	if !create {
		mode = "rw"
		if _, err := os.Stat(d.path); errors.Is(err, fs.ErrNotExist) {
			return nil, errNoDatabase
		} else if err != nil {
			return nil, fmt.Errorf("sql: open %s: %w", d.path, err)
		}
	}
	// A file: URI so that SQLite honours mode: rw never creates the file.
	q := url.Values{"mode": {mode}, "_pragma": {
		fmt.Sprintf("busy_timeout(%d)", sqliteBusyTimeout.Milliseconds()), "foreign_keys(1)"}}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(d.path), RawQuery: q.Encode()}
	db, err := stdsql.Open("sqlite", "file://"+u.EscapedPath()+"?"+u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("sql: open %s: %w", d.path, err)
	}
	db.SetMaxIdleConns(2)
	d.db = db
	return db, nil
}

func (d *sqliteDialect) read(ctx context.Context) (session, error) {
	db, err := d.open(false)
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, d.fail("open", err)
	}
	s := &sqliteSession{d: d, conn: conn}
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		s.release()
		return nil, d.fail("begin", err)
	}
	return s, nil
}

func (d *sqliteDialect) begin(ctx context.Context, timeout time.Duration) (session, error) {
	if dir := filepath.Dir(d.path); dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("sql: create %s: %w", d.path, err)
		}
	}
	_, statErr := os.Stat(d.path)
	created := os.IsNotExist(statErr)
	if created {
		// A handle opened before is on a file removed since (a first apply
		// rolled back): the new file needs a new one.
		if err := d.close(); err != nil {
			return nil, d.fail("close", err)
		}
	}
	db, err := d.open(true)
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, d.fail("open", err)
	}
	s := &sqliteSession{d: d, conn: conn, write: true, created: created}
	lockErr := func(err error) error {
		s.release()
		if isBusy(err) {
			return &providers.LockError{Provider: "sql", Lock: "SQLite write lock on " + d.dsn, Timeout: timeout, Err: err}
		}
		return d.fail("begin", err)
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", timeout.Milliseconds())); err != nil {
		return nil, lockErr(err)
	}
	// WAL lets readers (plans) go on while an apply writes. Switching needs
	// no transaction, and is a no-op once the file is in WAL mode. A
	// database this apply creates is the exception until its commit (see
	// firstLoad). While that apply holds the file, switching is refused at
	// once: BEGIN IMMEDIATE then waits for the lock, and a file still not
	// in WAL mode is written with its rollback journal, which is as safe.
	if !created {
		if _, err := conn.ExecContext(ctx, "PRAGMA journal_mode = WAL"); err != nil && !isBusy(err) {
			return nil, lockErr(err)
		}
	}
	// SQLite's default page cache (2 MB): a large apply spills dirty pages
	// to the WAL before its commit, which costs less here than the memory
	// a cache for the whole apply would take (a 32 MB cache made the
	// W(10,000) cold apply 15% slower and 60 MB larger).
	if _, err := conn.ExecContext(ctx, "PRAGMA cache_size = -2000"); err != nil {
		return nil, lockErr(err)
	}
	// Statement journals in memory: a multi-row INSERT (and every
	// statement with foreign keys) keeps one, and SQLite's default spills
	// it to a temporary file after 64 KiB and keeps writing there, a
	// system call per page for the rest of the apply. Each journal holds
	// only the pages one statement changed.
	if _, err := conn.ExecContext(ctx, "PRAGMA temp_store = MEMORY"); err != nil {
		return nil, lockErr(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return nil, lockErr(err)
	}
	if created {
		// Readers that opened the new file before the first spill hold it
		// only for a moment (it is empty to them); the commit waits for
		// them rather than fail.
		wait := max(timeout, sqliteBusyTimeout)
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", wait.Milliseconds())); err != nil {
			return nil, lockErr(err)
		}
	}
	return s, nil
}

// firstLoad: the apply that creates the database loads it with SQLite's
// rollback journal and switches it to WAL once committed. In WAL mode
// every page of a first load is written twice, into the WAL and then by
// the checkpoint at the commit into the file (at W(100,000), 800 MB
// each); with a rollback journal it is written once, and none of it is
// journalled, since a rollback of a new database only truncates it to
// nothing. A crash leaves a journal that rolls the file back to empty,
// and a rolled-back first apply still removes the file. While it loads,
// readers of the new file wait for it (busy timeout) instead of reading
// it empty.
func (s *sqliteSession) firstLoad(ctx context.Context) {
	// Best effort: when a reader holds the file now, the next apply's
	// Begin switches it.
	s.conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA journal_mode = WAL")
}

func isBusy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && (e.Code()&0xff == sqlite3.SQLITE_BUSY || e.Code()&0xff == sqlite3.SQLITE_LOCKED)
}

// explain turns SQLite's errors about the file itself into messages that
// name it (dbErrors), and names the database in the others.
func (d *sqliteDialect) explain(op string, err error) error {
	var db *dbError
	if errors.As(err, &db) {
		return err
	}
	var e *sqlite.Error
	if errors.As(err, &e) {
		switch e.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB:
			return &dbError{fmt.Sprintf("sql: %s is not a SQLite database", d.path), err}
		case sqlite3.SQLITE_CANTOPEN:
			return &dbError{fmt.Sprintf("sql: cannot open %s: %v", d.path, err), err}
		case sqlite3.SQLITE_CORRUPT:
			return &dbError{fmt.Sprintf("sql: %s is corrupt: %v", d.path, err), err}
		case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM:
			return &dbError{fmt.Sprintf("sql: cannot write %s: %v", d.path, err), err}
		}
	}
	return fmt.Errorf("%s %s: %w", op, d.dsn, err)
}

// fail is explain for errors that reach the caller unwrapped.
func (d *sqliteDialect) fail(op string, err error) error {
	err = d.explain(op, err)
	var db *dbError
	if errors.As(err, &db) {
		return err
	}
	return fmt.Errorf("sql: %w", err)
}

// sqliteSession is a transaction on one dedicated connection, with a cache
// of prepared statements.
type sqliteSession struct {
	d       *sqliteDialect
	conn    *stdsql.Conn
	write   bool
	created bool // begin created the database file: rollback removes it
	stmts   map[string]*stdsql.Stmt
	pending []queued
	next    map[string]int64 // next free row id per table
	ended   bool
}

type queued struct {
	q    string
	args []any
	done func(int64) error
}

func (s *sqliteSession) flavor() flavor { return flavorSQLite }

func (s *sqliteSession) stmt(ctx context.Context, q string) (*stdsql.Stmt, error) {
	if st, ok := s.stmts[q]; ok {
		return st, nil
	}
	st, err := s.conn.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if s.stmts == nil {
		s.stmts = map[string]*stdsql.Stmt{}
	}
	s.stmts[q] = st
	return st, nil
}

func (s *sqliteSession) run(ctx context.Context, q string, args []any) (int64, error) {
	st, err := s.stmt(ctx, q)
	if err != nil {
		return 0, err
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (s *sqliteSession) exec(ctx context.Context, q string, args ...any) (int64, error) {
	if err := s.flush(ctx); err != nil {
		return 0, err
	}
	n, err := s.run(ctx, q, args)
	if err != nil {
		return 0, s.d.explain("exec", err)
	}
	return n, nil
}

func (s *sqliteSession) query(ctx context.Context, q string, args ...any) (rows, error) {
	if err := s.flush(ctx); err != nil {
		return nil, err
	}
	st, err := s.stmt(ctx, q)
	if err != nil {
		return nil, s.d.explain("query", err)
	}
	r, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, s.d.explain("query", err)
	}
	return sqlRows{r}, nil
}

type sqlRows struct{ *stdsql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }

func (s *sqliteSession) queue(q string, args []any, done func(int64) error) {
	s.pending = append(s.pending, queued{q, args, done})
}

func (s *sqliteSession) flush(ctx context.Context) error {
	pending := s.pending
	s.pending = nil
	for _, p := range pending {
		n, err := s.run(ctx, p.q, p.args)
		if err != nil {
			return s.d.explain("exec", err)
		}
		if p.done != nil {
			if err := p.done(n); err != nil {
				return err
			}
		}
	}
	return nil
}

// sqliteRowsPerInsert bounds a multi-row INSERT: larger statements amortize
// the per-statement cost, within SQLite's 32766 parameters.
const sqliteRowsPerInsert = 128

func (s *sqliteSession) insert(ctx context.Context, table string, cols []string, rows [][]any) error {
	if err := s.flush(ctx); err != nil {
		return err
	}
	per := max(1, min(sqliteRowsPerInsert, 32766/len(cols)))
	args := make([]any, 0, per*len(cols))
	for len(rows) > 0 {
		n := min(per, len(rows))
		args = args[:0]
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if _, err := s.run(ctx, insertSQL(table, cols, n), args); err != nil {
			return s.d.explain("insert", err)
		}
		rows = rows[n:]
	}
	return nil
}

// insertSQL is a multi-row INSERT with ? parameters.
func insertSQL(table string, cols []string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, strings.Join(cols, ", "))
	row := "(?" + strings.Repeat(", ?", len(cols)-1) + ")"
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}

// nextIDs hands out ids above both the AUTOINCREMENT sequence and the
// largest id: the session holds the write lock, so no one else inserts.
func (s *sqliteSession) nextIDs(ctx context.Context, table string, n int) ([]int64, error) {
	next, ok := s.next[table]
	if !ok {
		var seq, maxID int64
		err := scanAll(ctx, s, func(r rows) error { return r.Scan(&seq) },
			"SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0)", table)
		if err != nil && !strings.Contains(err.Error(), "no such table") {
			return nil, err
		}
		err = scanAll(ctx, s, func(r rows) error { return r.Scan(&maxID) },
			"SELECT COALESCE(MAX(id), 0) FROM "+table)
		if err != nil {
			return nil, err
		}
		next = max(seq, maxID) + 1
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = next + int64(i)
	}
	if s.next == nil {
		s.next = map[string]int64{}
	}
	s.next[table] = next + int64(n)
	return ids, nil
}

func (s *sqliteSession) columns(ctx context.Context, table string) (map[string]bool, error) {
	return columnNames(ctx, s, "SELECT name FROM pragma_table_info(?)", table)
}

func (s *sqliteSession) commit(ctx context.Context) error {
	if s.ended {
		return errTxDone
	}
	if err := s.flush(ctx); err != nil {
		return err
	}
	if _, err := s.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return s.d.explain("commit", err)
	}
	if s.created {
		s.firstLoad(ctx)
	}
	s.release()
	return nil
}

func (s *sqliteSession) rollback(ctx context.Context) error {
	if s.ended {
		return nil
	}
	s.pending = nil
	// The rollback must run even when ctx is done: use a fresh context.
	_, err := s.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
	s.release()
	if err != nil && strings.Contains(err.Error(), "no transaction is active") {
		err = nil
	}
	if s.created && err == nil {
		// A first apply that did not happen leaves no empty database
		// behind: a rolled-back apply changes nothing, files included.
		if cerr := s.d.close(); cerr == nil {
			for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
				os.Remove(s.d.path + suffix)
			}
		}
	}
	if err != nil {
		return s.d.explain("rollback", err)
	}
	return nil
}

// release closes the statements and returns the connection to the pool.
func (s *sqliteSession) release() {
	s.ended = true
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = nil
	if s.write {
		s.conn.ExecContext(context.Background(), fmt.Sprintf("PRAGMA busy_timeout = %d", sqliteBusyTimeout.Milliseconds()))
		s.conn.ExecContext(context.Background(), "PRAGMA temp_store = DEFAULT")
	}
	s.conn.Close()
}
