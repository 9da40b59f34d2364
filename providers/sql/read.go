package sql

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"scriptsync/providers"
)

// record is one managed object as the bookkeeping holds it.
type record struct {
	obj     *providers.Object
	rowID   int64
	present bool // its row still exists
	// What only a change needs is read for the records a plan changes
	// (see readDetails): a no-op plan of a large library would otherwise
	// hold every row's attributes to show none of them.
	detailed  bool
	childHash string // digest of a scene's dialogues and actions, or a bible's chunks
	attrs     string // the attributes' JSON, once read
	src       *attrSource
}

// inventory is the bookkeeping of a database.
type inventory struct {
	schema  int   // scriptsync schema version; 0 when there is no bookkeeping
	serial  int64 // bumped by every apply
	peers   map[string]string
	outputs string // the JSON the last apply recorded (RecordOutputs); "" when none
	recs    map[string]*record
	orphans int // managed objects whose rows were deleted behind scriptsync's back
	// schemaNote tells what the next apply changes in the schema of an
	// existing database (see schemaNotice); "" when nothing.
	schemaNote string
	// flags are the rows the drift triggers flagged (see drift.go),
	// drifted their records, driftNow those records as they read now.
	flags     map[driftKey]bool
	drifted   []*record
	driftNow  []*providers.Change
	driftRead bool
}

// version is the serial as State.Version: "" until the first apply.
func (inv *inventory) version() string {
	if inv.serial == 0 {
		return ""
	}
	return strconv.FormatInt(inv.serial, 10)
}

// state returns what Read reports: the objects whose rows exist.
func (inv *inventory) state() *providers.State {
	st := &providers.State{Version: inv.version(), Peers: inv.peers}
	st.Objects = make([]*providers.Object, 0, len(inv.recs))
	for _, r := range inv.recs {
		if r.present {
			st.Objects = append(st.Objects, r.obj)
		}
	}
	if inv.schemaNote != "" {
		st.Warnings = append(st.Warnings, inv.schemaNote)
		st.Pending = append(st.Pending, inv.schemaNote)
	}
	inv.driftState(st)
	return st
}

// undetailed returns the records whose attributes and dependencies a plan
// against want needs and that were not read yet: those of the objects
// that want lacks, or holds with another hash or type. Unchanged objects
// need neither: the planner orders and shows only changes.
func (inv *inventory) undetailed(want []*providers.Object) []*record {
	same := make(map[*record]bool, len(want))
	for _, o := range want {
		if r := inv.recs[o.Address]; r != nil && r.obj.Hash == o.Hash && r.obj.Type == o.Type {
			same[r] = true
		}
	}
	var need []*record
	for _, r := range inv.recs {
		// Deleted and flagged rows show in the drift as recorded.
		if !r.detailed && (!same[r] || !r.present || inv.isDrifted(r)) {
			need = append(need, r)
		}
	}
	return need
}

// Read returns the managed objects and the serial, from a consistent
// snapshot and without a lock. A database that does not exist reads as
// empty, and is not created. After Warm, it returns what Warm read, with
// the details of the records want changes read from the same serial.
func (p *Provider) Read(ctx context.Context, want []*providers.Object) (*providers.State, error) {
	var inv *inventory
	if w := p.takeWarm(ctx); w != nil {
		if w.inv == nil {
			return &providers.State{}, nil
		}
		inv = w.inv
		if len(inv.undetailed(want)) == 0 && (inv.driftRead || len(inv.drifted) == 0) {
			return inv.state(), nil
		}
	}
	s, err := p.d.read(ctx)
	if errors.Is(err, errNoDatabase) {
		return &providers.State{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer s.rollback(ctx)
	if inv != nil {
		inv, err = sameSerial(ctx, s, inv, p.d.read)
	} else {
		inv, err = readInventory(ctx, s, p.d.read)
	}
	if err != nil {
		return nil, err
	}
	if err := readDetails(ctx, s, inv.recs, inv.undetailed(want)); err != nil {
		return nil, err
	}
	if err := inv.readDriftObjects(ctx, s); err != nil {
		return nil, err
	}
	return inv.state(), nil
}

// sameSerial returns earlier when the snapshot s has its serial, which
// means the same bookkeeping; else it reads the inventory from s.
func sameSerial(ctx context.Context, s session, earlier *inventory, open opener) (*inventory, error) {
	meta, err := readMeta(ctx, s)
	if err != nil {
		return nil, err
	}
	if meta.schema == earlier.schema && meta.serial == earlier.serial {
		return earlier, nil
	}
	return readInventory(ctx, s, open)
}

// inventoryQuery reads what a plan needs of every record; the rest is read
// for the records a plan changes (detailQuery). A column that most rows
// leave at its default reads as NULL, which costs no string.
const inventoryQuery = `SELECT address, type, row_id, hash, grp, match_hash, seq,
  NULLIF(sensitive, '[]') FROM scriptsync_objects`

// detailQuery reads what only a change needs of a record.
const detailQuery = `SELECT address, hash, attrs, deps, child_hash, force_new, resource FROM scriptsync_objects`

// rowTables are the tables of the object types whose rows Read checks for:
// a managed object whose row was deleted behind scriptsync's back shows as
// absent. Reading each table's ids once is cheaper than looking every
// object's row up (a join makes SQLite seek once per object, which costs
// more than the rest of the read).
var rowTables = []struct{ typ, table string }{
	{typeSeries, "series"}, {typeScript, "scripts"}, {typeCharacter, "characters"},
	{typeScene, "scenes"}, {typeEmbedding, "embeddings"}, {typeBible, "script_bibles"},
}

// readRowIDs returns the ids of the rows of each type's table, sorted. They
// are sorted here: with ORDER BY id, SQLite walks the table itself (every
// scene's content, every vector) instead of its smallest index.
func readRowIDs(ctx context.Context, s session) (map[string][]int64, error) {
	out := make(map[string][]int64, len(rowTables))
	for _, t := range rowTables {
		ids, err := int64s(ctx, s, "SELECT id FROM "+t.table)
		if err != nil {
			return nil, wrapf(err, "read %s ids", t.table)
		}
		slices.Sort(ids)
		out[t.typ] = ids
	}
	return out, nil
}

// readInventory reads the bookkeeping. A database without it (new, or a
// ScriptRAG database scriptsync has not written yet) has an empty one.
// The records' attributes are read when first asked for, through a
// snapshot that open makes.
func readInventory(ctx context.Context, s session, open opener) (*inventory, error) {
	inv, err := readMeta(ctx, s)
	if err != nil {
		return nil, err
	}
	if inv.schema != schemaVersion {
		if inv.schemaNote, err = schemaNotice(ctx, s, inv.schema); err != nil {
			return nil, err
		}
	}
	if inv.schema == 0 {
		return inv, nil
	}
	ids, err := readRowIDs(ctx, s)
	if err != nil {
		return nil, err
	}
	src := &attrSource{open: open, recs: inv.recs}
	err = scanAll(ctx, s, func(r rows) error {
		var (
			rec       record
			o         providers.Object
			sensitive any
		)
		if err := r.Scan(&o.Address, &o.Type, &rec.rowID, &o.Hash, &o.Group, &o.MatchHash, &o.Seq, &sensitive); err != nil {
			return err
		}
		if sensitive != nil {
			var err error
			if o.Sensitive, err = stringList(textOf(sensitive)); err != nil {
				return fmt.Errorf("%s: malformed sensitive: %w", o.Address, err)
			}
		}
		o.ID = strconv.FormatInt(rec.rowID, 10)
		rec.obj, rec.src = &o, src
		o.AttrsFunc = rec.attributes
		inv.recs[o.Address] = &rec
		return nil
	}, inventoryQuery)
	if err != nil {
		return nil, wrapf(err, "read scriptsync_objects")
	}
	inv.checkRows(ids)
	if inv.flags, err = readDrift(ctx, s, inv.schema); err != nil {
		return nil, err
	}
	inv.flagRecords()
	return inv, nil
}

// opener opens a read-only snapshot of the database.
type opener func(ctx context.Context) (session, error)

// detailChunk is how many records readDetails asks for by address in one
// query; past detailScan records, or a quarter of them all, it reads the
// whole table instead.
const (
	detailChunk = 500
	detailScan  = 8 * detailChunk
)

// readDetails reads the attributes and dependencies of recs from s, which
// must hold the snapshot the records were read from.
func readDetails(ctx context.Context, s session, all map[string]*record, recs []*record) error {
	if len(recs) == 0 {
		return nil
	}
	need := make(map[string]bool, len(recs))
	for _, r := range recs {
		need[r.obj.Address] = true
	}
	fill := func(r rows) error {
		var addr, hash, attrs, deps, childHash, forceNew, resource string
		if err := r.Scan(&addr, &hash, &attrs, &deps, &childHash, &forceNew, &resource); err != nil {
			return err
		}
		rec := all[addr]
		if !need[addr] || rec == nil {
			return nil
		}
		if hash != rec.obj.Hash {
			return fmt.Errorf("%s: changed while it was read", addr)
		}
		if err := checkAttrs(addr, attrs); err != nil {
			return err
		}
		d, err := stringList(deps)
		if err != nil {
			return fmt.Errorf("%s: malformed deps: %w", addr, err)
		}
		f, err := stringList(forceNew)
		if err != nil {
			return fmt.Errorf("%s: malformed force_new: %w", addr, err)
		}
		rec.obj.Deps, rec.obj.ForceNew, rec.obj.Resource = d, f, resource
		rec.attrs, rec.childHash, rec.detailed = attrs, childHash, true
		return nil
	}
	if len(recs) > detailScan || 4*len(recs) > len(all) {
		if err := scanAll(ctx, s, fill, detailQuery); err != nil {
			return wrapf(err, "read scriptsync_objects")
		}
	} else {
		for from := 0; from < len(recs); from += detailChunk {
			chunk := recs[from:min(from+detailChunk, len(recs))]
			args := make([]any, len(chunk))
			for i, r := range chunk {
				args[i] = r.obj.Address
			}
			q := detailQuery + " WHERE address IN (?" + strings.Repeat(", ?", len(chunk)-1) + ")"
			if err := scanAll(ctx, s, fill, q, args...); err != nil {
				return wrapf(err, "read scriptsync_objects")
			}
		}
	}
	for _, r := range recs {
		if !r.detailed {
			return fmt.Errorf("sql: %s: vanished while it was read", r.obj.Address)
		}
	}
	return nil
}

// textOf is a text column read into an any: a string, or bytes from a
// driver that returns them.
func textOf(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	return fmt.Sprint(v)
}

// checkAttrs checks that a record's attributes are a JSON object, as
// canonicalJSON writes them; they are decoded only when shown.
func checkAttrs(addr, attrs string) error {
	if len(attrs) < 2 || attrs[0] != '{' || attrs[len(attrs)-1] != '}' {
		return fmt.Errorf("%s: malformed attrs: want a JSON object, have %.40q", addr, attrs)
	}
	return nil
}

// attributes decodes the record's attributes, reading them first when
// they were not (see attrSource). The bookkeeping holds what
// canonicalJSON wrote; should a row have been damaged since, or be gone,
// the object shows with the attributes it could decode.
func (r *record) attributes() map[string]any {
	if !r.detailed {
		r.src.load()
	}
	a, err := decodeAttrs(r.attrs)
	if err != nil {
		return map[string]any{}
	}
	m, _ := a.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// attrSource reads, all at once, the attributes of the records that Read
// left without: asked for one, plan -json or state show wants them all.
type attrSource struct {
	open opener
	recs map[string]*record
	once sync.Once
}

// load reads the attributes of the records that have none, from a new
// snapshot; a row whose hash moved on since keeps none (a plan made from
// the older one is refused at apply).
func (a *attrSource) load() {
	a.once.Do(func() {
		ctx := context.Background()
		s, err := a.open(ctx)
		if err != nil {
			return
		}
		defer s.rollback(ctx)
		_ = scanAll(ctx, s, func(r rows) error {
			var addr, hash, attrs string
			if err := r.Scan(&addr, &hash, &attrs); err != nil {
				return err
			}
			if rec := a.recs[addr]; rec != nil && !rec.detailed && rec.obj.Hash == hash {
				rec.attrs = attrs
			}
			return nil
		}, "SELECT address, hash, attrs FROM scriptsync_objects")
	})
}

// checkRows marks the records whose rows exist, given the ids of each
// type's table, and counts the others.
func (inv *inventory) checkRows(ids map[string][]int64) {
	inv.orphans = 0
	for _, rec := range inv.recs {
		rec.present = true
		if table, ok := ids[rec.obj.Type]; ok {
			_, rec.present = slices.BinarySearch(table, rec.rowID)
		}
		if !rec.present {
			inv.orphans++
		}
	}
}

// reuseInventory returns what readInventory would, given an inventory
// read earlier from another snapshot (Warm): when the schema and the
// serial are the same, the bookkeeping is too (every change to it bumps
// the serial), and only whether the rows still exist, which changes
// behind scriptsync's back without one, is read again. Otherwise it reads
// afresh.
func reuseInventory(ctx context.Context, s session, earlier *inventory, open opener) (*inventory, error) {
	inv, err := readMeta(ctx, s)
	if err != nil || inv.schema == 0 {
		return inv, err
	}
	if inv.schema != earlier.schema || inv.serial != earlier.serial {
		return readInventory(ctx, s, open)
	}
	ids, err := readRowIDs(ctx, s)
	if err != nil {
		return nil, err
	}
	inv.recs = earlier.recs
	inv.checkRows(ids)
	if inv.flags, err = readDrift(ctx, s, inv.schema); err != nil {
		return nil, err
	}
	inv.flagRecords()
	return inv, nil
}

// readMeta reads the schema version, the serial and the peers; the
// records are left empty.
func readMeta(ctx context.Context, s session) (*inventory, error) {
	inv := &inventory{recs: map[string]*record{}}
	v, err := readSchemaVersion(ctx, s)
	if err != nil {
		return nil, err
	}
	if v == 0 {
		return inv, nil
	}
	inv.schema = v
	err = scanAll(ctx, s, func(r rows) error {
		var key, value string
		if err := r.Scan(&key, &value); err != nil {
			return err
		}
		switch key {
		case "serial":
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil {
				return fmt.Errorf("malformed serial %q", value)
			}
			inv.serial = n
		case "peers":
			if err := json.Unmarshal([]byte(value), &inv.peers); err != nil {
				return fmt.Errorf("malformed peers: %w", err)
			}
		case "outputs":
			inv.outputs = value
		}
		return nil
	}, "SELECT key, value FROM scriptsync_meta WHERE key <> 'memo'")
	if err != nil {
		return nil, wrapf(err, "read scriptsync_meta")
	}
	return inv, nil
}

// stringList decodes a JSON array of strings; "[]" is nil.
func stringList(s string) ([]string, error) {
	if s == "[]" || s == "" {
		return nil, nil
	}
	if out, ok := plainStringList(s); ok {
		return out, nil
	}
	var out []string
	err := json.Unmarshal([]byte(s), &out)
	return out, err
}

// plainStringList decodes a list as listJSON writes it, without
// reflection, for strings whose only escapes are \" and \\ (addresses
// quote their keys); ok is false for anything else, which encoding/json
// then reads.
func plainStringList(s string) (out []string, ok bool) {
	if len(s) < 4 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, false
	}
	rest := s[1 : len(s)-1]
	var b []byte
	for {
		if len(rest) < 2 || rest[0] != '"' {
			return nil, false
		}
		b = b[:0]
		escaped := false
		i := 1
		for ; i < len(rest) && rest[i] != '"'; i++ {
			c := rest[i]
			switch {
			case c == '\\':
				if i+1 >= len(rest) || (rest[i+1] != '"' && rest[i+1] != '\\') {
					return nil, false
				}
				escaped = true
				i++
				c = rest[i]
			case c < 0x20 || c >= 0x80:
				return nil, false // control characters are invalid, and UTF-8 is left to encoding/json
			}
			b = append(b, c)
		}
		if i >= len(rest) {
			return nil, false
		}
		if escaped {
			out = append(out, string(b))
		} else {
			out = append(out, rest[1:i])
		}
		rest = rest[i+1:]
		if rest == "" {
			return out, true
		}
		if rest[0] != ',' {
			return nil, false
		}
		rest = rest[1:]
	}
}

// listJSON encodes a string list for the bookkeeping.
func listJSON(l []string) string {
	if len(l) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(l) // strings always encode
	return string(b)
}

// warmth is the Read that Warm started.
type warmth struct {
	done   chan struct{}
	cancel context.CancelFunc
	inv    *inventory // nil when the database does not exist
	err    error
}

// Warm starts reading the bookkeeping in the background (see
// providers.Warmer), so that the reading overlaps the evaluation of the
// configuration: the next Read returns what it read, and the next Tx.Read
// reuses it when the serial has not moved (see reuseInventory).
func (p *Provider) Warm(ctx context.Context) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.warm != nil {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &warmth{done: make(chan struct{}), cancel: cancel}
	p.warm = w
	go func() {
		defer close(w.done)
		s, err := p.d.read(ctx)
		if errors.Is(err, errNoDatabase) {
			return
		}
		if err != nil {
			w.err = err
			return
		}
		defer s.rollback(ctx)
		w.inv, w.err = readInventory(ctx, s, p.d.read)
	}()
}

// takeWarm waits for the read Warm started and hands it over, once; nil
// when there is none, or it failed (the caller then reads afresh, and
// reports the error if it happens again).
func (p *Provider) takeWarm(ctx context.Context) *warmth {
	p.mu.Lock()
	w := p.warm
	p.warm = nil
	p.mu.Unlock()
	if w == nil {
		return nil
	}
	select {
	case <-w.done:
	case <-ctx.Done():
		w.cancel()
		<-w.done
		return nil
	}
	w.cancel()
	if w.err != nil {
		return nil
	}
	return w
}

// settleWarm waits until the read Warm started, if any, is over, and
// leaves its result for the next Read or Tx.Read to take.
func (p *Provider) settleWarm(ctx context.Context) {
	p.mu.Lock()
	w := p.warm
	p.mu.Unlock()
	if w == nil {
		return
	}
	select {
	case <-w.done:
	case <-ctx.Done():
	}
}

// stopWarm abandons a read Warm started and nobody took.
func (p *Provider) stopWarm() {
	p.mu.Lock()
	w := p.warm
	p.warm = nil
	p.mu.Unlock()
	if w != nil {
		w.cancel()
		<-w.done
	}
}
