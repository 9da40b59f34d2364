// Package library is the desired state of a screenwriting library as a
// configuration declares it: series, scripts with their scenes and
// characters, scene embeddings, script bibles and custom insight agents,
// already evaluated, checked and ordered.
//
// config builds a Library; each provider turns it into the objects it
// stores. The package does no I/O and knows nothing of HCL evaluation or of
// any backend. Every slice is in a deterministic order (by address), so two
// evaluations of the same inputs produce equal libraries.
package library

import "github.com/hashicorp/hcl/v2"

// Library is everything one configuration declares.
type Library struct {
	// Dir is the absolute path of the configuration directory. Every Source
	// below is relative to it.
	Dir string

	Series     []*Series
	Scripts    []*Script
	Embeddings []*Embedding
	Bibles     []*Bible
	Agents     []*Agent
}

// Meta is what every declared object carries.
type Meta struct {
	// Address names the object the way the configuration does:
	// series.night_shift, script.pilot, script.pilot.scenes["3"],
	// script.pilot.characters["KIM"], scene.spinoff_open,
	// embedding.pilot["3"], bible.world, agent.props_inventory.
	Address string
	// Resource is the address of the configuration block (and instance) that
	// produced the object: script.pilot for the scenes derived from it,
	// embedding.pilot["3"] for a for_each instance. -target matches on it.
	Resource string
	// PreventDestroy is lifecycle { prevent_destroy = true }, inherited by
	// the objects derived from the block.
	PreventDestroy bool
	// Sensitive lists attribute names whose values derive from sensitive
	// variables; they are redacted in plans and plan files.
	Sensitive []string
	// Range is where the object is declared, for diagnostics.
	Range hcl.Range
	// AttrRanges says where each attribute set in the block was written,
	// so that a provider can point at the attribute it rejects.
	AttrRanges map[string]hcl.Range
}

// RangeOf returns where attribute name was written, or the object's range
// when it was not set (a default, or a derived object).
func (m Meta) RangeOf(name string) hcl.Range {
	if r, ok := m.AttrRanges[name]; ok {
		return r
	}
	return m.Range
}

// Series is a series block.
type Series struct {
	Meta
	Key         string
	Title       string
	Description string
	Metadata    map[string]any
}

// Script is a script block. A script with a Source owns the scenes of its
// Fountain file; an outline script (no Source) owns the scene blocks that
// name it.
type Script struct {
	Meta
	Key string
	// Source is the Fountain file, relative to Library.Dir; empty for an
	// outline script.
	Source string
	// Path is where the file lands in the git repository; empty for an
	// outline script.
	Path string
	// Data is the source file's bytes (nil for an outline script).
	Data []byte
	// ContentHash is the hex SHA-256 of Data, or of the outline's scenes.
	ContentHash string
	Title       string
	Author      string
	Format      string // "fountain"
	// Series is the address of the series the script belongs to, or "".
	Series      string
	SeriesTitle string
	// Season and Episode are the configuration's, else the title page's
	// Season: and Episode: when they read as whole numbers.
	Season   *int64
	Episode  *int64
	Metadata map[string]any
	// TitlePage is the title page as ScriptRAG's parser reads it: its keys
	// lower-cased (with any spaces around them), multi-line values joined
	// with "\n", emphasis kept; nil without a title page or a source.
	TitlePage map[string]string
	// TitleMetadata is what ScriptRAG's parser puts in scripts.metadata from
	// the title page: "season" and "episode" (int64 when they read as whole
	// numbers, else the string as written), "series_title" (Series:,
	// Series_title: or Show:), "project_title" (Project: or Project_title:);
	// only the keys present; nil when none is.
	TitleMetadata map[string]any
	// Scenes are ordered by Number.
	Scenes []*Scene
	// Characters are ordered by Name.
	Characters []*Character
}

// Scene is one scene of a script: derived from its Fountain source
// (address script.<key>.scenes["<number>"]) or declared by a scene block
// (address scene.<key>).
type Scene struct {
	Meta
	Script string // address of the owning script
	// Number is the 1-based position in the script, as ScriptRAG counts.
	// Scene 0 of a script with a source holds what comes before its first
	// heading (a cold open, or a whole screenplay without headings) when
	// that has content; it has no heading, location or time of day.
	Number int
	// Heading is the heading line as ScriptRAG stores it ("" for scene 0);
	// Location and TimeOfDay are read from it as ScriptRAG reads them.
	Heading   string
	Location  string
	TimeOfDay string
	// Content is the scene's text from its heading on, line endings
	// normalised to \n, with boneyard and notes removed.
	Content string
	// ContentHash is the hex SHA-256 of Content. It identifies a scene whose
	// number changed because another scene was inserted or removed.
	ContentHash string
	// ScriptRAGHash is the hex SHA-256 ScriptRAG's indexer computes for the
	// scene from its source file: scenes.content_hash holds its first 16
	// characters, and ScriptRAG names the scene's embedding file after it.
	// "" for scene 0 and for scene blocks, which ScriptRAG has no scene for.
	ScriptRAGHash string
	Metadata      map[string]any
	// Elements are the scene's dialogue blocks and action paragraphs in
	// order; their index is order_in_scene.
	Elements []Element
}

// ElementKind tells a dialogue block from an action paragraph.
type ElementKind int

const (
	Action ElementKind = iota
	Dialogue
)

// Element is one dialogue block or action paragraph of a scene.
type Element struct {
	Kind ElementKind
	// Character is the speaking character's name (cue without extensions);
	// dialogue only.
	Character string
	Text      string
	// Parenthetical is the dialogue's parenthetical(s), "" when none.
	Parenthetical string
	// Metadata holds extras such as the cue's extension or dual dialogue.
	Metadata map[string]any
}

// Character is a character of a script: derived from the character cues of
// its scenes, declared by a character block, or both (the block adds aliases
// and a description). Its address is script.<key>.characters["<NAME>"].
type Character struct {
	Meta
	Script      string // address of the owning script
	Name        string
	Aliases     []string
	Description string
	Metadata    map[string]any
}

// Embedding is one scene embedding: a float32 vector read from a .npy file,
// stored as a Git LFS object and indexed in SQL.
type Embedding struct {
	Meta
	Scene  string // address of the scene it embeds
	Script string // address of that scene's script
	Model  string
	// Dimensions is the vector length, read from the file (and checked
	// against the declared value when there is one).
	Dimensions int
	// Source is the .npy file, relative to Library.Dir.
	Source string
	// Path is where the LFS pointer file lands in the git repository.
	Path string
	// OID is the hex SHA-256 of the .npy file, its Git LFS object id.
	OID  string
	Size int64
	// DataOffset is where the raw little-endian float32 data starts in the
	// file (after the .npy header).
	DataOffset int64
}

// Bible is a script bible: a Markdown file committed to git and indexed in
// SQL as chunks split at its headings.
type Bible struct {
	Meta
	Key    string
	Source string
	Path   string
	Data   []byte
	Hash   string // hex SHA-256 of Data
	Title  string
	Script string // address of the script it belongs to, or ""
	Chunks []BibleChunk
}

// BibleChunk is one chunk of a bible as ScriptRAG's bible parser cuts it:
// a heading and the text below it up to the next heading (or a thematic
// break, which starts a chunk under the same heading).
type BibleChunk struct {
	// Number is the 1-based position in the bible; ScriptRAG's chunk_number
	// is Number-1.
	Number int
	// Heading is the heading's text; "" for text before the first heading
	// (ScriptRAG's NULL).
	Heading string
	Level   int // 1-6; 0 for text before the first heading
	// Content is the text below the heading, without the heading line: its
	// blocks' text one per line, Markdown block markers ("> ", "- ", "1. ")
	// gone, inline markup kept, code fenced with ```.
	Content string
	// ContentHash is the hex SHA-256 of Heading + "\n" + Content, as
	// ScriptRAG hashes a chunk.
	ContentHash string
	// Parent is the Number of the chunk this one sits under, as ScriptRAG
	// assigns parents (see config's chunkMarkdown), or 0 for none
	// (ScriptRAG's NULL).
	Parent int
}

// Agent is a custom insight agent: a Markdown file with YAML front matter,
// committed at .scriptrag/agents/<key>.md.
type Agent struct {
	Meta
	Key         string
	Source      string
	Path        string
	Data        []byte
	Hash        string
	Description string
	Version     string
	RequiresLLM bool
}

// Each calls fn with every object's Meta: series, scripts with their
// scenes and characters, scene blocks' scenes (in their script),
// embeddings, bibles and agents.
func (lib *Library) Each(fn func(Meta)) {
	for _, s := range lib.Series {
		fn(s.Meta)
	}
	for _, s := range lib.Scripts {
		fn(s.Meta)
		for _, sc := range s.Scenes {
			fn(sc.Meta)
		}
		for _, c := range s.Characters {
			fn(c.Meta)
		}
	}
	for _, e := range lib.Embeddings {
		fn(e.Meta)
	}
	for _, b := range lib.Bibles {
		fn(b.Meta)
	}
	for _, a := range lib.Agents {
		fn(a.Meta)
	}
}
