package sql

import (
	"context"
	"crypto/sha256"
	stdsql "database/sql"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"scriptsync/config"
	"scriptsync/library"
	"scriptsync/providers"
)

// The fixtures in testdata/schema1 are dumps of databases that scriptsync
// at commit 53e3446 (schema 1) wrote: series from examples/series, outline
// from testdata/schema1/outline (an outline script, whose file_path schema
// 1 left NULL, and a bible naming no script, whose script_id it left NULL).
// NAME.sql is `sqlite3 .dump`, NAME.pg.sql `pg_dump --inserts --no-owner
// --no-privileges` without its comments and \restrict lines.
var schema1Fixtures = []struct{ name, config string }{
	{"series", "../../examples/series"},
	{"outline", "testdata/schema1/outline"},
}

// TestMigrateFromSchema1 upgrades schema 1 databases in place: the plan
// changes nothing, warns of the schema change and proposes only updates;
// the apply keeps every row id (and on SQLite every AUTOINCREMENT mark);
// the result has the schema of a new database, and a second plan is empty.
func TestMigrateFromSchema1(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		for _, fx := range schema1Fixtures {
			t.Run(fx.name, func(t *testing.T) { testMigrateFromSchema1(t, b, fx.name, fx.config) })
		}
	})
}

func testMigrateFromSchema1(t *testing.T, b *backend, name, configDir string) {
	ctx := context.Background()
	var p *Provider
	var file func() [32]byte
	if b.flavor == flavorSQLite {
		dir := t.TempDir()
		dbPath := filepath.Join(dir, DefaultDSN)
		loadDump(t, dbPath, "testdata/schema1/"+name+".sql")
		p = b.provider(t, &providers.Config{Name: "sql", Dir: dir})
		file = func() [32]byte { return fileSum(t, dbPath) }
	} else {
		cfg := b.newConfig(t)
		dsn := cfg.Attrs["dsn"].AsString()
		text, err := os.ReadFile("testdata/schema1/" + name + ".pg.sql")
		if err != nil {
			t.Fatal(err)
		}
		// pg_dump's search_path setting stays on this connection.
		if _, err := pgConnect(t, dsn).Exec(ctx, string(text)); err != nil {
			t.Fatalf("load the dump: %v", err)
		}
		p = b.provider(t, cfg)
		file = func() [32]byte {
			return sha256.Sum256([]byte(fmt.Sprint(pgSchema(t, b, p), b.query(t, p, "SELECT * FROM scriptsync_meta ORDER BY key"))))
		}
	}
	cfg, diags := config.Load(config.Options{Dir: configDir})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	lib := cfg.Library

	ids := b.ids(t, p)
	rows := rowIDs(t, b, p)
	var seq map[string]int64
	if b.flavor == flavorSQLite {
		seq = sequences(t, p)
	}
	if len(ids) == 0 || len(rows["scripts"]) == 0 {
		t.Fatalf("fixture has no managed rows: %v", ids)
	}
	before := file()
	schemaBefore := schemaState(t, b, p)
	st, err := p.Read(ctx, nil)
	if err != nil || len(st.Warnings) != 1 || !strings.Contains(st.Warnings[0], "scriptsync schema version 1") {
		t.Errorf("plan's warnings %q, %v", st.Warnings, err)
	}
	changes := pending(t, p, lib)
	if file() != before {
		t.Error("plan changed the database")
	}
	c := counts(changes)
	if c[providers.Create] != 0 || c[providers.Delete] != 0 || c[providers.Replace] != 0 || c[providers.Update] == 0 {
		t.Errorf("plan of the upgrade %v: want updates only", c)
	}

	// An apply that fails after Begin leaves the schema as it was; while
	// it runs, its plan tells of the change.
	tx, err := p.Begin(ctx, providers.BeginOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := tx.Read(ctx, nil); err != nil || len(st.Warnings) != 1 || !strings.Contains(st.Warnings[0], "This apply changes its schema") {
		t.Errorf("apply's warnings %q, %v", st.Warnings, err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if got := schemaState(t, b, p); !reflect.DeepEqual(got, schemaBefore) {
		t.Errorf("a rolled-back apply changed the schema:\n%s", diffLines(got, schemaBefore))
	}

	apply(t, p, lib)
	if got := b.ids(t, p); !reflect.DeepEqual(got, ids) {
		t.Errorf("managed row ids changed:\n%v\n%v", ids, got)
	}
	if got := rowIDs(t, b, p); !reflect.DeepEqual(got, rows) {
		t.Errorf("row ids changed:\n%v\n%v", rows, got)
	}
	if got := b.strings(t, p, "SELECT value FROM scriptsync_meta WHERE key = 'schema_version'"); got[0] != fmt.Sprint(schemaVersion) {
		t.Errorf("schema version %v", got)
	}
	if c := pending(t, p, lib); len(c) != 0 {
		t.Errorf("%d changes after the upgrade", len(c))
	}
	if st, err := p.Read(ctx, nil); err != nil || len(st.Warnings) != 0 {
		t.Errorf("after the upgrade: warnings %q, %v", st.Warnings, err)
	}
	// The migrated database reports in-place edits as drift.
	b.exec(t, p, "UPDATE scenes SET heading = 'HACKED' WHERE id = (SELECT MIN(row_id) FROM scriptsync_objects WHERE type = 'scene')")
	if st, err := p.Read(ctx, nil); err != nil || len(st.Drift) != 1 || st.Drift[0].After.Attributes()["heading"] != "HACKED" {
		t.Errorf("after the upgrade, an edited scene: drift %v, %v", st, err)
	}
	apply(t, p, lib)
	if c := pending(t, p, lib); len(c) != 0 {
		t.Errorf("%d changes after repairing the drift", len(c))
	}
	for _, path := range firstColumn(t, b, p, "SELECT file_path FROM scripts UNION ALL SELECT file_path FROM script_bibles") {
		if !filepath.IsAbs(path) {
			t.Errorf("file_path %q is not absolute", path)
		}
	}
	if n := b.ints(t, p, "SELECT count(*) FROM script_bibles sb JOIN scripts s ON s.id = sb.script_id"); n[0] != b.count(t, p, "script_bibles") {
		t.Errorf("%d of the bibles belong to a script", n[0])
	}
	for _, r := range b.query(t, p, "SELECT e.embedding, e.dimensions, v.embedding FROM embeddings e JOIN scene_embeddings v ON v.scene_id = e.entity_id") {
		blob, dims, vss := r[0].([]byte), toInt(r[1]), r[2].([]byte)
		if len(blob) != 4+4*int(dims) || binary.LittleEndian.Uint32(blob) != uint32(dims) || string(vss) != string(blob[4:]) {
			t.Errorf("embedding of %d dimensions: %d bytes, VSS %d bytes", dims, len(blob), len(vss))
		}
	}
	if n, m := b.count(t, p, "embeddings"), b.count(t, p, "scene_embeddings"); n != m {
		t.Errorf("%d embeddings, %d scene_embeddings", n, m)
	}

	fresh := b.open(t)
	if err := fresh.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if b.flavor == flavorPostgres {
		got, want := pgSchema(t, b, p), pgSchema(t, b, fresh)
		if len(want) < 200 {
			t.Fatalf("schema description too small to compare: %v", want)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("migrated schema differs from a new one:\n%s", diffLines(got, want))
		}
		return
	}
	if bad := b.query(t, p, "PRAGMA foreign_key_check"); len(bad) != 0 {
		t.Errorf("foreign key violations %v", bad)
	}
	for name, n := range sequences(t, p) {
		if n < seq[name] {
			t.Errorf("sqlite_sequence of %s went from %d to %d", name, seq[name], n)
		}
	}
	got, want := sqliteFacts(t, p), sqliteFacts(t, fresh)
	if len(want) < 200 {
		t.Fatalf("schema description too small to compare: %v", want)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("migrated schema differs from a new one:\n%s", diffLines(got, want))
	}
}

// schemaState describes the schema and scriptsync_meta.
func schemaState(t *testing.T, b *backend, p *Provider) []string {
	var out []string
	if b.flavor == flavorPostgres {
		out = pgSchema(t, b, p)
	} else {
		out = sqliteFacts(t, p)
	}
	for _, r := range b.query(t, p, "SELECT key, value FROM scriptsync_meta ORDER BY key") {
		out = append(out, fmt.Sprint(r...))
	}
	return out
}

// pgSchema describes a PostgreSQL database's columns, constraints,
// indexes and triggers, one fact per line, sorted.
func pgSchema(t *testing.T, b *backend, p *Provider) []string {
	var out []string
	for _, q := range []string{
		`SELECT table_name || ' ' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '-')
FROM information_schema.columns WHERE table_schema = current_schema()`,
		`SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
WHERE connamespace = current_schema()::regnamespace`,
		"SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()",
		`SELECT tgname || ' ' || tgrelid::regclass::text || ' ' || tgtype FROM pg_trigger WHERE NOT tgisinternal`,
	} {
		out = append(out, firstColumn(t, b, p, q)...)
	}
	slices.Sort(out)
	return out
}

// firstColumn returns the first column of every row, as text.
func firstColumn(t *testing.T, b *backend, p *Provider, q string) []string {
	var out []string
	for _, r := range b.query(t, p, q) {
		out = append(out, fmt.Sprint(r[0]))
	}
	return out
}

// diffLines lists the lines only one of two sorted lists has.
func diffLines(got, want []string) string {
	var b strings.Builder
	for _, l := range got {
		if !slices.Contains(want, l) {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	for _, l := range want {
		if !slices.Contains(got, l) {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	return b.String()
}

// loadDump creates a database from a sqlite3 .dump.
func loadDump(t *testing.T, path, dump string) {
	t.Helper()
	text, err := os.ReadFile(dump)
	if err != nil {
		t.Fatal(err)
	}
	db, err := stdsql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(string(text)); err != nil {
		t.Fatalf("load %s: %v", dump, err)
	}
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(data)
}

// rowIDs lists the ids of the rows scriptsync writes.
func rowIDs(t *testing.T, b *backend, p *Provider) map[string][]int64 {
	out := map[string][]int64{}
	for _, tbl := range []string{"series", "scripts", "characters", "scenes", "dialogues", "actions", "embeddings", "script_bibles", "bible_chunks"} {
		out[tbl] = b.ints(t, p, "SELECT id FROM "+tbl+" ORDER BY id")
	}
	return out
}

func sequences(t *testing.T, p *Provider) map[string]int64 {
	out := map[string]int64{}
	for _, r := range sqliteBackend.query(t, p, "SELECT name, seq FROM sqlite_sequence") {
		out[fmt.Sprint(r[0])] = toInt(r[1])
	}
	return out
}

// The library for the schema 1 outline fixture still loads: its bible
// names no script and belongs to the only one.
func TestBibleWithoutScript(t *testing.T) {
	p := sqliteBackend.open(t)
	two := &library.Library{Dir: t.TempDir(), Scripts: []*library.Script{
		{Meta: library.Meta{Address: "script.a"}, Title: "A", ContentHash: sha("a")},
		{Meta: library.Meta{Address: "script.b"}, Title: "B", ContentHash: sha("b")},
	}, Bibles: []*library.Bible{{Meta: library.Meta{Address: "bible.world"}, Path: "bibles/world.md", Hash: sha("w")}}}
	if _, diags := p.Desired(two); !diags.HasErrors() || !strings.Contains(diags.Error(), "bible.world names no script, and the library has 2 scripts") {
		t.Errorf("two scripts: %v", diags)
	}
	two.Scripts = two.Scripts[:1]
	apply(t, p, two)
	if got := sqliteBackend.strings(t, p, "SELECT s.title FROM script_bibles b JOIN scripts s ON s.id = b.script_id"); !reflect.DeepEqual(got, []string{"A"}) {
		t.Errorf("bible belongs to %v, want [A]", got)
	}
}

// Version 2 databases (no drift table or triggers) are brought to the
// current version in the apply's transaction, keeping every row id.
func TestMigrateFromSchema2(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		p := b.open(t)
		lib := fixture(t, t.TempDir())
		apply(t, p, lib)
		var down []string
		for _, w := range driftWatches {
			if b.flavor == flavorPostgres {
				down = append(down, "DROP TRIGGER "+driftTriggerName(w, "")+" ON "+w.table)
				continue
			}
			down = append(down, "DROP TRIGGER "+driftTriggerName(w, "update"))
			if w.child {
				down = append(down, "DROP TRIGGER "+driftTriggerName(w, "insert"), "DROP TRIGGER "+driftTriggerName(w, "delete"))
			}
		}
		down = append(down, "DROP TABLE scriptsync_drift", "UPDATE scriptsync_meta SET value = '2' WHERE key = 'schema_version'")
		b.exec(t, p, down...)
		ids := b.ids(t, p)

		p = b.reopen(t, p)
		st, err := p.Read(ctx, mustDesired(t, p, lib))
		if err != nil || len(st.Warnings) != 1 || !strings.Contains(st.Warnings[0], "drift triggers") {
			t.Fatalf("plan's warnings %q, %v", st.Warnings, err)
		}
		apply(t, p, lib)
		if got := b.strings(t, p, "SELECT value FROM scriptsync_meta WHERE key = 'schema_version'"); got[0] != fmt.Sprint(schemaVersion) {
			t.Errorf("schema version %v", got)
		}
		if got := b.ids(t, p); !reflect.DeepEqual(got, ids) {
			t.Errorf("managed row ids changed:\n%v\n%v", ids, got)
		}
		b.exec(t, p, "UPDATE series SET title = 'Drifted'")
		if st, err := p.Read(ctx, nil); err != nil || len(st.Drift) == 0 {
			t.Errorf("after the upgrade an edit is not drift: %v, %v", st, err)
		}
	})
}
