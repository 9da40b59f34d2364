package sql

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"scriptsync/internal/parallel"
	"scriptsync/library"
	"scriptsync/providers"
)

// writer knows how to write one type's own row.
type writer struct {
	table string
	cols  []string // id first
	// values returns the row's values after the id, resolving references
	// to row ids.
	values func(a *applier, o *providers.Object) ([]any, error)
}

var writers = map[string]writer{
	typeSeries:    {"series", seriesCols, seriesValues},
	typeScript:    {"scripts", scriptCols, scriptValues},
	typeCharacter: {"characters", characterCols, characterValues},
	typeScene:     {"scenes", sceneCols, sceneValues},
	typeEmbedding: {"embeddings", embeddingCols, embeddingValues},
	typeBible:     {"script_bibles", bibleCols, bibleValues},
}

// payload returns the library entity a desired object carries.
func payload[T any](o *providers.Object) (T, error) {
	p, ok := o.Payload.(T)
	if !ok {
		var zero T
		return zero, fmt.Errorf("sql: %s has no %T payload (was the plan made by Desired?)", o.Address, zero)
	}
	return p, nil
}

// rowID resolves the address of an object the row refers to.
func (a *applier) rowID(from, addr string) (int64, error) {
	id, ok := a.ids[addr]
	if !ok {
		return 0, fmt.Errorf("sql: %s: %s is not in the database", from, addr)
	}
	return id, nil
}

func (a *applier) optionalRowID(from, addr string) (any, error) {
	if addr == "" {
		return nil, nil
	}
	return a.rowID(from, addr)
}

func seriesValues(a *applier, o *providers.Object) ([]any, error) {
	s, err := payload[*library.Series](o)
	if err != nil {
		return nil, err
	}
	return seriesRow(s)
}

func scriptValues(a *applier, o *providers.Object) ([]any, error) {
	s, err := payload[scriptPayload](o)
	if err != nil {
		return nil, err
	}
	series, err := a.optionalRowID(o.Address, s.Series)
	if err != nil {
		return nil, err
	}
	row, err := scriptRow(s)
	return append([]any{series}, row...), err
}

func characterValues(a *applier, o *providers.Object) ([]any, error) {
	c, err := payload[*library.Character](o)
	if err != nil {
		return nil, err
	}
	script, err := a.rowID(o.Address, c.Script)
	if err != nil {
		return nil, err
	}
	row, err := characterRow(c)
	return append([]any{script}, row...), err
}

func sceneValues(a *applier, o *providers.Object) ([]any, error) {
	s, err := payload[*library.Scene](o)
	if err != nil {
		return nil, err
	}
	script, err := a.rowID(o.Address, s.Script)
	if err != nil {
		return nil, err
	}
	row, err := sceneRow(s)
	return append([]any{script}, row...), err
}

func embeddingValues(a *applier, o *providers.Object) ([]any, error) {
	e, err := payload[*library.Embedding](o)
	if err != nil {
		return nil, err
	}
	scene, err := a.rowID(o.Address, e.Scene)
	if err != nil {
		return nil, err
	}
	vec, err := readVector(o.Source, e)
	if err != nil {
		return nil, err
	}
	return []any{"scene", scene, e.Model, encodeVector(vec), int64(e.Dimensions), e.OID}, nil
}

// encodeVector is ScriptRAG's embeddings.embedding encoding of raw
// little-endian float32 data: the number of dimensions as a little-endian
// uint32, then the values.
func encodeVector(raw []byte) []byte {
	out := make([]byte, 4+len(raw))
	binary.LittleEndian.PutUint32(out, uint32(len(raw)/4))
	copy(out[4:], raw)
	return out
}

// VSS rows: ScriptRAG's vector search reads scene_embeddings (the raw
// little-endian float32 values, as sqlite-vec's serialize_float32 writes
// them) and embedding_metadata, which its VSS layer fills next to
// embeddings. scriptsync writes them with the embedding row and removes
// them with it (forgetVectors; a deleted scene takes them with it, by
// foreign key and trigger).
const (
	upsertSceneVector = "INSERT INTO scene_embeddings (scene_id, embedding_model, embedding) VALUES (?, ?, ?) " + onSceneVector
	onSceneVector     = "ON CONFLICT (scene_id) DO UPDATE SET embedding_model = excluded.embedding_model, embedding = excluded.embedding, " +
		"updated_at = CURRENT_TIMESTAMP"
	upsertVectorMeta = "INSERT INTO embedding_metadata (entity_type, entity_id, embedding_model, dimensions) VALUES (?, ?, ?, ?) " + onVectorMeta
	onVectorMeta     = "ON CONFLICT (entity_type, entity_id, embedding_model) DO UPDATE SET dimensions = excluded.dimensions, " +
		"updated_at = CURRENT_TIMESTAMP"
	// The keys the embedding row names, by row value: a correlated
	// WHERE EXISTS made SQLite scan the whole table for each embedding (at
	// W(100,000), 200 MB of scene_embeddings pages per deleted embedding).
	forgetSceneVector = "DELETE FROM scene_embeddings WHERE (scene_id, embedding_model) IN " +
		"(SELECT entity_id, embedding_model FROM embeddings WHERE id = ? AND entity_type = 'scene')"
	forgetVectorMeta = "DELETE FROM embedding_metadata WHERE (entity_type, entity_id, embedding_model) IN " +
		"(SELECT entity_type, entity_id, embedding_model FROM embeddings WHERE id = ?)"
)

// queueVectors queues the VSS rows of an embedding row (its values after
// the id, as embeddingValues returns them).
func (a *applier) queueVectors(vals []any) {
	blob := vals[3].([]byte)
	a.s.queue(upsertSceneVector, []any{vals[1], vals[2], blob[4:]}, nil)
	a.s.queue(upsertVectorMeta, []any{vals[0], vals[1], vals[2], vals[4]}, nil)
}

// vectorRowsPerUpsert bounds the rows of one multi-row upsert of VSS rows
// (four parameters a row at most).
const vectorRowsPerUpsert = 128

// queueVectorRows queues the VSS rows of created embedding rows (id
// first, as rows builds them) as multi-row upserts: a cold apply writes
// one per embedding, and one statement per row cost more than the rows.
// The rows end as the upserts one by one would leave them: of two
// embeddings of one scene (two models), scene_embeddings keeps the later.
func (a *applier) queueVectorRows(rows [][]any) {
	scenes := make([][]any, 0, len(rows))
	seen := make(map[any]bool, len(rows))
	for i := len(rows) - 1; i >= 0; i-- {
		r := rows[i]
		if !seen[r[2]] {
			seen[r[2]] = true
			scenes = append(scenes, []any{r[2], r[3], r[4].([]byte)[4:]})
		}
	}
	slices.Reverse(scenes)
	meta := make([][]any, len(rows))
	for i, r := range rows {
		meta[i] = []any{r[1], r[2], r[3], r[5]}
	}
	a.queueUpserts("scene_embeddings", []string{"scene_id", "embedding_model", "embedding"}, onSceneVector, scenes)
	a.queueUpserts("embedding_metadata", []string{"entity_type", "entity_id", "embedding_model", "dimensions"}, onVectorMeta, meta)
}

// queueUpserts queues multi-row INSERTs of rows with the conflict clause
// on. No two rows may share the conflict key: PostgreSQL refuses to
// update one row twice in a statement.
func (a *applier) queueUpserts(table string, cols []string, on string, rows [][]any) {
	for len(rows) > 0 {
		n := min(len(rows), vectorRowsPerUpsert)
		args := make([]any, 0, n*len(cols))
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		a.s.queue(insertSQL(table, cols, n)+" "+on, args, nil)
		rows = rows[n:]
	}
}

// forgetVectors queues the removal of the VSS rows of the embedding row
// id, before that row changes or goes.
func (a *applier) forgetVectors(id int64) {
	a.s.queue(forgetSceneVector, []any{id}, nil)
	a.s.queue(forgetVectorMeta, []any{id}, nil)
}

func bibleValues(a *applier, o *providers.Object) ([]any, error) {
	b, err := payload[biblePayload](o)
	if err != nil {
		return nil, err
	}
	script, err := a.rowID(o.Address, b.script)
	if err != nil {
		return nil, err
	}
	row, err := bibleRow(b)
	return append([]any{script}, row...), err
}

// readVector reads an embedding's raw little-endian float32 data from its
// .npy file, after checking that the file is still the one planned.
func readVector(path string, e *library.Embedding) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sql: %s: read vector: %w", e.Address, err)
	}
	sum := sha256.Sum256(data)
	if !strings.EqualFold(hex.EncodeToString(sum[:]), e.OID) {
		return nil, fmt.Errorf("sql: %s: %s changed since the plan was made", e.Address, e.Source)
	}
	n := int64(e.Dimensions) * 4
	if e.DataOffset < 0 || e.DataOffset+n > int64(len(data)) {
		return nil, fmt.Errorf("sql: %s: %s: %w: %d bytes of vector data expected at offset %d", e.Address, e.Source,
			io.ErrUnexpectedEOF, n, e.DataOffset)
	}
	return data[e.DataOffset : e.DataOffset+n], nil
}

// write carries out one type's updates and creates, then writes the child
// rows of the objects that need them.
func (a *applier) write(ctx context.Context, typ string) error {
	w := writers[typ]
	// Updates keep their row. One whose row vanished in this apply (a
	// cascade from a deleted parent it no longer refers to) is created
	// again.
	set := make([]string, 0, len(w.cols))
	for _, c := range w.cols[1:] {
		set = append(set, c+" = ?")
	}
	update := fmt.Sprintf("UPDATE %s SET %s, updated_at = CURRENT_TIMESTAMP WHERE id = ?", w.table, strings.Join(set, ", "))
	var vanished []*op
	for _, o := range a.updates[typ] {
		vals, err := w.values(a, o.after)
		if err != nil {
			return err
		}
		a.s.queue(update, append(vals, o.rowID), func(n int64) error {
			if n == 0 {
				vanished = append(vanished, o)
			}
			return nil
		})
		if typ == typeEmbedding {
			// A vanished row's vectors are written with its new row: the
			// upserts make writing them twice harmless.
			a.queueVectors(vals)
		}
	}
	if err := a.s.flush(ctx); err != nil {
		return wrapf(err, "update %s rows", typ)
	}
	creates := append(a.creates[typ], vanished...)
	updates := a.updates[typ]
	if len(vanished) > 0 {
		updates = updates[:0:0]
		for _, o := range a.updates[typ] {
			if !containsOp(vanished, o) {
				updates = append(updates, o)
			}
		}
	}
	if len(creates) > 0 {
		ids, err := a.s.nextIDs(ctx, w.table, len(creates))
		if err != nil {
			return wrapf(err, "allocate %s ids", typ)
		}
		for i, o := range creates {
			o.rowID, o.rewrite = ids[i], true
		}
		// In chunks, so that a large apply does not hold every row (every
		// vector's data) at once.
		for from := 0; from < len(creates); from += insertChunk {
			rows, err := a.rows(w, creates[from:min(from+insertChunk, len(creates))])
			if err != nil {
				return err
			}
			if err := a.s.insert(ctx, w.table, w.cols, rows); err != nil {
				return wrapf(err, "insert %s rows", typ)
			}
			if typ == typeEmbedding {
				a.queueVectorRows(rows)
				if err := a.s.flush(ctx); err != nil {
					return wrapf(err, "write scene_embeddings and embedding_metadata")
				}
			}
		}
	}
	all := append(updates[:len(updates):len(updates)], creates...)
	for _, o := range all {
		a.ids[o.addr] = o.rowID
	}
	var err error
	switch typ {
	case typeScene:
		err = a.writeSceneChildren(ctx, all)
	case typeBible:
		err = a.writeChunks(ctx, all)
	}
	if err != nil {
		return err
	}
	a.written = append(a.written, all...)
	for range all {
		a.progress(1, 0)
	}
	return nil
}

// insertChunk is how many rows write builds before inserting them.
const insertChunk = 4096

// rowWorkers bounds the rows built side by side: an embedding's row reads
// its vector's file.
const rowWorkers = 4

// rows builds the rows (id first) of ops being created. The first error,
// in the order of ops, wins.
func (a *applier) rows(w writer, ops []*op) ([][]any, error) {
	rows := make([][]any, len(ops))
	errs := make([]error, len(ops))
	parallel.Each(len(ops), rowWorkers, func(i int) {
		vals, err := w.values(a, ops[i].after)
		if err != nil {
			errs[i] = err
			return
		}
		rows[i] = append([]any{ops[i].rowID}, vals...)
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return rows, nil
}

func containsOp(ops []*op, o *op) bool {
	for _, x := range ops {
		if x == o {
			return true
		}
	}
	return false
}

// writeSceneChildren writes the dialogues and actions of created scenes and
// of updated scenes whose elements changed, replacing the old ones. The
// new rows of an updated scene take its old rows' ids, in order: a
// renumbering or an upgrade rewrites rows, not their identity.
func (a *applier) writeSceneChildren(ctx context.Context, ops []*op) error {
	// The rows are made twice, for the digest here and for the insert
	// below, rather than held for every scene in between: a cold apply of
	// W(100,000) would hold 60 MB of them.
	var todo []*op
	var rewritten []int64
	scripts := map[int64]bool{}
	nd, na := map[int64]int{}, map[int64]int{}
	for _, o := range ops {
		sc, err := payload[*library.Scene](o.after)
		if err != nil {
			return err
		}
		d, ac, err := elementRows(sc)
		if err != nil {
			return fmt.Errorf("sql: %s: %w", o.addr, err)
		}
		o.children = childHash(d, ac)
		if !o.rewrite && !o.drifted && o.before != nil && o.before.childHash == o.children {
			continue
		}
		if !o.rewrite {
			rewritten = append(rewritten, o.rowID)
		}
		if len(d) > 0 {
			script, err := a.rowID(o.addr, sc.Script)
			if err != nil {
				return err
			}
			scripts[script] = true
		}
		todo = append(todo, o)
		nd[o.rowID], na[o.rowID] = len(d), len(ac)
	}
	oldDialogues, err := a.childIDs(ctx, "dialogues", "scene_id", rewritten)
	if err != nil {
		return err
	}
	oldActions, err := a.childIDs(ctx, "actions", "scene_id", rewritten)
	if err != nil {
		return err
	}
	for _, id := range rewritten {
		a.s.queue("DELETE FROM dialogues WHERE scene_id = ?", []any{id}, nil)
		a.s.queue("DELETE FROM actions WHERE scene_id = ?", []any{id}, nil)
	}
	if err := a.loadCharacters(ctx, scripts); err != nil {
		return err
	}
	dialogueIDs, err := a.idPool(ctx, "dialogues", nd, oldDialogues)
	if err != nil {
		return err
	}
	actionIDs, err := a.idPool(ctx, "actions", na, oldActions)
	if err != nil {
		return err
	}
	// The rows go in in chunks, each scene's let go once built: a cold
	// apply's dialogues and actions need not all be held at once.
	var dialogues, actions [][]any
	insert := func() error {
		if err := a.s.insert(ctx, "dialogues", append([]string{"id"}, dialogueCols...), dialogues); err != nil {
			return wrapf(err, "insert dialogues")
		}
		if err := a.s.insert(ctx, "actions", append([]string{"id"}, actionCols...), actions); err != nil {
			return wrapf(err, "insert actions")
		}
		dialogues, actions = dialogues[:0], actions[:0]
		return nil
	}
	for _, o := range todo {
		sc := o.after.Payload.(*library.Scene)
		ds, acs, err := elementRows(sc)
		if err != nil {
			return fmt.Errorf("sql: %s: %w", o.addr, err)
		}
		names := a.chars[a.ids[sc.Script]]
		for i, d := range ds {
			name := d[0].(string)
			id, ok := names[name]
			if !ok {
				return fmt.Errorf("sql: %s: character %q of %s is not in the database", o.addr, name, sc.Script)
			}
			dialogues = append(dialogues, []any{dialogueIDs.take(o.rowID, i), o.rowID, id, d[1], d[2], d[3]})
		}
		for i, ac := range acs {
			actions = append(actions, []any{actionIDs.take(o.rowID, i), o.rowID, ac[0], ac[1], ac[2]})
		}
		if len(dialogues)+len(actions) >= insertChunk {
			if err := insert(); err != nil {
				return err
			}
		}
	}
	return insert()
}

// childIDs reads the ids of the child rows of parents, by parent, in id
// order. It must run before the rows' deletion is queued: a query runs
// the queued statements first.
func (a *applier) childIDs(ctx context.Context, table, parentCol string, parents []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	for len(parents) > 0 {
		n := min(len(parents), 500)
		args := make([]any, n)
		for i, id := range parents[:n] {
			args[i] = id
		}
		parents = parents[n:]
		q := fmt.Sprintf("SELECT %s, id FROM %s WHERE %s IN (?%s) ORDER BY id", parentCol, table, parentCol, strings.Repeat(", ?", n-1))
		err := scanAll(ctx, a.s, func(r rows) error {
			var parent, id int64
			if err := r.Scan(&parent, &id); err != nil {
				return err
			}
			out[parent] = append(out[parent], id)
			return nil
		}, q, args...)
		if err != nil {
			return nil, wrapf(err, "read %s ids", table)
		}
	}
	return out, nil
}

// ids hands out row ids for child rows: a parent's old ids first, then new
// ones.
type ids struct {
	old   map[int64][]int64
	fresh []int64
}

// idPool reserves the new ids that rows need beyond the old ones: need
// maps each parent to its number of rows.
func (a *applier) idPool(ctx context.Context, table string, need map[int64]int, old map[int64][]int64) (*ids, error) {
	n := 0
	for parent, k := range need {
		n += max(0, k-len(old[parent]))
	}
	p := &ids{old: old}
	if n > 0 {
		fresh, err := a.s.nextIDs(ctx, table, n)
		if err != nil {
			return nil, wrapf(err, "allocate %s ids", table)
		}
		p.fresh = fresh
	}
	return p, nil
}

// take returns the id of a parent's i-th row.
func (p *ids) take(parent int64, i int) int64 {
	if l := p.old[parent]; i < len(l) {
		return l[i]
	}
	id := p.fresh[0]
	p.fresh = p.fresh[1:]
	return id
}

// loadCharacters reads the character ids of the scripts, by name.
func (a *applier) loadCharacters(ctx context.Context, scripts map[int64]bool) error {
	var ids []any
	for id := range scripts {
		if _, ok := a.chars[id]; !ok {
			ids = append(ids, id)
			a.chars[id] = map[string]int64{}
		}
	}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		chunk := ids[:n]
		ids = ids[n:]
		q := "SELECT script_id, name, id FROM characters WHERE script_id IN (?" + strings.Repeat(", ?", n-1) + ")"
		err := scanAll(ctx, a.s, func(r rows) error {
			var script, id int64
			var name string
			if err := r.Scan(&script, &name, &id); err != nil {
				return err
			}
			a.chars[script][name] = id
			return nil
		}, q, chunk...)
		if err != nil {
			return wrapf(err, "read characters")
		}
	}
	return nil
}

// writeChunks writes the chunks of created bibles and of updated bibles
// whose chunks changed, replacing the old ones; like a scene's dialogues,
// the new chunks of an updated bible take the old ones' ids.
func (a *applier) writeChunks(ctx context.Context, ops []*op) error {
	var todo []*op
	var rewritten []int64
	total := 0
	need := map[int64]int{}
	for _, o := range ops {
		b, err := payload[biblePayload](o.after)
		if err != nil {
			return err
		}
		o.children = chunkHash(b.Bible)
		if !o.rewrite && !o.drifted && o.before != nil && o.before.childHash == o.children {
			continue
		}
		if !o.rewrite {
			rewritten = append(rewritten, o.rowID)
		}
		todo = append(todo, o)
		total += len(b.Chunks)
		need[o.rowID] = len(b.Chunks)
	}
	old, err := a.childIDs(ctx, "bible_chunks", "bible_id", rewritten)
	if err != nil {
		return err
	}
	for _, id := range rewritten {
		a.s.queue("DELETE FROM bible_chunks WHERE bible_id = ?", []any{id}, nil)
	}
	if total == 0 {
		if err := a.s.flush(ctx); err != nil {
			return wrapf(err, "delete bible_chunks")
		}
		return nil
	}
	pool, err := a.idPool(ctx, "bible_chunks", need, old)
	if err != nil {
		return err
	}
	rows := make([][]any, 0, total)
	for _, o := range todo {
		b := o.after.Payload.(biblePayload)
		byNumber := make(map[int64]int64, len(b.Chunks))
		first := len(rows)
		for i := range b.Chunks {
			id := pool.take(o.rowID, i)
			byNumber[int64(b.Chunks[i].Number)] = id
			rows = append(rows, append([]any{id, o.rowID}, chunkRow(&b.Chunks[i], chunkBase(b.Bible))...))
		}
		for _, r := range rows[first:] {
			parent := r[7].(int64)
			switch id, ok := byNumber[parent]; {
			case parent == 0:
				r[7] = nil
			case !ok:
				return fmt.Errorf("sql: %s: chunk %d has no parent chunk %d", o.addr, r[2], parent)
			default:
				r[7] = id
			}
		}
	}
	if err := a.s.insert(ctx, "bible_chunks", chunkCols, rows); err != nil {
		return wrapf(err, "insert bible_chunks")
	}
	return nil
}
