package main

// The ScriptRAG contract suite: scriptsync applies testdata/scriptrag (a
// small series written for this test), and every read path of ScriptRAG
// (github.com/trieloff/scriptrag) then runs, as the equivalent query,
// against the database scriptsync wrote: its query files
// (storage/database/queries), its search builder's filters, scene lookup
// by project, season, episode and number, embedding decoding and
// related-scene ranking. The queries are written here from what ScriptRAG's
// readers do; on PostgreSQL they are the same queries with PostgreSQL's
// spelling (->> for json_extract, ILIKE for SQLite's case-blind LIKE).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"scriptsync/cli"
	"scriptsync/formats/npy"
	"scriptsync/internal/pgtest"
)

// contractVectors are the pilot's scene embeddings, by scene number. Seen
// from scene 1, scene 2 is nearest (cosine 0.994), scene 0 next (0.707)
// and scene 3 orthogonal (0, under ScriptRAG's 0.5 threshold).
var contractVectors = map[int][]float32{
	0: {1, 1, 0, 0, 0, 0, 0, 0},
	1: {1, 0, 0, 0, 0, 0, 0, 0},
	2: {0.9, 0.1, 0, 0, 0, 0, 0, 0},
	3: {0, 0, 1, 0, 0, 0, 0, 0},
}

// contractDB is a database scriptsync wrote, and how to query it.
type contractDB struct {
	db  *sql.DB
	pg  bool
	dir string // the configuration directory
	run func(args ...string) (int, string)
}

func TestScriptRAGContract(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		testScriptRAGContract(t, newContractDB(t, "sqlite", "scriptrag.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		testScriptRAGContract(t, newContractDB(t, "postgres", pgtest.NewDatabase(t)))
	})
}

// newContractDB copies testdata/scriptrag into a temporary directory,
// writes its vectors, applies it with scriptsync and opens the database.
func newContractDB(t *testing.T, driver, dsn string) *contractDB {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "harbor")
	if err := copyLibrary("testdata/scriptrag", dir); err != nil {
		t.Fatal(err)
	}
	for n, v := range contractVectors {
		if err := os.MkdirAll(filepath.Join(dir, "vectors"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "vectors", strconv.Itoa(n)+".npy"), npy.Encode(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"HOME": t.TempDir(), "SCRIPTSYNC_CACHE_DIR": "off"}
	c := &contractDB{pg: driver == "postgres", dir: dir}
	c.run = func(args ...string) (int, string) {
		var out bytes.Buffer
		code := cli.Run(cli.Env{
			Args:    append([]string{"scriptsync", "-no-color"}, args...),
			Dir:     dir,
			Stdout:  &out,
			Stderr:  &out,
			Getenv:  func(k string) string { return env[k] },
			Context: context.Background(),
		})
		return code, out.String()
	}
	vars := []string{"-var", "sql_driver=" + driver, "-var", "sql_dsn=" + dsn}
	c.run = bindVars(c.run, vars)
	if code, out := c.run("apply", "-auto-approve"); code != 0 {
		t.Fatalf("apply exited %d:\n%s", code, out)
	}
	var err error
	if c.pg {
		c.db, err = sql.Open("pgx", dsn)
	} else {
		c.db, err = sql.Open("sqlite", "file:"+filepath.Join(dir, dsn))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.db.Close() })
	return c
}

// bindVars appends the -var flags to the commands that take them.
func bindVars(run func(...string) (int, string), vars []string) func(...string) (int, string) {
	return func(args ...string) (int, string) {
		if len(args) > 0 && (args[0] == "plan" || args[0] == "apply" || args[0] == "destroy") {
			args = append(append([]string{args[0]}, vars...), args[1:]...)
		}
		return run(args...)
	}
}

// query is one read path: ScriptRAG's SQL, its PostgreSQL spelling, and
// the rows it must return, each as its columns joined with " | ".
type query struct {
	name    string
	sqlite  string
	pg      string // "" when the SQLite text works as it is (but for placeholders)
	args    []any
	want    []string
	ordered bool // the query orders its rows; otherwise they are sorted before comparing
}

// rows runs sqlite or pg and returns the rows as text.
func (c *contractDB) rows(t *testing.T, sqliteQuery, pgQuery string, args ...any) []string {
	t.Helper()
	q := sqliteQuery
	if c.pg {
		if pgQuery != "" {
			q = pgQuery
		}
		q = dollarPlaceholders(q)
	}
	rs, err := c.db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s\n%v", q, err)
	}
	defer rs.Close()
	out, err := rowLines(rs, contractText)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// dollarPlaceholders turns ? into $1, $2, ... outside string literals.
func dollarPlaceholders(q string) string {
	var b strings.Builder
	n, quoted := 0, false
	for _, r := range q {
		switch {
		case r == '\'':
			quoted = !quoted
		case r == '?' && !quoted:
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func contractText(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return string(v)
	case float64:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case time.Time:
		return "TIME"
	case map[string]any, []any:
		b, _ := json.Marshal(v)
		return string(b)
	default:
		return fmt.Sprint(v)
	}
}

func (c *contractDB) check(t *testing.T, q query) {
	t.Helper()
	got := c.rows(t, q.sqlite, q.pg, q.args...)
	want := slices.Clone(q.want)
	if !q.ordered {
		sort.Strings(got)
		sort.Strings(want)
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s returned\n  %s\nwant\n  %s", q.name, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func testScriptRAGContract(t *testing.T, c *contractDB) {
	t.Run("schema", func(t *testing.T) { contractSchema(t, c) })
	t.Run("scripts", func(t *testing.T) { contractScripts(t, c) })
	t.Run("query_files", func(t *testing.T) { contractQueryFiles(t, c) })
	t.Run("search", func(t *testing.T) { contractSearch(t, c) })
	t.Run("scene_read", func(t *testing.T) { contractSceneRead(t, c) })
	t.Run("embeddings", func(t *testing.T) { contractEmbeddings(t, c) })
	t.Run("bible", func(t *testing.T) { contractBible(t, c) })
	t.Run("elements", func(t *testing.T) { contractElements(t, c) })
}

// contractSchema: every table, index and trigger of ScriptRAG's three
// schema files exists under its name.
func contractSchema(t *testing.T, c *contractDB) {
	tables := []string{"actions", "bible_chunk_embeddings", "bible_chunks", "bible_embeddings", "bible_references",
		"character_relationships", "characters", "dialogues", "embedding_metadata", "embeddings", "scene_embeddings",
		"scene_graph_edges", "scenes", "schema_version", "script_bibles", "scripts"}
	indexes := []string{"idx_actions_scene_id", "idx_bible_chunk_embeddings_model", "idx_bible_chunks_bible_id",
		"idx_bible_chunks_content_hash", "idx_bible_chunks_parent", "idx_bible_embeddings_chunk_id",
		"idx_bible_references_chunk_id", "idx_bible_references_type", "idx_characters_name", "idx_characters_script_id",
		"idx_dialogues_character_id", "idx_dialogues_scene_id", "idx_embedding_metadata_entity",
		"idx_embedding_metadata_model", "idx_embeddings_entity", "idx_relationships_char1", "idx_relationships_char2",
		"idx_scene_edges_from", "idx_scene_edges_to", "idx_scene_embeddings_model", "idx_scenes_location",
		"idx_scenes_script_id", "idx_script_bibles_file_hash", "idx_script_bibles_script_id", "idx_scripts_project_title",
		"idx_scripts_series", "idx_scripts_title"}
	triggers := []string{"update_actions_timestamp", "update_bible_chunk_embeddings_timestamp",
		"update_bible_chunks_timestamp", "update_bible_embeddings_timestamp", "update_bible_references_timestamp",
		"update_characters_timestamp", "update_dialogues_timestamp", "update_embedding_metadata_timestamp",
		"update_embeddings_timestamp", "update_relationships_timestamp", "update_scene_edges_timestamp",
		"update_scene_embeddings_timestamp", "update_scenes_timestamp", "update_script_bibles_timestamp",
		"update_scripts_timestamp"}
	for kind, names := range map[string][]string{"table": tables, "index": indexes, "trigger": triggers} {
		got := c.rows(t, "SELECT name FROM sqlite_master WHERE type = ?",
			map[string]string{
				"table":   "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND ? <> ''",
				"index":   "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND ? <> ''",
				"trigger": "SELECT DISTINCT trigger_name FROM information_schema.triggers WHERE trigger_schema = current_schema() AND ? <> ''",
			}[kind], kind)
		for _, n := range names {
			if !slices.Contains(got, n) {
				t.Errorf("no %s %s", kind, n)
			}
		}
	}
	// ScriptRAG decides a database is initialised by its scripts table,
	// and records schema version 4.
	c.check(t, query{name: "schema_version", sqlite: "SELECT version FROM schema_version WHERE version = 4", want: []string{"4"}})
	// scripts.file_path is NOT NULL and UNIQUE, as ScriptRAG's upsert needs.
	tx, err := c.db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec("INSERT INTO scripts (title) VALUES ('no path')"); err == nil {
		t.Error("scripts accepted a row without file_path")
	}
}

// contractScripts: ScriptRAG reads season and episode from metadata as
// JSON integers, uses the title as the project key, and reads the file at
// file_path. Its indexer writes metadata.project_title only for a
// title page's Project: (the column falls back to the title).
func contractScripts(t *testing.T, c *contractDB) {
	c.check(t, query{name: "scripts",
		sqlite: `SELECT title, author, project_title, COALESCE(series_title, 'NULL'), COALESCE(season, -1), COALESCE(episode, -1),
			json_type(metadata, '$.season'), json_type(metadata, '$.episode'),
			json_extract(metadata, '$.season'), json_extract(metadata, '$.episode'),
			json_extract(metadata, '$.series_title'), json_extract(metadata, '$.project_title'),
			json_extract(metadata, '$.source_file') = file_path
			FROM scripts`,
		pg: `SELECT title, author, project_title, COALESCE(series_title, 'NULL'), COALESCE(season, -1), COALESCE(episode, -1),
			COALESCE(jsonb_typeof(metadata->'season'), 'null'), COALESCE(jsonb_typeof(metadata->'episode'), 'null'),
			metadata->>'season', metadata->>'episode', metadata->>'series_title', metadata->>'project_title',
			metadata->>'source_file' = file_path
			FROM scripts`,
		want: []string{
			"Harbor Lights | Ada Brook | Harbor Lights | Harbor Lights | 1 | 1 | " + intType(c) + " | " + intType(c) + " | 1 | 1 | Harbor Lights | NULL | " + trueText(c),
			"Harbor Lights | Ada Brook | Harbor Lights | Harbor Lights | 1 | 2 | " + intType(c) + " | " + intType(c) + " | 1 | 2 | Harbor Lights | NULL | " + trueText(c),
			"Salt and Iron | Ada Brook | Salt and Iron | NULL | -1 | -1 | " + nullType(c) + " | " + nullType(c) + " | NULL | NULL | NULL | NULL | " + trueText(c),
		}})
	// file_path is absolute and names the screenplay on disk.
	for _, p := range c.rows(t, "SELECT file_path FROM scripts", "") {
		if !filepath.IsAbs(p) {
			t.Errorf("file_path %q is not absolute", p)
			continue
		}
		if _, err := os.Stat(p); err != nil {
			t.Errorf("file_path %q: %v", p, err)
		}
	}
}

func trueText(c *contractDB) string {
	if c.pg {
		return "true"
	}
	return "1"
}

// intType is what asking for the JSON type of an integer says (PostgreSQL's
// jsonb has one number type; the value's text shows it is whole).
func intType(c *contractDB) string {
	if c.pg {
		return "number"
	}
	return "integer"
}

// nullType is what asking for the JSON type of a missing key says.
func nullType(c *contractDB) string {
	if c.pg {
		return "null"
	}
	return "NULL"
}

// season/episode as ScriptRAG's query files read them.
const (
	sqliteSeason  = "CAST(JSON_EXTRACT(s.metadata, '$.season') AS INTEGER)"
	sqliteEpisode = "CAST(JSON_EXTRACT(s.metadata, '$.episode') AS INTEGER)"
	pgSeason      = "(s.metadata->>'season')::int"
	pgEpisode     = "(s.metadata->>'episode')::int"
)

// scene0Heading is the heading of the pilot's scene 0: the cold open
// before its first scene heading, which ScriptRAG's parser would drop.
func scene0Heading(t *testing.T, c *contractDB) string {
	t.Helper()
	h := c.rows(t, "SELECT heading FROM scenes WHERE scene_number = 0", "")
	if len(h) != 1 {
		t.Errorf("want one scene 0 (the pilot's cold open), got %q", h)
		return "(no scene 0)"
	}
	return h[0]
}

// contractQueryFiles runs the equivalent of each of ScriptRAG's query files.
func contractQueryFiles(t *testing.T, c *contractDB) {
	listScenes := `SELECT s.title, s.author, sc.scene_number, sc.heading, COALESCE(sc.location, 'NULL'), COALESCE(sc.time_of_day, 'NULL'),
		SEASON, EPISODE
		FROM scenes sc INNER JOIN scripts s ON sc.script_id = s.id
		WHERE 1 = 1 AND (? IS NULL OR s.title LIKE '%' || ? || '%')
		AND (? IS NULL OR SEASON = ?) AND (? IS NULL OR EPISODE = ?)
		ORDER BY COALESCE(SEASON, 9999), COALESCE(EPISODE, 9999), sc.scene_number
		LIMIT ? OFFSET ?`
	sq := strings.NewReplacer("SEASON", sqliteSeason, "EPISODE", sqliteEpisode)
	pq := strings.NewReplacer("SEASON", pgSeason, "EPISODE", pgEpisode, "(? IS NULL OR s.title LIKE", "(?::text IS NULL OR s.title ILIKE",
		"(? IS NULL OR", "(?::int IS NULL OR")
	pilot0 := scene0Heading(t, c)
	c.check(t, query{name: "list_scenes project=Harbor season=1 episode=1", ordered: true,
		sqlite: sq.Replace(listScenes), pg: pq.Replace(listScenes),
		args: []any{"Harbor", "Harbor", 1, 1, 1, 1, 10, 0},
		want: []string{
			"Harbor Lights | Ada Brook | 0 | " + pilot0 + " | NULL | NULL | 1 | 1",
			"Harbor Lights | Ada Brook | 1 | INT. HARBOR OFFICE - NIGHT | HARBOR OFFICE | NIGHT | 1 | 1",
			"Harbor Lights | Ada Brook | 2 | EXT. PIER - MOMENTS LATER | PIER | LATER | 1 | 1",
			"Harbor Lights | Ada Brook | 3 | INT. LIGHTHOUSE - STAIRWELL - CONTINUOUS | LIGHTHOUSE - STAIRWELL | CONTINUOUS | 1 | 1",
		}})
	c.check(t, query{name: "list_scenes season=1 episode=2", ordered: true,
		sqlite: sq.Replace(listScenes), pg: pq.Replace(listScenes),
		args: []any{nil, nil, 1, 1, 2, 2, 10, 0},
		want: []string{
			"Harbor Lights | Ada Brook | 1 | EXT. BEACH - DAWN | BEACH | DAWN | 1 | 2",
			"Harbor Lights | Ada Brook | 2 | INT. HARBOR OFFICE - DAY | HARBOR OFFICE | DAY | 1 | 2",
		}})
	c.check(t, query{name: "list_scenes project=salt", ordered: true,
		sqlite: sq.Replace(listScenes), pg: pq.Replace(listScenes),
		args: []any{"salt", "salt", nil, nil, nil, nil, 10, 0},
		want: []string{
			"Salt and Iron | Ada Brook | 1 | EXT. SHIPYARD - DAY | SHIPYARD | DAY | NULL | NULL",
			"Salt and Iron | Ada Brook | 2 | INT. SHIPYARD OFFICE - NIGHT | SHIPYARD OFFICE | NIGHT | NULL | NULL",
		}})

	characterLines := `SELECT s.title, sc.scene_number, c.name, d.dialogue_text, '' AS parenthetical, SEASON, EPISODE
		FROM dialogues d INNER JOIN scenes sc ON d.scene_id = sc.id INNER JOIN scripts s ON sc.script_id = s.id
		INNER JOIN characters c ON d.character_id = c.id
		WHERE c.name LIKE ? || '%' AND (? IS NULL OR s.title LIKE '%' || ? || '%')
		ORDER BY COALESCE(SEASON, 9999), COALESCE(EPISODE, 9999), sc.scene_number, d.order_in_scene
		LIMIT ? OFFSET ?`
	pqLines := strings.NewReplacer("SEASON", pgSeason, "EPISODE", pgEpisode, "c.name LIKE", "c.name ILIKE",
		"? IS NULL OR s.title LIKE", "?::text IS NULL OR s.title ILIKE")
	c.check(t, query{name: "character_lines character=MARA", ordered: true,
		sqlite: sq.Replace(characterLines), pg: pqLines.Replace(characterLines),
		args: []any{"MARA", nil, nil, 10, 0},
		want: []string{
			"Harbor Lights | 0 | MARA | Every night the light goes round. Every night somebody watches. |  | 1 | 1",
			"Harbor Lights | 1 | MARA | Three boats out. Two boats back. |  | 1 | 1",
			"Harbor Lights | 1 | MARA | The Gull is always late. |  | 1 | 1",
			"Harbor Lights | 3 | MARA | Not a boat light. Too high. |  | 1 | 1",
			"Harbor Lights | 1 | MARA | Somebody threw it away. |  | 1 | 2",
			"Harbor Lights | 2 | MARA | Lamp oil. Forty tins of it. |  | 1 | 2",
		}})

	characterStats := `SELECT c.name, COUNT(DISTINCT sc.id), COUNT(*), SUM(LENGTH(d.dialogue_text)), GROUP_CONCAT(DISTINCT s.title)
		FROM dialogues d INNER JOIN scenes sc ON d.scene_id = sc.id INNER JOIN scripts s ON sc.script_id = s.id
		INNER JOIN characters c ON d.character_id = c.id
		WHERE ? IS NULL OR s.title LIKE '%' || ? || '%'
		GROUP BY c.name HAVING COUNT(*) >= ? ORDER BY COUNT(*) DESC LIMIT ?`
	pqStats := strings.NewReplacer("GROUP_CONCAT(DISTINCT s.title)", "string_agg(DISTINCT s.title, ',')",
		"? IS NULL OR s.title LIKE", "?::text IS NULL OR s.title ILIKE")
	c.check(t, query{name: "character_stats min_lines=1", ordered: true,
		sqlite: characterStats, pg: pqStats.Replace(characterStats), args: []any{nil, nil, 1, 20},
		want: []string{"MARA | 5 | 6 | 196 | Harbor Lights", "TOMAS | 3 | 3 | 60 | Harbor Lights", "JONAH | 1 | 1 | 35 | Salt and Iron"}})

	c.check(t, query{name: "simple_scene_list", ordered: true,
		sqlite: `SELECT sc.scene_number, sc.heading, s.title FROM scenes sc INNER JOIN scripts s ON sc.script_id = s.id
			WHERE sc.scene_number > 0 ORDER BY s.title, sc.scene_number, sc.heading LIMIT ? OFFSET ?`,
		args: []any{3, 0},
		want: []string{"1 | EXT. BEACH - DAWN | Harbor Lights", "1 | INT. HARBOR OFFICE - NIGHT | Harbor Lights",
			"2 | EXT. PIER - MOMENTS LATER | Harbor Lights"}})

	c.check(t, query{name: "test_list_scripts",
		sqlite: "SELECT scripts.title, scripts.author FROM scripts ORDER BY scripts.created_at DESC LIMIT ? OFFSET ?",
		args:   []any{10, 0},
		want:   []string{"Harbor Lights | Ada Brook", "Harbor Lights | Ada Brook", "Salt and Iron | Ada Brook"}})
	// ScriptRAG parses updated_at with datetime.fromisoformat after
	// replacing the space with a T.
	stamp := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}`)
	for _, v := range c.rows(t, "SELECT CAST(updated_at AS TEXT) FROM scenes", "SELECT to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS') FROM scenes") {
		if !stamp.MatchString(v) {
			t.Errorf("scenes.updated_at %q is not in SQL's timestamp format", v)
		}
	}
}

// contractSearch runs ScriptRAG's search builder's query with each filter.
func contractSearch(t *testing.T, c *contractDB) {
	base := `SELECT DISTINCT s.title, sc.scene_number, sc.heading FROM scripts s INNER JOIN scenes sc ON s.id = sc.script_id JOINS WHERE CONDS
		ORDER BY s.title, sc.scene_number, sc.heading`
	search := func(name, joins, conds, pgConds string, args []any, want ...string) {
		t.Helper()
		if pgConds == "" {
			pgConds = conds
		}
		r := strings.NewReplacer("JOINS", joins, "CONDS", conds)
		p := strings.NewReplacer("JOINS", joins, "CONDS", pgConds)
		c.check(t, query{name: "search " + name, sqlite: r.Replace(base), pg: p.Replace(base), args: args, want: want, ordered: true})
	}
	rangeSQLite := `s.title LIKE ? AND (json_extract(s.metadata, '$.season') >= ? AND json_extract(s.metadata, '$.season') <= ?
		AND json_extract(s.metadata, '$.episode') >= ? AND json_extract(s.metadata, '$.episode') <= ?)`
	rangePG := `s.title ILIKE ? AND ((s.metadata->>'season')::int >= ? AND (s.metadata->>'season')::int <= ?
		AND (s.metadata->>'episode')::int >= ? AND (s.metadata->>'episode')::int <= ?)`
	search("--project harbor --range s1e2", "", rangeSQLite, rangePG, []any{"%harbor%", 1, 1, 2, 2},
		"Harbor Lights | 1 | EXT. BEACH - DAWN", "Harbor Lights | 2 | INT. HARBOR OFFICE - DAY")
	search("--range s1e1-s1e2 (count)", "", rangeSQLite, rangePG, []any{"%%", 1, 1, 1, 2},
		"Harbor Lights | 0 | "+scene0Heading(t, c),
		"Harbor Lights | 1 | EXT. BEACH - DAWN", "Harbor Lights | 1 | INT. HARBOR OFFICE - NIGHT",
		"Harbor Lights | 2 | EXT. PIER - MOMENTS LATER", "Harbor Lights | 2 | INT. HARBOR OFFICE - DAY",
		"Harbor Lights | 3 | INT. LIGHTHOUSE - STAIRWELL - CONTINUOUS")
	dialogueJoin := "INNER JOIN dialogues d ON sc.id = d.scene_id INNER JOIN characters c ON d.character_id = c.id"
	search(`"boats" --character MARA`, dialogueJoin, "d.dialogue_text LIKE ? AND (c.name = ?)", "d.dialogue_text ILIKE ? AND (c.name = ?)",
		[]any{"%boats%", "MARA"}, "Harbor Lights | 1 | INT. HARBOR OFFICE - NIGHT")
	search(`"always late"`, "INNER JOIN dialogues d ON sc.id = d.scene_id", "d.dialogue_text LIKE ?", "d.dialogue_text ILIKE ?",
		[]any{"%always late%"}, "Harbor Lights | 1 | INT. HARBOR OFFICE - NIGHT")
	search("(quietly)", "INNER JOIN dialogues d ON sc.id = d.scene_id", "json_extract(d.metadata, '$.parenthetical') LIKE ?",
		"d.metadata->>'parenthetical' ILIKE ?", []any{"%quietly%"}, "Harbor Lights | 2 | INT. HARBOR OFFICE - DAY")
	textCond := "(sc.content LIKE ? OR EXISTS (SELECT 1 FROM actions a WHERE a.scene_id = sc.id AND a.action_text LIKE ?))"
	search("gaff", "", textCond, strings.ReplaceAll(textCond, "LIKE", "ILIKE"), []any{"%gaff%", "%gaff%"},
		"Harbor Lights | 2 | INT. HARBOR OFFICE - DAY")
	search("HARBOR OFFICE (location)", "", "(sc.location LIKE ?)", "(sc.location ILIKE ?)", []any{"%HARBOR OFFICE%"},
		"Harbor Lights | 1 | INT. HARBOR OFFICE - NIGHT", "Harbor Lights | 2 | INT. HARBOR OFFICE - DAY")
	search("scene type EXT", "", "sc.heading LIKE ?", "", []any{"EXT.%"},
		"Harbor Lights | 1 | EXT. BEACH - DAWN", "Harbor Lights | 2 | EXT. PIER - MOMENTS LATER", "Salt and Iron | 1 | EXT. SHIPYARD - DAY")
	charCond := "(EXISTS (SELECT 1 FROM dialogues d INNER JOIN characters c ON d.character_id = c.id WHERE d.scene_id = sc.id AND c.name = ?))"
	search("TOMAS (character only)", "", charCond, "", []any{"TOMAS"},
		"Harbor Lights | 1 | EXT. BEACH - DAWN", "Harbor Lights | 1 | INT. HARBOR OFFICE - NIGHT", "Harbor Lights | 2 | EXT. PIER - MOMENTS LATER")
}

// contractSceneRead looks scenes up as ScriptRAG's scene management does
// (PROJECT:S01E01:002 and PROJECT:001), records the read as it does, and
// checks that scriptsync does not take the read for a change.
func contractSceneRead(t *testing.T, c *contractDB) {
	lookup := `SELECT s.scene_number, s.heading, sc.title FROM scenes s JOIN scripts sc ON s.script_id = sc.id
		WHERE s.scene_number = ? AND sc.title = ? AND json_extract(sc.metadata, '$.season') = ? AND json_extract(sc.metadata, '$.episode') = ?`
	pgLookup := `SELECT s.scene_number, s.heading, sc.title FROM scenes s JOIN scripts sc ON s.script_id = sc.id
		WHERE s.scene_number = ? AND sc.title = ? AND (sc.metadata->'season') = to_jsonb(?::int) AND (sc.metadata->'episode') = to_jsonb(?::int)`
	c.check(t, query{name: "scene read Harbor Lights:S01E01:002", sqlite: lookup, pg: pgLookup, args: []any{2, "Harbor Lights", 1, 1},
		want: []string{"2 | EXT. PIER - MOMENTS LATER | Harbor Lights"}})
	c.check(t, query{name: "scene read Harbor Lights:S01E02:001", sqlite: lookup, pg: pgLookup, args: []any{1, "Harbor Lights", 1, 2},
		want: []string{"1 | EXT. BEACH - DAWN | Harbor Lights"}})
	c.check(t, query{name: "scene read Salt and Iron:001",
		sqlite: "SELECT s.scene_number, s.heading, sc.title FROM scenes s JOIN scripts sc ON s.script_id = sc.id WHERE s.scene_number = ? AND sc.title = ?",
		args:   []any{1, "Salt and Iron"}, want: []string{"1 | EXT. SHIPYARD - DAY | Salt and Iron"}})

	// A read stamps last_read_at (and ScriptRAG's trigger, updated_at).
	update := `UPDATE scenes SET last_read_at = ? WHERE scene_number = ? AND script_id = (SELECT id FROM scripts WHERE title = ?
		AND json_extract(metadata, '$.season') = ? AND json_extract(metadata, '$.episode') = ?)`
	if c.pg {
		update = dollarPlaceholders(`UPDATE scenes SET last_read_at = ?::timestamptz WHERE scene_number = ? AND script_id = (SELECT id FROM scripts WHERE title = ?
		AND (metadata->>'season')::int = ? AND (metadata->>'episode')::int = ?)`)
	}
	res, err := c.db.Exec(update, time.Now().UTC().Format(time.RFC3339Nano), 2, "Harbor Lights", 1, 1)
	if err != nil {
		t.Fatalf("scene read's update: %v", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("scene read's update touched %d rows, want 1", n)
	}
	if code, out := c.run("plan", "-detailed-exitcode"); code != 0 {
		t.Errorf("after ScriptRAG recorded a read, plan exited %d (want 0, no changes):\n%s", code, out)
	}
}

// contractEmbeddings decodes every vector as ScriptRAG's
// BinaryEmbeddingSerializer does and ranks related scenes as its
// SemanticSearchService does.
func contractEmbeddings(t *testing.T, c *contractDB) {
	rows := c.rows(t, `SELECT s.scene_number, e.entity_type, e.embedding_model, hex(e.embedding) FROM embeddings e
		JOIN scenes s ON s.id = e.entity_id JOIN scripts sc ON sc.id = s.script_id WHERE sc.file_path LIKE '%s01e01.fountain'`,
		`SELECT s.scene_number, e.entity_type, e.embedding_model, encode(e.embedding, 'hex') FROM embeddings e
		JOIN scenes s ON s.id = e.entity_id JOIN scripts sc ON sc.id = s.script_id WHERE sc.file_path LIKE '%s01e01.fountain'`)
	if len(rows) != len(contractVectors) {
		t.Fatalf("got %d embeddings, want %d: %q", len(rows), len(contractVectors), rows)
	}
	for _, r := range rows {
		f := strings.Split(r, " | ")
		n, _ := strconv.Atoi(f[0])
		if f[1] != "scene" || f[2] != "all-MiniLM-L6-v2" {
			t.Errorf("scene %d: entity_type %q, model %q", n, f[1], f[2])
		}
		blob, _ := hex.DecodeString(strings.ToLower(f[3]))
		v, err := decodeScriptRAGEmbedding(blob)
		if err != nil {
			t.Errorf("scene %d: %v", n, err)
			continue
		}
		if !slices.Equal(v, contractVectors[n]) {
			t.Errorf("scene %d decodes to %v, want %v", n, v, contractVectors[n])
		}
	}

	// find_related_scenes(scene 1): its vector, then every other scene
	// embedding of the script with the same model, by cosine similarity,
	// over ScriptRAG's 0.5 threshold.
	target := c.rows(t, `SELECT hex(e.embedding), s.script_id FROM embeddings e JOIN scenes s ON s.id = e.entity_id
		JOIN scripts sc ON sc.id = s.script_id
		WHERE e.entity_type = 'scene' AND e.embedding_model = ? AND s.scene_number = 1 AND sc.file_path LIKE '%s01e01.fountain'`,
		`SELECT encode(e.embedding, 'hex'), s.script_id FROM embeddings e JOIN scenes s ON s.id = e.entity_id
		JOIN scripts sc ON sc.id = s.script_id
		WHERE e.entity_type = 'scene' AND e.embedding_model = ? AND s.scene_number = 1 AND sc.file_path LIKE '%s01e01.fountain'`,
		"all-MiniLM-L6-v2")
	if len(target) != 1 {
		t.Fatalf("scene 1's embedding: %q", target)
	}
	tf := strings.Split(target[0], " | ")
	tb, _ := hex.DecodeString(strings.ToLower(tf[0]))
	tv, err := decodeScriptRAGEmbedding(tb)
	if err != nil {
		t.Fatal(err)
	}
	scriptID, _ := strconv.Atoi(tf[1])
	cands := c.rows(t, `SELECT s.scene_number, hex(e.embedding) FROM scenes s JOIN embeddings e ON e.entity_id = s.id
		WHERE s.script_id = ? AND e.entity_type = 'scene' AND e.embedding_model = ? AND e.embedding IS NOT NULL`,
		`SELECT s.scene_number, encode(e.embedding, 'hex') FROM scenes s JOIN embeddings e ON e.entity_id = s.id
		WHERE s.script_id = ? AND e.entity_type = 'scene' AND e.embedding_model = ? AND e.embedding IS NOT NULL`,
		scriptID, "all-MiniLM-L6-v2")
	type hit struct {
		scene int
		score float64
	}
	var hits []hit
	for _, r := range cands {
		f := strings.Split(r, " | ")
		n, _ := strconv.Atoi(f[0])
		b, _ := hex.DecodeString(strings.ToLower(f[1]))
		v, err := decodeScriptRAGEmbedding(b)
		if err != nil || n == 1 {
			continue
		}
		if s := cosine(tv, v); s >= 0.5 {
			hits = append(hits, hit{n, s})
		}
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].score > hits[j].score })
	var ranked []int
	for _, h := range hits {
		ranked = append(ranked, h.scene)
	}
	if !slices.Equal(ranked, []int{2, 0}) {
		t.Errorf("related scenes of scene 1 ranked %v, want [2 0]", ranked)
	}

	// ScriptRAG's VSS tables: one row per scene vector, raw float32, and
	// its dimensions in embedding_metadata.
	c.check(t, query{name: "scene_embeddings",
		sqlite: `SELECT s.scene_number, se.embedding_model, length(se.embedding), em.dimensions FROM scene_embeddings se
			JOIN scenes s ON s.id = se.scene_id
			JOIN embedding_metadata em ON em.entity_type = 'scene' AND em.entity_id = se.scene_id AND em.embedding_model = se.embedding_model`,
		pg: `SELECT s.scene_number, se.embedding_model, length(se.embedding), em.dimensions FROM scene_embeddings se
			JOIN scenes s ON s.id = se.scene_id
			JOIN embedding_metadata em ON em.entity_type = 'scene' AND em.entity_id = se.scene_id AND em.embedding_model = se.embedding_model`,
		want: []string{"0 | all-MiniLM-L6-v2 | 32 | 8", "1 | all-MiniLM-L6-v2 | 32 | 8", "2 | all-MiniLM-L6-v2 | 32 | 8", "3 | all-MiniLM-L6-v2 | 32 | 8"}})
}

// decodeScriptRAGEmbedding reads ScriptRAG's embedding blob: a
// little-endian uint32 dimension count, then that many float32 values,
// with its decoder's checks.
func decodeScriptRAGEmbedding(b []byte) ([]float32, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("embedding blob of %d bytes has no dimension", len(b))
	}
	dim := binary.LittleEndian.Uint32(b)
	if dim == 0 || dim > 10000 {
		return nil, fmt.Errorf("embedding dimension %d out of range", dim)
	}
	if len(b) != 4+4*int(dim) {
		return nil, fmt.Errorf("embedding blob of %d bytes for dimension %d", len(b), dim)
	}
	v := make([]float32, dim)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4+4*i:]))
	}
	return v, nil
}

func cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

// contractBible runs ScriptRAG's bible search and checks the chunks'
// numbering, hashes and metadata.
func contractBible(t *testing.T, c *contractDB) {
	search := `SELECT s.title, bc.chunk_number, COALESCE(bc.heading, 'NULL'), bc.level FROM bible_chunks bc
		JOIN script_bibles sb ON bc.bible_id = sb.id JOIN scripts s ON sb.script_id = s.id
		WHERE 1=1 AND (bc.content LIKE ? OR bc.heading LIKE ?) AND s.title = ? ORDER BY bc.bible_id, bc.chunk_number`
	c.check(t, query{name: "bible search boats --project 'Harbor Lights'", ordered: true,
		sqlite: search, pg: strings.ReplaceAll(search, "LIKE", "ILIKE"), args: []any{"%boats%", "%boats%", "Harbor Lights"},
		want: []string{"Harbor Lights | 5 | Mara | 2"}})
	// The semantic bible search's query runs (there are no bible vectors).
	c.check(t, query{name: "semantic bible search",
		sqlite: `SELECT bc.id FROM bible_chunks bc JOIN script_bibles sb ON bc.bible_id = sb.id JOIN embeddings e ON e.entity_id = bc.id
			WHERE sb.script_id IS NOT NULL AND e.entity_type = 'bible_chunk' AND e.embedding_model = ? AND e.embedding IS NOT NULL`,
		args: []any{"all-MiniLM-L6-v2"}})

	rows := c.rows(t, `SELECT chunk_number, COALESCE(heading, ''), level, content, content_hash,
			COALESCE((SELECT p.chunk_number FROM bible_chunks p WHERE p.id = bc.parent_chunk_id), -1),
			json_extract(metadata, '$.word_count'), json_extract(metadata, '$.char_count')
			FROM bible_chunks bc ORDER BY chunk_number`,
		`SELECT chunk_number, COALESCE(heading, ''), level, content, content_hash,
			COALESCE((SELECT p.chunk_number FROM bible_chunks p WHERE p.id = bc.parent_chunk_id), -1),
			metadata->>'word_count', metadata->>'char_count'
			FROM bible_chunks bc ORDER BY chunk_number`)
	want := []struct {
		heading string
		level   int
		content string
		parent  int
	}{
		{"", 0, "Harbor Lights takes place in a fishing town on a cold northern coast.", -1},
		{"Places", 1, "", -1},
		{"The Harbor Office", 2, "A single room above the fish market, with a radio and a kettle.", 1},
		{"The Lighthouse", 2, "Automated in theory, watched by hand in practice.", 1},
		{"People", 1, "", -1},
		{"Mara", 2, "Harbor master. Counts the boats out and counts them back.", 4},
	}
	if len(rows) != len(want) {
		t.Fatalf("bible chunks:\n  %s\nwant %d", strings.Join(rows, "\n  "), len(want))
	}
	for i, w := range want {
		sum := sha256.Sum256([]byte(w.heading + "\n" + w.content))
		line := fmt.Sprintf("%d | %s | %d | %s | %s | %d | %d | %d", i, w.heading, w.level, w.content, hex.EncodeToString(sum[:]),
			w.parent, len(strings.Fields(w.content)), len([]rune(w.content)))
		if rows[i] != line {
			t.Errorf("bible chunk %d:\n  got  %s\n  want %s", i, rows[i], line)
		}
	}
}

// contractElements: dialogues and actions are numbered per table from 0
// within a scene, a dialogue's parenthetical is in its metadata, and a
// character is one row whatever extension its cues carry.
func contractElements(t *testing.T, c *contractDB) {
	c.check(t, query{name: "pilot scene 1 dialogues",
		sqlite: `SELECT d.order_in_scene, c.name, d.dialogue_text, COALESCE(json_extract(d.metadata, '$.parenthetical'), 'NULL')
			FROM dialogues d JOIN characters c ON c.id = d.character_id JOIN scenes s ON s.id = d.scene_id
			WHERE s.heading = 'INT. HARBOR OFFICE - NIGHT' ORDER BY d.order_in_scene`,
		pg: `SELECT d.order_in_scene, c.name, d.dialogue_text, COALESCE(d.metadata->>'parenthetical', 'NULL')
			FROM dialogues d JOIN characters c ON c.id = d.character_id JOIN scenes s ON s.id = d.scene_id
			WHERE s.heading = 'INT. HARBOR OFFICE - NIGHT' ORDER BY d.order_in_scene`,
		ordered: true,
		want: []string{"0 | MARA | Three boats out. Two boats back. | (to herself)", "1 | TOMAS | The Gull is late again. | NULL",
			"2 | MARA | The Gull is always late. | NULL"}})
	c.check(t, query{name: "pilot scene 1 actions", ordered: true,
		sqlite: `SELECT a.order_in_scene, a.action_text FROM actions a JOIN scenes s ON s.id = a.scene_id
			WHERE s.heading = 'INT. HARBOR OFFICE - NIGHT' ORDER BY a.order_in_scene`,
		want: []string{"0 | Rain streaks the window. MARA (40s) sorts a pile of shipping manifests.", "1 | TOMAS enters, soaked to the skin."}})
	c.check(t, query{name: "characters",
		sqlite: `SELECT sc.title, c.name, COALESCE(c.description, 'NULL') FROM characters c JOIN scripts sc ON sc.id = c.script_id`,
		want: []string{"Harbor Lights | MARA | Harbor master, forty-odd years on the water.", "Harbor Lights | TOMAS | NULL",
			"Harbor Lights | MARA | NULL", "Harbor Lights | TOMAS | NULL", "Salt and Iron | JONAH | NULL"}})
}
