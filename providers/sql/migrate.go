package sql

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// schemaStep is one change ensureSchema makes to bring a database to
// schemaVersion: what it is, for plans, and its statements.
type schemaStep struct {
	desc  string
	stmts []string
}

// rebuilt are the tables whose constraints version 1 relaxed, with every
// table that references them: on SQLite they are rebuilt together (see
// rebuildSQLite). Parents come first.
var rebuilt = []string{"scripts", "scenes", "characters", "dialogues", "actions", "character_relationships",
	"scene_graph_edges", "schema_version", "script_bibles", "bible_chunks", "bible_embeddings", "bible_references"}

// outlinePathSQL is the file_path version 2 gives, inside the migration,
// to a script version 1 stored without one (an outline script). The same
// apply then writes the script's real file_path.
const outlinePathSQL = "'scriptsync-unset:' || id"

// schemaChanges inspects the database and returns what ensureSchema would
// do to it, changing nothing: nil when it is current. A database without
// scriptsync's bookkeeping (new, or made by ScriptRAG) gets the tables,
// columns, indexes and triggers it lacks; ScriptRAG's own tables are
// never rebuilt, only added to.
func schemaChanges(ctx context.Context, s session) ([]schemaStep, error) {
	v, err := readSchemaVersion(ctx, s)
	if err != nil || v == schemaVersion {
		return nil, err
	}
	f := s.flavor()
	have := map[string]map[string]bool{}
	for _, t := range tables {
		c, err := s.columns(ctx, t.name)
		if err != nil {
			return nil, wrapf(err, "inspect table %s", t.name)
		}
		have[t.name] = c
	}
	named, err := schemaObjects(ctx, s)
	if err != nil {
		return nil, wrapf(err, "inspect indexes and triggers")
	}
	var steps []schemaStep
	if v == 1 {
		var up []schemaStep
		if f == flavorPostgres {
			up = upgradePostgresV1()
		} else {
			up = rebuildSQLite(have)
			// The rebuilt tables have every column and index of this
			// version; their triggers are created below.
			for _, name := range rebuilt {
				have[name] = nil
				t, _ := tableByName(name)
				for _, ix := range t.indexes {
					named[ix[0]] = true
				}
				delete(named, t.touch)
			}
		}
		steps = append(steps, up...)
	}
	for _, t := range tables {
		if have[t.name] == nil {
			if v == 1 && f == flavorSQLite && containsString(rebuilt, t.name) {
				// Created by the rebuild.
			} else {
				steps = append(steps, schemaStep{"create table " + t.name, []string{createTable(f, t)}})
			}
		} else {
			for _, c := range t.cols {
				if !have[t.name][c.name] {
					steps = append(steps, schemaStep{fmt.Sprintf("add column %s.%s", t.name, c.name),
						[]string{fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", t.name, c.name, columnType(f, c, true))}})
				}
			}
		}
		for _, ix := range t.indexes {
			if !named[ix[0]] {
				steps = append(steps, schemaStep{fmt.Sprintf("create index %s on %s (%s)", ix[0], t.name, ix[1]),
					[]string{fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (%s)", ix[0], t.name, ix[1])}})
			}
		}
	}
	var missing []string
	for _, t := range tables {
		if t.touch != "" && !named[t.touch] {
			missing = append(missing, t.touch)
		}
	}
	if len(missing) > 0 || !named["scriptsync_scene_embeddings"] || v == 1 {
		desc := "create triggers " + strings.Join(append(missing, "scriptsync_scene_embeddings"), ", ")
		steps = append(steps, schemaStep{desc, triggers(f)})
	}
	if !driftTriggersPresent(f, named) || v < 4 {
		steps = append(steps, schemaStep{"create drift triggers on the columns scriptsync writes", driftTriggers(f)})
	}
	steps = append(steps, schemaStep{fmt.Sprintf("record scriptsync schema version %d", schemaVersion), metaStatements()})
	return steps, nil
}

// metaStatements record the schema version: ScriptRAG's schema_version
// row in a new database (one ScriptRAG made keeps its rows), and
// scriptsync's.
func metaStatements() []string {
	return []string{
		"INSERT INTO schema_version (version, description) SELECT 4, 'ScriptRAG schema 4, created by scriptsync' " +
			"WHERE NOT EXISTS (SELECT 1 FROM schema_version)",
		// The serial survives a migration; the version is overwritten.
		"INSERT INTO scriptsync_meta (key, value) VALUES ('serial', '0') ON CONFLICT (key) DO NOTHING",
		"INSERT INTO scriptsync_meta (key, value) VALUES ('schema_version', '" + strconv.Itoa(schemaVersion) +
			"') ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	}
}

// fixNullsV1 gives the rows version 1 allowed to lack them the values
// version 2 requires: a placeholder path for outline scripts, and a script
// for bibles that named none (the lowest script id; the same apply
// attaches each to its script). Bibles of a database without scripts are
// deleted with their chunks: no script can hold them.
func fixNullsV1(scripts string) []string {
	return []string{
		"UPDATE " + scripts + " SET file_path = " + outlinePathSQL + " WHERE file_path IS NULL",
		"UPDATE script_bibles SET script_id = (SELECT MIN(id) FROM " + scripts + ") WHERE script_id IS NULL",
		"DELETE FROM script_bibles WHERE script_id IS NULL",
	}
}

// upgradePostgresV1 tightens version 1's constraints in place:
// PostgreSQL alters constraints and types transactionally.
func upgradePostgresV1() []schemaStep {
	return []schemaStep{
		{"set scripts.file_path NOT NULL (outline scripts get their path)", []string{
			fixNullsV1("scripts")[0],
			"ALTER TABLE scripts ALTER COLUMN file_path SET NOT NULL"}},
		{"set script_bibles.script_id NOT NULL, ON DELETE CASCADE, UNIQUE (script_id, file_path)", append(fixNullsV1("scripts")[1:],
			"ALTER TABLE script_bibles ALTER COLUMN script_id SET NOT NULL",
			"ALTER TABLE script_bibles DROP CONSTRAINT IF EXISTS script_bibles_script_id_fkey",
			"ALTER TABLE script_bibles ADD CONSTRAINT script_bibles_script_id_fkey FOREIGN KEY (script_id) REFERENCES scripts (id) ON DELETE CASCADE",
			"ALTER TABLE script_bibles ADD CONSTRAINT script_bibles_script_id_file_path_key UNIQUE (script_id, file_path)")},
		{"set characters.aliases type TEXT", []string{
			"ALTER TABLE characters ALTER COLUMN aliases TYPE TEXT USING aliases::text"}},
	}
}

// rebuildSQLite rebuilds version 1's tables with version 2's constraints.
// SQLite alters no constraint in place, so each table is created anew and
// its rows copied with their ids. It runs inside the write transaction
// with foreign keys on (PRAGMA foreign_keys cannot change inside one),
// which rules out SQLite's usual procedure: dropping a table that others
// reference would cascade into them, and renaming it would make them
// reference the renamed table. So every table that references a rebuilt
// one is rebuilt too: all are renamed aside (their references to each
// other follow the renames), created anew, filled parents first, and the
// old ones dropped dependents first, when nothing references them.
func rebuildSQLite(have map[string]map[string]bool) []schemaStep {
	var stmts []string
	stmts = append(stmts, fixNullsV1("scripts")...)
	for _, name := range rebuilt {
		if have[name] != nil {
			stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s RENAME TO %s__v1", name, name))
		}
	}
	for _, name := range rebuilt {
		t, _ := tableByName(name)
		stmts = append(stmts, createTable(flavorSQLite, t))
		if have[name] == nil {
			continue
		}
		var cs []string
		for _, c := range t.cols {
			if have[name][c.name] {
				cs = append(cs, c.name)
			}
		}
		list := strings.Join(cs, ", ")
		stmts = append(stmts, fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s__v1", name, list, list, name),
			// Keep the AUTOINCREMENT high-water mark: ids are never reused.
			fmt.Sprintf("DELETE FROM sqlite_sequence WHERE name = '%s'", name),
			fmt.Sprintf("UPDATE sqlite_sequence SET name = '%s' WHERE name = '%s__v1'", name, name))
	}
	for i := len(rebuilt) - 1; i >= 0; i-- {
		if have[rebuilt[i]] != nil {
			stmts = append(stmts, fmt.Sprintf("DROP TABLE %s__v1", rebuilt[i]))
		}
	}
	// The old tables' indexes went with them.
	for _, name := range rebuilt {
		t, _ := tableByName(name)
		for _, ix := range t.indexes {
			stmts = append(stmts, fmt.Sprintf("CREATE INDEX %s ON %s (%s)", ix[0], name, ix[1]))
		}
	}
	return []schemaStep{{"rebuild tables " + strings.Join(rebuilt, ", ") +
		" with ScriptRAG's constraints and indexes (scripts.file_path NOT NULL, script_bibles.script_id NOT NULL ON DELETE CASCADE, " +
		"UNIQUE (script_id, file_path), characters.aliases TEXT), keeping every row and id", stmts}}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// schemaObjects returns the names of the database's indexes and triggers.
func schemaObjects(ctx context.Context, s session) (map[string]bool, error) {
	q := "SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger')"
	if s.flavor() == flavorPostgres {
		q = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() " +
			"UNION SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
	}
	return nameSet(ctx, s, q)
}

// schemaNotice describes, for a plan, the schema changes the next apply
// makes (inside its transaction) to an existing database: one of an older
// scriptsync, or one ScriptRAG created. A plan changes nothing; a
// database without ScriptRAG's scripts table is simply created, and told
// of by no notice.
func schemaNotice(ctx context.Context, s session, version int) (string, error) {
	existing, steps, err := pendingSteps(ctx, s)
	if err != nil || !existing || len(steps) == 0 {
		return "", err
	}
	return fmt.Sprintf("The SQL database is %s. The next apply changes its schema to scriptsync's version %d, "+
		"in its transaction:\n%s", describeVersion(version), schemaVersion, listSteps(steps)), nil
}

// pendingSteps returns schemaChanges, and whether the database already
// has ScriptRAG's scripts table.
func pendingSteps(ctx context.Context, s session) (bool, []schemaStep, error) {
	if c, err := s.columns(ctx, "scripts"); err != nil || c == nil {
		return false, nil, err
	}
	steps, err := schemaChanges(ctx, s)
	return true, steps, err
}

func describeVersion(v int) string {
	if v == 0 {
		return "a ScriptRAG database without scriptsync's tables"
	}
	return fmt.Sprintf("scriptsync schema version %d", v)
}

func listSteps(steps []schemaStep) string {
	descs := make([]string, len(steps))
	for i, st := range steps {
		descs[i] = "  - " + st.desc
	}
	return strings.Join(descs, "\n")
}

// ensureSchema creates or migrates the schema inside the session's write
// transaction. It does nothing when the database is current. For an
// existing database it changed, it returns what it did, for the apply's
// warnings.
func ensureSchema(ctx context.Context, s session) (string, error) {
	v, err := readSchemaVersion(ctx, s)
	if err != nil {
		return "", err
	}
	existing, steps, err := pendingSteps(ctx, s)
	if err != nil {
		return "", err
	}
	if !existing {
		if steps, err = schemaChanges(ctx, s); err != nil {
			return "", err
		}
	}
	for _, st := range steps {
		for _, q := range st.stmts {
			if _, err := s.exec(ctx, q); err != nil {
				return "", wrapf(err, "%s", st.desc)
			}
		}
	}
	if len(steps) > 0 && s.flavor() == flavorSQLite {
		var bad int64
		if err := scanAll(ctx, s, func(r rows) error { bad++; return nil }, "PRAGMA foreign_key_check"); err != nil {
			return "", wrapf(err, "check foreign keys after the schema change")
		}
		if bad > 0 {
			return "", &schemaError{fmt.Sprintf("sql: %d rows break a foreign key after the schema change; nothing was changed", bad)}
		}
	}
	if !existing || len(steps) == 0 {
		return "", nil
	}
	return fmt.Sprintf("The SQL database was %s. This apply changes its schema to scriptsync's version %d, "+
		"in its transaction (undone if the apply fails):\n%s", describeVersion(v), schemaVersion, listSteps(steps)), nil
}
