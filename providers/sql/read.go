package sql

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"scriptsync/providers"
)

// record is one managed object as the bookkeeping holds it.
type record struct {
	obj       *providers.Object
	rowID     int64
	childHash string // digest of a scene's dialogues and actions, or a bible's chunks
	present   bool   // its row still exists
}

// inventory is the bookkeeping of a database.
type inventory struct {
	schema  int   // scriptsync schema version; 0 when there is no bookkeeping
	serial  int64 // bumped by every apply
	peers   map[string]string
	recs    map[string]*record
	orphans int // managed objects whose rows were deleted behind scriptsync's back
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
	if inv.orphans > 0 {
		st.Warnings = append(st.Warnings, fmt.Sprintf(
			"%d managed rows were deleted outside scriptsync; the next apply recreates them", inv.orphans))
	}
	return st
}

// Read returns the managed objects and the serial, from a consistent
// snapshot and without a lock. A database that does not exist reads as
// empty, and is not created.
func (p *Provider) Read(ctx context.Context, want []*providers.Object) (*providers.State, error) {
	s, err := p.d.read(ctx)
	if errors.Is(err, errNoDatabase) {
		return &providers.State{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer s.rollback(ctx)
	inv, err := readInventory(ctx, s)
	if err != nil {
		return nil, err
	}
	return inv.state(), nil
}

// inventoryQuery reads the bookkeeping, left-joined to each type's table
// so that a managed object whose row was deleted behind scriptsync's back
// shows as absent. (Joins rather than per-row subqueries: PostgreSQL costs
// those high enough to JIT-compile the query, which takes longer than
// running it.)
const inventoryQuery = `SELECT o.address, o.type, o.row_id, o.hash, o.child_hash, o.attrs, o.deps, o.grp, o.match_hash,
  o.seq, o.force_new, o.sensitive, o.resource,
  CASE WHEN o.type NOT IN ('series', 'script', 'character', 'scene', 'embedding', 'bible')
    OR COALESCE(t1.id, t2.id, t3.id, t4.id, t5.id, t6.id) IS NOT NULL THEN 1 ELSE 0 END
FROM scriptsync_objects o
LEFT JOIN series t1 ON o.type = 'series' AND t1.id = o.row_id
LEFT JOIN scripts t2 ON o.type = 'script' AND t2.id = o.row_id
LEFT JOIN characters t3 ON o.type = 'character' AND t3.id = o.row_id
LEFT JOIN scenes t4 ON o.type = 'scene' AND t4.id = o.row_id
LEFT JOIN embeddings t5 ON o.type = 'embedding' AND t5.id = o.row_id
LEFT JOIN script_bibles t6 ON o.type = 'bible' AND t6.id = o.row_id`

// readInventory reads the bookkeeping. A database without it (new, or a
// ScriptRAG database scriptsync has not written yet) has an empty one.
func readInventory(ctx context.Context, s session) (*inventory, error) {
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
		}
		return nil
	}, "SELECT key, value FROM scriptsync_meta")
	if err != nil {
		return nil, wrapf(err, "read scriptsync_meta")
	}
	err = scanAll(ctx, s, func(r rows) error {
		var (
			rec                              record
			o                                providers.Object
			attrs, deps, forceNew, sensitive string
			present                          int64
		)
		if err := r.Scan(&o.Address, &o.Type, &rec.rowID, &o.Hash, &rec.childHash, &attrs, &deps, &o.Group,
			&o.MatchHash, &o.Seq, &forceNew, &sensitive, &o.Resource, &present); err != nil {
			return err
		}
		a, err := decodeAttrs(attrs)
		if err != nil {
			return fmt.Errorf("%s: malformed attrs: %w", o.Address, err)
		}
		o.Attrs, _ = a.(map[string]any)
		if o.Deps, err = stringList(deps); err != nil {
			return fmt.Errorf("%s: malformed deps: %w", o.Address, err)
		}
		if o.ForceNew, err = stringList(forceNew); err != nil {
			return fmt.Errorf("%s: malformed force_new: %w", o.Address, err)
		}
		if o.Sensitive, err = stringList(sensitive); err != nil {
			return fmt.Errorf("%s: malformed sensitive: %w", o.Address, err)
		}
		o.ID = strconv.FormatInt(rec.rowID, 10)
		rec.obj, rec.present = &o, present > 0
		if !rec.present {
			inv.orphans++
		}
		inv.recs[o.Address] = &rec
		return nil
	}, inventoryQuery)
	if err != nil {
		return nil, wrapf(err, "read scriptsync_objects")
	}
	return inv, nil
}

// stringList decodes a JSON array of strings; "[]" is nil.
func stringList(s string) ([]string, error) {
	if s == "[]" || s == "" {
		return nil, nil
	}
	var out []string
	err := json.Unmarshal([]byte(s), &out)
	return out, err
}

// listJSON encodes a string list for the bookkeeping.
func listJSON(l []string) string {
	if len(l) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(l) // strings always encode
	return string(b)
}
