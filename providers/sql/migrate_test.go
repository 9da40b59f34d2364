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
	"strings"
	"testing"

	"scriptsync/config"
	"scriptsync/library"
	"scriptsync/providers"
)

// The fixtures in testdata/schema1 are `sqlite3 .dump`s of databases that
// scriptsync at commit 53e3446 (schema 1) wrote: series.sql from
// examples/series, outline.sql from testdata/schema1/outline (an outline
// script, whose file_path schema 1 left NULL, and a bible naming no script,
// whose script_id it left NULL).
var schema1Fixtures = []struct{ name, dump, config string }{
	{"series", "testdata/schema1/series.sql", "../../examples/series"},
	{"outline", "testdata/schema1/outline.sql", "testdata/schema1/outline"},
}

// TestSQLiteMigrateFromSchema1 upgrades schema 1 databases in place: plan
// changes nothing in the file and proposes only updates; the apply keeps
// every row id and AUTOINCREMENT mark; the result has the schema of a new
// database, and a second plan is empty.
func TestSQLiteMigrateFromSchema1(t *testing.T) {
	for _, fx := range schema1Fixtures {
		t.Run(fx.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			dbPath := filepath.Join(dir, DefaultDSN)
			loadDump(t, dbPath, fx.dump)
			cfg, diags := config.Load(config.Options{Dir: fx.config})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			lib := cfg.Library
			p := sqliteBackend.provider(t, &providers.Config{Name: "sql", Dir: dir})

			ids := sqliteBackend.ids(t, p)
			rows := rowIDs(t, p)
			seq := sequences(t, p)
			if len(ids) == 0 || len(rows["scripts"]) == 0 {
				t.Fatalf("fixture has no managed rows: %v", ids)
			}
			file := fileSum(t, dbPath)
			st, err := p.Read(context.Background(), nil)
			if err != nil || len(st.Warnings) != 1 || !strings.Contains(st.Warnings[0], "scriptsync schema version 1") ||
				!strings.Contains(st.Warnings[0], "rebuild tables scripts,") {
				t.Errorf("plan's warnings %q, %v", st.Warnings, err)
			}
			changes := pending(t, p, lib)
			if got := fileSum(t, dbPath); got != file {
				t.Error("plan changed the database file")
			}
			if v := sqliteBackend.strings(t, p, "SELECT value FROM scriptsync_meta WHERE key = 'schema_version'"); v[0] != "1" {
				t.Errorf("schema version %v after plan, want 1", v)
			}
			c := counts(changes)
			if c[providers.Create] != 0 || c[providers.Delete] != 0 || c[providers.Replace] != 0 || c[providers.Update] == 0 {
				t.Errorf("plan of the upgrade %v: want updates only", c)
			}

			apply(t, p, lib)
			if got := sqliteBackend.ids(t, p); !reflect.DeepEqual(got, ids) {
				t.Errorf("managed row ids changed:\n%v\n%v", ids, got)
			}
			if got := rowIDs(t, p); !reflect.DeepEqual(got, rows) {
				t.Errorf("row ids changed:\n%v\n%v", rows, got)
			}
			for name, n := range sequences(t, p) {
				if n < seq[name] {
					t.Errorf("sqlite_sequence of %s went from %d to %d", name, seq[name], n)
				}
			}
			if got := sqliteBackend.strings(t, p, "SELECT value FROM scriptsync_meta WHERE key = 'schema_version'"); got[0] != fmt.Sprint(schemaVersion) {
				t.Errorf("schema version %v", got)
			}
			if c := pending(t, p, lib); len(c) != 0 {
				t.Errorf("%d changes after the upgrade", len(c))
			}
			for _, path := range sqliteBackend.strings(t, p, "SELECT file_path FROM scripts UNION ALL SELECT file_path FROM script_bibles") {
				if !filepath.IsAbs(path) {
					t.Errorf("file_path %q is not absolute", path)
				}
			}
			if n := sqliteBackend.ints(t, p, "SELECT count(*) FROM script_bibles b JOIN scripts s ON s.id = b.script_id"); n[0] != sqliteBackend.count(t, p, "script_bibles") {
				t.Errorf("%d of the bibles belong to a script", n[0])
			}
			if bad := sqliteBackend.query(t, p, "PRAGMA foreign_key_check"); len(bad) != 0 {
				t.Errorf("foreign key violations %v", bad)
			}
			for _, r := range sqliteBackend.query(t, p, "SELECT e.embedding, e.dimensions, length(v.embedding) FROM embeddings e JOIN scene_embeddings v ON v.scene_id = e.entity_id") {
				blob := r[0].([]byte)
				if dims := toInt(r[1]); len(blob) != 4+4*int(dims) || binary.LittleEndian.Uint32(blob) != uint32(dims) || toInt(r[2]) != 4*dims {
					t.Errorf("embedding of %d dimensions: %d bytes, VSS %v bytes", dims, len(blob), r[2])
				}
			}
			if n, m := sqliteBackend.count(t, p, "embeddings"), sqliteBackend.count(t, p, "scene_embeddings"); n != m {
				t.Errorf("%d embeddings, %d scene_embeddings", n, m)
			}

			fresh := sqliteBackend.open(t)
			if err := fresh.Init(ctx); err != nil {
				t.Fatal(err)
			}
			got, want := sqliteSchema(t, p), sqliteSchema(t, fresh)
			if len(want["objects"]) < 50 || len(want["scripts"]) < 15 {
				t.Fatalf("schema description too small to compare: %v", want)
			}
			if !reflect.DeepEqual(got, want) {
				for k := range want {
					if !reflect.DeepEqual(got[k], want[k]) {
						t.Errorf("migrated %s:\n%v\nnew:\n%v", k, got[k], want[k])
					}
				}
				for k := range got {
					if _, ok := want[k]; !ok {
						t.Errorf("migrated database has %s, a new one does not", k)
					}
				}
			}
		})
	}
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

// rowIDs lists the ids of the tables whose rows are objects.
func rowIDs(t *testing.T, p *Provider) map[string][]int64 {
	out := map[string][]int64{}
	for _, tbl := range []string{"series", "scripts", "characters", "scenes", "embeddings", "script_bibles"} {
		out[tbl] = sqliteBackend.ints(t, p, "SELECT id FROM "+tbl+" ORDER BY id")
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

// sqliteSchema describes a database's tables (columns, foreign keys,
// indexes) and its index and trigger names, as SQLite reports them.
func sqliteSchema(t *testing.T, p *Provider) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, r := range sqliteBackend.query(t, p, "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name") {
		typ, name := fmt.Sprint(r[0]), fmt.Sprint(r[1])
		out["objects"] = append(out["objects"], typ+" "+name+" on "+fmt.Sprint(r[2]))
		if typ != "table" {
			continue
		}
		for _, q := range []string{
			"SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?)",
			"SELECT \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list(?)",
			"SELECT name, \"unique\", origin FROM pragma_index_list(?) ORDER BY name",
		} {
			for _, c := range sqliteBackend.query(t, p, q, name) {
				out[name] = append(out[name], fmt.Sprint(c...))
			}
		}
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
