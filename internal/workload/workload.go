// Package workload generates W(n), the synthetic screenwriting library that
// scriptsync's benchmarks and scale tests sync: n scenes in scripts of 50
// (the last one shorter when n is not a multiple of 50), each scene a
// heading, action and about four dialogue blocks among the five characters
// of its script; one 384-dimension float32 .npy embedding per scene; one
// bible per season of ten scripts; one custom insight agent; and the HCL
// that declares it all, one file per season as a writers' room would keep
// it.
//
// Everything is deterministic: the same Options give the same bytes. The
// wording is generated from small word lists, so that scenes differ from
// each other the way real ones do (no two scenes share a content hash).
//
// A Workload can then be edited the way the benchmarks need: one scene
// rewritten (its text and its vector), one scene added, one script
// removed from the configuration.
//
// The package knows nothing of scriptsync's packages beyond the .npy
// encoder; what it writes is read through the CLI like any configuration.
package workload

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"scriptsync/formats/npy"
)

const (
	// ScenesPerScript is the length of every script but possibly the last.
	ScenesPerScript = 50
	// ScriptsPerSeason is how many scripts share a season, an HCL file
	// and a bible.
	ScriptsPerSeason = 10
	// Dimensions is the length of every embedding vector.
	Dimensions = 384
	// Model is the embedding model the configuration names.
	Model = "all-MiniLM-L6-v2"
)

// Options shape a workload.
type Options struct {
	// Scenes is n, the number of scenes; at least 1.
	Scenes int
	// Seed makes the wording and the vectors; the same seed gives the same
	// library.
	Seed uint64
	// SQLDriver and SQLDSN, when SQLDriver is set, go into a provider "sql"
	// block; without them the configuration uses the embedded defaults
	// (SQLite scriptrag.db, bare repository library.git).
	SQLDriver string
	SQLDSN    string
}

// Workload is a generated library on disk.
type Workload struct {
	// Dir is the configuration directory.
	Dir  string
	opts Options

	mu      sync.Mutex
	scripts []*script
	// removed holds the scripts DeleteScript took out of the
	// configuration.
	removed map[int]bool
	files   int
	bytes   int64
}

// script is one generated script: its place in the library and the
// revision of each scene (0 until EditScene rewrites it).
type script struct {
	index     int // 0-based over the library
	season    int // 1-based
	episode   int // 1-based within its season
	scenes    int
	revisions []int
	cast      []string
}

// Key is the script's block name: s001e01.
func (s *script) Key() string { return fmt.Sprintf("s%03de%02d", s.season, s.episode) }

// Generate writes W(opts.Scenes) into dir, which must be empty or not
// exist.
func Generate(dir string, opts Options) (*Workload, error) {
	if opts.Scenes < 1 {
		return nil, errors.New("workload: at least one scene")
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("workload: %s is not empty", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("workload: %w", err)
	}
	w := &Workload{Dir: dir, opts: opts, removed: map[int]bool{}}
	n := (opts.Scenes + ScenesPerScript - 1) / ScenesPerScript
	for i := 0; i < n; i++ {
		scenes := ScenesPerScript
		if i == n-1 {
			scenes = opts.Scenes - ScenesPerScript*(n-1)
		}
		s := &script{index: i, season: i/ScriptsPerSeason + 1, episode: i%ScriptsPerSeason + 1, scenes: scenes,
			revisions: make([]int, scenes)}
		s.cast = w.cast(s)
		w.scripts = append(w.scripts, s)
	}
	// Scripts and their vectors are independent: write them side by side.
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, s := range w.scripts {
		g.Go(func() error { return w.writeScript(s, -1) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for season := 1; season <= w.Seasons(); season++ {
		if err := w.writeSeason(season); err != nil {
			return nil, err
		}
		if err := w.write(bibleSource(season), w.bible(season)); err != nil {
			return nil, err
		}
	}
	if err := w.write("agents/continuity.md", []byte(agentFile)); err != nil {
		return nil, err
	}
	if err := w.write("main.hcl", w.mainHCL()); err != nil {
		return nil, err
	}
	return w, nil
}

// Scripts is the number of scripts generated.
func (w *Workload) Scripts() int { return len(w.scripts) }

// Seasons is the number of seasons (HCL files and bibles).
func (w *Workload) Seasons() int {
	return (len(w.scripts) + ScriptsPerSeason - 1) / ScriptsPerSeason
}

// ScriptKey names script i (0-based) as the configuration does: s001e01.
func (w *Workload) ScriptKey(i int) string { return w.scripts[i].Key() }

// ScriptPath is where script i lands in the git repository.
func (w *Workload) ScriptPath(i int) string { return "scripts/" + w.scripts[i].Key() + ".fountain" }

// VectorFile is the .npy file of scene (1-based) of script i, relative to
// Dir.
func (w *Workload) VectorFile(i, scene int) string { return vectorSource(w.scripts[i], scene) }

// VectorPath is where the LFS pointer of that vector lands in the git
// repository.
func (w *Workload) VectorPath(i, scene int) string {
	return fmt.Sprintf("embeddings/%s/%d.npy", w.scripts[i].Key(), scene)
}

// Files and Bytes count what Generate and the edits wrote.
func (w *Workload) Files() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.files
}

func (w *Workload) Bytes() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.bytes
}

// EditScene rewrites one scene (1-based) of script i: a new action line
// and new dialogue, and a new vector, as a writer's revision and a fresh
// embedding of it would. Every other scene keeps its bytes.
func (w *Workload) EditScene(i, scene int) error {
	if i < 0 || i >= len(w.scripts) || scene < 1 || scene > w.scripts[i].scenes {
		return fmt.Errorf("workload: no scene %d in script %d", scene, i)
	}
	s := w.scripts[i]
	s.revisions[scene-1]++
	return w.writeScript(s, scene)
}

// AddScene appends a new scene to script i, with its vector, as a writer
// who adds a scene and embeds it would. Every other scene keeps its
// bytes, and the configuration declares its embedding already (one per
// scene).
func (w *Workload) AddScene(i int) error {
	if i < 0 || i >= len(w.scripts) {
		return fmt.Errorf("workload: no script %d", i)
	}
	s := w.scripts[i]
	s.scenes++
	s.revisions = append(s.revisions, 0)
	return w.writeScript(s, s.scenes)
}

// DeleteScript takes script i (and its embeddings) out of the
// configuration; its files stay on disk, unreferenced. The bible of a
// season belongs to its first script, which therefore cannot be deleted
// while the bible names it.
func (w *Workload) DeleteScript(i int) error {
	if i < 0 || i >= len(w.scripts) {
		return fmt.Errorf("workload: no script %d", i)
	}
	if w.scripts[i].episode == 1 {
		return fmt.Errorf("workload: script %s carries its season's bible; delete another", w.scripts[i].Key())
	}
	w.removed[i] = true
	return w.writeSeason(w.scripts[i].season)
}

func (w *Workload) write(rel string, data []byte) error {
	path := filepath.Join(w.Dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("workload: %w", err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("workload: %w", err)
	}
	w.mu.Lock()
	w.files++
	w.bytes += int64(len(data))
	w.mu.Unlock()
	return nil
}

func scriptSource(s *script) string {
	return fmt.Sprintf("scripts/s%03d/e%02d.fountain", s.season, s.episode)
}

func vectorSource(s *script, scene int) string {
	return fmt.Sprintf("vectors/s%03d/e%02d/%d.npy", s.season, s.episode, scene)
}

func bibleSource(season int) string { return fmt.Sprintf("bibles/season_%03d.md", season) }

// rng returns the random source of one part of the library: the same
// parts give the same numbers whatever else was generated.
func (w *Workload) rng(parts ...uint64) *rand.Rand {
	h := w.opts.Seed ^ 0x9e3779b97f4a7c15
	for _, p := range parts {
		h = mix(h ^ p)
	}
	return rand.New(rand.NewPCG(h, mix(h)))
}

// mix is SplitMix64's finaliser.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Domains of the random streams.
const (
	domainCast uint64 = iota + 1
	domainScene
	domainVector
	domainBible
)

// writeScript writes a script's Fountain file and the vectors of its
// scenes: all of them (only < 0), or only one.
func (w *Workload) writeScript(s *script, only int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Title: %s\n    Season %d, Episode %d\nCredit: Written by\nAuthor: %s\nDraft date: 2026-01-%02d\n\n",
		showTitle, s.season, s.episode, w.writer(s), s.episode)
	for scene := 1; scene <= s.scenes; scene++ {
		w.scene(&b, s, scene)
	}
	if err := w.write(scriptSource(s), []byte(b.String())); err != nil {
		return err
	}
	for scene := 1; scene <= s.scenes; scene++ {
		if only >= 0 && scene != only {
			continue
		}
		if err := w.write(vectorSource(s, scene), npy.Encode(w.vector(s, scene))); err != nil {
			return err
		}
	}
	return nil
}

// vector is a unit vector, as sentence embeddings are.
func (w *Workload) vector(s *script, scene int) []float32 {
	r := w.rng(domainVector, uint64(s.index), uint64(scene), uint64(s.revisions[scene-1]))
	v := make([]float32, Dimensions)
	var norm float64
	for i := range v {
		x := r.NormFloat64()
		v[i] = float32(x)
		norm += x * x
	}
	norm = math.Sqrt(norm)
	for i := range v {
		v[i] = float32(float64(v[i]) / norm)
	}
	return v
}

// cast picks a script's five characters.
func (w *Workload) cast(s *script) []string {
	r := w.rng(domainCast, uint64(s.index))
	perm := r.Perm(len(characterNames))
	out := make([]string, 5)
	for i := range out {
		out[i] = characterNames[perm[i]]
	}
	return out
}

func (w *Workload) writer(s *script) string {
	r := w.rng(domainCast, uint64(s.index), 1)
	return pick(r, writerFirst) + " " + pick(r, writerLast)
}

// scene writes one scene: heading, action, about four dialogue blocks
// (three to five), a closing action line.
func (w *Workload) scene(b *strings.Builder, s *script, scene int) {
	r := w.rng(domainScene, uint64(s.index), uint64(scene), uint64(s.revisions[scene-1]))
	fmt.Fprintf(b, "%s. %s - %s\n\n", pick(r, []string{"INT", "EXT"}), pick(r, locations), pick(r, times))
	b.WriteString(action(r, s.cast))
	b.WriteString("\n\n")
	blocks := 3 + r.IntN(3)
	prev := -1
	for k := 0; k < blocks; k++ {
		who := r.IntN(len(s.cast))
		if who == prev {
			who = (who + 1) % len(s.cast)
		}
		prev = who
		b.WriteString(s.cast[who])
		b.WriteByte('\n')
		if r.IntN(4) == 0 {
			b.WriteString("(" + pick(r, parentheticals) + ")\n")
		}
		b.WriteString(line(r))
		b.WriteString("\n\n")
	}
	if r.IntN(2) == 0 {
		b.WriteString(action(r, s.cast))
		b.WriteString("\n\n")
	}
}

func action(r *rand.Rand, cast []string) string {
	who := cast[r.IntN(len(cast))]
	name := strings.ToUpper(who[:1]) + strings.ToLower(who[1:])
	return fmt.Sprintf("%s %s %s %s. %s %s.", name, pick(r, verbs), pick(r, objects), pick(r, manners),
		pick(r, subjects), pick(r, happenings))
}

func line(r *rand.Rand) string {
	n := 1 + r.IntN(3)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = pick(r, lines)
	}
	return strings.Join(parts, " ")
}

func pick(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

// bible is a season's bible: an overview, the cast and the rules.
func (w *Workload) bible(season int) []byte {
	r := w.rng(domainBible, uint64(season))
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: season %d bible\n\n", showTitle, season)
	fmt.Fprintf(&b, "Season %d follows the night shift of the harbour authority through %s.\n\n", season, pick(r, arcs))
	b.WriteString("## Episodes\n\n")
	for _, s := range w.scripts {
		if s.season != season {
			continue
		}
		fmt.Fprintf(&b, "### Episode %d\n\n%s %s.\n\n", s.episode, pick(r, subjects), pick(r, happenings))
	}
	b.WriteString("## Characters\n\n")
	seen := map[string]bool{}
	for _, s := range w.scripts {
		if s.season != season {
			continue
		}
		for _, c := range s.cast {
			if seen[c] {
				continue
			}
			seen[c] = true
			fmt.Fprintf(&b, "### %s\n\n%s %s %s.\n\n", c, strings.ToUpper(c[:1])+strings.ToLower(c[1:]), pick(r, verbs), pick(r, objects))
		}
	}
	b.WriteString("## Rules of the world\n\nThe tide tables are never wrong. The radio is always on. Nobody says the name of the ship.\n")
	return []byte(b.String())
}

// mainHCL declares what the seasons share.
func (w *Workload) mainHCL() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# W(%d): a generated library of %d scenes in %d scripts (%d seasons).\n# Each season is declared in its own file, season_NNN.hcl.\n\n",
		w.opts.Scenes, w.opts.Scenes, len(w.scripts), w.Seasons())
	if w.opts.SQLDriver != "" {
		fmt.Fprintf(&b, "provider \"sql\" {\n  driver = %q\n  dsn    = %q\n}\n\n", w.opts.SQLDriver, w.opts.SQLDSN)
	}
	fmt.Fprintf(&b, "locals {\n  embedding_model = %q\n}\n\n", Model)
	fmt.Fprintf(&b, "series \"harbour\" {\n  title       = %q\n  description = \"A generated series for scriptsync's benchmarks.\"\n}\n\n", showTitle)
	b.WriteString("agent \"continuity\" {\n  source = \"agents/continuity.md\"\n}\n")
	return []byte(b.String())
}

// writeSeason writes season_NNN.hcl: the season's bible, and each of its
// scripts with the embeddings of its scenes.
func (w *Workload) writeSeason(season int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Season %d.\n\n", season)
	first := ""
	for _, s := range w.scripts {
		if s.season != season {
			continue
		}
		if first == "" {
			first = s.Key()
		}
		if w.removed[s.index] {
			continue
		}
		fmt.Fprintf(&b, `script %q {
  source  = %q
  series  = series.harbour
  season  = %d
  episode = %d
}

embedding %q {
  for_each   = script.%s.scenes
  scene      = each.value
  model      = local.embedding_model
  dimensions = %d
  source     = "vectors/s%03d/e%02d/${each.key}.npy"
  path       = "embeddings/%s/${each.key}.npy"
}

`, s.Key(), scriptSource(s), s.season, s.episode, s.Key(), s.Key(), Dimensions, s.season, s.episode, s.Key())
	}
	fmt.Fprintf(&b, "bible \"season_%03d\" {\n  source = %q\n  script = script.%s\n}\n", season, bibleSource(season), first)
	return w.write(fmt.Sprintf("season_%03d.hcl", season), []byte(b.String()))
}

const showTitle = "Harbour Lights"

const agentFile = "---\n" +
	"description: Flags continuity slips between scenes (props, wounds, weather) for the script supervisor.\n" +
	"version: 1.0\n" +
	"requires_llm: false\n" +
	"---\n\n" +
	"# Continuity\n\n" +
	"For each scene, list what a script supervisor would check against the\n" +
	"scene before it: props in hand, injuries, weather, time of day.\n\n" +
	"```json\n" +
	"{\n" +
	"  \"type\": \"object\",\n" +
	"  \"properties\": {\n" +
	"    \"checks\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}}\n" +
	"  },\n" +
	"  \"required\": [\"checks\"]\n" +
	"}\n" +
	"```\n"

var (
	characterNames = []string{"MARGOT", "TEODOR", "INES", "BRANKO", "ODILE", "KASIMIR", "ROSALIND", "YUSUF",
		"PETRA", "AMBROSE", "NKECHI", "LORCAN", "SIGRID", "DESMOND", "FAUSTINE", "HAKON", "WREN", "CORMAC",
		"ZOFIA", "BARNABY"}
	writerFirst = []string{"Ada", "Bruno", "Celia", "Dmitri", "Esme", "Felix", "Greta", "Hugo", "Iris", "Jonas"}
	writerLast  = []string{"Achterberg", "Bellweather", "Castellano", "Dunmore", "Eriksen", "Fairbairn", "Gallo", "Halloran"}
	locations   = []string{"HARBOUR OFFICE", "PILOT BOAT", "FISH MARKET", "CUSTOMS SHED", "LIGHTHOUSE GALLERY",
		"DRY DOCK", "HARBOURMASTER'S FLAT", "SEAMEN'S MISSION", "FERRY TERMINAL", "BREAKWATER", "NET LOFT",
		"RADIO ROOM", "CHANDLERY", "QUAYSIDE PUB", "COAST GUARD STATION", "SALT WAREHOUSE"}
	times   = []string{"NIGHT", "DAY", "DAWN", "DUSK", "LATER", "CONTINUOUS", "MOMENTS LATER"}
	verbs   = []string{"unlocks", "studies", "pockets", "drops", "wipes down", "hides", "weighs", "inspects", "rewinds", "signs for"}
	objects = []string{"the logbook", "a brass key", "the tide chart", "a wet envelope", "the radio handset",
		"a coil of rope", "the manifest", "a cracked lantern", "the harbour dues", "a child's shoe"}
	manners = []string{"without looking up", "twice", "as if it might bite", "with great care", "in one practised move",
		"while humming", "too quickly", "as the kettle boils"}
	subjects = []string{"Outside, the foghorn", "Somewhere below, an engine", "The gulls", "Rain on the window",
		"A ship's bell", "The strip light", "The tide", "A van in the yard"}
	happenings = []string{"starts and stops", "goes quiet all at once", "sounds closer than it should",
		"keeps a slow count", "rattles the glass", "gives up for the night", "answers nobody"}
	parentheticals = []string{"quietly", "not looking up", "beat", "to herself", "into the radio", "sharper", "laughing"}
	lines          = []string{
		"The tide doesn't wait for paperwork.", "Who signed for this?", "It was here an hour ago.",
		"Don't tell the harbourmaster.", "That boat should have been in by six.", "I counted them twice.",
		"You're dripping on the charts.", "Nobody comes in on a night like this.", "Then who's knocking?",
		"Check the manifest again.", "It's the wrong key.", "We close at midnight, like always.",
		"You heard it too.", "Say that again, slower.", "The radio's been quiet since Tuesday.",
		"I'm not paying the dues on a ghost.", "Put the kettle on.", "There's salt in everything.",
		"Leave the lantern.", "That's not my handwriting.", "Ask the pilot.", "We had a deal.",
		"It's only fog.", "Lock the shed behind you.",
	}
	arcs = []string{"a winter of missing cargo", "the year the ferry stopped running", "a strike at the dry dock",
		"the return of an old captain", "a storm that takes the breakwater"}
)
