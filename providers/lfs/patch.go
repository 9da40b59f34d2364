package lfs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"scriptsync/providers"
)

// An apply of what changed changes a few entries of a large inventory.
// Decoding the whole file to change them and encoding it again was most
// of such an apply's cost (18 MB at W(100,000), twice: for the memo's
// stamp and in Finish), so the scoped paths edit the file's bytes
// instead. The file they edit is the one the scope's stamp digests, which
// encodeInventory wrote: its keys are sorted and laid out as
// encodeInventory lays them, and replacing or removing entries in its
// bytes gives the bytes encodeInventory gives of the inventory changed.
// Anything else (no such file, a key whose place cannot be told) takes
// the decoding path.

// emptyInventory is encodeInventory's file of an inventory with no entries.
const emptyInventory = "{\n  \"objects\": {}\n}\n"

// patchLayout returns data, an inventory file as encodeInventory writes
// it, with the entry of each address of put replaced by put's, inserted
// in its place when data has none, or removed where put's is nil, and the
// entries it replaced or removed. false when data is not in
// encodeInventory's layout, or an insertion's place cannot be told (past
// a key that may not decode to its address: see compareKey).
func patchLayout(data []byte, put map[string]*entry) ([]byte, []entry, bool) {
	type change struct {
		addr string
		e    *entry
	}
	byKey := make(map[string]change, len(put)) // by the key as encoded
	var pending []string                       // the addresses put gives entries, sorted
	for a, e := range put {
		byKey[string(appendString(nil, a))] = change{a, e}
		if e != nil {
			pending = append(pending, a)
		}
	}
	slices.Sort(pending)
	wanted := len(pending)
	body := []byte{}
	if string(data) != emptyInventory {
		var ok bool
		if body, ok = bytes.CutPrefix(data, []byte(inventoryHead)); !ok {
			return nil, nil, false
		}
		if body, ok = bytes.CutSuffix(body, []byte(inventoryTail)); !ok {
			return nil, nil, false
		}
	} else if wanted == 0 {
		return data, nil, true
	}
	out := make([]byte, 0, len(data)+wanted*256)
	out = append(out, inventoryHead...)
	var old []entry
	kept, replaced := 0, 0
	emit := func(a string, e entry) {
		if kept > 0 {
			out = append(out, ',')
		}
		out = appendEntry(append(out, "\n    "...), a, e)
		kept++
	}
	// insert emits the entries of pending that go before the file's entry
	// whose key is key, as encoded (nil: after the last). A key that may
	// not decode to its address (lost) leaves the place of what is still
	// pending unknown: then nothing more can be inserted.
	lost := false
	insert := func(key []byte) bool {
		for len(pending) > 0 {
			c := 1
			if ch, hit := byKey[string(key)]; hit {
				c = strings.Compare(ch.addr, pending[0])
			} else if key != nil {
				var ok bool
				if c, ok = compareKey(key, pending[0]); !ok {
					lost = true
					return true
				}
			}
			switch {
			case c < 0:
				return true
			case c == 0: // the file's entry, replaced
				pending = pending[1:]
				return true
			case lost:
				return false
			}
			emit(pending[0], *put[pending[0]])
			pending = pending[1:]
			replaced++
		}
		return true
	}
	for first := true; len(body) > 0; first = false {
		var ok bool
		if !first {
			if body, ok = bytes.CutPrefix(body, []byte(",")); !ok {
				return nil, nil, false
			}
		}
		if body, ok = bytes.CutPrefix(body, []byte("\n    ")); !ok {
			return nil, nil, false
		}
		// Neither an entry's key nor its values hold a raw newline: the
		// first "\n    }" closes it, and ": {\n" ends its key.
		end := bytes.Index(body, []byte("\n    }"))
		if end < 0 {
			return nil, nil, false
		}
		ent := body[:end+len("\n    }")]
		body = body[len(ent):]
		k := bytes.Index(ent, []byte(": {\n"))
		if k < 0 || !insert(ent[:k]) {
			return nil, nil, false
		}
		c, hit := byKey[string(ent[:k])]
		if hit {
			_, e, rest, ok := cutEntry(ent)
			if !ok || len(rest) != 0 {
				return nil, nil, false
			}
			old = append(old, e)
			if c.e == nil {
				continue
			}
			replaced++
			emit(c.addr, *c.e)
			continue
		}
		if kept > 0 {
			out = append(out, ',')
		}
		out = append(append(out, "\n    "...), ent...)
		kept++
	}
	if !insert(nil) || replaced != wanted {
		return nil, nil, false
	}
	if kept == 0 {
		return []byte(emptyInventory), old, true
	}
	return append(out, inventoryTail...), old, true
}

// compareKey compares the address a key of an inventory file encodes
// (quotes included) with a, as strings compare; false when the key holds
// an escape that may not stand for the address's bytes (see unescape).
func compareKey(key []byte, a string) (int, bool) {
	if len(key) < 2 || key[0] != '"' || key[len(key)-1] != '"' {
		return 0, false
	}
	key = key[1 : len(key)-1]
	var buf [utf8.UTFMax]byte
	j := 0
	for i := 0; i < len(key); i++ {
		b := key[i : i+1]
		if key[i] == '\\' {
			var n int
			var ok bool
			if b, n, ok = unescape(key[i:], buf[:0]); !ok {
				return 0, false
			}
			i += n - 1
		}
		for _, c := range b {
			switch {
			case j >= len(a):
				return 1, true
			case c != a[j]:
				if c < a[j] {
					return -1, true
				}
				return 1, true
			}
			j++
		}
	}
	if j < len(a) {
		return -1, true
	}
	return 0, true
}

// unescape decodes the JSON escape at the start of s (a backslash) into
// buf, and returns the bytes it stands for and its length. false for one
// that may not stand for an address's bytes: \ufffd, which encoding/json
// writes for bytes that are not UTF-8, and a surrogate, which it never
// writes.
func unescape(s []byte, buf []byte) ([]byte, int, bool) {
	if len(s) < 2 {
		return nil, 0, false
	}
	switch s[1] {
	case '"', '\\', '/':
		return append(buf, s[1]), 2, true
	case 'b':
		return append(buf, '\b'), 2, true
	case 'f':
		return append(buf, '\f'), 2, true
	case 'n':
		return append(buf, '\n'), 2, true
	case 'r':
		return append(buf, '\r'), 2, true
	case 't':
		return append(buf, '\t'), 2, true
	case 'u':
		if len(s) < 6 {
			return nil, 0, false
		}
		r, err := strconv.ParseUint(string(s[2:6]), 16, 16)
		if err != nil || rune(r) == utf8.RuneError || utf16.IsSurrogate(rune(r)) {
			return nil, 0, false
		}
		return utf8.AppendRune(buf, rune(r)), 6, true
	}
	return nil, 0, false
}

// referenced returns the oids of among that an entry of data (an inventory
// file in encodeInventory's layout) names.
func referenced(data []byte, among map[string]bool) map[string]bool {
	out := map[string]bool{}
	if len(among) == 0 {
		return out
	}
	// A quote inside a key or a value is escaped: `"oid": "` is an oid.
	needle := []byte(`"oid": "`)
	for {
		i := bytes.Index(data, needle)
		if i < 0 {
			return out
		}
		data = data[i+len(needle):]
		if len(data) >= 64 && among[string(data[:64])] {
			out[string(data[:64])] = true
		}
	}
}

// patchedStamp is StampScope without decoding the inventory: the stamp
// of the inventory file base's with the entries of resources replaced by
// desired's. false when it cannot tell, and the inventory must be decoded.
func (p *Provider) patchedStamp(desired []*providers.Object, resources map[string]bool, base []byte) ([]byte, bool) {
	if len(base) < 2*sha256.Size || len(base)%sha256.Size != 0 {
		return nil, false
	}
	data, sum, err := p.store.inventoryFile()
	if err != nil || !bytes.Equal(sum[:], base[:sha256.Size]) {
		return nil, false
	}
	scope, ok := inventoryOf(data, resources)
	if !ok {
		return nil, false
	}
	put := map[string]*entry{}
	for addr := range scope {
		put[addr] = nil
	}
	for _, o := range desired {
		if o.Type == ObjectType {
			e := entryOf(o)
			put[o.Address] = &e
		}
	}
	patched, old, ok := patchLayout(data, put)
	if !ok {
		return nil, false
	}
	oids, ok := movedOIDs(base[2*sha256.Size:], old, put, patched)
	if !ok {
		return nil, false
	}
	stats, ok := p.movedDigest(base, oids)
	if !ok {
		return nil, false
	}
	return encodeStamp(patched, stats, oids), true
}

// movedOIDs returns the sorted ids of the objects patched names, from
// ids, the sorted ids of the file it was patched from: less the objects of
// the old entries no entry names any more, plus those of put's entries.
func movedOIDs(ids []byte, old []entry, put map[string]*entry, patched []byte) ([][sha256.Size]byte, bool) {
	oids := make([][sha256.Size]byte, len(ids)/sha256.Size)
	for i := range oids {
		copy(oids[i][:], ids[i*sha256.Size:])
	}
	left := map[string]bool{}
	for _, e := range old {
		left[e.OID] = true
	}
	still := referenced(patched, left)
	cmp := func(a, b [sha256.Size]byte) int { return bytes.Compare(a[:], b[:]) }
	for oid := range left {
		if still[oid] {
			continue
		}
		id, ok := decodeID(oid)
		if !ok {
			return nil, false
		}
		if i, found := slices.BinarySearchFunc(oids, id, cmp); found {
			oids = slices.Delete(oids, i, i+1)
		}
	}
	for _, e := range put {
		if e == nil {
			continue
		}
		id, ok := decodeID(e.OID)
		if !ok {
			return nil, false
		}
		if i, found := slices.BinarySearchFunc(oids, id, cmp); !found {
			oids = slices.Insert(oids, i, id)
		}
	}
	return oids, true
}

// decodeID decodes an oid.
func decodeID(oid string) ([sha256.Size]byte, bool) {
	var id [sha256.Size]byte
	n, err := hex.Decode(id[:], []byte(oid))
	return id, err == nil && n == len(id)
}

// finishPatched is a scoped finish that edits the inventory file in place
// (see patchLayout) when it is still the file whose SHA-256 is sum, the
// one the scope read. false, with nothing done, when it cannot.
func (s *Store) finishPatched(seen []*providers.Object, changes []*providers.Change, written map[string]bool, sum []byte) (bool, error) {
	data, now, _, err := s.readInventory(time.Now().UnixNano())
	if err != nil || !bytes.Equal(now[:], sum) {
		return false, nil
	}
	// The entries as finish changes them, in its order: the last word on
	// an address is its entry.
	put := map[string]*entry{}
	candidates := map[string]int64{}
	for _, o := range seen {
		e := entryOf(o)
		put[o.Address] = &e
	}
	for _, c := range changes {
		if c.Action == providers.Forget && c.Before != nil {
			put[c.Before.Address] = nil
			continue
		}
		if c.Before != nil && c.Before.Type == ObjectType {
			put[c.Before.Address] = nil
			candidates[c.Before.Hash] = c.Before.Size
		}
		if c.After != nil && c.After.Type == ObjectType && c.Action != providers.Delete {
			e := entryOf(c.After)
			put[c.After.Address] = &e
		}
	}
	patched, old, ok := patchLayout(data, put)
	if !ok {
		return false, nil
	}
	for _, e := range old {
		if _, ok := candidates[e.OID]; !ok {
			candidates[e.OID] = e.Size
		}
	}
	if err := s.writeAtomic(inventoryFile, patched); err != nil {
		return true, err
	}
	s.inv.remember(s.inventoryPath(), nil, nil)
	only := map[string]bool{}
	for _, e := range put {
		if e != nil {
			only[e.OID] = true
		}
	}
	among := map[string]bool{}
	for oid := range candidates {
		among[oid] = true
	}
	refs := referenced(patched, among)
	gone := map[string]bool{}
	for oid := range candidates {
		if !refs[oid] {
			gone[oid] = true
		}
	}
	if err := s.restampPatched(only, gone, written); err != nil {
		return true, err
	}
	return true, s.prune(gone)
}

// restampPatched is restamp for a scoped finish that patched the
// inventory: the stamps file as recorded, less the lines of the objects
// gone, with the objects of only stamped again.
func (s *Store) restampPatched(only, gone, written map[string]bool) error {
	data, err := readRegular(filepath.Join(s.dir, stampsFile))
	if err != nil {
		data = nil // every object of only is stamped; the others, hashed by the next read
	}
	pending := make([]string, 0, len(only))
	for oid := range only {
		pending = append(pending, oid)
	}
	slices.Sort(pending)
	out := make([]byte, 0, len(data)+len(pending)*96)
	emit := func(oid, recorded string) {
		path := s.Path(oid)
		now, err := stampOf(path)
		switch {
		case err != nil || now == "":
			return
		case written[oid] || now == recorded:
		default:
			if sum, err := contentOf(path); err != nil || sum != oid {
				now = unverified
			}
		}
		out = append(append(append(append(out, oid...), ' '), now...), '\n')
	}
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		oid, stamp, ok := bytes.Cut(line, []byte{' '})
		if !ok || len(oid) != 64 || len(stamp) == 0 {
			continue // as loadStamps leaves it out
		}
		for len(pending) > 0 && pending[0] < string(oid) {
			emit(pending[0], "")
			pending = pending[1:]
		}
		switch {
		case gone[string(oid)]:
		case len(pending) > 0 && pending[0] == string(oid):
			emit(pending[0], string(stamp))
			pending = pending[1:]
		default:
			out = append(append(out, line...), '\n')
		}
	}
	for _, oid := range pending {
		emit(oid, "")
	}
	return s.writeAtomic(stampsFile, out)
}

// scopedFinish is what a scoped Tx's Finish does: the patched finish when
// it can, else finish.
func (s *Store) scopedFinish(seen []*providers.Object, changes []*providers.Change, written map[string]bool, sum []byte) error {
	if len(sum) == sha256.Size {
		if done, err := s.finishPatched(seen, changes, written, sum); done {
			return err
		}
	}
	return s.finish(seen, changes, written, true)
}
