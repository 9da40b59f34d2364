package lfs

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"maps"
	"sort"
	"strconv"
	"sync"
	"unicode/utf8"
)

// The inventory file is JSON, indented as json.MarshalIndent writes it,
// so that people and other tools read it as they would expect. At a
// large library's size (100,000 objects, 18 MB) reflection is most of
// the cost of an apply of a few changes, so the layout is written and
// read directly: encodeInventory gives MarshalIndent's bytes exactly
// (TestInventoryCodec checks it), and decodeInventory reads that layout,
// leaving anything else to encoding/json.

const (
	inventoryHead = "{\n  \"objects\": {"
	inventoryTail = "\n  }\n}\n"
)

// encodeInventory is the inventory file's contents: the same inventory
// always gives the same bytes.
func encodeInventory(inv inventory) ([]byte, error) {
	if inv == nil {
		return []byte("{\n  \"objects\": null\n}\n"), nil
	}
	if len(inv) == 0 {
		return []byte("{\n  \"objects\": {}\n}\n"), nil
	}
	addrs := make([]string, 0, len(inv))
	for a := range inv {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	b := make([]byte, 0, len(inv)*180)
	b = append(b, inventoryHead...)
	for i, a := range addrs {
		e := inv[a]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n    "...)
		b = appendEntry(b, a, e)
	}
	return append(b, inventoryTail...), nil
}

// appendEntry appends the entry of address a as encodeInventory lays it
// out, from its key's opening quote to the brace that closes it.
func appendEntry(b []byte, a string, e entry) []byte {
	b = appendString(b, a)
	b = append(b, ": {\n      \"oid\": "...)
	b = appendString(b, e.OID)
	b = append(b, ",\n      \"size\": "...)
	b = strconv.AppendInt(b, e.Size, 10)
	if e.Source != "" {
		b = append(b, ",\n      \"source\": "...)
		b = appendString(b, e.Source)
	}
	return append(b, "\n    }"...)
}

// appendString appends s as encoding/json writes a string.
func appendString(b []byte, s string) []byte {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			plain = false
			break
		}
	}
	if plain {
		return append(append(append(b, '"'), s...), '"')
	}
	q, _ := json.Marshal(s) // a string always encodes
	return append(b, q...)
}

// decodeInventory reads an inventory file: the layout encodeInventory
// writes directly, anything else with encoding/json.
func decodeInventory(data []byte) (inventory, error) {
	inv, _, err := decodeInventoryLayout(data)
	return inv, err
}

// decodeInventoryLayout is decodeInventory that also reports whether data
// is in encodeInventory's layout.
func decodeInventoryLayout(data []byte) (inventory, bool, error) {
	if inv, ok := decodeLayout(data); ok {
		return inv, true, nil
	}
	var doc struct {
		Objects inventory `json:"objects"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, false, err
	}
	return doc.Objects, false, nil
}

// decodeLayout reads encodeInventory's layout; false for anything else.
func decodeLayout(data []byte) (inventory, bool) {
	if bytes.Equal(data, []byte("{\n  \"objects\": {}\n}\n")) {
		return inventory{}, true
	}
	rest, ok := bytes.CutPrefix(data, []byte(inventoryHead))
	if !ok {
		return nil, false
	}
	rest, ok = bytes.CutSuffix(rest, []byte(inventoryTail))
	if !ok {
		return nil, false
	}
	inv := make(inventory, bytes.Count(rest, []byte("\n    }")))
	for first := true; len(rest) > 0; first = false {
		if !first {
			if rest, ok = bytes.CutPrefix(rest, []byte(",")); !ok {
				return nil, false
			}
		}
		if rest, ok = bytes.CutPrefix(rest, []byte("\n    ")); !ok {
			return nil, false
		}
		var addr string
		var e entry
		if addr, e, rest, ok = cutEntry(rest); !ok {
			return nil, false
		}
		if _, dup := inv[addr]; dup {
			return nil, false // encoding/json keeps the last; leave it to it
		}
		inv[addr] = e
	}
	return inv, true
}

// cutEntry reads one entry of encodeInventory's layout at the start of b,
// from its key's opening quote to the brace that closes it.
func cutEntry(b []byte) (string, entry, []byte, bool) {
	var e entry
	addr, rest, ok := cutString(b)
	if !ok {
		return "", e, nil, false
	}
	if rest, ok = bytes.CutPrefix(rest, []byte(": {\n      \"oid\": ")); !ok {
		return "", e, nil, false
	}
	if e.OID, rest, ok = cutString(rest); !ok {
		return "", e, nil, false
	}
	if rest, ok = bytes.CutPrefix(rest, []byte(",\n      \"size\": ")); !ok {
		return "", e, nil, false
	}
	n := 0
	for n < len(rest) && (rest[n] >= '0' && rest[n] <= '9' || (n == 0 && rest[n] == '-')) {
		n++
	}
	size, err := strconv.ParseInt(string(rest[:n]), 10, 64)
	if err != nil || strconv.FormatInt(size, 10) != string(rest[:n]) {
		return "", e, nil, false
	}
	e.Size, rest = size, rest[n:]
	if r, ok := bytes.CutPrefix(rest, []byte(",\n      \"source\": ")); ok {
		if e.Source, rest, ok = cutString(r); !ok || e.Source == "" {
			return "", e, nil, false
		}
	}
	if rest, ok = bytes.CutPrefix(rest, []byte("\n    }")); !ok {
		return "", e, nil, false
	}
	return addr, e, rest, true
}

// cutString reads a JSON string at the start of b.
func cutString(b []byte) (string, []byte, bool) {
	if len(b) == 0 || b[0] != '"' {
		return "", nil, false
	}
	escaped := false
	for i := 1; i < len(b); i++ {
		switch c := b[i]; {
		case c == '\\':
			escaped = true
			i++
		case c == '"':
			if !escaped && utf8.Valid(b[1:i]) {
				return string(b[1:i]), b[i+1:], true
			}
			var s string
			if err := json.Unmarshal(b[:i+1], &s); err != nil {
				return "", nil, false
			}
			return s, b[i+1:], true
		case c < 0x20:
			return "", nil, false
		}
	}
	return "", nil, false
}

// invMemo is the inventory file as this process last read or wrote it:
// its stamp (size, times, inode), its entries and its bytes. A large
// inventory is read for an apply's stamp and again by its Finish, and
// the same entries encoded twice; the second time is a map comparison.
type invMemo struct {
	mu    sync.Mutex
	stamp string
	inv   inventory
	data  []byte

	// file is the file's bytes as this process last read them (see
	// Store.inventoryFile).
	file invFile
}

// invFile is the inventory file as one read found it: its stamp, as
// fstat of the open file said before the read ("" when it said otherwise
// after), when its inode last changed and when the read began
// (nanoseconds since the epoch), its bytes and their SHA-256.
type invFile struct {
	stamp           string
	changed, readAt int64
	data            []byte
	sum             [sha256.Size]byte
}

// trusted reports whether f still holds the bytes of a file whose stamp
// is stamp: the same stamp, of a file that had last changed well before
// the read (racyMargin), so that a change since (in the same clock tick,
// to the same size, and even to a reused inode) cannot have kept its
// stamp. That holds where the stamp has the ctime and inode (Linux);
// elsewhere it is the size and mtime, which only the scoped paths, not
// run there, would trust.
func (f *invFile) trusted(stamp string) bool {
	return f.stamp != "" && f.stamp == stamp && f.changed < f.readAt-int64(racyMargin)
}

// load returns a copy of the entries of the file at path when its stamp
// is the one remembered.
func (m *invMemo) load(path string) (inventory, bool) {
	stamp, err := stampOf(path)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil || stamp == "" || stamp != m.stamp || m.inv == nil {
		return nil, false
	}
	return maps.Clone(m.inv), true
}

// remember records the file at path as holding inv, encoded as data.
func (m *invMemo) remember(path string, inv inventory, data []byte) {
	stamp, err := stampOf(path)
	if err != nil {
		stamp = ""
	}
	m.rememberAt(stamp, inv, data)
}

// rememberAt records the file whose stamp is stamp as holding inv,
// encoded as data: the stamp of the file as it was read, not as it is
// now, which another apply may have replaced meanwhile.
func (m *invMemo) rememberAt(stamp string, inv inventory, data []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if stamp == "" {
		m.stamp, m.inv, m.data = "", nil, nil
		return
	}
	m.stamp, m.inv, m.data = stamp, maps.Clone(inv), data
}

// encode is encodeInventory, answered from the memo when inv is the
// inventory remembered.
func (m *invMemo) encode(inv inventory) ([]byte, error) {
	m.mu.Lock()
	if m.inv != nil && m.data != nil && maps.Equal(inv, m.inv) {
		data := m.data
		m.mu.Unlock()
		return data, nil
	}
	m.mu.Unlock()
	return encodeInventory(inv)
}
