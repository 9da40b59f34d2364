package sql

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// flavor selects the SQL spelling of a dialect where the shared code writes
// SQL itself (schema rendering).
type flavor int

const (
	flavorSQLite flavor = iota
	flavorPostgres
)

// dialect is everything that differs between SQLite and PostgreSQL. The
// shared code (schema, read, apply) talks to a session and never to a
// driver.
type dialect interface {
	// describe names the database for humans, without secrets.
	describe() string
	// read opens a read-only session on a consistent snapshot. It returns
	// errNoDatabase when the database does not exist yet (and does not
	// create it).
	read(ctx context.Context) (session, error)
	// begin opens a write session holding the write lock, creating the
	// database when it is missing. It waits up to timeout for the lock and
	// returns a *providers.LockError when it cannot get it.
	begin(ctx context.Context, timeout time.Duration) (session, error)
	close() error
}

// errNoDatabase is returned by dialect.read for a database that does not
// exist yet: it reads as empty.
var errNoDatabase = errors.New("sql: database does not exist")

// session is one connection inside one transaction. Statements use ? for
// parameters; the PostgreSQL session rewrites them to $n.
type session interface {
	flavor() flavor
	// exec runs a statement now and returns the number of rows it changed.
	exec(ctx context.Context, query string, args ...any) (int64, error)
	// query runs a query now. Pending queued statements run first.
	query(ctx context.Context, query string, args ...any) (rows, error)
	// queue adds a statement to run at the next flush, in order; done, when
	// not nil, is told how many rows it changed.
	queue(query string, args []any, done func(n int64) error)
	// flush runs the queued statements.
	flush(ctx context.Context) error
	// insert writes rows into table in bulk, after the queued statements.
	insert(ctx context.Context, table string, cols []string, rows [][]any) error
	// nextIDs reserves n new row ids of table.
	nextIDs(ctx context.Context, table string, n int) ([]int64, error)
	// columns returns the table's column names, or nil when the table does
	// not exist.
	columns(ctx context.Context, table string) (map[string]bool, error)
	commit(ctx context.Context) error
	// rollback ends the transaction; it is safe after commit and twice.
	rollback(ctx context.Context) error
}

// rows is the part of a result set the shared code uses.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// scanAll runs a query and calls fn for each row.
func scanAll(ctx context.Context, s session, fn func(r rows) error, query string, args ...any) error {
	r, err := s.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer r.Close()
	for r.Next() {
		if err := fn(r); err != nil {
			return err
		}
	}
	return r.Err()
}

// dbError is an error about the database as a whole: it is unreachable,
// not a database, or refuses the user. Its message is complete; wrapping
// it in the operation that met it adds nothing.
type dbError struct {
	msg string
	err error
}

func (e *dbError) Error() string { return e.msg }
func (e *dbError) Unwrap() error { return e.err }

// wrapf prefixes a session error with "sql: " and the operation, unless it
// is a dbError.
func wrapf(err error, format string, args ...any) error {
	var db *dbError
	if errors.As(err, &db) {
		return err
	}
	return fmt.Errorf("sql: "+format+": %w", append(args, err)...)
}

// columnNames runs a query listing a table's column names, one per row.
// int64s runs a query of one integer column and returns its values.
func int64s(ctx context.Context, s session, query string, args ...any) ([]int64, error) {
	var out []int64
	err := scanAll(ctx, s, func(r rows) error {
		var v int64
		if err := r.Scan(&v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	}, query, args...)
	return out, err
}

// nameSet runs a query of one text column and returns its values as a set.
func nameSet(ctx context.Context, s session, query string, args ...any) (map[string]bool, error) {
	out := map[string]bool{}
	err := scanAll(ctx, s, func(r rows) error {
		var name string
		if err := r.Scan(&name); err != nil {
			return err
		}
		out[name] = true
		return nil
	}, query, args...)
	return out, err
}

func columnNames(ctx context.Context, s session, query, table string) (map[string]bool, error) {
	out, err := nameSet(ctx, s, query, table)
	if len(out) == 0 {
		out = nil
	}
	return out, err
}
