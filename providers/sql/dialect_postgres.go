package sql

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"net/url"
	"scriptsync/internal/redact"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"scriptsync/providers"
)

// bulkMode chooses how the PostgreSQL session writes many rows.
type bulkMode int

const (
	// bulkAuto copies large sets and batches small ones, which saves the
	// COPY's extra round trips.
	bulkAuto  bulkMode = iota
	bulkCopy           // always COPY
	bulkBatch          // always multi-row INSERTs in a pipelined batch
)

// copyThreshold is the smallest row count bulkAuto writes with COPY.
const copyThreshold = 256

// pgRowsPerInsert bounds a multi-row INSERT in a batch.
const pgRowsPerInsert = 500

// postgresDialect is a PostgreSQL database (or another pgwire engine)
// through pgx. Every session has its own connection; one idle connection is
// kept for the next Read.
type postgresDialect struct {
	dsn    string // as configured; holds the password: never shown
	cfg    *pgx.ConnConfig
	url    string // postgres://user@host:port/db, for humans
	key    int64  // advisory lock key, derived from the database name
	secret string // the password, scrubbed from every message
	bulk   bulkMode

	mu   sync.Mutex
	idle *pgx.Conn
}

func newPostgres(dsn string) (*postgresDialect, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, errors.New(scrubDSN(err.Error(), dsn))
	}
	if cfg.RuntimeParams["application_name"] == "" {
		// Names this process to whoever waits for its lock (lockHolder).
		cfg.RuntimeParams["application_name"] = applicationName()
	}
	h := fnv.New64a()
	h.Write([]byte("scriptsync:" + cfg.Database))
	d := &postgresDialect{dsn: dsn, cfg: cfg, key: int64(h.Sum64()), secret: cfg.Password}
	host := cfg.Host
	if strings.HasPrefix(host, "/") {
		host = "localhost"
	}
	u := url.URL{Scheme: "postgres", User: url.User(cfg.User), Host: net.JoinHostPort(host, strconv.Itoa(int(cfg.Port))), Path: "/" + cfg.Database}
	if host != cfg.Host {
		u.RawQuery = "host=" + cfg.Host
	}
	d.url = u.String()
	return d, nil
}

// scrubDSN removes the password of a DSN from a message.
func scrubDSN(msg, dsn string) string {
	if cfg, err := pgconn.ParseConfig(dsn); err == nil && cfg.Password != "" {
		msg = strings.ReplaceAll(msg, cfg.Password, "xxxxx")
	}
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			msg = strings.ReplaceAll(msg, pw, "xxxxx")
		}
	}
	msg = strings.ReplaceAll(msg, dsn, "(dsn)")
	// URL user info up to the last @ (a password with an unescaped @
	// leaks no tail), escapes and control characters: the one redaction.
	return redact.Text(msg)
}

func (d *postgresDialect) describe() string { return "postgres " + d.url }

func (d *postgresDialect) close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.idle != nil {
		d.idle.Close(context.Background())
		d.idle = nil
	}
	return nil
}

func (d *postgresDialect) lockName() string {
	return fmt.Sprintf("PostgreSQL advisory lock %d on %s", d.key, d.url)
}

// scrubbed is an error whose message had the password removed; it still
// unwraps to the original for errors.Is and errors.As.
type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }

// explain turns a driver error into a message that says what went wrong
// and never shows the password: a dbError when the database as a whole is
// the problem (unreachable, missing, refusing the user, connection lost),
// otherwise the operation and the server's message.
func (d *postgresDialect) explain(op string, err error) error {
	if err == nil {
		return nil
	}
	var db *dbError
	if errors.As(err, &db) {
		return err
	}
	scrub := func(msg string) string {
		if d.secret != "" {
			msg = strings.ReplaceAll(msg, d.secret, "xxxxx")
		}
		return redact.New(d.secret).String(msg)
	}
	var pgErr *pgconn.PgError
	var connErr *pgconn.ConnectError
	isPg := errors.As(err, &pgErr)
	var msg string
	switch {
	case isPg && pgErr.Code == "3D000":
		msg = fmt.Sprintf("sql: %s: database %q does not exist on the server; create it first (createdb %s)", d.url, d.cfg.Database, d.cfg.Database)
	case isPg && (pgErr.Code == "28P01" || pgErr.Code == "28000"):
		msg = fmt.Sprintf("sql: %s: authentication failed for user %q: %s", d.url, d.cfg.User, pgErr.Message)
	case isPg && pgErr.Code == "42501":
		msg = fmt.Sprintf("sql: %s: %s: user %q lacks the rights scriptsync needs (CREATE on the schema to create its tables, then SELECT, INSERT, UPDATE, DELETE on them)",
			d.url, pgErr.Message, d.cfg.User)
	case isPg && (strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P")):
		msg = fmt.Sprintf("sql: lost the connection to %s during %s: %s (SQLSTATE %s); its transaction was rolled back", d.url, op, pgErr.Message, pgErr.Code)
	case errors.As(err, &connErr):
		msg = fmt.Sprintf("sql: cannot connect to %s: %v", d.url, connErr.Unwrap())
	case !isPg && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		strings.Contains(err.Error(), "conn closed")):
		msg = fmt.Sprintf("sql: lost the connection to %s during %s: %v; its transaction was rolled back", d.url, op, err)
	default:
		return &scrubbed{msg: scrub(fmt.Sprintf("%s on %s: %v", op, d.url, err)), err: err}
	}
	return &dbError{msg: scrub(msg), err: err}
}

// fail is explain for errors that reach the caller unwrapped.
func (d *postgresDialect) fail(op string, err error) error {
	err = d.explain(op, err)
	var db *dbError
	if errors.As(err, &db) {
		return err
	}
	return &scrubbed{msg: "sql: " + err.Error(), err: err}
}

func (d *postgresDialect) connect(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, d.cfg)
	if err != nil {
		return nil, d.fail("connect", err)
	}
	return conn, nil
}

// take returns the idle connection or a new one.
func (d *postgresDialect) take(ctx context.Context) (*pgx.Conn, error) {
	d.mu.Lock()
	conn := d.idle
	d.idle = nil
	d.mu.Unlock()
	if conn != nil && !conn.IsClosed() && conn.Ping(ctx) == nil {
		return conn, nil
	}
	if conn != nil {
		conn.Close(ctx)
	}
	return d.connect(ctx)
}

// give keeps a healthy connection for the next Read.
func (d *postgresDialect) give(conn *pgx.Conn) {
	if conn.IsClosed() || conn.PgConn().TxStatus() != 'I' {
		conn.Close(context.Background())
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.idle == nil {
		d.idle = conn
		return
	}
	conn.Close(context.Background())
}

func (d *postgresDialect) read(ctx context.Context) (session, error) {
	conn, err := d.take(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		conn.Close(ctx)
		return nil, d.fail("begin", err)
	}
	return &pgSession{d: d, conn: conn, tx: tx, reader: true}, nil
}

func (d *postgresDialect) begin(ctx context.Context, timeout time.Duration) (session, error) {
	conn, err := d.connect(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		conn.Close(ctx)
		return nil, d.fail("begin", err)
	}
	s := &pgSession{d: d, conn: conn, tx: tx}
	ms := max(timeout.Milliseconds(), 1)
	if _, err := tx.Exec(ctx, fmt.Sprintf("SET LOCAL lock_timeout = %d", ms)); err != nil {
		s.rollback(ctx)
		return nil, d.fail("begin", err)
	}
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", d.key); err != nil {
		s.rollback(ctx)
		var pgErr *pgconn.PgError
		switch {
		case lockNotAvailable(err):
			return nil, &providers.LockError{Provider: "sql", Lock: d.lockName(), Holder: d.lockHolder(ctx), Timeout: timeout, Err: err}
		case errors.As(err, &pgErr) && noAdvisoryLocks(pgErr.Code):
			return d.beginWithLockRow(ctx, timeout)
		}
		return nil, d.fail("lock", err)
	}
	if err := s.lockTaken(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// lockNotAvailable reports whether a lock wait ended with the lock held
// elsewhere: lock_timeout (55P03) or statement_timeout (57014) ran out.
func lockNotAvailable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "55P03" || pgErr.Code == "57014")
}

// noAdvisoryLocks reports whether an error from pg_advisory_xact_lock
// means the engine (a pgwire database that lacks the function) or the
// user (no right to execute it) cannot take advisory locks.
func noAdvisoryLocks(code string) bool {
	switch code {
	case "42883", // undefined_function
		"0A000", // feature_not_supported
		"42501": // insufficient_privilege
		return true
	}
	return false
}

// lockRowName names the lock beginWithLockRow takes.
func (d *postgresDialect) lockRowName() string {
	return "PostgreSQL lock row scriptsync_lock (id = 1) on " + d.url
}

// beginWithLockRow is begin where advisory locks are missing: the
// transaction locks the one row of scriptsync_lock (FOR UPDATE), which
// it holds until it ends, as it would the advisory lock. The table and
// its row are created first, outside the transaction, so that two first
// applies do not race to create them inside theirs.
func (d *postgresDialect) beginWithLockRow(ctx context.Context, timeout time.Duration) (session, error) {
	conn, err := d.connect(ctx)
	if err != nil {
		return nil, err
	}
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS scriptsync_lock (id INTEGER PRIMARY KEY)",
		"INSERT INTO scriptsync_lock (id) VALUES (1) ON CONFLICT DO NOTHING",
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			var pgErr *pgconn.PgError
			// Another apply created it at the same moment.
			if errors.As(err, &pgErr) && (pgErr.Code == "42P07" || pgErr.Code == "23505") {
				continue
			}
			conn.Close(ctx)
			return nil, d.fail("lock", err)
		}
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		conn.Close(ctx)
		return nil, d.fail("begin", err)
	}
	s := &pgSession{d: d, conn: conn, tx: tx}
	if _, err := tx.Exec(ctx, fmt.Sprintf("SET LOCAL lock_timeout = %d", max(timeout.Milliseconds(), 1))); err != nil {
		s.rollback(ctx)
		return nil, d.fail("begin", err)
	}
	if _, err := tx.Exec(ctx, "SELECT id FROM scriptsync_lock WHERE id = 1 FOR UPDATE"); err != nil {
		s.rollback(ctx)
		if lockNotAvailable(err) {
			return nil, &providers.LockError{Provider: "sql", Lock: d.lockRowName(), Timeout: timeout, Err: err}
		}
		return nil, d.fail("lock", err)
	}
	if err := s.lockTaken(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// lockTaken ends the lock wait: the lock is held until the transaction
// ends, and later statements wait for row locks as long as the context
// allows.
func (s *pgSession) lockTaken(ctx context.Context) error {
	if _, err := s.tx.Exec(ctx, "SET LOCAL lock_timeout = 0"); err != nil {
		s.rollback(ctx)
		return s.d.fail("begin", err)
	}
	return nil
}

// pgSession is a transaction on one connection. Queued statements and
// small inserts travel together in one pipelined batch.
type pgSession struct {
	d      *postgresDialect
	conn   *pgx.Conn
	tx     pgx.Tx
	reader bool
	batch  pgx.Batch
	ended  bool
}

func (s *pgSession) flavor() flavor { return flavorPostgres }

// rebind rewrites ? parameters as $1, $2, ...
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

var rebound sync.Map // ? query -> $n query

func pgQuery(q string) string {
	if v, ok := rebound.Load(q); ok {
		return v.(string)
	}
	r := rebind(q)
	rebound.Store(q, r)
	return r
}

func (s *pgSession) exec(ctx context.Context, q string, args ...any) (int64, error) {
	if err := s.flush(ctx); err != nil {
		return 0, err
	}
	ct, err := s.tx.Exec(ctx, pgQuery(q), args...)
	if err != nil {
		return 0, s.d.explain("exec", err)
	}
	return ct.RowsAffected(), nil
}

func (s *pgSession) query(ctx context.Context, q string, args ...any) (rows, error) {
	if err := s.flush(ctx); err != nil {
		return nil, err
	}
	r, err := s.tx.Query(ctx, pgQuery(q), args...)
	if err != nil {
		return nil, s.d.explain("query", err)
	}
	return pgRows{r, s}, nil
}

// pgRows explains the errors of a result set.
type pgRows struct {
	pgx.Rows
	s *pgSession
}

func (r pgRows) Err() error { return r.s.d.explain("query", r.Rows.Err()) }

func (s *pgSession) queue(q string, args []any, done func(int64) error) {
	s.batch.Queue(pgQuery(q), args...).Exec(func(ct pgconn.CommandTag) error {
		if done != nil {
			return done(ct.RowsAffected())
		}
		return nil
	})
}

func (s *pgSession) flush(ctx context.Context) error {
	if s.batch.Len() == 0 {
		return nil
	}
	b := s.batch
	s.batch = pgx.Batch{}
	if err := s.tx.SendBatch(ctx, &b).Close(); err != nil {
		return s.d.explain("exec", err)
	}
	return nil
}

func (s *pgSession) insert(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return s.flush(ctx)
	}
	mode := s.d.bulk
	if mode == bulkAuto {
		mode = bulkBatch
		if len(rows) >= copyThreshold {
			mode = bulkCopy
		}
	}
	if mode == bulkCopy {
		if err := s.flush(ctx); err != nil {
			return err
		}
		if _, err := s.tx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows)); err != nil {
			return s.d.explain("copy into "+table, err)
		}
		return nil
	}
	// Batched inserts go out with the next flush, together with whatever
	// else is queued: a small apply costs few round trips.
	per := max(1, min(pgRowsPerInsert, 65535/len(cols)))
	for len(rows) > 0 {
		n := min(per, len(rows))
		args := make([]any, 0, n*len(cols))
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		s.queue(insertSQL(table, cols, n), args, nil)
		rows = rows[n:]
	}
	if s.batch.Len() >= 64 {
		return s.flush(ctx)
	}
	return nil
}

func (s *pgSession) nextIDs(ctx context.Context, table string, n int) ([]int64, error) {
	ids, err := int64s(ctx, s, "SELECT nextval(pg_get_serial_sequence(?, 'id')) FROM generate_series(1, ?)", table, n)
	if err == nil && len(ids) != n {
		err = fmt.Errorf("sql: %d ids of %s allocated, want %d", len(ids), table, n)
	}
	return ids, err
}

func (s *pgSession) columns(ctx context.Context, table string) (map[string]bool, error) {
	return columnNames(ctx, s, "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped", table)
}

func (s *pgSession) commit(ctx context.Context) error {
	if s.ended {
		return errTxDone
	}
	if err := s.flush(ctx); err != nil {
		return err
	}
	if err := s.tx.Commit(ctx); err != nil {
		return s.d.explain("commit", err)
	}
	s.release()
	return nil
}

func (s *pgSession) rollback(ctx context.Context) error {
	if s.ended {
		return nil
	}
	s.batch = pgx.Batch{}
	err := s.tx.Rollback(context.WithoutCancel(ctx))
	s.release()
	if err != nil && !errors.Is(err, pgx.ErrTxClosed) && !s.conn.IsClosed() {
		return s.d.explain("rollback", err)
	}
	// A connection that died mid-apply has rolled back on the server.
	return nil
}

func (s *pgSession) release() {
	s.ended = true
	if s.reader {
		s.d.give(s.conn)
		return
	}
	s.conn.Close(context.Background())
}
