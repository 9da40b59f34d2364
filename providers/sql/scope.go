package sql

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"scriptsync/providers"
)

// scopeQuery reads whole records: inventoryQuery's columns and
// detailQuery's.
const scopeQuery = `SELECT address, type, row_id, hash, grp, match_hash, seq, NULLIF(sensitive, '[]'),
  attrs, deps, child_hash, force_new, resource FROM scriptsync_objects`

// ReadScope implements providers.ScopeReader: the records of resources
// only, in a snapshot where the memo the stamp digests (the keeper's stamp
// is the memo's SHA-256) still holds (the serial it was
// recorded with, nothing flagged by the drift triggers), so that every
// recorded row is there as recorded. On SQLite they are read by address
// ranges, one per block of the resources: an object's address starts with
// its block's (script.pilot.scenes["3"]) or, for a character block's, its
// script's, which the scope holds too; a desired object under none of
// them is refused.
func (p *Provider) ReadScope(ctx context.Context, want []*providers.Object, resources map[string]bool, stamp []byte) (*providers.State, error) {
	s, err := p.d.read(ctx)
	if errors.Is(err, errNoDatabase) {
		return nil, providers.ErrScope
	}
	if err != nil {
		return nil, err
	}
	defer s.rollback(ctx)
	inv, err := readScope(ctx, s, want, resources, string(stamp))
	if err != nil {
		return nil, err
	}
	return inv.state(), nil
}

// ReadScope is Provider.ReadScope inside the transaction, under its lock:
// the serial it sees is the one Apply's compare-and-swap expects.
func (t *Tx) ReadScope(ctx context.Context, want []*providers.Object, resources map[string]bool, stamp []byte) (*providers.State, error) {
	if t.done {
		return nil, errTxDone
	}
	if t.schemaNote != "" {
		return nil, providers.ErrScope // Begin migrated the schema: the memo was not for it
	}
	inv, err := readScope(ctx, t.s, want, resources, string(stamp))
	if err != nil {
		return nil, err
	}
	t.inv = inv
	if !t.read {
		t.base, t.read = inv.serial, true
	}
	return inv.state(), nil
}

// readScope reads the records of resources from s (see ReadScope) when
// the memo recorded there is the one whose SHA-256 is memoDigest.
func readScope(ctx context.Context, s session, want []*providers.Object, resources map[string]bool, memoDigest string) (*inventory, error) {
	prefixes := blockPrefixes(resources)
	for _, o := range want {
		if !underAny(o.Address, prefixes) {
			return nil, providers.ErrScope
		}
	}
	inv, err := readMeta(ctx, s)
	if err != nil {
		return nil, err
	}
	if inv.schema != schemaVersion || inv.serial == 0 {
		return nil, providers.ErrScope
	}
	held, err := memoHolds(ctx, s, inv.serial)
	if err != nil || !held {
		return nil, providers.ErrScope
	}
	var digest string
	err = scanAll(ctx, s, func(r rows) error { return r.Scan(&digest) },
		"SELECT value FROM scriptsync_meta WHERE key = 'memo_digest'")
	if err != nil || digest == "" || digest != memoDigest {
		return nil, providers.ErrScope
	}
	src := &attrSource{recs: inv.recs}
	fill := func(r rows) error {
		var (
			rec            record
			o              providers.Object
			sensitive      any
			deps, forceNew string
		)
		if err := r.Scan(&o.Address, &o.Type, &rec.rowID, &o.Hash, &o.Group, &o.MatchHash, &o.Seq, &sensitive,
			&rec.attrs, &deps, &rec.childHash, &forceNew, &o.Resource); err != nil {
			return err
		}
		if !resources[o.Resource] {
			return nil
		}
		if sensitive != nil {
			if o.Sensitive, err = stringList(textOf(sensitive)); err != nil {
				return fmt.Errorf("%s: malformed sensitive: %w", o.Address, err)
			}
		}
		if err := checkAttrs(o.Address, rec.attrs); err != nil {
			return err
		}
		if o.Deps, err = stringList(deps); err != nil {
			return fmt.Errorf("%s: malformed deps: %w", o.Address, err)
		}
		if o.ForceNew, err = stringList(forceNew); err != nil {
			return fmt.Errorf("%s: malformed force_new: %w", o.Address, err)
		}
		o.ID = strconv.FormatInt(rec.rowID, 10)
		rec.obj, rec.src, rec.present, rec.detailed = &o, src, true, true
		o.AttrsFunc = rec.attributes
		inv.recs[o.Address] = &rec
		return nil
	}
	if s.flavor() == flavorSQLite {
		// The primary key's order is the bytes': one range per block.
		for _, prefix := range prefixes {
			end, ok := after(prefix)
			if !ok {
				return nil, providers.ErrScope
			}
			if err := scanAll(ctx, s, fill, scopeQuery+" WHERE address >= ? AND address < ?", prefix, end); err != nil {
				return nil, wrapf(err, "read scriptsync_objects")
			}
		}
		return inv.asRead(want), nil
	}
	// A collation's order is not the bytes': by resource, which
	// PostgreSQL scans quickly enough.
	names := make([]string, 0, len(resources))
	for r := range resources {
		names = append(names, r)
	}
	sort.Strings(names)
	for from := 0; from < len(names); from += detailChunk {
		chunk := names[from:min(from+detailChunk, len(names))]
		args := make([]any, len(chunk))
		for i, r := range chunk {
			args[i] = r
		}
		q := scopeQuery + " WHERE resource IN (?" + strings.Repeat(", ?", len(chunk)-1) + ")"
		if err := scanAll(ctx, s, fill, q, args...); err != nil {
			return nil, wrapf(err, "read scriptsync_objects")
		}
	}
	return inv.asRead(want), nil
}

// asRead leaves out what a full Read does not read of the records want
// holds unchanged (see undetailed), their dependencies: the planner
// orders changes by them, and the scope's plan must be the full one.
func (inv *inventory) asRead(want []*providers.Object) *inventory {
	for _, o := range want {
		if r := inv.recs[o.Address]; r != nil && r.obj.Hash == o.Hash && r.obj.Type == o.Type {
			r.obj.Deps, r.obj.ForceNew = nil, nil
		}
	}
	return inv
}

// memoHolds reports whether the memo recorded in s holds for it: recorded
// with serial and with the outputs recorded now (an edit of them by hand
// moves no serial), and no managed row flagged since.
func memoHolds(ctx context.Context, s session, serial int64) (bool, error) {
	var memoSerial, memoOutputs string
	err := scanAll(ctx, s, func(r rows) error {
		var key, value string
		if err := r.Scan(&key, &value); err != nil {
			return err
		}
		if key == "memo_serial" {
			memoSerial = value
		} else {
			memoOutputs = value
		}
		return nil
	}, "SELECT key, value FROM scriptsync_meta WHERE key IN ('memo_serial', 'memo_outputs')")
	if err != nil || memoSerial != strconv.FormatInt(serial, 10) {
		return false, err
	}
	outputs, err := outputsDigest(ctx, s)
	if err != nil || outputs != memoOutputs {
		return false, err
	}
	flagged := false
	err = scanAll(ctx, s, func(r rows) error {
		flagged = true
		return nil
	}, "SELECT 1 FROM scriptsync_drift LIMIT 1")
	return !flagged, err
}

// blockPrefixes returns the blocks of resources (embedding.pilot for
// embedding.pilot["3"]), sorted: every object of a resource is recorded
// under an address that starts with its block's.
func blockPrefixes(resources map[string]bool) []string {
	seen := map[string]bool{}
	var out []string
	for r := range resources {
		b := r
		if i := strings.IndexByte(r, '['); i >= 0 {
			b = r[:i]
		}
		if !seen[b] {
			seen[b] = true
			out = append(out, b)
		}
	}
	sort.Strings(out)
	return out
}

// underAny reports whether addr starts with one of prefixes.
func underAny(addr string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(addr, p) {
			return true
		}
	}
	return false
}

// after returns the least string greater than every string that starts
// with prefix.
func after(prefix string) (string, bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}
