package sql

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"scriptsync/planner"
	"scriptsync/providers"
)

// Drift detection without reading every row. Triggers on the columns
// scriptsync owns record, in scriptsync_drift, which managed rows another
// writer touched; a plan reads that table (empty, normally) and looks at
// those rows only. The triggers watch only what scriptsync writes (the
// writers' column lists), so ScriptRAG's own writes to columns it owns
// (scenes.last_read_at; updated_at, which its timestamp triggers set on
// every update, scriptsync's included) never count. scriptsync's own
// writes do not either: inside an apply's transaction a 'writing' row in
// scriptsync_meta, invisible to every other transaction and gone before
// the commit, turns the triggers off.

// driftWatch is one table the triggers watch: its owned columns, the
// managed object type whose row they belong to, and the column that holds
// that row's id (the row itself, or a child's parent).
type driftWatch struct {
	table, typ, key string
	cols            []string
	child           bool // inserts and deletes count too (dialogues of a scene)
}

var driftWatches = []driftWatch{
	{"series", typeSeries, "id", seriesCols[1:], false},
	{"scripts", typeScript, "id", scriptCols[1:], false},
	{"characters", typeCharacter, "id", characterCols[1:], false},
	{"scenes", typeScene, "id", sceneCols[1:], false},
	{"embeddings", typeEmbedding, "id", embeddingCols[1:], false},
	{"script_bibles", typeBible, "id", bibleCols[1:], false},
	{"dialogues", typeScene, "scene_id", dialogueCols, true},
	{"actions", typeScene, "scene_id", actionCols, true},
	{"bible_chunks", typeBible, "bible_id", chunkCols[1:], true},
}

// driftTriggerName names the trigger of a watched table (SQLite has one per
// event; the first is the one schemaChanges looks for).
func driftTriggerName(w driftWatch, event string) string {
	if event == "" {
		return "scriptsync_drift_" + w.table
	}
	return "scriptsync_drift_" + w.table + "_" + event
}

// driftTriggersPresent reports whether every drift trigger exists.
func driftTriggersPresent(f flavor, named map[string]bool) bool {
	for _, w := range driftWatches {
		name := driftTriggerName(w, "")
		other := driftTriggerName(w, "truncate")
		if f == flavorSQLite {
			name, other = driftTriggerName(w, "update"), driftTriggerName(w, "delete")
		}
		if !named[other] {
			return false
		}
		if !named[name] {
			return false
		}
	}
	return true
}

const notWriting = "NOT EXISTS (SELECT 1 FROM scriptsync_meta WHERE key = 'writing')"

// driftTriggers are the statements that (re)create the drift triggers.
func driftTriggers(f flavor) []string {
	var out []string
	if f == flavorPostgres {
		out = append(out, `CREATE OR REPLACE FUNCTION scriptsync_mark_drift() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  rid bigint;
BEGIN
  IF NOT `+notWriting+` THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    rid := (to_jsonb(OLD) ->> TG_ARGV[1])::bigint;
    INSERT INTO scriptsync_drift (type, row_id) SELECT TG_ARGV[0], rid
      WHERE EXISTS (SELECT 1 FROM scriptsync_objects WHERE type = TG_ARGV[0] AND row_id = rid)
      ON CONFLICT DO NOTHING;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    rid := (to_jsonb(NEW) ->> TG_ARGV[1])::bigint;
    INSERT INTO scriptsync_drift (type, row_id) SELECT TG_ARGV[0], rid
      WHERE EXISTS (SELECT 1 FROM scriptsync_objects WHERE type = TG_ARGV[0] AND row_id = rid)
      ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$$`,
			// TRUNCATE fires no row trigger: it flags a row no record has,
			// which spoils the memo and which the next apply clears.
			`CREATE OR REPLACE FUNCTION scriptsync_mark_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF `+notWriting+` THEN
    INSERT INTO scriptsync_drift (type, row_id) VALUES ('truncated', 0) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$$`)
		for _, w := range driftWatches {
			events := "UPDATE OF " + strings.Join(w.cols, ", ") + " OR DELETE"
			if w.child {
				events = "INSERT OR " + events
			}
			name := driftTriggerName(w, "")
			trunc := driftTriggerName(w, "truncate")
			out = append(out, fmt.Sprintf("DROP TRIGGER IF EXISTS %s ON %s", name, w.table),
				fmt.Sprintf("CREATE TRIGGER %s AFTER %s ON %s\n  FOR EACH ROW EXECUTE FUNCTION scriptsync_mark_drift('%s', '%s')",
					name, events, w.table, w.typ, w.key),
				fmt.Sprintf("DROP TRIGGER IF EXISTS %s ON %s", trunc, w.table),
				fmt.Sprintf("CREATE TRIGGER %s AFTER TRUNCATE ON %s\n  FOR EACH STATEMENT EXECUTE FUNCTION scriptsync_mark_truncate()",
					trunc, w.table))
		}
		return out
	}
	mark := func(typ, ref string) string {
		// Not INSERT OR IGNORE: the outer statement's conflict policy
		// would override it.
		return fmt.Sprintf("INSERT INTO scriptsync_drift (type, row_id) SELECT '%[1]s', %[2]s\n"+
			"  WHERE EXISTS (SELECT 1 FROM scriptsync_objects WHERE type = '%[1]s' AND row_id = %[2]s)\n"+
			"  AND NOT EXISTS (SELECT 1 FROM scriptsync_drift WHERE type = '%[1]s' AND row_id = %[2]s);", typ, ref)
	}
	for _, w := range driftWatches {
		type event struct{ name, on, body string }
		events := []event{{"update", "UPDATE OF " + strings.Join(w.cols, ", "), mark(w.typ, "old."+w.key) + "\n" + mark(w.typ, "new."+w.key)},
			{"delete", "DELETE", mark(w.typ, "old."+w.key)}}
		if w.child {
			events = append(events, event{"insert", "INSERT", mark(w.typ, "new."+w.key)})
		}
		for _, e := range events {
			name := driftTriggerName(w, e.name)
			out = append(out, "DROP TRIGGER IF EXISTS "+name,
				fmt.Sprintf("CREATE TRIGGER %s AFTER %s ON %s\nWHEN %s\nBEGIN\n%s\nEND", name, e.on, w.table, notWriting, e.body))
		}
	}
	return out
}

// driftKey identifies a flagged row.
type driftKey struct {
	typ string
	id  int64
}

// readDrift returns the rows scriptsync_drift flags. A database of an
// older schema has no such table and flags nothing.
func readDrift(ctx context.Context, s session, schema int) (map[driftKey]bool, error) {
	if schema < 3 {
		return nil, nil
	}
	out := map[driftKey]bool{}
	err := scanAll(ctx, s, func(r rows) error {
		var k driftKey
		if err := r.Scan(&k.typ, &k.id); err != nil {
			return err
		}
		out[k] = true
		return nil
	}, "SELECT type, row_id FROM scriptsync_drift")
	if err != nil {
		return nil, wrapf(err, "read scriptsync_drift")
	}
	return out, nil
}

// driftSuffix marks the hash of an object another writer changed: it never
// equals a hash Desired makes, so the plan updates the object.
const driftSuffix = "+changed-outside"

// flagRecords finds the records of the flagged rows.
func (inv *inventory) flagRecords() {
	inv.drifted = nil
	if len(inv.flags) == 0 {
		return
	}
	for _, r := range inv.recs {
		if inv.flags[driftKey{r.obj.Type, r.rowID}] {
			inv.drifted = append(inv.drifted, r)
		}
	}
	inv.driftNow, inv.driftRead = nil, false
}

// readDriftObjects reads the flagged records' rows as they are now, once,
// from s (which must hold the snapshot the inventory came from). The
// records must be detailed: their recorded attributes are the before.
func (inv *inventory) readDriftObjects(ctx context.Context, s session) error {
	if inv.driftRead {
		return nil
	}
	for _, r := range inv.drifted {
		if !r.present {
			continue
		}
		now, err := currentObject(ctx, s, r)
		if err != nil {
			return err
		}
		inv.driftNow = append(inv.driftNow, &providers.Change{Provider: "sql", Action: providers.Update, Before: r.obj, After: now})
	}
	inv.driftRead = true
	return nil
}

// driftState adds the drift to st: the records whose rows were deleted
// outside scriptsync (held in Objects as recorded), and the flagged ones.
func (inv *inventory) driftState(st *providers.State) {
	for _, r := range inv.recs {
		if !r.present {
			st.Objects = append(st.Objects, r.obj)
			st.Drift = append(st.Drift, &providers.Change{Provider: "sql", Action: providers.Delete, Before: r.obj})
		}
	}
	st.Drift = append(st.Drift, inv.driftNow...)
}

// isDrifted reports whether the record's row was flagged.
func (inv *inventory) isDrifted(r *record) bool {
	return inv.flags[driftKey{r.obj.Type, r.rowID}]
}

// currentObject is a flagged record as its row reads now: the recorded
// attributes with those that are columns (and the counts of child rows)
// replaced by what the database holds.
func currentObject(ctx context.Context, s session, r *record) (*providers.Object, error) {
	w, ok := writers[r.obj.Type]
	if !ok {
		return nil, fmt.Errorf("sql: %s: unknown type %q", r.obj.Address, r.obj.Type)
	}
	attrs := map[string]any{}
	for k, v := range r.attributes() {
		attrs[k] = v
	}
	cols := w.cols[1:]
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	q := fmt.Sprintf("SELECT %s FROM %s WHERE id = ?", strings.Join(cols, ", "), w.table)
	err := scanAll(ctx, s, func(rs rows) error { return rs.Scan(ptrs...) }, q, r.rowID)
	if err != nil {
		return nil, wrapf(err, "read %s", r.obj.Address)
	}
	for i, c := range cols {
		rec, ok := attrs[c]
		if !ok {
			continue
		}
		v := plainValue(vals[i])
		switch rec := rec.(type) {
		case map[string]any, []any:
			// A JSON column (metadata, aliases): compared as a value;
			// NULL is how an empty document is stored.
			if str, ok := v.(string); ok {
				if dec, err := decodeJSON([]byte(str)); err == nil {
					v = dec
				}
			} else if m, ok := rec.(map[string]any); ok && v == nil && len(m) == 0 {
				continue
			}
		}
		attrs[c] = v
	}
	counts := map[string]string{}
	switch r.obj.Type {
	case typeScene:
		counts["dialogues"] = "SELECT COUNT(*) FROM dialogues WHERE scene_id = ?"
		counts["actions"] = "SELECT COUNT(*) FROM actions WHERE scene_id = ?"
	case typeBible:
		counts["chunks"] = "SELECT COUNT(*) FROM bible_chunks WHERE bible_id = ?"
	}
	for k, q := range counts {
		var n int64
		if err := scanAll(ctx, s, func(rs rows) error { return rs.Scan(&n) }, q, r.rowID); err != nil {
			return nil, wrapf(err, "read %s", r.obj.Address)
		}
		if _, ok := attrs[k]; ok {
			attrs[k] = n
		}
	}
	if sameAttrs(r.attributes(), attrs) {
		// What changed is not an attribute (a scene's content, its
		// dialogue or action rows, a bible's chunks): say so rather than
		// show nothing.
		attrs["changed_outside"] = outsideNote[r.obj.Type]
	}
	now := *r.obj
	now.Hash = r.obj.Hash + driftSuffix
	now.Attrs, now.AttrsFunc = attrs, nil
	return &now, nil
}

// outsideNote says, per type, what a drifted object's attributes do not
// show.
var outsideNote = map[string]string{
	typeSeries:    "metadata",
	typeScript:    "metadata or project_title",
	typeCharacter: "metadata",
	typeScene:     "content, metadata, or its dialogues and actions rows",
	typeEmbedding: "the stored vector",
	typeBible:     "metadata, or its bible_chunks rows",
}

func sameAttrs(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !planner.EqualValue(v, w) {
			return false
		}
	}
	return true
}

// plainValue turns a scanned column into an attribute value.
func plainValue(v any) any {
	switch v := v.(type) {
	case []byte:
		return string(v)
	case int:
		return int64(v)
	case int32:
		return int64(v)
	case float32:
		return float64(v)
	}
	return v
}

// markWriting turns the drift triggers off for the rest of the transaction.
func markWriting(ctx context.Context, s session, on bool) error {
	q := "DELETE FROM scriptsync_meta WHERE key = 'writing'"
	if on {
		q = "INSERT INTO scriptsync_meta (key, value) VALUES ('writing', '1') ON CONFLICT (key) DO NOTHING"
	}
	if _, err := s.exec(ctx, q); err != nil {
		return wrapf(err, "mark the apply's writes")
	}
	return nil
}

// clearDrift forgets the flags of the rows an apply rewrote or removed:
// what another writer did to them is repaired.
func clearDrift(ctx context.Context, s session, inv *inventory, changes []*providers.Change) error {
	flagged := inv.flags
	if len(flagged) == 0 {
		return nil
	}
	// A flagged row that is gone (deleted outside scriptsync; the apply
	// made its object again, in a new row) has nothing left to flag.
	present := map[driftKey]bool{}
	for _, r := range inv.recs {
		if r.present {
			present[driftKey{r.obj.Type, r.rowID}] = true
		}
	}
	for k := range flagged {
		if present[k] {
			continue
		}
		if _, err := s.exec(ctx, "DELETE FROM scriptsync_drift WHERE type = ? AND row_id = ?", k.typ, k.id); err != nil {
			return wrapf(err, "clear scriptsync_drift")
		}
	}
	for _, c := range changes {
		if c.Before == nil || c.Action == providers.NoOp {
			continue
		}
		id, err := strconv.ParseInt(c.Before.ID, 10, 64)
		if err != nil {
			continue
		}
		k := driftKey{c.Before.Type, id}
		if !flagged[k] {
			continue
		}
		if _, err := s.exec(ctx, "DELETE FROM scriptsync_drift WHERE type = ? AND row_id = ?", k.typ, k.id); err != nil {
			return wrapf(err, "clear scriptsync_drift")
		}
	}
	return nil
}
