package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"scriptsync/internal/parallel"
	"scriptsync/library"
	"scriptsync/providers"
)

// VarFileName is the variable file read automatically when present.
const VarFileName = "scriptsync.vars.hcl"

// EnvVarPrefix prefixes environment variables that set input variables.
const EnvVarPrefix = "SCRIPTSYNC_VAR_"

// Options says where and how to load a configuration.
type Options struct {
	// Dir is the configuration directory.
	Dir string
	// Vars are the -var and -var-file arguments in command-line order.
	Vars []VarArg
	// Getenv reads the environment: env(), SCRIPTSYNC_VAR_<name> and
	// providers' credentials. nil reads nothing.
	Getenv func(string) string
	// OnProviders, when set, is called once during Load, as soon as the
	// provider blocks (and what they refer to) are evaluated without
	// error, with every registered provider's configuration as
	// Config.Providers will hold it: a caller can start on the backends
	// while the rest of the configuration is evaluated. Load waits for it
	// to return. It is not called when a provider block is in error.
	OnProviders func(map[string]*providers.Config)
	// CacheDir is where the digests of vector files are remembered
	// between runs (see digestCache); empty reads every file every time.
	CacheDir string
	// Recall, when set, is called once, right after OnProviders, with a
	// function that tells whether the fingerprint of an earlier evaluation
	// still holds: everything it records is as it was. When Recall returns
	// true and the last fingerprint it asked about held, Load evaluates
	// nothing more and returns a Config with Unchanged set, its Providers
	// and that Fingerprint, and no Library: the caller already knows what
	// the library would be. Its second result says whether the backends,
	// at least, still hold what the apply that recorded the fingerprint
	// left (its memo and every stamp held).
	Recall func(holds func(*Fingerprint) bool) (held, backends bool)
	// Scope lets Load, when Recall found that only some input files
	// changed while the backends hold what the recalled apply left,
	// evaluate only what those files reach: see Config.Scope.
	Scope bool
	// Whole, when set, is called when Recall did not hold and the whole
	// configuration is to be evaluated after all (a caller may then start
	// reading every backend).
	Whole func()
}

// VarArg is one -var NAME=VALUE (File empty) or -var-file=FILE argument.
// Plan files record them in this form.
type VarArg struct {
	File  string `json:"file,omitempty"`
	Name  string `json:"name,omitempty"`
	Value string `json:"value,omitempty"`
}

// Config is a loaded configuration.
type Config struct {
	// Dir is the absolute configuration directory.
	Dir string
	// Files holds every parsed file by the name diagnostics use.
	Files   map[string]*hcl.File
	Library *library.Library
	// Providers holds the configuration of every registered provider, from
	// its block or, without one, empty (the provider's defaults).
	Providers map[string]*providers.Config
	Variables []*Variable
	Outputs   []*Output
	// Digest is the hex SHA-256 of the configuration files (and variable
	// files) that were read, names included.
	Digest string
	// Inputs maps every other file the configuration read (sources,
	// file(), vectors), relative to Dir, to its hex SHA-256.
	Inputs map[string]string
	// SecretInputs are the inputs whose path came from a sensitive value:
	// a plan file names them by a digest of the path.
	SecretInputs map[string]bool
	// Moved are the moved blocks, in file order.
	Moved []Move
	// Removed are the removed blocks, in file order.
	Removed []Removed
	// Imports are the import blocks, in file order.
	Imports []Import
	// Fingerprint is what the evaluation read from outside the evaluator.
	Fingerprint *Fingerprint
	// Unchanged is set when Options.Recall's fingerprint still held and
	// the evaluation stopped early: Library, Outputs and Inputs are nil.
	Unchanged bool
	// Scope is set when Options.Scope applied: the Library holds only the
	// objects the changed input files reach and what they refer to, and
	// everything else is as the recalled apply left it. Fingerprint is
	// then nil: a memo records whole evaluations only.
	Scope *Scope
	// Whole says why a Load with Options.Scope, whose backends held,
	// evaluated the whole configuration after all; "" when it did not.
	Whole string
}

// Scope is the part of a configuration that an evaluation of only what
// changed covers.
type Scope struct {
	// Resources are the Meta.Resource of every object in the Library: the
	// plan's objects are those of these resources, in every backend.
	Resources map[string]bool
	// Changed are the input files whose digests changed, sorted.
	Changed []string
	// Blocks are the blocks added, removed or rewritten in the
	// configuration files, by address, sorted.
	Blocks []string
	// Unevaluated are the outputs the evaluation left out, sorted: none
	// of them refers to anything that changed, so their values are those
	// the recalled apply recorded.
	Unevaluated []string
	// Fingerprint is the recalled fingerprint with the changed inputs'
	// digests as they are now: the fingerprint of the whole configuration,
	// for the memo of an apply of the scope.
	Fingerprint *Fingerprint
}

// Empty reports whether nothing changed: the scope of an apply that
// applies a change of nothing.
func (s *Scope) Empty() bool { return len(s.Changed) == 0 && len(s.Blocks) == 0 }

// Variable is an input variable with its final value.
type Variable struct {
	Name        string
	Description string
	Sensitive   bool
	// Credential is set when a provider block reads the variable: its
	// value may hold a password, so plan files keep only its digest.
	Credential bool
	Value      cty.Value // unmarked
	Range      hcl.Range
}

// Output is an output value.
type Output struct {
	Name      string
	Sensitive bool
	Value     cty.Value // unmarked
	Range     hcl.Range
}

type loader struct {
	opts    Options
	dir     string
	files   map[string]*hcl.File
	digest  map[string][]byte // configuration file name → contents
	inputs  *inputs
	diags   hcl.Diagnostics
	decl    *declarations
	vars    map[string]cty.Value
	sources map[string]*varSource // where each variable's value came from
	// marked is set when a variable is sensitive: only then can a value
	// carry the sensitive mark, and only then is it worth looking for it
	// deep inside every value.
	marked bool
	// recorded is what the evaluation read from outside, for the
	// Fingerprint; recalled is the fingerprint Options.Recall gave, once
	// it was found to still hold.
	recorded recorder
	recalled *Fingerprint
	// delta is set when recall found that only some inputs changed since
	// an apply whose state the backends still hold; whole says why it
	// could not be used.
	delta *delta
	whole string
	// blocks and rest are Fingerprint.Blocks and Rest, once blockDigests
	// made them; blocksFailed when it could not.
	blocks       map[string]string
	rest         string
	blocksFailed bool
	// blockCache is set when Options.Recall is (see blockcache.go);
	// deferred holds the configuration files it let parseDir leave
	// unparsed, by name, with their blocks, until parseDeferred parses
	// them; onlyBlocks holds, for the cache's next run, every file that
	// holds blocks only, by the digest of its bytes.
	blockCache *blockCache
	deferred   map[string][]cachedBlock
	// deferredAddrs are the addresses of the deferred files' blocks: a
	// reference to one is not an error (the evaluation with the deferred
	// files left out goes no further than the providers).
	deferredAddrs map[string]bool
	// deferredFile names the deferred file of each of deferredAddrs.
	deferredFile map[string]string
	// partial, when set, are the deferred files an evaluation of what
	// changed stopped to have parsed (the files of the stubs its scope
	// reaches); when it stopped and partial is nil, load parses them
	// all. settled is set when it went on with files still deferred.
	partial    map[string]bool
	settled    bool
	onlyBlocks map[[sha256.Size]byte][]cachedBlock
	// announced and recallDone are set once Options.OnProviders and
	// Options.Recall were called: an evaluation that starts again, with
	// the deferred files parsed, calls neither again.
	announced, recallDone bool
}

// Load reads and evaluates the configuration in opts.Dir. On error the
// returned diagnostics say what is wrong and where; the Config is nil.
func Load(opts Options) (*Config, hcl.Diagnostics) {
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, hcl.Diagnostics{errorf("Invalid configuration directory", "%s", err)}
	}
	l := &loader{
		opts:   opts,
		dir:    dir,
		files:  map[string]*hcl.File{},
		digest: map[string][]byte{},
		inputs: newInputs(dir),
	}
	l.inputs.cache = openDigestCache(opts.CacheDir, dir)
	if opts.Recall != nil {
		l.blockCache = openBlockCache(opts.CacheDir, dir)
	}
	cfg := l.load()
	l.inputs.stop()
	l.inputs.cache.save()
	if !l.diags.HasErrors() {
		l.blockCache.save(l.onlyBlocks)
	}
	if l.delta != nil && (cfg == nil || cfg.Scope == nil) {
		// What changed could not be evaluated on its own (see scope.go):
		// evaluate everything, the backends already announced.
		if opts.Whole != nil {
			opts.Whole()
		}
		whole := opts
		whole.Recall, whole.OnProviders, whole.Scope, whole.Whole = nil, nil, false, nil
		cfg, diags := Load(whole)
		if cfg != nil {
			cfg.Whole = l.whole
			if cfg.Whole == "" {
				cfg.Whole = "the evaluation of what changed had diagnostics"
			}
		}
		return cfg, diags
	}
	if l.diags.HasErrors() {
		// Keep Files so the caller can render snippets.
		return &Config{Dir: dir, Files: l.shownFiles()}, l.shownDiags()
	}
	cfg.Files = l.shownFiles()
	if cfg.Scope == nil && cfg.Whole == "" {
		cfg.Whole = l.whole
	}
	return cfg, l.shownDiags()
}

// shownDiags are the diagnostics as a user sees them: without a Go
// stack, and with every input path that came from a sensitive value
// (source = "${var.secret}.fountain") masked, as plans mask the value.
func (l *loader) shownDiags() hcl.Diagnostics {
	diags := withoutStacks(l.diags)
	r := l.inputs.hider()
	if r == nil {
		return diags
	}
	for _, d := range diags {
		d.Summary, d.Detail = r.Replace(d.Summary), r.Replace(d.Detail)
	}
	return diags
}

// shownFiles are the files whose lines diagnostics may quote: not the
// variable files when a variable is sensitive, since a line of one may
// hold its value.
func (l *loader) shownFiles() map[string]*hcl.File {
	secret := false
	if l.decl != nil {
		for _, d := range l.decl.variables {
			secret = secret || d.sensitive
		}
	}
	if !secret {
		return l.files
	}
	out := make(map[string]*hcl.File, len(l.files))
	for name, f := range l.files {
		if !strings.HasSuffix(name, ".vars.hcl") {
			out[name] = f
		}
	}
	return out
}

func (l *loader) load() *Config {
	l.parseDir()
	if l.diags.HasErrors() {
		return nil
	}
	base := len(l.diags)
	var configFiles map[string]bool // what parseDir read, when it deferred some
	if l.deferred != nil {
		configFiles = make(map[string]bool, len(l.digest))
		for name := range l.digest {
			configFiles[name] = true
		}
	}
	ev := l.evaluate()
	for l.deferred != nil && l.recalled == nil && !l.settled {
		// Without the deferred files the evaluation went as far as the
		// memo's answer, which was no (or the files it had could not
		// tell), or as far as the scope of what changed: parse the files
		// it needs (all of them, unless it named some) and evaluate
		// again, without asking again.
		l.diags = l.diags[:base]
		// The variable files the evaluation read are its to read again,
		// not configuration for declare.
		for name := range l.digest {
			if !configFiles[name] {
				delete(l.files, name)
				delete(l.digest, name)
			}
		}
		want := l.partial
		l.partial = nil
		l.parseDeferred(want)
		if l.diags.HasErrors() {
			return nil
		}
		ev = l.evaluate()
	}
	if ev == nil {
		return nil
	}
	if l.recalled != nil {
		return &Config{
			Dir:         l.dir,
			Files:       l.files,
			Providers:   ev.providerConfigs(),
			Variables:   ev.variables(),
			Digest:      l.configDigest(),
			Moved:       l.decl.moved,
			Removed:     l.decl.removed,
			Imports:     l.decl.imports,
			Fingerprint: l.recalled,
			Unchanged:   true,
		}
	}
	lib := ev.assemble()
	if l.delta != nil {
		// A scoped evaluation is used only when it went cleanly: anything
		// to say is said by the whole configuration's.
		var sc *Scope
		if len(l.diags) == 0 {
			sc = ev.scope(lib)
		}
		if sc == nil {
			return nil
		}
		return &Config{
			Dir:       l.dir,
			Files:     l.files,
			Library:   lib,
			Providers: ev.providerConfigs(),
			Variables: ev.variables(),
			Outputs:   ev.outputs, // all but Scope.Unevaluated
			Digest:    l.configDigest(),
			Inputs:    l.inputs.digests(),
			Moved:     l.decl.moved,
			Removed:   l.decl.removed,
			Imports:   l.decl.imports,
			Scope:     sc,
		}
	}
	if l.diags.HasErrors() {
		return nil
	}
	l.diags = append(l.diags, checkImports(lib, l.decl.imports)...)
	if l.diags.HasErrors() {
		return nil
	}
	cfg := &Config{
		Dir:          l.dir,
		Files:        l.files,
		Library:      lib,
		Providers:    ev.providerConfigs(),
		Variables:    ev.variables(),
		Outputs:      ev.outputs,
		Digest:       l.configDigest(),
		Inputs:       l.inputs.digests(),
		SecretInputs: l.inputs.secrets(),
		Moved:        l.decl.moved,
		Removed:      l.decl.removed,
		Imports:      l.decl.imports,
	}
	cfg.Fingerprint = l.fingerprint(lib, ev.displaced)
	return cfg
}

// evaluate declares the parsed files' blocks, sets the variables and
// evaluates; nil when that had errors.
func (l *loader) evaluate() *evaluator {
	l.declare()
	if l.diags.HasErrors() {
		return nil
	}
	l.setVariables()
	if l.diags.HasErrors() {
		return nil
	}
	ev := newEvaluator(l)
	ev.run()
	if l.diags.HasErrors() {
		return nil
	}
	return ev
}

// parseDir parses every *.hcl file in the directory except variable files.
func (l *loader) parseDir() {
	entries, err := os.ReadDir(l.dir)
	if err != nil {
		l.diags = append(l.diags, errorf("Cannot read configuration directory", "%s", err))
		return
	}
	var names []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".hcl") || strings.HasSuffix(name, ".vars.hcl") {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	if len(names) == 0 {
		l.diags = append(l.diags, errorf("No configuration files",
			"%s contains no *.hcl files. scriptsync reads every *.hcl file of the working directory (see -chdir).", l.dir))
		return
	}
	// Files are independent until they are declared: read and parse them
	// side by side, then record them in name order.
	parsed := make([]parsedFile, len(names))
	parallel.Each(len(names), runtime.GOMAXPROCS(0), func(i int) {
		parsed[i] = l.readAndParseCached(names[i])
	})
	for _, p := range parsed {
		l.record(p)
	}
}

// readAndParseCached is readAndParse of a configuration file, which it
// leaves unparsed when the block cache knows its bytes hold blocks only.
func (l *loader) readAndParseCached(name string) parsedFile {
	if l.blockCache == nil {
		return l.readAndParse(name)
	}
	src, err := readFile(filepath.Join(l.dir, name))
	if err != nil {
		return parsedFile{name: name, diags: hcl.Diagnostics{errorf("Cannot read file", "%s", err)}}
	}
	sum := sha256.Sum256(src)
	if blocks, ok := l.blockCache.lookup(sum); ok {
		return parsedFile{name: name, src: src, read: true, sum: sum, deferred: true, blocks: blocks}
	}
	p := l.parse(name, src)
	if len(p.diags) == 0 && p.file != nil {
		p.sum = sum
		p.blocks, p.only = onlyBlocks(src, p.file)
	}
	return p
}

// parseDeferred parses the files parseDir deferred that are in want, or
// all of them when want is nil (the block cache's next run already has
// them: record keeps them in onlyBlocks).
func (l *loader) parseDeferred(want map[string]bool) {
	names := make([]string, 0, len(l.deferred))
	for name := range l.deferred {
		if want == nil || want[name] {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return
	}
	sort.Strings(names)
	parsed := make([]parsedFile, len(names))
	parallel.Each(len(names), runtime.GOMAXPROCS(0), func(i int) {
		parsed[i] = l.parse(names[i], l.digest[names[i]])
	})
	for _, name := range names {
		for _, b := range l.deferred[name] {
			delete(l.deferredAddrs, b.addr)
			delete(l.deferredFile, b.addr)
		}
		delete(l.deferred, name)
	}
	if len(l.deferred) == 0 {
		l.deferred, l.deferredAddrs, l.deferredFile = nil, nil, nil
	}
	l.blocks, l.rest, l.blocksFailed = nil, "", false
	for _, p := range parsed {
		l.record(p)
	}
}

// parse parses a file read.
func (l *loader) parse(name string, src []byte) parsedFile {
	if err := checkNesting(src); err != nil {
		return parsedFile{name: name, diags: hcl.Diagnostics{errorf("Configuration too deeply nested", "%s: %s", name, err)}}
	}
	f, diags := parseHCL(src, name)
	return parsedFile{name: name, src: src, file: f, diags: diags, read: true}
}

// parsedFile is one configuration file, read and parsed.
type parsedFile struct {
	name  string
	src   []byte
	file  *hcl.File
	diags hcl.Diagnostics
	read  bool // false when the file could not be read (diags say why)
	// With the block cache: deferred is set when the file was left
	// unparsed, and only when a parse found blocks only; sum (of src)
	// and blocks are then the file's.
	sum      [sha256.Size]byte
	deferred bool
	only     bool
	blocks   []cachedBlock
}

// parseFile parses one HCL file, named relative to the configuration
// directory (or as given when outside it).
func (l *loader) parseFile(name string) *hcl.File {
	p := l.readAndParse(name)
	l.record(p)
	return p.file
}

// readAndParse reads and parses one file; it changes nothing in l.
func (l *loader) readAndParse(name string) parsedFile {
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(l.dir, name)
	}
	src, err := readFile(path)
	if err != nil {
		return parsedFile{name: name, diags: hcl.Diagnostics{errorf("Cannot read file", "%s", err)}}
	}
	return l.parse(name, src)
}

// record adds a parsed file to the configuration.
func (l *loader) record(p parsedFile) {
	if p.read {
		l.digest[p.name] = p.src
		if p.deferred {
			if l.deferred == nil {
				l.deferred, l.deferredAddrs, l.deferredFile = map[string][]cachedBlock{}, map[string]bool{}, map[string]string{}
			}
			l.deferred[p.name] = p.blocks
			for _, b := range p.blocks {
				l.deferredAddrs[b.addr] = true
				l.deferredFile[b.addr] = p.name
			}
		} else {
			l.files[p.name] = p.file
		}
	}
	if p.deferred || p.only {
		if l.onlyBlocks == nil {
			l.onlyBlocks = map[[sha256.Size]byte][]cachedBlock{}
		}
		l.onlyBlocks[p.sum] = p.blocks
	}
	l.diags = append(l.diags, p.diags...)
}

func (l *loader) configDigest() string {
	names := make([]string, 0, len(l.digest))
	for n := range l.digest {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(l.digest[n]))
		h.Write(l.digest[n])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func errorf(summary, format string, args ...any) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: fmt.Sprintf(format, args...)}
}

func errorAt(rng hcl.Range, summary, format string, args ...any) *hcl.Diagnostic {
	r := rng
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: fmt.Sprintf(format, args...), Subject: &r}
}
