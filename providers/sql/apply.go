package sql

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"scriptsync/providers"
)

// errTxDone is returned by a Tx used after Commit or Rollback.
var errTxDone = errors.New("sql: transaction already committed or rolled back")

// Tx is one apply's transaction. It holds the write lock from Begin until
// Commit or Rollback.
type Tx struct {
	p   *Provider
	s   session
	inv *inventory // bookkeeping as the transaction last read it; nil after Apply

	base   int64 // the serial the transaction read: the compare-and-swap expects it
	serial int64 // the serial after the bump
	bumped bool
	read   bool // base is known

	committed bool
	done      bool

	schemaNote string // the schema changes Begin made, for Read's warnings
}

// Begin takes the write lock, waiting up to opts.LockTimeout (not at all
// when zero, as Terraform's -lock-timeout=0s), and creates or migrates the
// schema inside the transaction.
func (p *Provider) Begin(ctx context.Context, opts providers.BeginOptions) (providers.Tx, error) {
	// The read Warm started must be over before the lock is taken: with
	// -lock-timeout=0, SQLite would answer busy while that read opens the
	// database, as if another apply held it.
	p.settleWarm(ctx)
	s, err := p.d.begin(ctx, max(opts.LockTimeout, 0))
	if err != nil {
		return nil, err
	}
	note, err := ensureSchema(ctx, s)
	if err != nil {
		s.rollback(ctx)
		return nil, err
	}
	return &Tx{p: p, s: s, schemaNote: note}, nil
}

// Read is Provider.Read inside the transaction, under its lock. The serial
// it sees is the one Apply's compare-and-swap expects.
func (t *Tx) Read(ctx context.Context, want []*providers.Object) (*providers.State, error) {
	if t.done {
		return nil, errTxDone
	}
	if err := t.load(ctx); err != nil {
		return nil, err
	}
	if err := readDetails(ctx, t.s, t.inv.recs, t.inv.undetailed(want)); err != nil {
		return nil, err
	}
	if err := t.inv.readDriftObjects(ctx, t.s); err != nil {
		return nil, err
	}
	return t.inv.state(), t.inv.checkTaken(want)
}

func (t *Tx) load(ctx context.Context) error {
	var inv *inventory
	var err error
	if w := t.p.takeWarm(ctx); w != nil && w.inv != nil {
		inv, err = reuseInventory(ctx, t.s, w.inv, t.p.d.read)
	} else {
		inv, err = readInventory(ctx, t.s, t.p.d.read)
	}
	if err != nil {
		return err
	}
	// Begin brought the schema up to date: say what it changed, not what
	// a warm read made before it would change.
	inv.schemaNote = t.schemaNote
	t.inv = inv
	if !t.read {
		t.base, t.read = inv.serial, true
	}
	return nil
}

// bump moves the serial on by one, by compare-and-swap from the value the
// transaction read; it runs once per transaction.
func (t *Tx) bump(ctx context.Context) error {
	if t.bumped {
		return nil
	}
	if !t.read {
		if err := t.load(ctx); err != nil {
			return err
		}
	}
	next := t.base + 1
	n, err := t.s.exec(ctx, "UPDATE scriptsync_meta SET value = ? WHERE key = 'serial' AND value = ?",
		strconv.FormatInt(next, 10), strconv.FormatInt(t.base, 10))
	if err != nil {
		return wrapf(err, "bump serial")
	}
	if n != 1 {
		return fmt.Errorf("sql: bump serial from %d: %w", t.base, providers.ErrConflict)
	}
	t.serial, t.bumped = next, true
	return nil
}

// RecordPeers stores the versions the other providers committed, with the
// bookkeeping, inside the transaction.
func (t *Tx) RecordPeers(ctx context.Context, versions map[string]string) error {
	if t.done {
		return errTxDone
	}
	if err := t.bump(ctx); err != nil {
		return err
	}
	b, err := json.Marshal(versions) // map keys are sorted
	if err != nil {
		return fmt.Errorf("sql: record peers: %w", err)
	}
	return t.setMeta(ctx, "record peers", "peers", string(b))
}

// setMeta sets a row of scriptsync_meta inside the transaction; op names
// the step for an error.
func (t *Tx) setMeta(ctx context.Context, op, key, value string) error {
	_, err := t.s.exec(ctx, "INSERT INTO scriptsync_meta (key, value) VALUES (?, ?) "+
		"ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)
	if err != nil {
		return wrapf(err, "%s", op)
	}
	return nil
}

// Commit makes the apply visible and releases the lock.
func (t *Tx) Commit(ctx context.Context) error {
	if t.done {
		return errTxDone
	}
	t.done = true
	if err := t.s.commit(ctx); err != nil {
		t.s.rollback(ctx)
		return wrapf(err, "commit")
	}
	t.committed = true
	return nil
}

// Rollback discards the apply and releases the lock. It is a no-op after
// Commit and safe to call more than once.
func (t *Tx) Rollback(ctx context.Context) error {
	if t.done {
		return nil
	}
	t.done = true
	if err := t.s.rollback(ctx); err != nil {
		return wrapf(err, "rollback")
	}
	return nil
}

// CommittedVersion is the serial the commit produced.
func (t *Tx) CommittedVersion() string {
	if !t.committed {
		return ""
	}
	if t.bumped {
		return strconv.FormatInt(t.serial, 10)
	}
	if t.base == 0 {
		return ""
	}
	return strconv.FormatInt(t.base, 10)
}

// Apply writes the changes inside the transaction; see the package comment
// for the phases. On error the transaction must be rolled back.
func (t *Tx) Apply(ctx context.Context, changes []*providers.Change, progress providers.Progress) error {
	if t.done {
		return errTxDone
	}
	if t.inv == nil {
		if err := t.load(ctx); err != nil {
			return err
		}
	}
	if err := t.bump(ctx); err != nil {
		return err
	}
	if err := markWriting(ctx, t.s, true); err != nil {
		return err
	}
	a := newApplier(t, progress)
	if err := a.classify(changes); err != nil {
		return err
	}
	if err := a.freeUniqueKeys(ctx); err != nil {
		return err
	}
	if err := a.deleteAll(ctx); err != nil {
		return err
	}
	for _, typ := range createOrder {
		if err := a.write(ctx, typ); err != nil {
			return err
		}
	}
	if err := a.retire(ctx); err != nil {
		return err
	}
	if err := a.recordImports(ctx); err != nil {
		return err
	}
	if err := a.bookkeep(ctx); err != nil {
		return err
	}
	if err := clearDrift(ctx, t.s, t.inv, changes); err != nil {
		return err
	}
	if err := markWriting(ctx, t.s, false); err != nil {
		return err
	}
	t.inv = nil // stale: the next Read reloads it
	return nil
}

// Phases of Apply, by type: deletes run dependents first, creates and
// updates dependencies first.
var (
	deleteOrder = []string{typeEmbedding, typeScene, typeBible, typeCharacter, typeScript, typeSeries}
	createOrder = []string{typeSeries, typeScript, typeCharacter, typeScene, typeEmbedding, typeBible}
)

// op is one object's write.
type op struct {
	addr   string
	before *record           // the managed object it updates, deletes or replaces
	after  *providers.Object // the desired object it writes
	rowID  int64
	// children is the digest of the child rows written with the object;
	// rewrite says whether they must be written.
	children string
	rewrite  bool
	// drifted is set when another writer touched the row: its child rows
	// are written again even though the recorded digest matches.
	drifted bool
	// repoint is Change.Repoint: a dependency's row changed.
	repoint bool
}

type applier struct {
	t        *Tx
	s        session
	progress providers.Progress

	ids     map[string]int64 // address -> row id of the objects that exist now
	deletes map[string][]*op
	// replaces are the old rows of replaced objects: parked out of the way
	// of their successors, then retired once the successors exist.
	replaces map[string][]*op
	updates  map[string][]*op
	creates  map[string][]*op
	removed  []string   // bookkeeping rows to drop
	written  []*op      // bookkeeping rows to write
	imported []*op      // rows taken over by an import, as they are
	cleared  []driftKey // imported rows whose drift flags go
	chars    map[int64]map[string]int64
}

func newApplier(t *Tx, progress providers.Progress) *applier {
	if progress == nil {
		progress = func(int, int64) {}
	}
	a := &applier{t: t, s: t.s, progress: progress, ids: make(map[string]int64, len(t.inv.recs)),
		deletes: map[string][]*op{}, replaces: map[string][]*op{}, updates: map[string][]*op{}, creates: map[string][]*op{},
		chars: map[int64]map[string]int64{}}
	for addr, r := range t.inv.recs {
		if r.present {
			a.ids[addr] = r.rowID
		}
	}
	return a
}

func conflictf(format string, args ...any) error {
	return fmt.Errorf("sql: "+format+": %w", append(args, providers.ErrConflict)...)
}

// classify sorts the changes into deletes, updates and creates by type and
// checks them against the bookkeeping: a change planned from another
// version of the database is a conflict.
func (a *applier) classify(changes []*providers.Change) error {
	recs := a.t.inv.recs
	freed := map[string]bool{}
	taken := map[string]bool{} // addresses an object holds after the apply
	for _, c := range changes {
		if c.Before != nil && (c.Action == providers.Delete || c.Action == providers.Replace || c.Moved()) {
			freed[c.Before.Address] = true
		}
		if c.After != nil && c.Action != providers.Delete && c.Action != providers.Forget {
			taken[c.After.Address] = true
		}
	}
	managed := func(o *providers.Object) (*record, error) {
		r := recs[o.Address]
		if r == nil || r.obj.Type != o.Type {
			return nil, conflictf("%s is not managed by scriptsync", o.Address)
		}
		drifted := a.t.inv.isDrifted(r) && o.Hash == r.obj.Hash+driftSuffix
		if o.Hash != "" && o.Hash != r.obj.Hash && !drifted {
			return nil, conflictf("%s changed since the plan was made", o.Address)
		}
		return r, nil
	}
	free := func(o *providers.Object) error {
		if r := recs[o.Address]; r != nil && r.present && !freed[o.Address] {
			return conflictf("%s already exists", o.Address)
		}
		if !knownType(o.Type) {
			return fmt.Errorf("sql: %s: unknown object type %q", o.Address, o.Type)
		}
		return nil
	}
	for _, c := range changes {
		if c.Importing() != "" {
			if err := a.adopt(c); err != nil {
				return err
			}
			continue
		}
		if c.Action == providers.NoOp {
			continue
		}
		if (c.Action != providers.Create && c.Before == nil) || (c.Action != providers.Delete && c.Action != providers.Forget && c.After == nil) {
			addr := "(no object)"
			if c.Before != nil || c.After != nil {
				addr = c.Address()
			}
			return fmt.Errorf("sql: %s: malformed %s change", addr, c.Action)
		}
		var before *record
		if c.Action != providers.Create {
			r, err := managed(c.Before)
			if err != nil {
				return err
			}
			before = r
			delete(a.ids, c.Before.Address)
		}
		switch c.Action {
		case providers.Create:
			if err := free(c.After); err != nil {
				return err
			}
			a.creates[c.After.Type] = append(a.creates[c.After.Type], &op{addr: c.After.Address, after: c.After})
		case providers.Update:
			if c.After.Type != c.Before.Type {
				return fmt.Errorf("sql: %s: an update cannot change the type from %s to %s", c.After.Address, c.Before.Type, c.After.Type)
			}
			if c.Moved() {
				if err := free(c.After); err != nil {
					return err
				}
				a.removed = append(a.removed, c.Before.Address)
			}
			o := &op{addr: c.After.Address, before: before, after: c.After, rowID: before.rowID,
				drifted: a.t.inv.isDrifted(before), repoint: c.Repoint}
			if before.present {
				a.updates[c.After.Type] = append(a.updates[c.After.Type], o)
			} else {
				a.creates[c.After.Type] = append(a.creates[c.After.Type], o)
			}
		case providers.Forget:
			// The row stays; only its bookkeeping goes.
			a.removed = append(a.removed, c.Before.Address)
		case providers.Delete:
			o := &op{addr: c.Before.Address, before: before, rowID: before.rowID}
			a.removed = append(a.removed, c.Before.Address)
			if taken[c.Before.Address] && before.present {
				// Another object takes the address (a scene renumbered
				// into a deleted one's place): the row is retired as a
				// replaced one is, after its references followed the
				// address, so that deleting it cascades to none of them.
				a.replaces[c.Before.Type] = append(a.replaces[c.Before.Type], o)
				continue
			}
			a.deletes[c.Before.Type] = append(a.deletes[c.Before.Type], o)
		case providers.Replace:
			if c.After.Type != c.Before.Type {
				return fmt.Errorf("sql: %s: a replace cannot change the type from %s to %s", c.After.Address, c.Before.Type, c.After.Type)
			}
			a.removed = append(a.removed, c.Before.Address)
			if before.present {
				o := &op{addr: c.Before.Address, before: before, rowID: before.rowID}
				a.replaces[c.Before.Type] = append(a.replaces[c.Before.Type], o)
			}
			a.creates[c.After.Type] = append(a.creates[c.After.Type], &op{addr: c.After.Address, after: c.After})
		default:
			return fmt.Errorf("sql: %s: unknown action %q", c.Address(), c.Action)
		}
	}
	return nil
}

// sameValue reports whether attribute k is equal, and not redacted, in both.
func sameValue(before, after map[string]any, k string) bool {
	b, a := before[k], after[k]
	if b == sensitiveValue || a == sensitiveValue || b == oldSensitiveValue || a == oldSensitiveValue {
		return false
	}
	switch b.(type) {
	case nil, string, int64, bool:
		return b == a
	}
	return false
}

func knownType(t string) bool {
	_, ok := writers[t]
	return ok
}

// freeUniqueKeys moves the unique keys of rows about to change out of the
// way, so that renumbering scenes (or swapping paths) never collides with a
// row that has yet to move: scenes go to negative numbers, scripts lose
// their path, embeddings their entity.
func (a *applier) freeUniqueKeys(ctx context.Context) error {
	// The attributes compared here are never redacted in practice; a
	// redacted one compares unequal and frees the key, which is harmless.
	for _, o := range a.updates[typeScene] {
		if !sameValue(o.before.obj.Attributes(), o.after.Attributes(), "scene_number") {
			a.s.queue("UPDATE scenes SET scene_number = -id WHERE id = ?", []any{o.rowID}, nil)
		}
	}
	for _, o := range a.updates[typeScript] {
		// The hash covers the written file_path, which the attributes may
		// not show (it moves with the checkout): free it on every update.
		a.s.queue("UPDATE scripts SET file_path = "+parkedPath+" WHERE id = ?", []any{o.rowID}, nil)
	}
	for _, o := range a.updates[typeBible] {
		a.s.queue("UPDATE script_bibles SET file_path = "+parkedPath+" WHERE id = ?", []any{o.rowID}, nil)
	}
	// An embedding's VSS rows are rewritten with it, in place; when it
	// moves to another scene row or model, or is replaced, the old ones go
	// first, while the row still names them. Repoint marks only updates
	// that change nothing else: one with a new vector may be moving to
	// another scene row all the same.
	for _, o := range a.replaces[typeEmbedding] {
		a.forgetVectors(o.rowID)
	}
	moving := a.movingScenes()
	for _, o := range a.updates[typeEmbedding] {
		b, n := o.before.obj.Attributes(), o.after.Attributes()
		scene, _ := n["scene"].(string)
		if o.repoint || moving[scene] || !sameValue(b, n, "scene") || !sameValue(b, n, "model") {
			a.forgetVectors(o.rowID)
			a.s.queue("UPDATE embeddings SET entity_id = -id WHERE id = ?", []any{o.rowID}, nil)
		}
	}
	for typ, ops := range a.replaces {
		if q := parkOld[typ]; q != "" {
			for _, o := range ops {
				a.s.queue(q, []any{o.rowID}, nil)
			}
		}
	}
	if err := a.s.flush(ctx); err != nil {
		return wrapf(err, "free unique keys")
	}
	return nil
}

// movingScenes is the scene addresses whose row the apply changes: created
// or replaced there, retired from there, or renumbered into or out of
// there. An embedding of one of them is about to name another row.
func (a *applier) movingScenes() map[string]bool {
	out := map[string]bool{}
	for _, o := range a.creates[typeScene] {
		out[o.addr] = true
	}
	for _, o := range a.replaces[typeScene] {
		out[o.addr] = true
	}
	for _, o := range a.updates[typeScene] {
		if o.before.obj.Address != o.addr {
			out[o.before.obj.Address], out[o.addr] = true, true
		}
	}
	return out
}

// parkOld moves the unique keys of a replaced object's old row out of its
// successor's way.
var parkOld = map[string]string{
	typeScript:    "UPDATE scripts SET file_path = " + parkedPath + " WHERE id = ?",
	typeBible:     "UPDATE script_bibles SET file_path = " + parkedPath + " WHERE id = ?",
	typeCharacter: "UPDATE characters SET name = '~replaced~' || id WHERE id = ?",
	typeScene:     "UPDATE scenes SET scene_number = -id WHERE id = ?",
	typeEmbedding: "UPDATE embeddings SET entity_id = -id WHERE id = ?",
}

// parkedPath is the file_path of a row whose path is about to change:
// file_path is NOT NULL and unique.
const parkedPath = "'~moving~' || id"

// repoint moves other objects' references from a replaced row (the second
// parameter) to its successor (the first), so that replacing a script does
// not cascade into its unchanged scenes. The replaced object's own child
// rows (a scene's dialogues, a bible's chunks) go with the old row.
var repoint = map[string][]string{
	typeSeries: {"UPDATE scripts SET series_id = ? WHERE series_id = ?"},
	typeScript: {"UPDATE scenes SET script_id = ? WHERE script_id = ?",
		"UPDATE characters SET script_id = ? WHERE script_id = ?",
		"UPDATE script_bibles SET script_id = ? WHERE script_id = ?"},
	typeCharacter: {"UPDATE dialogues SET character_id = ? WHERE character_id = ?"},
	typeScene: {"UPDATE embeddings SET entity_id = ? WHERE entity_type = 'scene' AND entity_id = ?",
		"UPDATE scene_embeddings SET scene_id = ? WHERE scene_id = ?",
		"UPDATE embedding_metadata SET entity_id = ? WHERE entity_type = 'scene' AND entity_id = ?",
		"UPDATE scene_graph_edges SET from_scene_id = ? WHERE from_scene_id = ?",
		"UPDATE scene_graph_edges SET to_scene_id = ? WHERE to_scene_id = ?"},
}

// retire re-points the references to replaced rows and deletes them,
// dependents first.
func (a *applier) retire(ctx context.Context) error {
	for _, typ := range deleteOrder {
		for _, o := range a.replaces[typ] {
			successor := a.ids[o.addr]
			for _, q := range repoint[typ] {
				a.s.queue(q, []any{successor, o.rowID}, nil)
			}
			a.s.queue("DELETE FROM "+writers[typ].table+" WHERE id = ?", []any{o.rowID}, nil)
		}
		if err := a.s.flush(ctx); err != nil {
			return wrapf(err, "retire replaced %s rows", typ)
		}
	}
	return nil
}

// deleteAll deletes rows, dependents first; foreign keys cascade to child
// rows (dialogues, actions, chunks) and the trigger to embeddings.
func (a *applier) deleteAll(ctx context.Context) error {
	for _, typ := range deleteOrder {
		ops := a.deletes[typ]
		w := writers[typ]
		for _, o := range ops {
			if o.before.present {
				if typ == typeEmbedding {
					a.forgetVectors(o.rowID)
				}
				a.s.queue("DELETE FROM "+w.table+" WHERE id = ?", []any{o.rowID}, nil)
			}
		}
		if err := a.s.flush(ctx); err != nil {
			return wrapf(err, "delete %s rows", typ)
		}
		for range ops {
			a.progress(1, 0)
		}
	}
	return nil
}

// bookkeep rewrites the bookkeeping rows of every object the apply touched
// and drops those of deleted and moved objects, and of objects whose rows
// vanished behind scriptsync's back and are not desired any more.
func (a *applier) bookkeep(ctx context.Context) error {
	drop := map[string]bool{}
	for _, addr := range a.removed {
		drop[addr] = true
	}
	for _, o := range a.written {
		if a.t.inv.recs[o.addr] != nil {
			drop[o.addr] = true
		}
	}
	for addr, r := range a.t.inv.recs {
		if !r.present {
			drop[addr] = true
		}
	}
	for addr := range drop {
		a.s.queue("DELETE FROM scriptsync_objects WHERE address = ?", []any{addr}, nil)
	}
	// In chunks, as write does: a cold apply's bookkeeping rows (every
	// object's attributes as JSON) need not all be held at once.
	cols := []string{"address", "type", "row_id", "hash", "child_hash", "attrs",
		"deps", "grp", "match_hash", "seq", "force_new", "sensitive", "resource"}
	rows := make([][]any, 0, min(len(a.written), insertChunk))
	for from := 0; from < len(a.written); from += insertChunk {
		rows = rows[:0]
		for _, o := range a.written[from:min(from+insertChunk, len(a.written))] {
			b, err := canonicalJSON(o.after.Attributes())
			if err != nil {
				return fmt.Errorf("sql: %s: encode attrs: %w", o.addr, err)
			}
			rows = append(rows, []any{o.addr, o.after.Type, o.rowID, o.after.Hash, o.children, string(b),
				listJSON(o.after.Deps), o.after.Group, o.after.MatchHash, int64(o.after.Seq), listJSON(o.after.ForceNew),
				listJSON(o.after.Sensitive), o.after.Resource})
		}
		if err := a.s.insert(ctx, "scriptsync_objects", cols, rows); err != nil {
			return wrapf(err, "write scriptsync_objects")
		}
	}
	return nil
}
