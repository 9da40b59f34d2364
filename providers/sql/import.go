package sql

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"scriptsync/library"
	"scriptsync/providers"
)

// Import finds the rows that import blocks name (see providers.Importer),
// from a read snapshot. What an ID is, by type (docs/adoption.md): a
// series' row id or title; a script's row id or scripts.file_path, as
// ScriptRAG stored it; a bible's row id or script_bibles.file_path; a
// scene's, character's or embedding's row id. A script brings its scenes
// (by scene_number) and characters (by name) with it.
func (p *Provider) Import(ctx context.Context, imports []providers.Import, want []*providers.Object) ([]*providers.Object, error) {
	if !importsAny(imports, want) {
		return nil, nil
	}
	s, err := p.d.read(ctx)
	if errors.Is(err, errNoDatabase) {
		imp := firstImport(imports, want)
		return nil, fmt.Errorf("sql: import %s (id %q): the database does not exist, so it holds nothing to import", imp.To, imp.ID)
	}
	if err != nil {
		return nil, err
	}
	defer s.rollback(ctx)
	return importRows(ctx, s, imports, want)
}

// Import is Provider.Import under the transaction's lock.
func (t *Tx) Import(ctx context.Context, imports []providers.Import, want []*providers.Object) ([]*providers.Object, error) {
	if t.done {
		return nil, errTxDone
	}
	if !importsAny(imports, want) {
		return nil, nil
	}
	return importRows(ctx, t.s, imports, want)
}

func importsAny(imports []providers.Import, want []*providers.Object) bool {
	return firstImport(imports, want).To != ""
}

// firstImport is the first import that names one of want's objects.
func firstImport(imports []providers.Import, want []*providers.Object) providers.Import {
	addrs := make(map[string]bool, len(want))
	for _, o := range want {
		addrs[o.Address] = true
	}
	for _, imp := range imports {
		if addrs[imp.To] {
			return imp
		}
	}
	return providers.Import{}
}

// importer holds what importRows learns of the database. It looks the
// bookkeeping up by key, never reads all of it: import blocks stay in a
// configuration after their apply, and every plan then runs them.
type importer struct {
	s    session
	book bool             // the database has scriptsync's bookkeeping
	ids  map[string]int64 // address -> row id, managed and imported, for references
	cols map[string]map[string]bool
	out  []*providers.Object
}

// managedAddress returns the row id scriptsync manages at addr.
func (im *importer) managedAddress(ctx context.Context, addr string) (int64, bool, error) {
	if !im.book {
		return 0, false, nil
	}
	ids, err := int64s(ctx, im.s, "SELECT row_id FROM scriptsync_objects WHERE address = ?", addr)
	if err != nil {
		return 0, false, wrapf(err, "read scriptsync_objects")
	}
	if len(ids) == 0 {
		return 0, false, nil
	}
	return ids[0], true, nil
}

// managedRow returns the address that manages the typ row id, "" for none.
func (im *importer) managedRow(ctx context.Context, typ string, id int64) (string, error) {
	if !im.book {
		return "", nil
	}
	var addr string
	err := scanAll(ctx, im.s, func(r rows) error { return r.Scan(&addr) },
		"SELECT address FROM scriptsync_objects WHERE type = ? AND row_id = ?", typ, id)
	if err != nil {
		return "", wrapf(err, "read scriptsync_objects")
	}
	return addr, nil
}

// refs makes sure the row ids of the objects o refers to are known.
func (im *importer) refs(ctx context.Context, o *providers.Object) error {
	for _, d := range o.Deps {
		if _, ok := im.ids[d]; ok {
			continue
		}
		id, ok, err := im.managedAddress(ctx, d)
		if err != nil {
			return err
		}
		if ok {
			im.ids[d] = id
		}
	}
	return nil
}

func importRows(ctx context.Context, s session, imports []providers.Import, want []*providers.Object) ([]*providers.Object, error) {
	im := &importer{s: s, ids: map[string]int64{}, cols: map[string]map[string]bool{}}
	v, err := readSchemaVersion(ctx, s)
	if err != nil {
		return nil, err
	}
	im.book = v > 0
	byAddr := make(map[string]*providers.Object, len(want))
	for _, o := range want {
		byAddr[o.Address] = o
	}
	type root struct {
		imp providers.Import
		obj *providers.Object
		id  int64
	}
	var roots []root
	for _, imp := range imports {
		o := byAddr[imp.To]
		if o == nil {
			continue
		}
		if _, managed, err := im.managedAddress(ctx, imp.To); err != nil {
			return nil, err
		} else if managed {
			continue // managed already: the import does nothing
		}
		id, err := im.resolve(ctx, imp, o.Type)
		if err != nil {
			return nil, err
		}
		if addr, err := im.managedRow(ctx, o.Type, id); err != nil {
			return nil, err
		} else if addr != "" {
			return nil, fmt.Errorf("sql: import %s (id %q): %s row %d is already managed by scriptsync as %s; "+
				"use a moved block or scriptsync state mv to give it another address", imp.To, imp.ID, writers[o.Type].table, id, addr)
		}
		im.ids[imp.To] = id
		roots = append(roots, root{imp, o, id})
	}
	// Every root's id is known before any row is compared: a scene's row
	// refers to its script's.
	for _, r := range roots {
		if err := im.add(ctx, r.imp, r.obj, r.id, ""); err != nil {
			return nil, err
		}
		if r.obj.Type == typeScript {
			if err := im.children(ctx, r.imp, r.obj, r.id, want); err != nil {
				return nil, err
			}
		}
	}
	return im.out, nil
}

// resolve turns an import's ID into the row id of a typ row.
func (im *importer) resolve(ctx context.Context, imp providers.Import, typ string) (int64, error) {
	w, ok := writers[typ]
	if !ok {
		return 0, fmt.Errorf("sql: import %s: a %s cannot be imported", imp.To, typ)
	}
	var key, what string
	switch typ {
	case typeSeries:
		key, what = "title", "title"
	case typeScript, typeBible:
		key, what = "file_path", "file_path"
	}
	var ids []int64
	var err error
	if n, perr := strconv.ParseInt(imp.ID, 10, 64); perr == nil {
		ids, err = int64s(ctx, im.s, "SELECT id FROM "+w.table+" WHERE id = ?", n)
	}
	if err == nil && len(ids) == 0 && key != "" {
		ids, err = int64s(ctx, im.s, "SELECT id FROM "+w.table+" WHERE "+key+" = ? ORDER BY id", imp.ID)
	}
	if err != nil {
		return 0, wrapf(err, "import %s: read %s", imp.To, w.table)
	}
	switch {
	case len(ids) == 1:
		return ids[0], nil
	case len(ids) > 1:
		return 0, fmt.Errorf("sql: import %s (id %q): %d %s rows have that %s; import by row id (one of %v)", imp.To, imp.ID, len(ids), w.table, what, ids)
	}
	by := "row id"
	if key != "" {
		by += " or " + what
	}
	return 0, fmt.Errorf("sql: import %s (id %q): the database has no %s row with that %s", imp.To, imp.ID, w.table, by)
}

// children adds a script's scene and character rows: those the
// configuration declares at their address, the others at an address of
// their own, for the plan to delete.
func (im *importer) children(ctx context.Context, imp providers.Import, script *providers.Object, scriptID int64, want []*providers.Object) error {
	scenes, chars := map[int64]*providers.Object{}, map[string]*providers.Object{}
	for _, o := range want {
		switch pl := o.Payload.(type) {
		case *library.Scene:
			if pl.Script == script.Address {
				scenes[int64(pl.Number)] = o
			}
		case *library.Character:
			if pl.Script == script.Address {
				chars[pl.Name] = o
			}
		}
	}
	type child struct {
		id   int64
		key  string
		want *providers.Object
		addr string
	}
	var found []child
	err := scanAll(ctx, im.s, func(r rows) error {
		var id int64
		var name string
		if err := r.Scan(&id, &name); err != nil {
			return err
		}
		found = append(found, child{id: id, key: name, want: chars[name],
			addr: fmt.Sprintf("%s.characters[%q]", script.Address, name)})
		return nil
	}, "SELECT id, name FROM characters WHERE script_id = ? ORDER BY id", scriptID)
	if err != nil {
		return wrapf(err, "import %s: read characters", imp.To)
	}
	err = scanAll(ctx, im.s, func(r rows) error {
		var id, n int64
		if err := r.Scan(&id, &n); err != nil {
			return err
		}
		found = append(found, child{id: id, key: "scene", want: scenes[n],
			addr: fmt.Sprintf("%s.scenes[\"%d\"]", script.Address, n)})
		return nil
	}, "SELECT id, scene_number FROM scenes WHERE script_id = ? ORDER BY id", scriptID)
	if err != nil {
		return wrapf(err, "import %s: read scenes", imp.To)
	}
	// References first: a scene's dialogues name characters.
	kept := found[:0]
	for _, c := range found {
		typ := typeCharacter
		if c.key == "scene" {
			typ = typeScene
		}
		if addr, err := im.managedRow(ctx, typ, c.id); err != nil {
			return err
		} else if addr != "" {
			continue
		}
		if c.want != nil {
			if _, managed, err := im.managedAddress(ctx, c.want.Address); err != nil {
				return err
			} else if managed {
				continue
			}
			im.ids[c.want.Address] = c.id
		}
		kept = append(kept, c)
	}
	for _, c := range kept {
		typ := typeCharacter
		if c.key == "scene" {
			typ = typeScene
		}
		if c.want == nil {
			im.out = append(im.out, &providers.Object{Address: c.addr, Type: typ, Resource: script.Address,
				ID: strconv.FormatInt(c.id, 10), Import: imp.ID, Hash: "imported",
				Attrs: map[string]any{"row_id": c.id}})
			continue
		}
		if err := im.add(ctx, imp, c.want, c.id, script.Address); err != nil {
			return err
		}
	}
	return nil
}

// add appends the imported object for desired object o, held at row id:
// with o's Hash when the row (and its child rows) hold what Apply would
// write, else with the row's values in its attributes.
func (im *importer) add(ctx context.Context, imp providers.Import, o *providers.Object, id int64, resource string) error {
	w := writers[o.Type]
	if err := im.refs(ctx, o); err != nil {
		return err
	}
	a := &applier{ids: im.ids}
	vals, err := w.values(a, o)
	if err != nil {
		return fmt.Errorf("sql: import %s: %w", imp.To, err)
	}
	have, err := im.row(ctx, w, id)
	if err != nil {
		return fmt.Errorf("sql: import %s: %w", imp.To, err)
	}
	differ := []string{}
	for i, c := range w.cols[1:] {
		if cell(vals[i]) != cell(have[c]) {
			differ = append(differ, c)
		}
	}
	same, counts, err := im.sameChildren(ctx, o, id)
	if err != nil {
		return fmt.Errorf("sql: import %s: %w", imp.To, err)
	}
	got := *o
	got.Payload, got.Source, got.PreventDestroy = nil, "", false
	got.ID, got.Import = strconv.FormatInt(id, 10), imp.ID
	if resource != "" && got.Resource == "" {
		got.Resource = resource
	}
	if !same {
		differ = append(differ, "child rows")
	}
	if len(differ) > 0 {
		got.Hash = "imported:" + strings.Join(differ, ",")
		got.MatchHash = ""
		attrs := map[string]any{}
		for k, v := range o.Attributes() {
			attrs[k] = v
		}
		for _, c := range differ {
			if v, ok := have[c]; ok {
				k := shownColumn(c)
				switch {
				case slices.Contains(o.Sensitive, k):
					attrs[k] = sensitiveValue
				case c == "metadata" && len(o.Sensitive) > 0:
					// A row's metadata holds what other attributes
					// show (a script's source_file, series_title):
					// when any is sensitive, so is the row's.
					attrs[k] = sensitiveValue
				default:
					attrs[k] = shown(v)
				}
			}
		}
		for k, v := range counts {
			attrs[k] = v // what the row holds; the plan shows a count that differs
		}
		got.Attrs, got.AttrsFunc = attrs, nil
	}
	im.out = append(im.out, &got)
	return nil
}

// shownColumn is the attribute that shows a column, where their names
// differ.
func shownColumn(c string) string {
	if c == "content" {
		return "text"
	}
	return c
}

// shown is a column's value as an attribute: JSON documents decoded.
func shown(v any) any {
	switch x := v.(type) {
	case []byte:
		if len(x) > 256 {
			return fmt.Sprintf("(%d bytes)", len(x))
		}
		return shown(string(x))
	case string:
		if strings.HasPrefix(x, "{") || strings.HasPrefix(x, "[") {
			var d any
			if json.Unmarshal([]byte(x), &d) == nil {
				return d
			}
		}
		return x
	}
	return v
}

// row reads a row's columns by name; a column the table lacks (one
// scriptsync adds, in a database it has not migrated yet) reads as NULL.
func (im *importer) row(ctx context.Context, w writer, id int64) (map[string]any, error) {
	have := im.cols[w.table]
	if have == nil {
		var err error
		if have, err = im.s.columns(ctx, w.table); err != nil {
			return nil, err
		}
		im.cols[w.table] = have
	}
	var cols []string
	for _, c := range w.cols[1:] {
		if have[c] {
			cols = append(cols, c)
		}
	}
	out := map[string]any{}
	if len(cols) == 0 {
		return out, nil
	}
	dest := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range dest {
		ptrs[i] = &dest[i]
	}
	found := false
	err := scanAll(ctx, im.s, func(r rows) error { found = true; return r.Scan(ptrs...) },
		"SELECT "+strings.Join(cols, ", ")+" FROM "+w.table+" WHERE id = ?", id)
	if err != nil {
		return nil, fmt.Errorf("read %s row %d: %w", w.table, id, err)
	}
	if !found {
		return nil, fmt.Errorf("%s row %d vanished while it was read", w.table, id)
	}
	for i, c := range cols {
		out[c] = dest[i]
	}
	return out, nil
}

// sameChildren compares a scene's dialogues and actions, or a bible's
// chunks, with what Apply would write; counts are the rows there are, by
// the attribute that shows them.
func (im *importer) sameChildren(ctx context.Context, o *providers.Object, id int64) (bool, map[string]any, error) {
	switch pl := o.Payload.(type) {
	case *library.Scene:
		d, ac, err := elementRows(pl)
		if err != nil {
			return false, nil, err
		}
		haveD, err := im.cells(ctx, 4, "SELECT c.name, d.dialogue_text, d.order_in_scene, d.metadata FROM dialogues d "+
			"JOIN characters c ON c.id = d.character_id WHERE d.scene_id = ? ORDER BY d.order_in_scene, d.id", id)
		if err != nil {
			return false, nil, err
		}
		haveA, err := im.cells(ctx, 3, "SELECT action_text, order_in_scene, metadata FROM actions WHERE scene_id = ? ORDER BY order_in_scene, id", id)
		if err != nil {
			return false, nil, err
		}
		counts := map[string]any{"dialogues": int64(len(haveD)), "actions": int64(len(haveA))}
		return sameCells(d, haveD) && sameCells(ac, haveA), counts, nil
	case biblePayload:
		base := chunkBase(pl.Bible)
		number := map[int64]int64{} // library number -> chunk_number
		var want [][]any
		for i := range pl.Chunks {
			r := chunkRow(&pl.Chunks[i], base)
			number[int64(pl.Chunks[i].Number)] = r[0].(int64)
			want = append(want, r)
		}
		for _, r := range want {
			if p := r[5].(int64); p == 0 {
				r[5] = nil
			} else {
				r[5] = number[p]
			}
		}
		have, err := im.cells(ctx, 7, "SELECT c.chunk_number, c.heading, c.level, c.content, c.content_hash, p.chunk_number, c.metadata "+
			"FROM bible_chunks c LEFT JOIN bible_chunks p ON p.id = c.parent_chunk_id WHERE c.bible_id = ? ORDER BY c.chunk_number", id)
		if err != nil {
			return false, nil, err
		}
		return sameCells(want, have), map[string]any{"chunks": int64(len(have))}, nil
	}
	return true, nil, nil
}

func (im *importer) cells(ctx context.Context, n int, q string, args ...any) ([][]any, error) {
	var out [][]any
	err := scanAll(ctx, im.s, func(r rows) error {
		dest := make([]any, n)
		ptrs := make([]any, n)
		for i := range dest {
			ptrs[i] = &dest[i]
		}
		if err := r.Scan(ptrs...); err != nil {
			return err
		}
		out = append(out, dest)
		return nil
	}, q, args...)
	return out, err
}

func sameCells(want, have [][]any) bool {
	if len(want) != len(have) {
		return false
	}
	for i := range want {
		if len(want[i]) != len(have[i]) {
			return false
		}
		for j := range want[i] {
			if cell(want[i][j]) != cell(have[i][j]) {
				return false
			}
		}
	}
	return true
}

// cell is a value in a form that compares equal across drivers and
// encodings: numbers as integers where they are whole, JSON documents
// re-encoded with sorted keys, bytes as text.
func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return "\x00null"
	case bool:
		if x {
			return "1"
		}
		return "0"
	case int:
		return strconv.FormatInt(int64(x), 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []byte:
		return cell(string(x))
	case string:
		if strings.HasPrefix(x, "{") || strings.HasPrefix(x, "[") {
			var d any
			if json.Unmarshal([]byte(x), &d) == nil {
				if b, err := json.Marshal(d); err == nil {
					return string(b)
				}
			}
		}
		return x
	case map[string]any, []any:
		if b, err := json.Marshal(x); err == nil {
			return string(b)
		}
	}
	return fmt.Sprint(v)
}

// adopt sorts an import's change: the row it takes over is recorded as it
// is (NoOp), rewritten in place first (Update), or deleted (Delete: a row
// within the imported object that the configuration does not declare).
func (a *applier) adopt(c *providers.Change) error {
	o := c.Before
	id, err := strconv.ParseInt(o.ID, 10, 64)
	if err != nil {
		return fmt.Errorf("sql: import %s: malformed row id %q", o.Address, o.ID)
	}
	if r := a.t.inv.recs[o.Address]; r != nil && r.present {
		return conflictf("import %s: it is managed already", o.Address)
	}
	if !knownType(o.Type) {
		return fmt.Errorf("sql: import %s: unknown object type %q", o.Address, o.Type)
	}
	rec := &record{obj: o, rowID: id, present: true, detailed: true}
	switch c.Action {
	case providers.NoOp:
		if c.After == nil {
			return fmt.Errorf("sql: import %s: malformed change", o.Address)
		}
		op := &op{addr: c.After.Address, before: rec, after: c.After, rowID: id}
		switch pl := c.After.Payload.(type) {
		case *library.Scene:
			d, ac, err := elementRows(pl)
			if err != nil {
				return fmt.Errorf("sql: %s: %w", op.addr, err)
			}
			op.children = childHash(d, ac)
		case biblePayload:
			op.children = chunkHash(pl.Bible)
		}
		a.ids[op.addr] = id
		a.imported = append(a.imported, op)
	case providers.Update:
		if c.After == nil || c.After.Type != o.Type {
			return fmt.Errorf("sql: import %s: malformed change", o.Address)
		}
		a.ids[c.After.Address] = id
		a.updates[o.Type] = append(a.updates[o.Type], &op{addr: c.After.Address, before: rec, after: c.After, rowID: id})
		a.cleared = append(a.cleared, driftKey{o.Type, id})
	case providers.Delete:
		a.deletes[o.Type] = append(a.deletes[o.Type], &op{addr: o.Address, before: rec, rowID: id})
	default:
		return fmt.Errorf("sql: import %s: an import cannot %s", o.Address, c.Action)
	}
	return nil
}

// recordImports adds the imported rows that needed no rewrite to the
// bookkeeping, and clears what the drift triggers recorded of the
// imported rows before scriptsync managed them.
func (a *applier) recordImports(ctx context.Context) error {
	for _, o := range a.imported {
		a.cleared = append(a.cleared, driftKey{o.after.Type, o.rowID})
	}
	a.written = append(a.written, a.imported...)
	if len(a.cleared) == 0 {
		return nil
	}
	for _, k := range a.cleared {
		a.s.queue("DELETE FROM scriptsync_drift WHERE type = ? AND row_id = ?", []any{k.typ, k.id}, nil)
	}
	if err := a.s.flush(ctx); err != nil {
		return wrapf(err, "clear scriptsync_drift of imported rows")
	}
	return nil
}
