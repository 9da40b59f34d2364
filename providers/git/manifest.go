package git

import (
	"bytes"
	"cmp"
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"scriptsync/providers"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-git/go-git/v5/plumbing"
)

// ManifestDir is where the manifest lives in the tree. Paths under
// .scriptsync/ are reserved.
const ManifestDir = ".scriptsync/manifest"

// manifestFormat is the manifest's format_version.
const manifestFormat = 1

// shards is the number of files the manifest is split into. The entries
// of one configuration block (script.pilot, every instance of
// embedding.pilot) live together in ManifestDir/<xxx>.json, xxx being the
// first twelve bits of the SHA-1 of the block's address in three hex
// digits (000 to fff), so that an apply rewrites only the shards of the
// blocks it changes, and a plan of what changed reads only theirs: a
// scene edited is its script's shard and its embeddings' (a few KB each
// at W(100,000)). An earlier layout, 64 shards by each file's address
// (legacyShards), spread a block's fifty embedding files over most of the
// manifest, which such a plan then inflated and an apply rewrote. A
// block's instances share a shard by design: a scope that reaches a block
// reads all of them anyway.
const shards = 4096

// legacyShards are the shards of the earlier layout, named by two hex
// digits (00 to 3f). They are read as ever, under the ids after this
// layout's (shards + n), and their entries, all in the wrong shard now,
// move to their own at the next commit, which removes the old files.
const legacyShards = 64

// manifest is the set of files scriptsync manages, committed with them.
// Each shard is JSON, one file per line, sorted by address, so that it
// diffs well:
//
//	{
//	  "format_version": 1,
//	  "generator": "scriptsync",
//	  "files": [
//	    {"address":"embedding.pilot[\"3\"]","path":"vectors/pilot/3.npy","blob":"<40 hex>","size":131},
//	    {"address":"script.pilot","path":"scripts/pilot.fountain","blob":"<40 hex>","size":1234}
//	  ]
//	}
//
// blob is the git blob id written, size its length; resource (the
// configuration block, for -target) is written only when it differs from
// the address.
type manifest struct {
	byAddress map[string]*manifestEntry
	byPath    map[string]*manifestEntry
	// entries are the entries as read, shard by shard, in file order.
	entries []*manifestEntry
	// dirty marks the shards that changed since they were read.
	dirty map[int]bool
	// partial holds the shards a scoped read took only some entries of
	// (see scanShard), as read: the entries taken are those of read.
	partial map[int][]byte
	read    map[string]bool
}

type manifestEntry struct {
	Address  string `json:"address"`
	Path     string `json:"path"`
	Blob     string `json:"blob"`
	Size     int64  `json:"size"`
	Resource string `json:"resource,omitempty"`
	// Sensitive is set when the path derives from a sensitive value, so
	// that state and warnings do not print it.
	Sensitive bool `json:"sensitive,omitempty"`

	shard int
}

type manifestFile struct {
	FormatVersion int              `json:"format_version"`
	Generator     string           `json:"generator,omitempty"`
	Files         []*manifestEntry `json:"files"`
}

func newManifest() *manifest { return newManifestSize(0) }

func newManifestSize(n int) *manifest {
	return &manifest{
		byAddress: make(map[string]*manifestEntry, n),
		byPath:    make(map[string]*manifestEntry, n),
		entries:   make([]*manifestEntry, 0, n),
		dirty:     map[int]bool{},
		partial:   map[int][]byte{},
		read:      map[string]bool{},
	}
}

// layoutMarker is ManifestDir/00.json beside this layout's shards: the
// earlier layout's first shard's name, with a format_version that an
// earlier scriptsync does not read, so that it refuses the manifest
// (".scriptsync/manifest/00.json has format_version 2; this scriptsync
// reads format 1") instead of seeing none of the shards it cannot name,
// and every file they list as a file it does not manage. This layout's
// readers know it by its blob and skip it (manifestShard).
var layoutMarker = []byte("{\n  \"format_version\": 2,\n  \"generator\": \"scriptsync\",\n" +
	"  \"layout\": \"the manifest is in <xxx>.json, 4096 shards by block; this file stops a scriptsync that reads <xx>.json shards\",\n" +
	"  \"files\": []\n}\n")

var layoutMarkerBlob = hashObject(plumbing.BlobObject, layoutMarker)

const layoutMarkerName = "00.json"

// manifestShard is shardName for an entry of the manifest directory, which
// skips the layout marker.
func manifestShard(name string, te *treeEntry) (int, bool) {
	if name == layoutMarkerName && te.hash == layoutMarkerBlob {
		return 0, false
	}
	return shardName(name)
}

// shardOf is the shard of the entries of resource's block: embedding.pilot
// for embedding.pilot["3"].
func shardOf(resource string) int {
	if i := strings.IndexByte(resource, '['); i >= 0 {
		resource = resource[:i]
	}
	sum := sha1.Sum([]byte(resource))
	return (int(sum[0])<<8 | int(sum[1])) >> 4
}

// legacyShard reports whether shard is one of the earlier layout's.
func legacyShard(shard int) bool { return shard >= shards }

// shardPath is the path of a shard in the tree.
func shardPath(shard int) string {
	if legacyShard(shard) {
		return fmt.Sprintf("%s/%02x.json", ManifestDir, shard-shards)
	}
	return fmt.Sprintf("%s/%03x.json", ManifestDir, shard)
}

// shardName parses a shard's file name: "000.json" to "fff.json", and the
// earlier layout's "00.json" to "3f.json".
func shardName(name string) (int, bool) {
	hexPart, ok := strings.CutSuffix(name, ".json")
	if !ok || (len(hexPart) != 3 && len(hexPart) != 2) || strings.ToLower(hexPart) != hexPart {
		return 0, false
	}
	n, err := strconv.ParseUint(hexPart, 16, 16)
	switch {
	case err != nil:
		return 0, false
	case len(hexPart) == 2 && n < legacyShards:
		return shards + int(n), true
	case len(hexPart) == 3:
		return int(n), true
	}
	return 0, false
}

// put adds or replaces an entry and marks its shard changed.
func (m *manifest) put(e *manifestEntry) {
	e.shard = shardOf(cmp.Or(e.Resource, e.Address)) // an entry without a resource is its own
	if old := m.byAddress[e.Address]; old != nil {
		delete(m.byPath, old.Path)
		m.dirty[old.shard] = true // another resource's block, now
	}
	m.byAddress[e.Address] = e
	m.byPath[e.Path] = e
	m.dirty[e.shard] = true
}

func (m *manifest) remove(address string) {
	if old := m.byAddress[address]; old != nil {
		delete(m.byPath, old.Path)
		delete(m.byAddress, address)
		m.dirty[old.shard] = true
	}
}

// add records an entry that decodeShard read from shard file; it does not
// change e, which the provider's cache shares. It reports entries listed
// twice; one in the wrong shard is moved to its own at the next write.
func (m *manifest) add(e *manifestEntry, file int) error {
	if m.byAddress[e.Address] != nil {
		return fmt.Errorf("git: %s: address %s is listed twice", ManifestDir, e.Address)
	}
	if other := m.byPath[e.Path]; other != nil {
		return fmt.Errorf("git: %s: path %s is listed for %s and %s", ManifestDir, e.Path, other.Address, e.Address)
	}
	if e.shard != file {
		m.dirty[file], m.dirty[e.shard] = true, true
	}
	m.byAddress[e.Address] = e
	m.byPath[e.Path] = e
	m.entries = append(m.entries, e)
	return nil
}

// dirtyShards returns the changed shards, in order, with their entries
// sorted by address; a shard with no entries left is empty.
func (m *manifest) dirtyShards() (ids []int, entries map[int][]*manifestEntry) {
	entries = map[int][]*manifestEntry{}
	for id := range m.dirty {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	for _, e := range m.byAddress {
		if m.dirty[e.shard] {
			entries[e.shard] = append(entries[e.shard], e)
		}
	}
	for _, list := range entries {
		sort.Slice(list, func(i, j int) bool { return list[i].Address < list[j].Address })
	}
	return ids, entries
}

// manifestHeader is how a shard starts; decodeShard takes a fast path for
// shards that look exactly like what encodeShard writes.
const manifestHeader = "{\n  \"format_version\": 1,\n  \"generator\": \"scriptsync\",\n  \"files\": ["

// encodeShard writes entries, sorted by address, as a shard.
func encodeShard(entries []*manifestEntry) []byte {
	b := make([]byte, 0, 64+160*len(entries))
	b = append(b, manifestHeader...)
	for i, e := range entries {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n    {\"address\":"...)
		b = appendJSONString(b, e.Address)
		b = append(b, ",\"path\":"...)
		b = appendJSONString(b, e.Path)
		b = append(b, ",\"blob\":\""...)
		b = append(b, e.Blob...)
		b = append(b, "\",\"size\":"...)
		b = strconv.AppendInt(b, e.Size, 10)
		if e.Resource != "" && e.Resource != e.Address {
			b = append(b, ",\"resource\":"...)
			b = appendJSONString(b, e.Resource)
		}
		if e.Sensitive {
			b = append(b, ",\"sensitive\":true"...)
		}
		b = append(b, '}')
	}
	if len(entries) > 0 {
		b = append(b, "\n  "...)
	}
	return append(b, "]\n}\n"...)
}

// appendJSONString appends s as a JSON string, escaping only what JSON
// requires, so that paths stay readable.
func appendJSONString(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		q, _ := json.Marshal(s) // replaces invalid bytes, as encoding/json does
		return append(b, q...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, fmt.Sprintf("\\u%04x", c)...)
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// decodeShard reads and checks a shard's entries.
func decodeShard(data []byte, file int) ([]*manifestEntry, error) {
	entries, ok := decodeShardFast(data)
	if !ok {
		var f manifestFile
		if err := json.Unmarshal(data, &f); err != nil {
			return nil, fmt.Errorf("git: %s is not valid JSON: %w", shardPath(file), err)
		}
		if f.FormatVersion != manifestFormat {
			return nil, fmt.Errorf("git: %s has format_version %d; this scriptsync reads format %d",
				shardPath(file), f.FormatVersion, manifestFormat)
		}
		entries = f.Files
	}
	return entries, checkShard(entries, file)
}

// checkShard checks the entries decoded from shard file, and completes
// them: the resource of an entry without one is its address.
func checkShard(entries []*manifestEntry, file int) error {
	for _, e := range entries {
		if e == nil || e.Address == "" || e.Path == "" {
			return fmt.Errorf("git: %s: an entry has no address or path", shardPath(file))
		}
		if _, ok := parseHex(e.Blob); !ok {
			return fmt.Errorf("git: %s: %s: blob %q is not a 40-digit object id", shardPath(file), e.Address, e.Blob)
		}
		if e.Size < 0 {
			return fmt.Errorf("git: %s: %s: negative size", shardPath(file), e.Address)
		}
		if e.Resource == "" {
			e.Resource = e.Address
		}
		e.shard = shardOf(e.Resource)
	}
	return nil
}

// decodeShardFast reads a shard exactly as encodeShard writes it, without
// reflection; ok is false for anything else, which encoding/json then
// reads.
func decodeShardFast(data []byte) (entries []*manifestEntry, ok bool) {
	entries = make([]*manifestEntry, 0, bytes.Count(data, []byte{'\n'}))
	ok = shardLines(data, func(line []byte) bool {
		e, ok := parseEntryFast(line)
		entries = append(entries, e)
		return ok
	})
	return entries, ok
}

// shardLines calls entry with each entry's line of a shard laid out as
// encodeShard lays it, without its comma, until entry returns false;
// false when it did, or data is laid out otherwise.
func shardLines(data []byte, entry func(line []byte) bool) bool {
	rest, ok := bytes.CutPrefix(data, []byte(manifestHeader))
	if !ok {
		return false
	}
	for {
		line, tail, found := bytes.Cut(rest, []byte{'\n'})
		if !found {
			return false
		}
		rest = tail
		line = bytes.TrimLeft(line, " ")
		if len(line) == 0 {
			continue
		}
		if line[0] == ']' {
			return bytes.Equal(line, []byte("]")) && bytes.Equal(bytes.TrimSpace(rest), []byte("}"))
		}
		if !entry(bytes.TrimSuffix(line, []byte{','})) {
			return false
		}
	}
}

func parseEntryFast(line []byte) (*manifestEntry, bool) {
	var e manifestEntry
	p := line
	field := func(prefix string) bool {
		var ok bool
		p, ok = bytes.CutPrefix(p, []byte(prefix))
		return ok
	}
	str := func(dst *string) bool {
		var ok bool
		*dst, p, ok = cutJSONString(p)
		return ok
	}
	if !field(`{"address":`) || !str(&e.Address) || !field(`,"path":`) || !str(&e.Path) ||
		!field(`,"blob":`) || !str(&e.Blob) || !field(`,"size":`) {
		return nil, false
	}
	n := 0
	for n < len(p) && '0' <= p[n] && p[n] <= '9' {
		n++
	}
	size, err := strconv.ParseInt(string(p[:n]), 10, 64)
	if err != nil {
		return nil, false
	}
	e.Size, p = size, p[n:]
	if field(`,"resource":`) && !str(&e.Resource) {
		return nil, false
	}
	e.Sensitive = field(`,"sensitive":true`)
	if !bytes.Equal(p, []byte{'}'}) {
		return nil, false
	}
	return &e, true
}

// cutJSONString reads the JSON string that p starts with, as
// appendJSONString writes the addresses and paths of a library: the only
// escapes it decodes are \" and \\ (addresses quote their keys); ok is
// false for any other, which encoding/json then reads.
func cutJSONString(p []byte) (s string, rest []byte, ok bool) {
	if len(p) == 0 || p[0] != '"' {
		return "", nil, false
	}
	var b []byte
	for i := 1; i < len(p); i++ {
		switch c := p[i]; {
		case c == '"':
			if b == nil {
				b = p[1:i]
			}
			if !utf8.Valid(b) {
				return "", nil, false // encoding/json replaces what is invalid
			}
			return string(b), p[i+1:], true
		case c == '\\':
			if i+1 >= len(p) || (p[i+1] != '"' && p[i+1] != '\\') {
				return "", nil, false
			}
			if b == nil {
				b = append(make([]byte, 0, len(p)), p[1:i]...)
			}
			i++
			b = append(b, p[i])
		case c < 0x20:
			return "", nil, false
		default:
			if b != nil {
				b = append(b, c)
			}
		}
	}
	return "", nil, false
}

func (e *manifestEntry) blob() plumbing.Hash { return plumbing.NewHash(e.Blob) }

// shownPath is the entry's path as messages print it.
func (e *manifestEntry) shownPath() string {
	if e.Sensitive {
		return "(sensitive value)"
	}
	return e.Path
}

// object is the entry as state shows it, blob and size as given.
func (e *manifestEntry) object(blob string, size int64) *providers.Object {
	o := newFileObject(e.Address, e.Resource, e.Path, blob, size)
	if e.Sensitive {
		o.Sensitive = sensitivePath
	}
	return o
}
