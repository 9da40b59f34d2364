package sql

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"

	"scriptsync/library"
	"scriptsync/providers"
)

// Object types, as plans show them.
const (
	typeSeries    = "series"
	typeScript    = "script"
	typeCharacter = "character"
	typeScene     = "scene"
	typeEmbedding = "embedding"
	typeBible     = "bible"
)

// maxShownText is the largest bible whose text the attributes carry for
// a plan's diff: larger ones show their hash only, so that plans stay small.
const maxShownText = 64 << 10

// sensitiveValue replaces a sensitive attribute's value in Attrs and in the
// bookkeeping.
const sensitiveValue = "(sensitive value)"

// oldSensitiveValue is what version 1 bookkeeping wrote instead.
const oldSensitiveValue = "(sensitive)"

// Desired returns the objects lib wants in the database, sorted by address.
// It reads nothing but lib; an embedding's object names the vector file
// Apply reads (Object.Source).
func (p *Provider) Desired(lib *library.Library) ([]*providers.Object, hcl.Diagnostics) {
	if lib == nil {
		return nil, nil
	}
	libDir := lib.Dir
	if libDir == "" {
		libDir = p.dir
	}
	b := &builder{known: map[string]string{}, checkout: p.checkout, libDir: libDir, scripts: lib.Scripts}
	for _, s := range lib.Series {
		b.series(s)
	}
	for _, s := range lib.Scripts {
		b.script(s)
	}
	for _, e := range lib.Embeddings {
		b.embedding(e)
	}
	for _, bi := range lib.Bibles {
		b.bible(bi)
	}
	slices.SortFunc(b.objs, func(x, y *providers.Object) int { return strings.Compare(x.Address, y.Address) })
	if b.diags.HasErrors() {
		return nil, b.diags
	}
	return b.objs, b.diags
}

// builder accumulates Desired's objects and diagnostics.
type builder struct {
	objs  []*providers.Object
	diags hcl.Diagnostics
	known map[string]string // address -> type, for references and duplicates

	checkout, libDir string            // for file_path (see filePath)
	scripts          []*library.Script // for bibles that name no script
	// paths are the file_path values taken, each by the address that took
	// it (a bible's keyed by its script too): the rows' unique keys.
	paths map[string]takenPath
}

// takenPath is who took a file_path, and whether its path is sensitive.
type takenPath struct {
	addr      string
	sensitive bool
}

// pathSensitive reports whether m's file_path derives from a sensitive
// value: config marks file_path when path or source is.
func pathSensitive(m library.Meta) bool { return slices.Contains(m.Sensitive, "file_path") }

// takePath records that m's row holds file_path path, unique under key;
// false, with a diagnostic naming both objects, when another took it.
func (b *builder) takePath(m library.Meta, table, key, path string) bool {
	if b.paths == nil {
		b.paths = map[string]takenPath{}
	}
	other, taken := b.paths[key]
	if !taken {
		b.paths[key] = takenPath{m.Address, pathSensitive(m)}
		return true
	}
	// The path is both objects': either's sensitivity hides it.
	shown := strconv.Quote(path)
	if other.sensitive || pathSensitive(m) {
		shown = "(sensitive value)"
	}
	b.errorf(m, "Duplicate file_path",
		"%s and %s would both be stored with file_path %s, and ScriptRAG's %s.file_path is unique: give each its own source file.",
		other.addr, m.Address, shown, table)
	return false
}

func (b *builder) errorf(m library.Meta, summary, format string, args ...any) {
	d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: fmt.Sprintf(format, args...)}
	if m.Range != (hcl.Range{}) {
		r := m.Range
		d.Subject = &r
	}
	b.diags = append(b.diags, d)
}

// add records an object; it returns false (with a diagnostic) when the
// address is taken or the values cannot be encoded.
func (b *builder) add(m library.Meta, typ string, attrs map[string]any, h *hasher, deps []string, payload any, err error) *providers.Object {
	if err != nil {
		b.errorf(m, "Invalid value", "%s: %v", m.Address, err)
		return nil
	}
	if _, dup := b.known[m.Address]; dup {
		b.errorf(m, "Duplicate object", "%s is declared more than once.", m.Address)
		return nil
	}
	b.known[m.Address] = typ
	for k, v := range attrs {
		if str, ok := v.(string); ok && strings.IndexByte(str, 0) >= 0 {
			// PostgreSQL refuses NUL in text, and SQLite readers cut
			// strings at it: say which object, before any write.
			r := m.RangeOf(k)
			b.diags = append(b.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value", Subject: &r,
				Detail: fmt.Sprintf("%s: attribute %s contains a NUL character (\\u0000), which the database cannot store in text; remove it.", m.Address, k)})
			return nil
		}
		n, err := normalize(v)
		if err != nil {
			b.errorf(m, "Invalid value", "%s: attribute %s: %v", m.Address, k, err)
			return nil
		}
		attrs[k] = n
	}
	for _, k := range m.Sensitive {
		if _, ok := attrs[k]; ok {
			attrs[k] = sensitiveValue
		}
	}
	return b.object(m, typ, attrs, nil, h, deps, payload)
}

// addPlain is add for attributes that are plain strings and integers,
// which need no normalizing: they are made when shown (AttrsFunc), since
// a library has a few such objects per scene, and a plan shows few.
func (b *builder) addPlain(m library.Meta, typ string, attrs func() map[string]any, h *hasher, deps []string, payload any) *providers.Object {
	if _, dup := b.known[m.Address]; dup {
		b.errorf(m, "Duplicate object", "%s is declared more than once.", m.Address)
		return nil
	}
	b.known[m.Address] = typ
	sensitive := m.Sensitive
	return b.object(m, typ, nil, func() map[string]any {
		a := attrs()
		for _, k := range sensitive {
			if _, ok := a[k]; ok {
				a[k] = sensitiveValue
			}
		}
		return a
	}, h, deps, payload)
}

func (b *builder) object(m library.Meta, typ string, attrs map[string]any, attrsFunc func() map[string]any, h *hasher, deps []string, payload any) *providers.Object {
	o := &providers.Object{
		Address:        m.Address,
		Type:           typ,
		Resource:       m.Resource,
		Hash:           h.sum(),
		Attrs:          attrs,
		AttrsFunc:      attrsFunc,
		Deps:           deps,
		PreventDestroy: m.PreventDestroy,
		Sensitive:      slices.Clone(m.Sensitive),
		Payload:        payload,
	}
	b.objs = append(b.objs, o)
	return o
}

// ref checks that addr names a known object of type typ.
func (b *builder) ref(m library.Meta, what, addr, typ string) bool {
	if b.known[addr] != typ {
		b.errorf(m, "Reference to an undeclared object", "%s refers to %s %q, which is not declared.", m.Address, what, addr)
		return false
	}
	return true
}

func (b *builder) series(s *library.Series) {
	row, err := seriesRow(s)
	h := newHasher(typeSeries)
	h.values(row...)
	attrs := map[string]any{"title": s.Title, "description": s.Description, "metadata": s.Metadata}
	b.add(s.Meta, typeSeries, attrs, h, nil, s, err)
}

func (b *builder) script(s *library.Script) {
	sp := scriptPayload{s, filePath(b.checkout, b.libDir, s.Source, s.Path, s.Address)}
	if !b.takePath(s.Meta, "scripts", sp.filePath, sp.filePath) {
		return
	}
	row, err := scriptRow(sp)
	h := newHasher(typeScript)
	h.str(s.Series)
	h.str(s.Path)
	h.values(row...)
	var deps []string
	if s.Series != "" {
		if !b.ref(s.Meta, "series", s.Series, typeSeries) {
			return
		}
		deps = []string{s.Series}
	}
	// file_path is what the row holds, ScriptRAG's: an absolute path,
	// which moves with the configuration directory (or the checkout).
	attrs := map[string]any{
		"title": s.Title, "author": s.Author, "file_path": sp.filePath, "format": row[3],
		"series_title": s.SeriesTitle, "season": nullInt(s.Season), "episode": nullInt(s.Episode),
		"metadata": s.Metadata, "content_hash": s.ContentHash,
	}
	if b.add(s.Meta, typeScript, attrs, h, deps, sp, err) == nil {
		return
	}
	names := make(map[string]string, len(s.Characters))
	for _, c := range s.Characters {
		if b.character(s, c) {
			names[c.Name] = c.Address
		}
	}
	numbers := make(map[int]string, len(s.Scenes))
	for _, sc := range s.Scenes {
		if other, dup := numbers[sc.Number]; dup {
			b.errorf(sc.Meta, "Duplicate scene number", "%s and %s both have number %d in %s.", other, sc.Address, sc.Number, s.Address)
			continue
		}
		numbers[sc.Number] = sc.Address
		b.scene(s, sc, names)
	}
}

func (b *builder) character(s *library.Script, c *library.Character) bool {
	row, err := characterRow(c)
	h := newHasher(typeCharacter)
	h.str(s.Address)
	h.values(row...)
	aliases := c.Aliases
	if aliases == nil {
		aliases = []string{}
	}
	attrs := map[string]any{"name": c.Name, "aliases": aliases, "description": c.Description}
	return b.add(c.Meta, typeCharacter, attrs, h, []string{s.Address}, c, err) != nil
}

func (b *builder) scene(s *library.Script, sc *library.Scene, names map[string]string) {
	row, err := sceneRow(sc)
	if err != nil {
		b.errorf(sc.Meta, "Invalid value", "%s: %v", sc.Address, err)
		return
	}
	dialogues, actions, err := elementRows(sc)
	if err != nil {
		b.errorf(sc.Meta, "Invalid value", "%s: %v", sc.Address, err)
		return
	}
	deps := []string{s.Address}
	for _, d := range dialogues {
		name := d[0].(string)
		addr, ok := names[name]
		if !ok {
			b.errorf(sc.Meta, "Unknown character", "%s has dialogue for %q, who is not a character of %s.", sc.Address, name, s.Address)
			return
		}
		if !slices.Contains(deps, addr) {
			deps = append(deps, addr)
		}
	}
	slices.Sort(deps[1:])
	h := newHasher(typeScene)
	h.str(s.Address)
	h.values(row...)
	h.str(childHash(dialogues, actions))
	nd, na := int64(len(dialogues)), int64(len(actions))
	attrs := func() map[string]any {
		return map[string]any{
			"scene_number": int64(sc.Number), "heading": sc.Heading, "location": sc.Location, "time_of_day": sc.TimeOfDay,
			"content_hash": sc.ContentHash, "dialogues": nd, "actions": na,
			// The text lets a plan show the edit, as lines of the screenplay;
			// recorded with the row, it is the "before" of the next plan.
			"text": sc.Content,
		}
	}
	o := b.addPlain(sc.Meta, typeScene, attrs, h, deps, sc)
	if o != nil && strings.HasPrefix(sc.Address, s.Address+".scenes[") {
		// A scene derived from a Fountain source is followed across
		// renumbering by its content.
		o.Group, o.MatchHash, o.Seq = s.Address, sc.ContentHash, sc.Number
	}
}

func (b *builder) embedding(e *library.Embedding) {
	if !b.ref(e.Meta, "scene", e.Scene, typeScene) {
		return
	}
	if e.Dimensions <= 0 || e.Source == "" || e.OID == "" {
		b.errorf(e.Meta, "Invalid embedding", "%s needs a source, its OID and a positive number of dimensions.", e.Address)
		return
	}
	h := newHasher(typeEmbedding)
	h.str(e.Scene)
	// The tag stands for the row's encoding (encodeVector) and its VSS
	// rows, which version 1 did not write: their rows are rewritten.
	h.values("scene", e.Model, int64(e.Dimensions), e.OID, "dimension-prefixed+vss")
	attrs := func() map[string]any {
		return map[string]any{"scene": e.Scene, "model": e.Model, "dimensions": int64(e.Dimensions), "lfs_oid": e.OID}
	}
	if o := b.addPlain(e.Meta, typeEmbedding, attrs, h, []string{e.Scene}, e); o != nil {
		o.Size = int64(e.Dimensions) * 4
		o.Source = providers.SourcePath(b.libDir, e.Source)
	}
}

// bibleScript is the script a bible's row belongs to: the one it names,
// or else the library's only script. ScriptRAG keeps a bible per script
// (script_bibles.script_id is NOT NULL); a bible that names none in a
// library of several scripts is an error, not a guess.
func (b *builder) bibleScript(bi *library.Bible) (string, bool) {
	if bi.Script != "" {
		return bi.Script, b.ref(bi.Meta, "script", bi.Script, typeScript)
	}
	if len(b.scripts) == 1 {
		return b.scripts[0].Address, b.known[b.scripts[0].Address] == typeScript
	}
	b.errorf(bi.Meta, "Bible without a script",
		"%s names no script, and the library has %d scripts: set its script. ScriptRAG's script_bibles rows each belong to one script.",
		bi.Address, len(b.scripts))
	return "", false
}

func (b *builder) bible(bi *library.Bible) {
	script, ok := b.bibleScript(bi)
	if !ok {
		return
	}
	bp := biblePayload{bi, filePath(b.checkout, b.libDir, bi.Source, bi.Path, bi.Address), script}
	if !b.takePath(bi.Meta, "script_bibles", script+"\x00"+bp.filePath, bp.filePath) {
		return
	}
	row, err := bibleRow(bp)
	h := newHasher(typeBible)
	h.str(script)
	h.str(bi.Path)
	h.values(row...)
	h.str(chunkHash(bi))
	attrs := map[string]any{"file_path": bp.filePath, "title": bi.Title, "file_hash": bi.Hash, "script": script,
		"chunks": int64(len(bi.Chunks))}
	if len(bi.Data) <= maxShownText && utf8.Valid(bi.Data) {
		attrs["text"] = string(bi.Data) // for the plan's diff, as a scene's
	}
	if o := b.add(bi.Meta, typeBible, attrs, h, []string{script}, bp, err); o != nil {
		o.Size = int64(len(bi.Data))
	}
}
