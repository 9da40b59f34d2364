package sql

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"sync"
	"unicode"

	"scriptsync/library"
)

// This file builds the column values the provider writes for each entity.
// Desired hashes exactly these values and Apply inserts them, so that equal
// hashes mean equal rows. References to other objects are hashed by address
// and written by row id.

// Column lists, in the order the row builders return values (the id and
// parent columns that Apply prepends are listed with them).
var (
	seriesCols    = []string{"id", "title", "description", "metadata"}
	scriptCols    = []string{"id", "series_id", "title", "author", "file_path", "format", "project_title", "series_title", "season", "episode", "metadata"}
	characterCols = []string{"id", "script_id", "name", "aliases", "description", "metadata"}
	sceneCols     = []string{"id", "script_id", "scene_number", "heading", "location", "time_of_day", "content", "metadata"}
	dialogueCols  = []string{"scene_id", "character_id", "dialogue_text", "order_in_scene", "metadata"}
	actionCols    = []string{"scene_id", "action_text", "order_in_scene", "metadata"}
	embeddingCols = []string{"id", "entity_type", "entity_id", "embedding_model", "embedding", "dimensions", "lfs_oid"}
	bibleCols     = []string{"id", "script_id", "file_path", "title", "file_hash", "metadata"}
	chunkCols     = []string{"id", "bible_id", "chunk_number", "heading", "level", "content", "content_hash", "parent_chunk_id", "metadata"}
)

func seriesRow(s *library.Series) ([]any, error) {
	md, err := jsonValue(s.Metadata)
	return []any{s.Title, nullString(s.Description), md}, err
}

// scriptPayload is a script as Desired resolved it: the file_path its row
// holds depends on the provider's checkout and the library's directory.
type scriptPayload struct {
	*library.Script
	filePath string
}

// biblePayload is a bible with its file_path and the script it belongs
// to (see builder.bibleScript).
type biblePayload struct {
	*library.Bible
	filePath string
	script   string
}

// scriptRow is a script's values as ScriptRAG's indexer writes them:
// project_title defaults to the title, and the metadata holds season,
// episode, series_title and project_title (when set) and source_file, with
// the configuration's metadata under them and scriptsync's content_hash.
// ScriptRAG's last_indexed is left out: it would change the row on every
// apply. A script without a title or author gets ScriptRAG's "Untitled"
// and "Unknown".
func scriptRow(sp scriptPayload) ([]any, error) {
	s := sp.Script
	md := make(map[string]any, len(s.Metadata)+6)
	maps.Copy(md, s.Metadata)
	title := s.Title
	if title == "" {
		title = "Untitled" // ScriptRAG's title for a script without one
	}
	// project_title: the configuration's, else the title page's Project:
	// (which ScriptRAG's indexer also puts in the metadata), else the title.
	project := title
	if p, ok := s.TitleMetadata["project_title"].(string); ok && p != "" {
		project = p
		md["project_title"] = p
	}
	if p, ok := s.Metadata["project_title"].(string); ok && p != "" {
		project = p
	}
	// Title-page values the parser exposes on library.Script (Season,
	// Episode, SeriesTitle) are already merged under the configuration's.
	if s.Season != nil {
		md["season"] = *s.Season
	}
	if s.Episode != nil {
		md["episode"] = *s.Episode
	}
	if s.SeriesTitle != "" {
		md["series_title"] = s.SeriesTitle
	}
	md["source_file"] = sp.filePath
	md["content_hash"] = s.ContentHash
	v, err := jsonValue(md)
	format := s.Format
	if format == "" {
		format = "fountain"
	}
	author := s.Author
	if author == "" {
		author = "Unknown" // ScriptRAG's author for a script without one
	}
	return []any{title, author, sp.filePath, format, project,
		nullString(s.SeriesTitle), nullInt(s.Season), nullInt(s.Episode), v}, err
}

func characterRow(c *library.Character) ([]any, error) {
	aliases := c.Aliases
	if aliases == nil {
		aliases = []string{}
	}
	al, err := jsonValue(aliases)
	if err != nil {
		return nil, err
	}
	md, err := jsonValue(c.Metadata)
	return []any{c.Name, al, nullString(c.Description), md}, err
}

func sceneRow(s *library.Scene) ([]any, error) {
	md, err := withKeyJSON(s.Metadata, "content_hash", s.ContentHash)
	return []any{int64(s.Number), s.Heading, nullString(s.Location), nullString(s.TimeOfDay), s.Content, md}, err
}

// elementRows returns a scene's dialogues (character name, text, order,
// metadata) and actions (text, order, metadata). As in ScriptRAG,
// order_in_scene numbers each table's rows of the scene from 0: dialogues
// 0..n-1 and actions 0..m-1.
func elementRows(s *library.Scene) (dialogues, actions [][]any, err error) {
	for _, el := range s.Elements {
		switch el.Kind {
		case library.Dialogue:
			var v any
			var err error
			if el.Parenthetical != "" {
				v, err = withKeyJSON(el.Metadata, "parenthetical", el.Parenthetical)
			} else {
				v, err = jsonValue(el.Metadata)
			}
			if err != nil {
				return nil, nil, err
			}
			dialogues = append(dialogues, []any{el.Character, el.Text, int64(len(dialogues)), v})
		default:
			v, err := jsonValue(el.Metadata)
			if err != nil {
				return nil, nil, err
			}
			actions = append(actions, []any{el.Text, int64(len(actions)), v})
		}
	}
	return dialogues, actions, nil
}

// bibleRow is a bible's values after its id and script, with the
// document metadata ScriptRAG's bible parser writes.
func bibleRow(bp biblePayload) ([]any, error) {
	b := bp.Bible
	words, chars, level := int64(0), int64(0), int64(0)
	for i := range b.Chunks {
		w, c := textCounts(b.Chunks[i].Content)
		words, chars = words+w, chars+c
		level = max(level, int64(b.Chunks[i].Level))
	}
	md, err := jsonValue(map[string]any{"total_chunks": int64(len(b.Chunks)), "total_words": words,
		"total_chars": chars, "max_heading_level": level})
	return []any{bp.filePath, nullString(b.Title), b.Hash, md}, err
}

// chunkRow returns a chunk's values after its id and bible_id; the parent is
// its library chunk number (0 for none), replaced by the parent's row id on
// write. ScriptRAG numbers chunks from 0: chunk_number counts from the
// bible's first chunk (base, its library number; 1 today). The metadata is
// ScriptRAG's: word and character counts.
func chunkRow(c *library.BibleChunk, base int) []any {
	w, n := textCounts(c.Content)
	md := `{"char_count":` + strconv.FormatInt(n, 10) + `,"word_count":` + strconv.FormatInt(w, 10) + `}`
	return []any{int64(c.Number - base), nullString(c.Heading), int64(c.Level), c.Content, c.ContentHash, int64(c.Parent), md}
}

// chunkBase is the library number of a bible's first chunk.
func chunkBase(b *library.Bible) int {
	if len(b.Chunks) == 0 {
		return 0
	}
	return b.Chunks[0].Number
}

// textCounts counts words and characters as Python's len(s.split()) and
// len(s) do: words are separated by Unicode white space (Python also
// counts U+001C..U+001F as space), characters are code points.
func textCounts(s string) (words, chars int64) {
	in := false
	for _, r := range s {
		chars++
		space := unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
		if !space && !in {
			words++
		}
		in = !space
	}
	return words, chars
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullInt(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// withKey returns a copy of m with key set to v (m itself is the library's).
func withKey(m map[string]any, key string, v any) map[string]any {
	out := make(map[string]any, len(m)+1)
	maps.Copy(out, m)
	out[key] = v
	return out
}

// withKeyJSON is jsonValue(withKey(m, key, v)), without a copy of m when
// it is empty, as the metadata of nearly every scene and dialogue is.
func withKeyJSON(m map[string]any, key, v string) (any, error) {
	if len(m) == 0 && plainJSON(key) && plainJSON(v) {
		return `{"` + key + `":"` + v + `"}`, nil
	}
	return jsonValue(withKey(m, key, v))
}

// jsonValue encodes v canonically (sorted keys, no HTML escaping) as the
// text of a JSON column; nil and empty maps are NULL.
func jsonValue(v any) (any, error) {
	switch m := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		if len(m) == 0 {
			return nil, nil
		}
	}
	if m, ok := v.(map[string]any); ok {
		if s, ok := simpleJSON(m); ok {
			return s, nil
		}
	}
	b, err := canonicalJSON(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// simpleJSON encodes a small map of plain strings and integers exactly as
// canonicalJSON does, without its allocations: most metadata is one
// content hash or parenthetical. It reports false for anything else.
func simpleJSON(m map[string]any) (string, bool) {
	if len(m) > 4 {
		return "", false
	}
	var keys [4]string
	n := 0
	for k := range m {
		if !plainJSON(k) {
			return "", false
		}
		keys[n] = k
		n++
	}
	slices.Sort(keys[:n])
	b := make([]byte, 0, 128)
	b = append(b, '{')
	for i, k := range keys[:n] {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, k...)
		b = append(b, '"', ':')
		switch v := m[k].(type) {
		case string:
			if !plainJSON(v) {
				return "", false
			}
			b = append(b, '"')
			b = append(b, v...)
			b = append(b, '"')
		case int64:
			b = strconv.AppendInt(b, v, 10)
		case int:
			b = strconv.AppendInt(b, int64(v), 10)
		default:
			return "", false
		}
	}
	return string(append(b, '}')), true
}

// plainJSON reports whether s needs no escaping in JSON.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func canonicalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode JSON: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// normalize returns v as Read will return it after a JSON round trip:
// numbers that are whole become int64, other numbers float64, slices []any
// and maps map[string]any. Desired normalizes its attributes so that an
// unchanged object's attributes compare equal to the ones Read returns.
func normalize(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, bool, int64:
		return v, nil
	case int:
		return int64(x), nil
	case []any:
		if x == nil {
			return []any{}, nil
		}
		out := make([]any, len(x))
		for i, e := range x {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			out[k] = n
		}
		return out, nil
	}
	b, err := canonicalJSON(v)
	if err != nil {
		return nil, err
	}
	return decodeJSON(b)
}

// decodeJSON decodes a JSON value with the number rules of normalize.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after JSON value")
	}
	return numbers(v), nil
}

func numbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return n
		}
		f, _ := strconv.ParseFloat(string(x), 64)
		if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int64(f)
		}
		return f
	case []any:
		for i, e := range x {
			x[i] = numbers(e)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = numbers(e)
		}
	}
	return v
}

// hasher digests typed values unambiguously: every value is tagged and
// strings are length-prefixed.
type hasher struct {
	h   hash.Hash
	buf [binary.MaxVarintLen64 + 1]byte
	// scratch holds a string's bytes on their way to h: converting each
	// string would allocate a copy of every value digested.
	scratch []byte
}

// hashers are reused: a library digests a few objects per scene.
var hashers = sync.Pool{New: func() any { return &hasher{h: sha256.New()} }}

// newHasher returns a hasher for objects of one kind; sum hands it back.
func newHasher(kind string) *hasher {
	h := hashers.Get().(*hasher)
	h.h.Reset()
	h.str2("scriptsync/sql/v1/", kind)
	return h
}

func (h *hasher) str(s string) {
	h.buf[0] = 's'
	n := binary.PutUvarint(h.buf[1:], uint64(len(s)))
	h.h.Write(h.buf[:n+1])
	h.scratch = append(h.scratch[:0], s...)
	h.h.Write(h.scratch)
}

// str2 is str(a + b), without making a + b.
func (h *hasher) str2(a, b string) {
	h.buf[0] = 's'
	n := binary.PutUvarint(h.buf[1:], uint64(len(a)+len(b)))
	h.h.Write(h.buf[:n+1])
	h.scratch = append(append(h.scratch[:0], a...), b...)
	h.h.Write(h.scratch)
}

func (h *hasher) int(v int64) {
	h.buf[0] = 'i'
	n := binary.PutVarint(h.buf[1:], v)
	h.h.Write(h.buf[:n+1])
}

// values digests row values: nil, string, int64, []byte.
func (h *hasher) values(vals ...any) {
	h.int(int64(len(vals)))
	for _, v := range vals {
		switch x := v.(type) {
		case nil:
			h.h.Write([]byte{'n'})
		case string:
			h.str(x)
		case int64:
			h.int(x)
		case []byte:
			h.buf[0] = 'b'
			n := binary.PutUvarint(h.buf[1:], uint64(len(x)))
			h.h.Write(h.buf[:n+1])
			h.h.Write(x)
		default:
			h.str(fmt.Sprintf("%T:%v", v, v))
		}
	}
}

// sum returns the digest in hex; the hasher must not be used after it.
func (h *hasher) sum() string {
	var buf [sha256.Size]byte
	s := hex.EncodeToString(h.h.Sum(buf[:0]))
	hashers.Put(h)
	return s
}

// childHash digests a scene's dialogues and actions: when it is unchanged,
// an update of the scene leaves them alone.
func childHash(dialogues, actions [][]any) string {
	h := newHasher("scene-children")
	h.int(int64(len(dialogues)))
	for _, r := range dialogues {
		h.values(r...)
	}
	h.int(int64(len(actions)))
	for _, r := range actions {
		h.values(r...)
	}
	return h.sum()
}

// chunkHash digests a bible's chunks.
func chunkHash(b *library.Bible) string {
	h := newHasher("bible-chunks")
	h.int(int64(len(b.Chunks)))
	for i := range b.Chunks {
		h.values(chunkRow(&b.Chunks[i], chunkBase(b))...)
	}
	return h.sum()
}
