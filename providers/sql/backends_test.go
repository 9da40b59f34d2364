package sql

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"scriptsync/providers"
)

// backend is one database engine the conformance suite runs against.
type backend struct {
	name        string
	lockPrefix  string // how a LockError names the lock
	namesHolder bool   // whether a LockError can name who holds the lock
	// newConfig returns the provider block of a fresh, empty database.
	newConfig func(t testing.TB) *providers.Config
	flavor    flavor
	bulk      bulkMode // PostgreSQL's bulk insert mode
}

var sqliteBackend = &backend{
	name:       "sqlite",
	lockPrefix: "SQLite write lock on scriptrag.db",
	flavor:     flavorSQLite,
	newConfig: func(t testing.TB) *providers.Config {
		return &providers.Config{Name: "sql", Dir: t.TempDir()}
	},
}

// postgresBackend is set by dialect_postgres_test.go.
var postgresBackend *backend

// forEachBackend runs fn as a subtest per backend.
func forEachBackend(t *testing.T, fn func(t *testing.T, b *backend)) {
	for _, b := range []*backend{sqliteBackend, postgresBackend} {
		if b == nil {
			continue
		}
		t.Run(b.name, func(t *testing.T) { fn(t, b) })
	}
}

// open returns a provider on a fresh, empty database.
func (b *backend) open(t testing.TB) *Provider {
	t.Helper()
	return b.provider(t, b.newConfig(t))
}

func (b *backend) provider(t testing.TB, cfg *providers.Config) *Provider {
	t.Helper()
	p, diags := New(cfg)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	t.Cleanup(func() { p.Close() })
	if pg, ok := p.(*Provider).d.(*postgresDialect); ok {
		pg.bulk = b.bulk
	}
	return p.(*Provider)
}

// reopen returns a second provider on the same database, as another
// process would have.
func (b *backend) reopen(t testing.TB, p *Provider) *Provider {
	t.Helper()
	cfg := &providers.Config{Name: "sql", Dir: p.dir, Attrs: map[string]cty.Value{}}
	switch d := p.d.(type) {
	case *sqliteDialect:
		cfg.Attrs["dsn"] = cty.StringVal(filepath.Base(d.path))
	case *postgresDialect:
		cfg.Attrs["driver"] = cty.StringVal("postgres")
		cfg.Attrs["dsn"] = cty.StringVal(d.dsn)
	}
	return b.provider(t, cfg)
}

// query runs a query on a read snapshot and returns its rows.
func (b *backend) query(t testing.TB, p *Provider, q string, args ...any) [][]any {
	t.Helper()
	ctx := context.Background()
	s, err := p.d.read(ctx)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer s.rollback(ctx)
	r, err := s.query(ctx, q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer r.Close()
	var out [][]any
	for r.Next() {
		var v []any
		switch r := r.(type) {
		case sqlRows:
			cols, _ := r.Columns()
			v = make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range v {
				ptrs[i] = &v[i]
			}
			if err := r.Scan(ptrs...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		default:
			v = pgValues(t, r)
		}
		out = append(out, v)
	}
	if err := r.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// ints returns the first column of every row as integers.
func (b *backend) ints(t testing.TB, p *Provider, q string, args ...any) []int64 {
	t.Helper()
	var out []int64
	for _, r := range b.query(t, p, q, args...) {
		switch v := r[0].(type) {
		case int64:
			out = append(out, v)
		case int32:
			out = append(out, int64(v))
		case nil:
			out = append(out, 0)
		default:
			t.Fatalf("%s: %T is not an integer", q, v)
		}
	}
	return out
}

// strings returns the first row's columns as strings ("" for NULL).
func (b *backend) strings(t testing.TB, p *Provider, q string, args ...any) []string {
	t.Helper()
	rows := b.query(t, p, q, args...)
	if len(rows) == 0 {
		t.Fatalf("%s: no rows", q)
	}
	var out []string
	for _, v := range rows[0] {
		switch v := v.(type) {
		case nil:
			out = append(out, "")
		case []byte:
			out = append(out, string(v))
		default:
			out = append(out, fmt.Sprint(v))
		}
	}
	return out
}

func (b *backend) bytes(t testing.TB, p *Provider, q string) []byte {
	t.Helper()
	rows := b.query(t, p, q)
	if len(rows) == 0 {
		t.Fatalf("%s: no rows", q)
	}
	v, _ := rows[0][0].([]byte)
	return v
}

func (b *backend) count(t testing.TB, p *Provider, table string) int64 {
	t.Helper()
	return b.ints(t, p, "SELECT count(*) FROM "+table)[0]
}

// ids maps every managed address to its row id.
func (b *backend) ids(t testing.TB, p *Provider) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, r := range b.query(t, p, "SELECT address, row_id FROM scriptsync_objects") {
		out[fmt.Sprint(r[0])] = toInt(r[1])
	}
	return out
}

func (b *backend) sceneIDsByHeading(t testing.TB, p *Provider) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, r := range b.query(t, p, "SELECT heading, id FROM scenes") {
		out[fmt.Sprint(r[0])] = toInt(r[1])
	}
	return out
}

func toInt(v any) int64 {
	switch v := v.(type) {
	case int64:
		return v
	case int32:
		return int64(v)
	}
	return -1
}

// exec runs statements in a write transaction of their own, as another
// program would.
func (b *backend) exec(t testing.TB, p *Provider, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	s, err := p.d.begin(ctx, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer s.rollback(ctx)
	for _, q := range stmts {
		if _, err := s.exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := s.commit(ctx); err != nil {
		t.Fatal(err)
	}
}

var auditedTables = []string{"series", "scripts", "characters", "scenes", "dialogues", "actions", "embeddings", "script_bibles", "bible_chunks"}

// startAudit installs triggers that record every row written to the data
// tables, so a test can assert that unchanged rows are never touched.
func (b *backend) startAudit(t testing.TB, p *Provider) {
	t.Helper()
	stmts := []string{"CREATE TABLE test_audit (tbl TEXT, op TEXT, row_id BIGINT)"}
	if b.flavor == flavorPostgres {
		stmts = append(stmts, `CREATE FUNCTION test_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO test_audit VALUES (TG_TABLE_NAME, 'D', OLD.id);
    RETURN OLD;
  END IF;
  INSERT INTO test_audit VALUES (TG_TABLE_NAME, left(TG_OP, 1), NEW.id);
  RETURN NEW;
END $$`)
		for _, tbl := range auditedTables {
			stmts = append(stmts, fmt.Sprintf("CREATE TRIGGER test_audit_%s AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION test_audit()", tbl, tbl))
		}
	} else {
		for _, tbl := range auditedTables {
			for _, op := range []struct{ name, row string }{{"INSERT", "new"}, {"UPDATE", "new"}, {"DELETE", "old"}} {
				stmts = append(stmts, fmt.Sprintf("CREATE TRIGGER test_audit_%s_%s AFTER %s ON %s BEGIN INSERT INTO test_audit VALUES ('%s', '%s', %s.id); END",
					tbl, op.name, op.name, tbl, tbl, op.name[:1], op.row))
			}
		}
	}
	b.exec(t, p, stmts...)
}

// audit returns the rows written since startAudit, as "table op" -> count
// of distinct rows, and forgets them. A row counts once per operation:
// ScriptRAG's update_*_timestamp triggers update each updated row again.
func (b *backend) audit(t testing.TB, p *Provider) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, r := range b.query(t, p, "SELECT DISTINCT tbl, op, row_id FROM test_audit") {
		out[fmt.Sprintf("%v %v", r[0], r[1])]++
	}
	b.exec(t, p, "DELETE FROM test_audit")
	return out
}
