package sql

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// schemaVersion is the version of the schema this package writes, kept in
// scriptsync_meta. Bump it with every change to the tables below; ensure
// brings an older database up to it. Version 1 relaxed some of ScriptRAG's
// constraints and lacked its VSS tables, indexes and triggers; version 2 is
// ScriptRAG's schema exactly, plus scriptsync's own tables and columns.
// Version 3 adds scriptsync_drift and the triggers that fill it (drift.go);
// version 4 has them flag managed rows deleted outside scriptsync too, so
// that an empty scriptsync_drift vouches for every managed row (the memo).
const schemaVersion = 4

// kind is a column's type, spelled per dialect by columnType.
type kind int

const (
	kindID    kind = iota // integer primary key, generated
	kindKeyID             // integer primary key given by the writer (VSS tables, schema_version)
	kindRef               // integer foreign key
	kindInt               // integer
	kindReal              // floating point
	kindText              // text
	kindJSON              // JSON document (JSONB on PostgreSQL)
	kindBlob              // bytes (BYTEA on PostgreSQL)
	kindTime              // timestamp, defaulting to now
	kindBool              // boolean
)

type column struct {
	name    string
	kind    kind
	notNull bool
	unique  bool
	def     string // a constant default, as SQL
	ref     string // "scripts (id) ON DELETE CASCADE"
	pk      bool   // the primary key, given by the writer
}

type table struct {
	name        string
	cols        []column
	constraints []string
	indexes     [][2]string // name, column list
	// touch names ScriptRAG's trigger that keeps updated_at current, and
	// key the column that identifies the updated row.
	touch, key string
}

func col(name string, k kind) column     { return column{name: name, kind: k} }
func notNull(name string, k kind) column { return column{name: name, kind: k, notNull: true} }
func ref(name, target string, nn bool) column {
	return column{name: name, kind: kindRef, notNull: nn, ref: target}
}

// pkRef is the key of a VSS table: ScriptRAG declares
// scene_embeddings.scene_id INTEGER PRIMARY KEY, referencing scenes.
func pkRef(name, target string) column {
	return column{name: name, kind: kindRef, pk: true, ref: target}
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
func one(cs ...column) []column { return cs }

// References, as ScriptRAG declares them.
const (
	toScripts = "scripts (id) ON DELETE CASCADE"
	toScenes  = "scenes (id) ON DELETE CASCADE"
	toChars   = "characters (id) ON DELETE CASCADE"
	toChunks  = "bible_chunks (id) ON DELETE CASCADE"
)

// tables is the schema: ScriptRAG's tables (init_database.sql,
// bible_schema.sql, vss_schema.sql), column for column in its order, then
// the columns scriptsync adds (after ScriptRAG's), then scriptsync's own
// tables. Order matters: referenced tables come first.
var tables = []table{
	{name: "series", cols: cols(one(col("id", kindID), notNull("title", kindText), col("description", kindText),
		col("metadata", kindJSON)), timestamps())},
	{name: "scripts", cols: cols(one(col("id", kindID), notNull("title", kindText), col("author", kindText)), timestamps(),
		one(column{name: "file_path", kind: kindText, notNull: true, unique: true}, withDefault(col("format", kindText), "'fountain'"),
			col("project_title", kindText), col("series_title", kindText), col("season", kindInt), col("episode", kindInt),
			col("metadata", kindJSON),
			// scriptsync's:
			withDefault(col("version", kindInt), "1"), withDefault(col("is_current", kindBool), "TRUE"),
			ref("series_id", "series (id) ON DELETE SET NULL", false))),
		indexes: [][2]string{{"idx_scripts_title", "title"}, {"idx_scripts_project_title", "project_title"},
			{"idx_scripts_series", "series_title, season, episode"}, {"idx_scripts_series_id", "series_id"}},
		touch: "update_scripts_timestamp"},
	{name: "scenes", cols: cols(one(col("id", kindID), ref("script_id", toScripts, true),
		notNull("scene_number", kindInt), notNull("heading", kindText), col("location", kindText), col("time_of_day", kindText),
		col("content", kindText)), timestamps(), one(col("last_read_at", kindTime), col("metadata", kindJSON))),
		constraints: []string{"UNIQUE (script_id, scene_number)"},
		indexes:     [][2]string{{"idx_scenes_script_id", "script_id"}, {"idx_scenes_location", "location"}},
		touch:       "update_scenes_timestamp"},
	{name: "characters", cols: cols(one(col("id", kindID), ref("script_id", toScripts, true),
		notNull("name", kindText), col("aliases", kindText), col("description", kindText)), timestamps(), one(col("metadata", kindJSON))),
		constraints: []string{"UNIQUE (script_id, name)"},
		indexes:     [][2]string{{"idx_characters_script_id", "script_id"}, {"idx_characters_name", "name"}},
		touch:       "update_characters_timestamp"},
	{name: "dialogues", cols: cols(one(col("id", kindID), ref("scene_id", toScenes, true),
		ref("character_id", toChars, true), notNull("dialogue_text", kindText),
		notNull("order_in_scene", kindInt)), timestamps(), one(col("metadata", kindJSON))),
		indexes: [][2]string{{"idx_dialogues_scene_id", "scene_id"}, {"idx_dialogues_character_id", "character_id"}},
		touch:   "update_dialogues_timestamp"},
	{name: "actions", cols: cols(one(col("id", kindID), ref("scene_id", toScenes, true),
		notNull("action_text", kindText), notNull("order_in_scene", kindInt)), timestamps(), one(col("metadata", kindJSON))),
		indexes: [][2]string{{"idx_actions_scene_id", "scene_id"}}, touch: "update_actions_timestamp"},
	{name: "character_relationships", cols: cols(one(col("id", kindID),
		ref("character_id_1", toChars, true), ref("character_id_2", toChars, true),
		notNull("relationship_type", kindText), col("description", kindText)), timestamps(), one(col("metadata", kindJSON))),
		constraints: []string{"CHECK (character_id_1 < character_id_2)", "UNIQUE (character_id_1, character_id_2, relationship_type)"},
		indexes:     [][2]string{{"idx_relationships_char1", "character_id_1"}, {"idx_relationships_char2", "character_id_2"}},
		touch:       "update_relationships_timestamp"},
	{name: "scene_graph_edges", cols: cols(one(col("id", kindID),
		ref("from_scene_id", toScenes, true), ref("to_scene_id", toScenes, true),
		notNull("edge_type", kindText), withDefault(col("weight", kindReal), "1.0")), timestamps(), one(col("metadata", kindJSON))),
		constraints: []string{"UNIQUE (from_scene_id, to_scene_id, edge_type)"},
		indexes:     [][2]string{{"idx_scene_edges_from", "from_scene_id"}, {"idx_scene_edges_to", "to_scene_id"}},
		touch:       "update_scene_edges_timestamp"},
	{name: "embeddings", cols: cols(one(col("id", kindID), notNull("entity_type", kindText), notNull("entity_id", kindRef),
		notNull("embedding_model", kindText), notNull("embedding", kindBlob)), timestamps(),
		// scriptsync's:
		one(col("dimensions", kindInt), col("lfs_oid", kindText))),
		constraints: []string{"UNIQUE (entity_type, entity_id, embedding_model)"},
		indexes:     [][2]string{{"idx_embeddings_entity", "entity_type, entity_id"}},
		touch:       "update_embeddings_timestamp"},
	{name: "schema_version", cols: one(col("version", kindKeyID), col("applied_at", kindTime), col("description", kindText))},
	{name: "script_bibles", cols: cols(one(col("id", kindID), ref("script_id", toScripts, true),
		notNull("file_path", kindText), col("title", kindText)), timestamps(), one(notNull("file_hash", kindText), col("metadata", kindJSON))),
		constraints: []string{"UNIQUE (script_id, file_path)"},
		indexes:     [][2]string{{"idx_script_bibles_script_id", "script_id"}, {"idx_script_bibles_file_hash", "file_hash"}},
		touch:       "update_script_bibles_timestamp"},
	{name: "bible_chunks", cols: cols(one(col("id", kindID), ref("bible_id", "script_bibles (id) ON DELETE CASCADE", true),
		notNull("chunk_number", kindInt), col("heading", kindText), col("level", kindInt), notNull("content", kindText),
		notNull("content_hash", kindText), ref("parent_chunk_id", "bible_chunks (id) ON DELETE SET NULL", false)),
		timestamps(), one(col("metadata", kindJSON))),
		constraints: []string{"UNIQUE (bible_id, chunk_number)"},
		indexes: [][2]string{{"idx_bible_chunks_bible_id", "bible_id"}, {"idx_bible_chunks_content_hash", "content_hash"},
			{"idx_bible_chunks_parent", "parent_chunk_id"}},
		touch: "update_bible_chunks_timestamp"},
	{name: "bible_embeddings", cols: cols(one(col("id", kindID), ref("chunk_id", toChunks, true),
		notNull("embedding_model", kindText), notNull("embedding_path", kindText), notNull("dimensions", kindInt)), timestamps()),
		constraints: []string{"UNIQUE (chunk_id, embedding_model)"},
		indexes:     [][2]string{{"idx_bible_embeddings_chunk_id", "chunk_id"}},
		touch:       "update_bible_embeddings_timestamp"},
	// ScriptRAG's trigger on bible_references sets an updated_at the table
	// does not have: like ScriptRAG's, it fails any UPDATE of the table.
	{name: "bible_references", cols: cols(one(col("id", kindID), ref("chunk_id", toChunks, true),
		notNull("reference_type", kindText), notNull("reference_id", kindRef), withDefault(col("confidence", kindReal), "1.0"),
		col("created_at", kindTime), col("metadata", kindJSON))),
		constraints: []string{"UNIQUE (chunk_id, reference_type, reference_id)"},
		indexes: [][2]string{{"idx_bible_references_chunk_id", "chunk_id"},
			{"idx_bible_references_type", "reference_type, reference_id"}},
		touch: "update_bible_references_timestamp"},
	{name: "scene_embeddings", cols: cols(one(pkRef("scene_id", toScenes), notNull("embedding_model", kindText),
		notNull("embedding", kindBlob)), timestamps()),
		indexes: [][2]string{{"idx_scene_embeddings_model", "embedding_model"}},
		touch:   "update_scene_embeddings_timestamp", key: "scene_id"},
	{name: "bible_chunk_embeddings", cols: cols(one(pkRef("chunk_id", toChunks), notNull("embedding_model", kindText),
		notNull("embedding", kindBlob)), timestamps()),
		indexes: [][2]string{{"idx_bible_chunk_embeddings_model", "embedding_model"}},
		touch:   "update_bible_chunk_embeddings_timestamp", key: "chunk_id"},
	{name: "embedding_metadata", cols: cols(one(col("id", kindID), notNull("entity_type", kindText), notNull("entity_id", kindRef),
		notNull("embedding_model", kindText), notNull("dimensions", kindInt)), timestamps()),
		constraints: []string{"UNIQUE (entity_type, entity_id, embedding_model)"},
		indexes: [][2]string{{"idx_embedding_metadata_entity", "entity_type, entity_id"},
			{"idx_embedding_metadata_model", "embedding_model"}},
		touch: "update_embedding_metadata_timestamp"},
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
	{name: "scriptsync_drift", cols: one(notNull("type", kindText), notNull("row_id", kindRef)),
		constraints: []string{"PRIMARY KEY (type, row_id)"}},
}

// tableByName returns the table named name.
func tableByName(name string) (table, bool) {
	for _, t := range tables {
		if t.name == name {
			return t, true
		}
	}
	return table{}, false
}

// columnType spells a column's type, default and reference.
func columnType(f flavor, c column, adding bool) string {
	var b strings.Builder
	switch f {
	case flavorPostgres:
		b.WriteString(map[kind]string{kindID: "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", kindKeyID: "BIGINT PRIMARY KEY",
			kindRef: "BIGINT", kindInt: "BIGINT", kindReal: "DOUBLE PRECISION", kindText: "TEXT", kindJSON: "JSONB", kindBlob: "BYTEA",
			kindTime: "TIMESTAMPTZ", kindBool: "BOOLEAN"}[c.kind])
	default:
		b.WriteString(map[kind]string{kindID: "INTEGER PRIMARY KEY AUTOINCREMENT", kindKeyID: "INTEGER PRIMARY KEY",
			kindRef: "INTEGER", kindInt: "INTEGER", kindReal: "REAL", kindText: "TEXT", kindJSON: "JSON", kindBlob: "BLOB",
			kindTime: "TIMESTAMP", kindBool: "BOOLEAN"}[c.kind])
	}
	if c.pk {
		b.WriteString(" PRIMARY KEY")
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
	return createTableNamed(f, t, t.name)
}

func createTableNamed(f flavor, t table, name string) string {
	var parts []string
	for _, c := range t.cols {
		parts = append(parts, c.name+" "+columnType(f, c, false))
	}
	parts = append(parts, t.constraints...)
	return fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (\n  %s\n)", name, strings.Join(parts, ",\n  "))
}

// triggers are ScriptRAG's update_*_timestamp triggers, and scriptsync's
// trigger that removes a scene's embeddings with the scene: embeddings name
// their entity by type and id, so no foreign key can cascade.
//
// On PostgreSQL an AFTER UPDATE trigger that updates its own row would fire
// again; a BEFORE UPDATE trigger setting updated_at has the same effect.
func triggers(f flavor) []string {
	var out []string
	if f == flavorPostgres {
		out = append(out, `CREATE OR REPLACE FUNCTION update_updated_at_timestamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at = CURRENT_TIMESTAMP;
  RETURN NEW;
END
$$`)
		for _, t := range tables {
			if t.touch != "" {
				out = append(out, fmt.Sprintf("DROP TRIGGER IF EXISTS %s ON %s", t.touch, t.name),
					fmt.Sprintf("CREATE TRIGGER %s BEFORE UPDATE ON %s\n  FOR EACH ROW EXECUTE FUNCTION update_updated_at_timestamp()", t.touch, t.name))
			}
		}
		return append(out,
			`CREATE OR REPLACE FUNCTION scriptsync_delete_scene_embeddings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM embeddings WHERE entity_type = 'scene' AND entity_id = OLD.id;
  DELETE FROM embedding_metadata WHERE entity_type = 'scene' AND entity_id = OLD.id;
  RETURN OLD;
END
$$`,
			`DROP TRIGGER IF EXISTS scriptsync_scene_embeddings ON scenes`,
			`CREATE TRIGGER scriptsync_scene_embeddings AFTER DELETE ON scenes
  FOR EACH ROW EXECUTE FUNCTION scriptsync_delete_scene_embeddings()`,
		)
	}
	for _, t := range tables {
		if t.touch != "" {
			key := t.key
			if key == "" {
				key = "id"
			}
			out = append(out, fmt.Sprintf("CREATE TRIGGER IF NOT EXISTS %s\nAFTER UPDATE ON %s\nBEGIN\nUPDATE %s SET updated_at = CURRENT_TIMESTAMP\nWHERE %s = new.%s;\nEND",
				t.touch, t.name, t.name, key, key))
		}
	}
	// Version 1 created this trigger without the embedding_metadata
	// statement: it is replaced, not kept.
	return append(out, `DROP TRIGGER IF EXISTS scriptsync_scene_embeddings`,
		`CREATE TRIGGER scriptsync_scene_embeddings AFTER DELETE ON scenes
BEGIN
  DELETE FROM embeddings WHERE entity_type = 'scene' AND entity_id = old.id;
  DELETE FROM embedding_metadata WHERE entity_type = 'scene' AND entity_id = old.id;
END`)
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
		objCols, err := s.columns(ctx, "scriptsync_objects")
		if err != nil {
			return 0, wrapf(err, "read schema version")
		}
		if objCols != nil {
			// Without scriptsync_meta the bookkeeping cannot be trusted
			// (its version and serial are gone): treating the database as
			// new would plan to add what is there and never converge.
			return 0, &schemaError{"sql: the database has scriptsync's scriptsync_objects table but not scriptsync_meta, so scriptsync's bookkeeping is damaged (was scriptsync_meta dropped?); " +
				"restore the database from a backup, or re-create the table with " +
				"CREATE TABLE scriptsync_meta (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL); " +
				"INSERT INTO scriptsync_meta VALUES ('schema_version', '" + strconv.Itoa(schemaVersion) + "'), ('serial', '0'); and run plan again"}
		}
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
