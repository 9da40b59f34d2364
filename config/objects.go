package config

import (
	"path"
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"scriptsync/address"
	"scriptsync/formats/fountain"
	"scriptsync/formats/markdown"
	"scriptsync/library"
)

func (ev *evaluator) buildSeries(inst *instance) cty.Value {
	meta, ok := ev.metadata(inst)
	if !ok {
		return cty.NilVal
	}
	s := &library.Series{
		Meta:        inst.meta,
		Key:         keyOf(inst),
		Title:       str(inst.vals["title"]),
		Description: str(inst.vals["description"]),
		Metadata:    meta,
	}
	if s.Title == "" {
		s.Title = inst.decl.name
	}
	ev.series = append(ev.series, s)
	ev.seriesByAddr[s.Address] = s
	return cty.ObjectVal(map[string]cty.Value{
		"address":     cty.StringVal(s.Address),
		"key":         cty.StringVal(s.Key),
		"title":       cty.StringVal(s.Title),
		"description": cty.StringVal(s.Description),
		"metadata":    ctyValue(anyMap(meta)),
	})
}

func anyMap(m map[string]any) any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func (ev *evaluator) buildScript(inst *instance) cty.Value {
	meta, ok := ev.metadata(inst)
	if !ok {
		return cty.NilVal
	}
	s := &library.Script{
		Meta:     inst.meta,
		Key:      keyOf(inst),
		Format:   "fountain",
		Title:    str(inst.vals["title"]),
		Author:   str(inst.vals["author"]),
		Metadata: meta,
	}
	var okNum bool
	if s.Season, okNum = ev.wholeNumber(inst, "season", 0); !okNum {
		return cty.NilVal
	}
	if s.Episode, okNum = ev.wholeNumber(inst, "episode", 0); !okNum {
		return cty.NilVal
	}
	series, ok := ev.reference(inst, "series", "series", func(a string) bool { return ev.seriesByAddr[a] != nil })
	if !ok {
		return cty.NilVal
	}
	if series != "" {
		s.Series = series
		s.SeriesTitle = ev.seriesByAddr[series].Title
		if slices.Contains(ev.seriesByAddr[series].Sensitive, "title") {
			s.Sensitive = addSensitive(s.Sensitive, "series_title")
		}
	}
	if source := str(inst.vals["source"]); source != "" {
		ev.l.inputs.claim(source, inst.meta.Resource, slices.Contains(inst.meta.Sensitive, "source"))
		data, hash, prepared, err := ev.l.inputs.takePrepared(source)
		if err != nil {
			ev.diag(errorAt(inst.rngs["source"], "Cannot read script source", "%s.", err))
			return cty.NilVal
		}
		parsed, ok := prepared.(parsedScreenplay)
		if !ok {
			parsed.sp, parsed.err = fountain.ParseOwned(data) // data is kept, in s.Data
		}
		sp, err := parsed.sp, parsed.err
		if err != nil {
			ev.diag(errorAt(inst.rngs["source"], "Invalid Fountain screenplay", "%s: %s.", source, err))
			return cty.NilVal
		}
		s.Source, s.Data, s.ContentHash = source, data, hash
		s.Path = str(inst.vals["path"])
		if s.Path == "" {
			s.Path = defaultPath(library.ScriptDir, inst, library.ScriptExt)
		}
		fromTitlePage(s, sp)
		s.Scenes = deriveScenes(s, sp)
		s.Characters = deriveCharacters(s)
	} else if !inst.vals["path"].IsNull() {
		ev.diag(errorAt(inst.rngs["path"], "Path without source",
			"An outline script (one without source) has no file to put at a path. Set source, or remove path."))
		return cty.NilVal
	}
	if s.Title == "" {
		s.Title = inst.decl.name
	}
	for _, sc := range s.Scenes {
		ev.sceneByAddr[sc.Address] = sc
	}
	ev.scripts = append(ev.scripts, s)
	ev.scriptByAddr[s.Address] = s
	return scriptValue(s)
}

var sceneType = cty.Object(map[string]cty.Type{
	"address": cty.String, "script": cty.String, "number": cty.Number, "heading": cty.String,
	"location": cty.String, "time_of_day": cty.String, "content_hash": cty.String,
})

var characterType = cty.Object(map[string]cty.Type{
	"address": cty.String, "script": cty.String, "name": cty.String,
})

func sceneValue(sc *library.Scene) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"address":      cty.StringVal(sc.Address),
		"script":       cty.StringVal(sc.Script),
		"number":       cty.NumberIntVal(int64(sc.Number)),
		"heading":      cty.StringVal(sc.Heading),
		"location":     cty.StringVal(sc.Location),
		"time_of_day":  cty.StringVal(sc.TimeOfDay),
		"content_hash": cty.StringVal(sc.ContentHash),
	})
}

func characterValue(c *library.Character) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"address": cty.StringVal(c.Address),
		"script":  cty.StringVal(c.Script),
		"name":    cty.StringVal(c.Name),
	})
}

// scenesValue and charactersValue are the computed attributes
// script.X.scenes (keyed by number) and script.X.characters (by name).
func scenesValue(scenes []*library.Scene) cty.Value {
	if len(scenes) == 0 {
		return cty.MapValEmpty(sceneType)
	}
	m := make(map[string]cty.Value, len(scenes))
	for _, sc := range scenes {
		m[itoa(sc.Number)] = sceneValue(sc)
	}
	return cty.MapVal(m)
}

func charactersValue(chars []*library.Character) cty.Value {
	if len(chars) == 0 {
		return cty.MapValEmpty(characterType)
	}
	m := make(map[string]cty.Value, len(chars))
	for _, c := range chars {
		m[c.Name] = characterValue(c)
	}
	return cty.MapVal(m)
}

func scriptValue(s *library.Script) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"address":      cty.StringVal(s.Address),
		"key":          cty.StringVal(s.Key),
		"source":       strOrNull(s.Source),
		"path":         strOrNull(s.Path),
		"title":        cty.StringVal(s.Title),
		"author":       cty.StringVal(s.Author),
		"series":       strOrNull(s.Series),
		"season":       intPtrVal(s.Season),
		"episode":      intPtrVal(s.Episode),
		"content_hash": strOrNull(s.ContentHash),
		"scenes":       scenesValue(s.Scenes),
		"characters":   charactersValue(s.Characters),
		"metadata":     ctyValue(anyMap(s.Metadata)),
	})
}

func (ev *evaluator) buildScene(inst *instance) cty.Value {
	meta, ok := ev.metadata(inst)
	if !ok {
		return cty.NilVal
	}
	script, ok := ev.reference(inst, "script", "script", func(a string) bool { return ev.scriptByAddr[a] != nil })
	if !ok {
		return cty.NilVal
	}
	owner := ev.scriptByAddr[script]
	if owner.Source != "" {
		ev.diag(errorAt(inst.rngs["script"], "Scene declared for a script with a source",
			"%s takes its scenes from %s, so it cannot also have scene blocks. Edit the screenplay instead, or point this scene at an outline script (one without source).",
			script, owner.Source))
		return cty.NilVal
	}
	number, ok := ev.wholeNumber(inst, "number", 1)
	if !ok {
		return cty.NilVal
	}
	sc := &library.Scene{
		Meta:      inst.meta,
		Script:    script,
		Number:    int(*number),
		Heading:   strings.TrimSpace(str(inst.vals["heading"])),
		Location:  str(inst.vals["location"]),
		TimeOfDay: str(inst.vals["time_of_day"]),
		Metadata:  meta,
	}
	sc.PreventDestroy = sc.PreventDestroy || owner.PreventDestroy
	if sc.Location == "" && sc.TimeOfDay == "" {
		sc.Location, sc.TimeOfDay = splitHeading(sc.Heading)
	}
	body, err := fountain.ParseBody([]byte(str(inst.vals["content"])))
	if err != nil {
		ev.diag(errorAt(inst.rngs["content"], "Invalid scene content", "%s.", err))
		return cty.NilVal
	}
	fillScene(sc, body)
	ev.sceneBlocks = append(ev.sceneBlocks, sc)
	ev.sceneByAddr[sc.Address] = sc
	return sceneValue(sc)
}

// charBlock is an evaluated character block, merged into its script's
// characters when the library is assembled.
type charBlock struct {
	inst *instance
	c    *library.Character
}

func (ev *evaluator) buildCharacter(inst *instance) cty.Value {
	meta, ok := ev.metadata(inst)
	if !ok {
		return cty.NilVal
	}
	script, ok := ev.reference(inst, "script", "script", func(a string) bool { return ev.scriptByAddr[a] != nil })
	if !ok {
		return cty.NilVal
	}
	name := strings.TrimSpace(str(inst.vals["name"]))
	if name == "" {
		ev.diag(errorAt(inst.rngs["name"], "Invalid character name", "A character's name cannot be empty."))
		return cty.NilVal
	}
	var aliases []string
	if v := inst.vals["aliases"]; !v.IsNull() {
		for it := v.ElementIterator(); it.Next(); {
			_, a := it.Element()
			if a.IsNull() {
				ev.diag(errorAt(inst.rngs["aliases"], "Invalid alias", "Aliases cannot contain null."))
				return cty.NilVal
			}
			aliases = append(aliases, a.AsString())
		}
	}
	c := &library.Character{
		Meta:        inst.meta,
		Script:      script,
		Name:        name,
		Aliases:     aliases,
		Description: str(inst.vals["description"]),
		Metadata:    meta,
	}
	c.Address = address.Character(script, name)
	ev.charBlocks = append(ev.charBlocks, &charBlock{inst: inst, c: c})
	return characterValue(c)
}

// embeddingPath is an embedding's default path: where ScriptRAG looks for
// the scene's embedding, unless an embedding built before took it (a second
// model, or a scene whose text ScriptRAG hashes like another's, as it does
// two scenes with one heading); then embeddings/<content hash>.npy, then
// embeddings/NAME/KEY.npy, which no other default takes.
func (ev *evaluator) embeddingPath(inst *instance, sc *library.Scene) string {
	free := func(p string) bool { a, taken := ev.embedPaths[p]; return !taken || a == inst.addr }
	if p := library.EmbeddingPath(sc); free(p) {
		return p
	}
	// Where this block's embeddings go depends on another's (see
	// Fingerprint.Displaced).
	ev.displaced[nodeOf(inst.meta.Resource)] = true
	if p := library.EmbeddingDir + "/" + sc.ContentHash + ".npy"; free(p) {
		return p
	}
	return defaultPath(library.EmbeddingDir, inst, ".npy")
}

func (ev *evaluator) buildEmbedding(inst *instance) cty.Value {
	scene, ok := ev.reference(inst, "scene", "scene", func(a string) bool { return ev.sceneByAddr[a] != nil })
	if !ok {
		return cty.NilVal
	}
	sc := ev.sceneByAddr[scene]
	e := &library.Embedding{
		Meta:   inst.meta,
		Scene:  scene,
		Script: sc.Script,
		Model:  str(inst.vals["model"]),
		Source: str(inst.vals["source"]),
		Path:   str(inst.vals["path"]),
	}
	if e.Path == "" {
		e.Path = ev.embeddingPath(inst, sc)
	}
	ev.embedPaths[e.Path] = e.Address
	if strings.TrimSpace(e.Model) == "" {
		ev.diag(errorAt(inst.rngs["model"], "Invalid embedding model", "model cannot be empty."))
		return cty.NilVal
	}
	want, ok := ev.wholeNumber(inst, "dimensions", 1)
	if !ok {
		return cty.NilVal
	}
	ev.l.inputs.claim(e.Source, inst.meta.Resource, slices.Contains(inst.meta.Sensitive, "source"))
	hash, size, header, err := ev.l.inputs.vector(e.Source)
	if err != nil {
		ev.diag(errorAt(inst.rngs["source"], "Cannot read embedding source", "%s.", err))
		return cty.NilVal
	}
	dims, offset, err := header.dims, header.offset, header.err
	if err != nil {
		ev.diag(errorAt(inst.rngs["source"], "Invalid embedding vector", "%s: %s.", e.Source, err))
		return cty.NilVal
	}
	if want != nil && int64(dims) != *want {
		ev.diag(errorAt(inst.rngs["dimensions"], "Embedding dimension mismatch",
			"%s holds a vector of %d dimensions, but dimensions = %d.", e.Source, dims, *want))
		return cty.NilVal
	}
	e.Dimensions, e.DataOffset, e.OID, e.Size = dims, offset, hash, size
	ev.embeddings = append(ev.embeddings, e)
	if inst.unreferenced {
		return cty.EmptyObjectVal // a value, as built objects have; nobody reads it
	}
	return cty.ObjectVal(map[string]cty.Value{
		"address":    cty.StringVal(e.Address),
		"scene":      cty.StringVal(e.Scene),
		"model":      cty.StringVal(e.Model),
		"dimensions": cty.NumberIntVal(int64(e.Dimensions)),
		"oid":        cty.StringVal(e.OID),
		"path":       cty.StringVal(e.Path),
	})
}

// bibleDir is where a bible lands by default: next to its script's file,
// because ScriptRAG looks for a script's bibles under the directory of the
// script (scripts.file_path's parent); in scripts/ for an outline script,
// whose file_path names a file there; in bibles/ for a bible of no script.
func bibleDir(s *library.Script) string {
	switch {
	case s == nil:
		return library.BibleDir
	case s.Path != "":
		return path.Dir(s.Path)
	}
	return library.ScriptDir
}

func (ev *evaluator) buildBible(inst *instance) cty.Value {
	script, ok := ev.reference(inst, "script", "script", func(a string) bool { return ev.scriptByAddr[a] != nil })
	if !ok {
		return cty.NilVal
	}
	source := str(inst.vals["source"])
	ev.l.inputs.claim(source, inst.meta.Resource, slices.Contains(inst.meta.Sensitive, "source"))
	data, hash, err := ev.l.inputs.read(source)
	if err != nil {
		ev.diag(errorAt(inst.rngs["source"], "Cannot read bible source", "%s.", err))
		return cty.NilVal
	}
	if err := checkText(data); err != nil {
		ev.diag(errorAt(inst.rngs["source"], "Invalid bible", "%s: %s.", source, err))
		return cty.NilVal
	}
	chunks := markdown.Chunks(data)
	b := &library.Bible{
		Meta:   inst.meta,
		Key:    keyOf(inst),
		Source: source,
		Path:   str(inst.vals["path"]),
		Data:   data,
		Hash:   hash,
		Title:  str(inst.vals["title"]),
		Script: script,
		Chunks: make([]library.BibleChunk, len(chunks)),
	}
	for i, c := range chunks {
		b.Chunks[i] = library.BibleChunk(c)
	}
	if b.Path == "" {
		b.Path = defaultPath(bibleDir(ev.scriptByAddr[script]), inst, library.BibleExt)
	}
	if b.Title == "" {
		b.Title = markdown.Title(chunks, b.Path)
	}
	ev.bibles = append(ev.bibles, b)
	return cty.ObjectVal(map[string]cty.Value{
		"address": cty.StringVal(b.Address),
		"path":    cty.StringVal(b.Path),
		"title":   cty.StringVal(b.Title),
		"hash":    cty.StringVal(b.Hash),
		"script":  strOrNull(b.Script),
	})
}
