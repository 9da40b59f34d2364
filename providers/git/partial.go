package git

import (
	"bytes"
	"sort"
)

// A scoped read needs the entries of a few resources, from shards of a
// large library's (1,600 entries each at W(100,000)). Decoding every
// entry of every shard it reads was most of such a read; scanShard takes
// only the entries it is asked for, and keeps the shard's bytes, so that
// an apply that changes the shard merges them back (manifest.partial).

// scanShard returns the entries of shard data whose addresses, as
// appendJSONString encodes them, are among keys, and every entry that
// names a resource of its own. false when data is not laid out as
// encodeShard writes it, or an address is escaped otherwise (its encoding
// would not be the one keys hold): decodeShard reads it whole then.
// pointer reports whether an entry it left is an embedding's *.npy
// pointer file (one that stays, when keys are a scope's).
func scanShard(data []byte, keys map[string]bool) (entries []*manifestEntry, pointer, ok bool) {
	ok = shardLines(data, func(line []byte) bool {
		key, ok := encodedAddress(line)
		if !ok {
			return false
		}
		// A raw `,"resource":` is a field: inside a string its quotes
		// would be escaped.
		if !keys[string(key)] && !bytes.Contains(line, []byte(`,"resource":`)) {
			if !pointer && bytes.HasPrefix(key, []byte(`"embedding.`)) && bytes.Contains(line, []byte(`.npy"`)) {
				e, ok := parseEntryFast(line)
				pointer = ok && checkEntry(e) == nil && npyPointer(e.Address, e.Path)
			}
			return true
		}
		e, ok := parseEntryFast(line)
		entries = append(entries, e)
		return ok
	})
	return entries, pointer, ok
}

// encodedAddress returns the address of an entry's line as it is encoded,
// quotes included; false when it is not there, or uses an escape other
// than \" and \\.
func encodedAddress(line []byte) ([]byte, bool) {
	p, ok := bytes.CutPrefix(line, []byte(`{"address":`))
	if !ok || len(p) == 0 || p[0] != '"' {
		return nil, false
	}
	for i := 1; i < len(p); i++ {
		switch c := p[i]; {
		case c == '"':
			return p[:i+1], true
		case c == '\\':
			if i+1 >= len(p) || (p[i+1] != '"' && p[i+1] != '\\') {
				return nil, false
			}
			i++
		case c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

// addPartial records the entries a scoped read took from shard file,
// whose bytes are data.
func (m *manifest) addPartial(entries []*manifestEntry, file int, data []byte) error {
	m.partial[file] = data
	for _, e := range entries {
		if err := m.add(e, file); err != nil {
			return err
		}
		m.read[e.Address] = true
	}
	return nil
}

// merged returns the entries of the partial shard id as they are now: the
// entries its bytes hold that the read did not take, and the manifest's
// own (mine).
func (m *manifest) merged(id int, mine []*manifestEntry) ([]*manifestEntry, error) {
	all, err := decodeShard(m.partial[id], id)
	if err != nil {
		return nil, err
	}
	out := mine
	for _, e := range all {
		if !m.read[e.Address] && m.byAddress[e.Address] == nil {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out, nil
}
