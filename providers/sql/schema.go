package sql

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// schemaVersion is the version of the schema this package writes, kept in
// scriptsync_meta. Bump it with every change to the tables below; ensure
// brings an older database up to it.
const schemaVersion = 1

// kind is a column's type, spelled per dialect by columnType.
type kind int

const (
	kindID   kind = iota // integer primary key, generated
	kindRef              // integer foreign key
	kindInt              // integer
	kindReal             // floating point
	kindText             // text
	kindJSON             // JSON document (JSONB on PostgreSQL)
	kindBlob             // bytes (BYTEA on PostgreSQL)
	kindTime             // timestamp, defaulting to now
	kindBool             // boolean
)

type column struct {
	name    string
	kind    kind
	notNull bool
	unique  bool
	def     string // a constant default, as SQL
	ref     string // "scripts (id) ON DELETE CASCADE"
}

type table struct {
	name        string
	cols        []column
	constraints []string
	indexes     [][2]string // name, column list
}

func col(name string, k kind) column     { return column{name: name, kind: k} }
func notNull(name string, k kind) column { return column{name: name, kind: k, notNull: true} }
func ref(name, target string, nn bool) column {
	return column{name: name, kind: kindRef, notNull: nn, ref: target}
}
func withDefault(c column, def string) column { c.def = def; return c }
func timestamps() []column                    { return []column{col("created_at", kindTime), col("updated_at", kindTime)} }
func cols(cs ...[]column) []column {
	var out []column
	for _, c := range cs {
		out = append(out, c...)
	}
	return out
}
func one(cs ...column) []column            { return cs }
func uniqueCol(name string, k kind) column { return column{name: name, kind: k, unique: true} }

// tables is the schema: ScriptRAG's tables and columns (init_database.sql,
// bible_schema.sql and its migrations), the columns scriptsync adds, and
// scriptsync's bookkeeping. Order matters: referenced tables come first.
var tables = []table{
	{name: "series", cols: cols(one(col("id", kindID), notNull("title", kindText), col("description", kindText),
		col("metadata", kindJSON)), timestamps())},
	{name: "scripts", cols: cols(one(col("id", kindID), notNull("title", kindText), col("author", kindText)), timestamps(),
		one(uniqueCol("file_path", kindText), withDefault(col("format", kindText), "'fountain'"), col("metadata", kindJSON),
			withDefault(col("version", kindInt), "1"), withDefault(col("is_current", kindBool), "TRUE"),
			col("project_title", kindText), col("series_title", kindText), col("season", kindInt), col("episode", kindInt),
			ref("series_id", "series (id) ON DELETE SET NULL", false))),
		indexes: [][2]string{{"idx_scripts_title", "title"}, {"idx_scripts_series_id", "series_id"}}},
	{name: "scenes", cols: cols(one(col("id", kindID), ref("script_id", "scripts (id) ON DELETE CASCADE", true),
		notNull("scene_number", kindInt), notNull("heading", kindText), col("location", kindText), col("time_of_day", kindText),
		col("content", kindText)), timestamps(), one(col("metadata", kindJSON), col("last_read_at", kindTime))),
		constraints: []string{"UNIQUE (script_id, scene_number)"},
		indexes:     [][2]string{{"idx_scenes_script_id", "script_id"}, {"idx_scenes_location", "location"}}},
	{name: "characters", cols: cols(one(col("id", kindID), ref("script_id", "scripts (id) ON DELETE CASCADE", true),
		notNull("name", kindText), col("description", kindText)), timestamps(), one(col("metadata", kindJSON), col("aliases", kindJSON))),
		constraints: []string{"UNIQUE (script_id, name)"},
		indexes:     [][2]string{{"idx_characters_script_id", "script_id"}, {"idx_characters_name", "name"}}},
	{name: "dialogues", cols: cols(one(col("id", kindID), ref("scene_id", "scenes (id) ON DELETE CASCADE", true),
		ref("character_id", "characters (id) ON DELETE CASCADE", true), notNull("dialogue_text", kindText),
		notNull("order_in_scene", kindInt)), timestamps(), one(col("metadata", kindJSON))),
		indexes: [][2]string{{"idx_dialogues_scene_id", "scene_id"}, {"idx_dialogues_character_id", "character_id"}}},
	{name: "actions", cols: cols(one(col("id", kindID), ref("scene_id", "scenes (id) ON DELETE CASCADE", true),
		notNull("action_text", kindText), notNull("order_in_scene", kindInt)), timestamps(), one(col("metadata", kindJSON))),
		indexes: [][2]string{{"idx_actions_scene_id", "scene_id"}}},
	{name: "character_relationships", cols: cols(one(col("id", kindID),
		ref("character_id_1", "characters (id) ON DELETE CASCADE", true), ref("character_id_2", "characters (id) ON DELETE CASCADE", true),
		notNull("relationship_type", kindText), col("description", kindText)), timestamps(), one(col("metadata", kindJSON))),
		constraints: []string{"CHECK (character_id_1 < character_id_2)", "UNIQUE (character_id_1, character_id_2, relationship_type)"},
		indexes:     [][2]string{{"idx_relationships_char1", "character_id_1"}, {"idx_relationships_char2", "character_id_2"}}},
	{name: "scene_graph_edges", cols: cols(one(col("id", kindID),
		ref("from_scene_id", "scenes (id) ON DELETE CASCADE", true), ref("to_scene_id", "scenes (id) ON DELETE CASCADE", true),
		notNull("edge_type", kindText), withDefault(col("weight", kindReal), "1.0")), timestamps(), one(col("metadata", kindJSON))),
		constraints: []string{"UNIQUE (from_scene_id, to_scene_id, edge_type)"},
		indexes:     [][2]string{{"idx_scene_edges_from", "from_scene_id"}, {"idx_scene_edges_to", "to_scene_id"}}},
	{name: "embeddings", cols: cols(one(col("id", kindID), notNull("entity_type", kindText), notNull("entity_id", kindRef),
		notNull("embedding_model", kindText), notNull("embedding", kindBlob)), timestamps(),
		one(col("dimensions", kindInt), col("lfs_oid", kindText))),
		constraints: []string{"UNIQUE (entity_type, entity_id, embedding_model)"},
		indexes:     [][2]string{{"idx_embeddings_entity", "entity_type, entity_id"}}},
	{name: "schema_version", cols: one(column{name: "version", kind: kindInt, notNull: true}, col("applied_at", kindTime),
		col("description", kindText)), constraints: []string{"PRIMARY KEY (version)"}},
	{name: "script_bibles", cols: cols(one(col("id", kindID), ref("script_id", "scripts (id) ON DELETE SET NULL", false),
		notNull("file_path", kindText), col("title", kindText)), timestamps(), one(notNull("file_hash", kindText), col("metadata", kindJSON))),
		indexes: [][2]string{{"idx_script_bibles_script_id", "script_id"}, {"idx_script_bibles_file_hash", "file_hash"}}},
	{name: "bible_chunks", cols: cols(one(col("id", kindID), ref("bible_id", "script_bibles (id) ON DELETE CASCADE", true),
		notNull("chunk_number", kindInt), col("heading", kindText), col("level", kindInt), notNull("content", kindText),
		notNull("content_hash", kindText), ref("parent_chunk_id", "bible_chunks (id) ON DELETE SET NULL", false)),
		timestamps(), one(col("metadata", kindJSON))),
		constraints: []string{"UNIQUE (bible_id, chunk_number)"},
		indexes: [][2]string{{"idx_bible_chunks_bible_id", "bible_id"}, {"idx_bible_chunks_content_hash", "content_hash"},
			{"idx_bible_chunks_parent", "parent_chunk_id"}}},
	{name: "bible_embeddings", cols: cols(one(col("id", kindID), ref("chunk_id", "bible_chunks (id) ON DELETE CASCADE", true),
		notNull("embedding_model", kindText), notNull("embedding_path", kindText), notNull("dimensions", kindInt)), timestamps()),
		constraints: []string{"UNIQUE (chunk_id, embedding_model)"},
		indexes:     [][2]string{{"idx_bible_embeddings_chunk_id", "chunk_id"}}},
	{name: "bible_references", cols: cols(one(col("id", kindID), ref("chunk_id", "bible_chunks (id) ON DELETE CASCADE", true),
		notNull("reference_type", kindText), notNull("reference_id", kindRef), withDefault(col("confidence", kindReal), "1.0"),
		col("created_at", kindTime), col("metadata", kindJSON))),
		constraints: []string{"UNIQUE (chunk_id, reference_type, reference_id)"},
		indexes: [][2]string{{"idx_bible_references_chunk_id", "chunk_id"},
			{"idx_bible_references_type", "reference_type, reference_id"}}},
	{name: "scriptsync_meta", cols: one(column{name: "key", kind: kindText, notNull: true}, notNull("value", kindText)),
		constraints: []string{"PRIMARY KEY (key)"}},
	{name: "scriptsync_objects", cols: one(column{name: "address", kind: kindText, notNull: true},
		notNull("type", kindText), notNull("row_id", kindRef), notNull("hash", kindText),
		withDefault(notNull("child_hash", kindText), "''"), withDefault(notNull("attrs", kindText), "'{}'"),
		withDefault(notNull("deps", kindText), "'[]'"), withDefault(notNull("grp", kindText), "''"),
		withDefault(notNull("match_hash", kindText), "''"), withDefault(notNull("seq", kindInt), "0"),
		withDefault(notNull("force_new", kindText), "'[]'"), withDefault(notNull("sensitive", kindText), "'[]'"),
		withDefault(notNull("resource", kindText), "''")),
		constraints: []string{"PRIMARY KEY (address)"},
		indexes:     [][2]string{{"idx_scriptsync_objects_type", "type, row_id"}}},
}

// columnType spells a column's type, default and reference.
func columnType(f flavor, c column, adding bool) string {
	var b strings.Builder
	switch f {
	case flavorPostgres:
		b.WriteString(map[kind]string{kindID: "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", kindRef: "BIGINT",
			kindInt: "BIGINT", kindReal: "DOUBLE PRECISION", kindText: "TEXT", kindJSON: "JSONB", kindBlob: "BYTEA",
			kindTime: "TIMESTAMPTZ", kindBool: "BOOLEAN"}[c.kind])
	default:
		b.WriteString(map[kind]string{kindID: "INTEGER PRIMARY KEY AUTOINCREMENT", kindRef: "INTEGER", kindInt: "INTEGER",
			kindReal: "REAL", kindText: "TEXT", kindJSON: "JSON", kindBlob: "BLOB", kindTime: "TIMESTAMP",
			kindBool: "BOOLEAN"}[c.kind])
	}
	// SQLite cannot add a NOT NULL column without a default, nor one whose
	// default is not constant: an added column is nullable and undated.
	if c.notNull && (!adding || c.def != "") {
		b.WriteString(" NOT NULL")
	}
	if c.unique && !adding {
		b.WriteString(" UNIQUE")
	}
	switch {
	case c.def != "":
		b.WriteString(" DEFAULT " + c.def)
	case c.kind == kindTime && c.name != "last_read_at" && !adding:
		b.WriteString(" DEFAULT CURRENT_TIMESTAMP")
	}
	if c.ref != "" {
		b.WriteString(" REFERENCES " + c.ref)
	}
	return b.String()
}

// createTable renders CREATE TABLE IF NOT EXISTS.
func createTable(f flavor, t table) string {
	var parts []string
	for _, c := range t.cols {
		parts = append(parts, c.name+" "+columnType(f, c, false))
	}
	parts = append(parts, t.constraints...)
	return fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (\n  %s\n)", t.name, strings.Join(parts, ",\n  "))
}

// triggers remove a scene's embeddings with the scene: embeddings name
// their entity by type and id, so no foreign key can cascade.
func triggers(f flavor) []string {
	if f == flavorPostgres {
		return []string{
			`CREATE OR REPLACE FUNCTION scriptsync_delete_scene_embeddings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM embeddings WHERE entity_type = 'scene' AND entity_id = OLD.id;
  RETURN OLD;
END
$$`,
			`DROP TRIGGER IF EXISTS scriptsync_scene_embeddings ON scenes`,
			`CREATE TRIGGER scriptsync_scene_embeddings AFTER DELETE ON scenes
  FOR EACH ROW EXECUTE FUNCTION scriptsync_delete_scene_embeddings()`,
		}
	}
	return []string{`CREATE TRIGGER IF NOT EXISTS scriptsync_scene_embeddings AFTER DELETE ON scenes
BEGIN
  DELETE FROM embeddings WHERE entity_type = 'scene' AND entity_id = old.id;
END`}
}

// schemaError explains a database whose schema scriptsync cannot use.
type schemaError struct{ msg string }

func (e *schemaError) Error() string { return e.msg }

// readSchemaVersion returns the scriptsync schema version of the database,
// 0 when it has no scriptsync bookkeeping.
func readSchemaVersion(ctx context.Context, s session) (int, error) {
	metaCols, err := s.columns(ctx, "scriptsync_meta")
	if err != nil {
		return 0, wrapf(err, "read schema version")
	}
	if metaCols == nil {
		return 0, nil
	}
	var v string
	err = scanAll(ctx, s, func(r rows) error { return r.Scan(&v) },
		"SELECT value FROM scriptsync_meta WHERE key = 'schema_version'")
	if err != nil {
		return 0, wrapf(err, "read schema version")
	}
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, &schemaError{fmt.Sprintf("sql: scriptsync_meta holds a malformed schema version %q", v)}
	}
	if n > schemaVersion {
		return 0, &schemaError{fmt.Sprintf("sql: the database schema is version %d, newer than this scriptsync supports (%d): upgrade scriptsync", n, schemaVersion)}
	}
	return n, nil
}

// ensureSchema creates or migrates the schema inside the session's write
// transaction: missing tables, columns (adopting a ScriptRAG database),
// indexes and triggers. It does nothing when the database is current.
func ensureSchema(ctx context.Context, s session) error {
	v, err := readSchemaVersion(ctx, s)
	if err != nil || v == schemaVersion {
		return err
	}
	f := s.flavor()
	for _, t := range tables {
		have, err := s.columns(ctx, t.name)
		if err != nil {
			return wrapf(err, "inspect table %s", t.name)
		}
		if have == nil {
			if _, err := s.exec(ctx, createTable(f, t)); err != nil {
				return wrapf(err, "create table %s", t.name)
			}
		} else {
			for _, c := range t.cols {
				if have[c.name] {
					continue
				}
				q := fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", t.name, c.name, columnType(f, c, true))
				if _, err := s.exec(ctx, q); err != nil {
					return wrapf(err, "add column %s.%s", t.name, c.name)
				}
			}
		}
		for _, ix := range t.indexes {
			q := fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (%s)", ix[0], t.name, ix[1])
			if _, err := s.exec(ctx, q); err != nil {
				return wrapf(err, "create index %s", ix[0])
			}
		}
	}
	for _, q := range triggers(f) {
		if _, err := s.exec(ctx, q); err != nil {
			return wrapf(err, "create trigger")
		}
	}
	var versions int64
	if err := scanAll(ctx, s, func(r rows) error { return r.Scan(&versions) }, "SELECT count(*) FROM schema_version"); err != nil {
		return wrapf(err, "read schema_version")
	}
	if versions == 0 {
		if _, err := s.exec(ctx, "INSERT INTO schema_version (version, description) VALUES (1, ?), (2, ?)",
			"Initial ScriptRAG database schema", "scriptsync: scripts unique by file_path only"); err != nil {
			return wrapf(err, "write schema_version")
		}
	}
	for _, kv := range [][2]string{{"schema_version", strconv.Itoa(schemaVersion)}, {"serial", "0"}} {
		// The serial survives a migration; the version is overwritten.
		q := "INSERT INTO scriptsync_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING"
		if kv[0] == "schema_version" {
			q = "INSERT INTO scriptsync_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
		}
		if _, err := s.exec(ctx, q, kv[0], kv[1]); err != nil {
			return wrapf(err, "write scriptsync_meta")
		}
	}
	return nil
}
