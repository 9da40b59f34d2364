package sql

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// scriptragFacts reads testdata/scriptrag_schema.txt: ScriptRAG's schema,
// fact by fact, in the format of sqliteFacts.
func scriptragFacts(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("testdata/scriptrag_schema.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sqliteFacts describes a SQLite database one fact per line: every table,
// index and trigger, each table's columns (type, NOT NULL, default,
// primary key), foreign keys and indexes (unique, origin, columns).
func sqliteFacts(t *testing.T, p *Provider) []string {
	t.Helper()
	b := sqliteBackend
	var out []string
	for _, r := range b.query(t, p, "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'") {
		out = append(out, fmt.Sprintf("%v %v on %v", r[0], r[1], r[2]))
		if r[0] != "table" {
			continue
		}
		tbl := fmt.Sprint(r[1])
		for _, c := range b.query(t, p, `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)`, tbl) {
			def := "-"
			if c[3] != nil {
				def = fmt.Sprint(c[3])
			}
			out = append(out, fmt.Sprintf("%s col %v %v nn=%v d=%s pk=%v", tbl, c[0], c[1], c[2], def, c[4]))
		}
		for _, c := range b.query(t, p, `SELECT "from", "table", "to", on_delete FROM pragma_foreign_key_list(?)`, tbl) {
			out = append(out, fmt.Sprintf("%s fk %v->%v.%v %v", tbl, c[0], c[1], c[2], c[3]))
		}
		for _, c := range b.query(t, p, `SELECT name, "unique", origin FROM pragma_index_list(?)`, tbl) {
			var names []string
			for _, n := range b.query(t, p, "SELECT name FROM pragma_index_info(?) ORDER BY seqno", c[0]) {
				names = append(names, fmt.Sprint(n[0]))
			}
			out = append(out, fmt.Sprintf("%s ix u=%v %v %s", tbl, c[1], c[2], strings.Join(names, ",")))
		}
	}
	slices.Sort(out)
	return out
}

// scriptsyncAdditions are the facts of a new database that ScriptRAG's
// schema lacks: scriptsync's tables, and its columns, index and trigger on
// ScriptRAG's tables.
func scriptsyncAddition(fact string) bool {
	tbl, rest, _ := strings.Cut(fact, " ")
	switch {
	case tbl == "series" || strings.HasPrefix(tbl, "scriptsync_"):
		return true
	case tbl == "table" || tbl == "index" || tbl == "trigger":
		name, _, _ := strings.Cut(rest, " ")
		return name == "series" || strings.HasPrefix(name, "scriptsync_") || strings.HasPrefix(name, "idx_scriptsync_") ||
			name == "idx_scripts_series_id"
	}
	for _, added := range []string{
		"embeddings col dimensions ", "embeddings col lfs_oid ",
		"scripts col version ", "scripts col is_current ", "scripts col series_id ",
		"scripts fk series_id->series.id ", "scripts ix u=0 c series_id",
	} {
		if strings.HasPrefix(fact, added) {
			return true
		}
	}
	return false
}

// TestSchemaIsScriptRAGs checks a new SQLite database against ScriptRAG's
// schema: every fact of it is there, unchanged, and the rest is one of
// scriptsync's additions.
func TestSchemaIsScriptRAGs(t *testing.T) {
	p := sqliteBackend.open(t)
	if err := p.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := scriptragFacts(t)
	got := sqliteFacts(t, p)
	if len(want) < 200 {
		t.Fatalf("only %d facts of ScriptRAG's schema", len(want))
	}
	for _, f := range want {
		if !slices.Contains(got, f) {
			t.Errorf("missing: %s", f)
		}
	}
	for _, f := range got {
		if !slices.Contains(want, f) && !scriptsyncAddition(f) {
			t.Errorf("not ScriptRAG's: %s", f)
		}
	}
	var triggers int
	for _, f := range want {
		if strings.HasPrefix(f, "trigger update_") {
			triggers++
		}
	}
	if triggers != 15 {
		t.Errorf("%d update_*_timestamp triggers in the expectation, want 15", triggers)
	}
}

// TestPostgresSchemaNames checks that a new PostgreSQL database has
// ScriptRAG's tables, columns (with their nullability), indexes and
// triggers, by the same names.
func TestPostgresSchemaNames(t *testing.T) {
	b := postgresBackend
	p := b.open(t)
	if err := p.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, r := range b.query(t, p, `SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = current_schema()`) {
		have[fmt.Sprintf("%v col %v nn=%v", r[0], r[1], map[any]int{"YES": 0, "NO": 1}[r[2]])] = true
	}
	for _, r := range b.query(t, p, "SELECT indexname, tablename FROM pg_indexes WHERE schemaname = current_schema()") {
		have[fmt.Sprintf("index %v on %v", r[0], r[1])] = true
	}
	for _, r := range b.query(t, p, "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal") {
		have[fmt.Sprintf("trigger %v on %v", r[0], r[1])] = true
	}
	for _, f := range scriptragFacts(t) {
		var want string
		switch fields := strings.Fields(f); {
		case fields[1] == "col":
			nn := strings.TrimPrefix(fields[4], "nn=")
			if fields[6] == "pk=1" {
				nn = "1" // a PostgreSQL primary key is NOT NULL
			}
			want = fmt.Sprintf("%s col %s nn=%s", fields[0], fields[2], nn)
		case fields[0] == "index" || fields[0] == "trigger":
			want = f
		default:
			continue
		}
		if !have[want] {
			t.Errorf("missing: %s", want)
		}
	}
}
