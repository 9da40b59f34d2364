package sql

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"scriptsync/library"
	"scriptsync/providers"
)

func TestSQLiteMissingFileReadsEmpty(t *testing.T) {
	p := sqliteBackend.open(t)
	st, err := p.Read(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Version != "" || len(st.Objects) != 0 || st.Peers != nil {
		t.Errorf("state %+v, want empty", st)
	}
	// Planning is read-only: the file is not created.
	if entries, _ := os.ReadDir(p.dir); len(entries) != 0 {
		t.Errorf("Read created %v", entries)
	}
	if c := pending(t, p, fixture(t, t.TempDir())); len(c) == 0 {
		t.Error("no changes planned for an empty database")
	}
	if entries, _ := os.ReadDir(p.dir); len(entries) != 0 {
		t.Errorf("planning created %v", entries)
	}
}

func TestSQLiteNotADatabase(t *testing.T) {
	ctx := context.Background()
	p := sqliteBackend.open(t)
	path := filepath.Join(p.dir, "scriptrag.db")
	junk := []byte(strings.Repeat("This is a screenplay, not a database.\n", 200))
	if err := os.WriteFile(path, junk, 0o644); err != nil {
		t.Fatal(err)
	}
	want := path + " is not a SQLite database"
	if _, err := p.Read(ctx, nil); err == nil || err.Error() != "sql: "+want {
		t.Errorf("Read: %v, want %q", err, want)
	}
	if _, err := p.Begin(ctx, providers.BeginOptions{}); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Begin: %v, want %q", err, want)
	}
	if got, _ := os.ReadFile(path); string(got) != string(junk) {
		t.Error("the file was changed")
	}
}

// TestSQLitePragmas: foreign keys are on, and the database is in WAL
// mode, except while the apply that creates it loads it (firstLoad),
// whose commit switches it.
func TestSQLitePragmas(t *testing.T) {
	ctx := context.Background()
	p := sqliteBackend.open(t)
	check := func(journal string) {
		t.Helper()
		tx, err := p.Begin(ctx, providers.BeginOptions{})
		if err != nil {
			t.Fatal(err)
		}
		s := tx.(*Tx).s
		for q, want := range map[string]string{"PRAGMA journal_mode": journal, "PRAGMA foreign_keys": "1", "PRAGMA temp_store": "2"} {
			var got string
			if err := scanAll(ctx, s, func(r rows) error { return r.Scan(&got) }, q); err != nil || got != want {
				t.Errorf("%s = %q, %v; want %q", q, got, err, want)
			}
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	check("delete")
	check("wal")
	if _, err := os.Stat(p.d.(*sqliteDialect).path + "-journal"); !os.IsNotExist(err) {
		t.Errorf("the first load's rollback journal is still there: %v", err)
	}
}

// TestSQLiteFirstLoadRollback: a first apply that rolls back, after it
// wrote more pages than the cache holds (so some reached the file),
// leaves no database behind, and the next one creates it afresh.
func TestSQLiteFirstLoadRollback(t *testing.T) {
	ctx := context.Background()
	p := sqliteBackend.open(t)
	dir := t.TempDir()
	lib := fixture(t, dir)
	setDerivedScenes(script(lib, "script.pilot"), pilotSpecs(3000))
	desired := mustDesired(t, p, lib)
	tx, err := p.Begin(ctx, providers.BeginOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Read(ctx, desired); err != nil {
		t.Fatal(err)
	}
	if err := tx.Apply(ctx, plan(desired, nil), nil); err != nil {
		t.Fatal(err)
	}
	path := p.d.(*sqliteDialect).path
	// The schema takes a few pages; a megabyte is rows spilled from the
	// cache.
	if st, err := os.Stat(path); err != nil || st.Size() < 1<<20 {
		t.Fatalf("the apply spilled nothing into the file before its commit (%v)", err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-journal", "-wal"} {
		if _, err := os.Stat(path + suffix); !os.IsNotExist(err) {
			t.Errorf("%s is left after the rollback: %v", filepath.Base(path+suffix), err)
		}
	}
	apply(t, p, lib)
	if c := pending(t, p, lib); len(c) != 0 {
		t.Errorf("%d changes after the apply, want none", len(c))
	}
}

// scriptragSchema is an older ScriptRAG database, written here from its
// documented table layout: no series, no scriptsync columns, bibles tied to
// a script.
var scriptragSchema = []string{
	`CREATE TABLE scripts (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, author TEXT,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  file_path TEXT UNIQUE, format TEXT DEFAULT 'fountain', metadata JSON)`,
	`CREATE TABLE scenes (id INTEGER PRIMARY KEY AUTOINCREMENT, script_id INTEGER NOT NULL REFERENCES scripts (id) ON DELETE CASCADE,
  scene_number INTEGER NOT NULL, heading TEXT NOT NULL, location TEXT, time_of_day TEXT, content TEXT,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, metadata JSON,
  UNIQUE (script_id, scene_number))`,
	`CREATE TABLE characters (id INTEGER PRIMARY KEY AUTOINCREMENT, script_id INTEGER NOT NULL REFERENCES scripts (id) ON DELETE CASCADE,
  name TEXT NOT NULL, description TEXT, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, metadata JSON, UNIQUE (script_id, name))`,
	`CREATE TABLE embeddings (id INTEGER PRIMARY KEY AUTOINCREMENT, entity_type TEXT NOT NULL, entity_id INTEGER NOT NULL,
  embedding_model TEXT NOT NULL, embedding BLOB NOT NULL, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, UNIQUE (entity_type, entity_id, embedding_model))`,
	`CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, description TEXT)`,
	`INSERT INTO schema_version (version, description) VALUES (1, 'initial')`,
	`INSERT INTO scripts (title, author, file_path) VALUES ('Hand Made', 'Someone', 'scripts/hand.fountain')`,
	`INSERT INTO scenes (script_id, scene_number, heading) VALUES (1, 1, 'INT. STUDY - DAY')`,
}

func TestSQLiteAdoptScriptRAG(t *testing.T) {
	ctx := context.Background()
	b := sqliteBackend
	p := b.open(t)
	s, err := p.d.begin(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range scriptragSchema {
		if _, err := s.exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := s.commit(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := p.Read(ctx, nil)
	if err != nil || len(st.Objects) != 0 || st.Version != "" {
		t.Fatalf("a ScriptRAG database reads as %+v, %v; want empty", st, err)
	}
	// The plan says what the apply will change in the schema, and the
	// read changes nothing.
	if len(st.Warnings) != 1 || !strings.Contains(st.Warnings[0], "a ScriptRAG database without scriptsync's tables") ||
		!strings.Contains(st.Warnings[0], "add column scripts.series_id") || !strings.Contains(st.Warnings[0], "create table scene_embeddings") {
		t.Errorf("warnings %q", st.Warnings)
	}
	if cols, err := columnsOf(ctx, p, "scripts"); err != nil || cols["series_id"] {
		t.Errorf("Read altered scripts: %v, %v", cols, err)
	}
	lib := fixture(t, t.TempDir())
	apply(t, p, lib)
	if c := pending(t, p, lib); len(c) != 0 {
		t.Errorf("%d changes after adopting", len(c))
	}
	if st, err := p.Read(ctx, nil); err != nil || len(st.Warnings) != 0 {
		t.Errorf("after adopting: warnings %q, %v", st.Warnings, err)
	}
	cols, err := columnsOf(ctx, p, "scripts")
	if err != nil || !cols["series_id"] || !cols["season"] {
		t.Errorf("scripts columns %v, %v", cols, err)
	}
	if got := b.strings(t, p, "SELECT title, author FROM scripts WHERE id = 1"); !reflect.DeepEqual(got, []string{"Hand Made", "Someone"}) {
		t.Errorf("unmanaged script %v", got)
	}
	if n := b.count(t, p, "schema_version"); n != 1 {
		t.Errorf("schema_version has %d rows: ScriptRAG's own must stay", n)
	}
	// Destroying removes scriptsync's rows and only those.
	apply(t, p, &library.Library{Dir: lib.Dir})
	if got := b.ints(t, p, "SELECT count(*) FROM scripts UNION ALL SELECT count(*) FROM scenes"); !reflect.DeepEqual(got, []int64{1, 1}) {
		t.Errorf("after destroy: %v scripts and scenes, want the unmanaged 1 and 1", got)
	}
}

func columnsOf(ctx context.Context, p *Provider, table string) (map[string]bool, error) {
	s, err := p.d.read(ctx)
	if err != nil {
		return nil, err
	}
	defer s.rollback(ctx)
	return s.columns(ctx, table)
}

func TestSQLiteNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	p := sqliteBackend.open(t)
	if err := p.Init(ctx); err != nil {
		t.Fatal(err)
	}
	sqliteBackend.exec(t, p, "UPDATE scriptsync_meta SET value = '99' WHERE key = 'schema_version'")
	for name, err := range map[string]error{
		"Read":  func() error { _, err := p.Read(ctx, nil); return err }(),
		"Begin": func() error { _, err := p.Begin(ctx, providers.BeginOptions{}); return err }(),
	} {
		if err == nil || !strings.Contains(err.Error(), "schema is version 99, newer than this scriptsync supports") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
