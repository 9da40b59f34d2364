package config

import (
	"crypto/sha256"
	"encoding/binary"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"scriptsync/providers"
	_ "scriptsync/providers/all"
)

// recallRun is one Load with Options.Recall, counting the callbacks.
type recallRun struct {
	cfg         *Config
	diags       hcl.Diagnostics
	announced   int
	recalled    int
	heldByHolds bool
}

// loadRecalling loads dir with a block cache in cache and a Recall that
// asks whether fp holds and answers answer (nil: what holds said), with
// backends held.
func loadRecalling(t *testing.T, dir, cache string, fp *Fingerprint, answer *bool, scope bool) recallRun {
	t.Helper()
	return loadRecallingWith(t, Options{Dir: dir, CacheDir: cache, Scope: scope}, fp, answer)
}

// loadRecallingWith is loadRecalling with more options (opts' Dir,
// CacheDir, Scope and Vars).
func loadRecallingWith(t *testing.T, opts Options, fp *Fingerprint, answer *bool) recallRun {
	t.Helper()
	var r recallRun
	opts.OnProviders = func(map[string]*providers.Config) { r.announced++ }
	opts.Recall = func(holds func(*Fingerprint) bool) (bool, bool) {
		r.recalled++
		if fp == nil {
			return false, false
		}
		r.heldByHolds = holds(fp)
		if answer != nil {
			return *answer, true
		}
		return r.heldByHolds, true
	}
	r.cfg, r.diags = Load(opts)
	if r.diags.HasErrors() {
		t.Fatalf("Load: %s", r.diags.Error())
	}
	return r
}

const seasonOne = `# Season 1.

script "one" {
  source  = "one.fountain"
  series  = series.s
  episode = 1
}
`

const seasonTwo = `script "two" {
  source  = "two.fountain"
  series  = series.s
  episode = 2
}

character "kim" {
  script = script.two
  name   = "KIM"
}
`

func blockCacheLibrary(t *testing.T, main string) string {
	return writeFiles(t, map[string]string{
		"one.fountain":        pilot,
		"two.fountain":        pilot,
		"main.hcl":            main,
		"season_one.hcl":      seasonOne,
		"season_two.hcl":      seasonTwo,
		"not_blocks.hcl":      "locals {\n  model = \"m\"\n}\n",
		"scriptsync.vars.hcl": "",
	})
}

const blockCacheMain = `
series "s" {
  title = "S"
}
provider "git" {
  branch = local.branch
}
locals {
  branch = "main"
}
output "episodes" {
  value = [for s in [script.one, script.two] : s.title]
}
`

func TestBlockCacheDefersFilesOfBlocksOnly(t *testing.T) {
	dir := blockCacheLibrary(t, blockCacheMain)
	cache := t.TempDir()

	// The first load parses everything and remembers the files of blocks
	// only.
	first := loadRecalling(t, dir, cache, nil, nil, false)
	if first.cfg.Unchanged || first.cfg.Fingerprint == nil || len(first.cfg.Library.Scripts) != 2 {
		t.Fatalf("first load: unchanged %v, fingerprint %v, %d scripts", first.cfg.Unchanged, first.cfg.Fingerprint != nil, len(first.cfg.Library.Scripts))
	}
	fp := first.cfg.Fingerprint
	bc := openBlockCache(cache, dir)
	if len(bc.old) != 2 {
		t.Fatalf("block cache holds %d files, want the two seasons'", len(bc.old))
	}

	// The memo holds: the seasons are never parsed, and the answer is the
	// full evaluation's.
	held := loadRecalling(t, dir, cache, fp, nil, false)
	if !held.heldByHolds || !held.cfg.Unchanged {
		t.Fatalf("unchanged library: holds %v, Unchanged %v", held.heldByHolds, held.cfg.Unchanged)
	}
	if held.announced != 1 || held.recalled != 1 {
		t.Fatalf("OnProviders called %d times, Recall %d; want 1 and 1", held.announced, held.recalled)
	}
	if _, ok := held.cfg.Files["season_one.hcl"]; ok {
		t.Fatalf("season_one.hcl was parsed though the block cache knew it: %v", slices.Sorted(maps.Keys(held.cfg.Files)))
	}
	if _, ok := held.cfg.Files["main.hcl"]; !ok {
		t.Fatal("main.hcl was not parsed")
	}
	if held.cfg.Digest != first.cfg.Digest {
		t.Fatalf("configuration digest %s, want %s", held.cfg.Digest, first.cfg.Digest)
	}
	if held.cfg.Providers["git"].Attrs["branch"].AsString() != "main" {
		t.Fatalf("git branch %#v", held.cfg.Providers["git"].Attrs["branch"])
	}

	// The memo does not hold (say the backends moved): the rest is parsed
	// and the whole configuration evaluated, with one announcement and one
	// question.
	no := false
	full := loadRecalling(t, dir, cache, fp, &no, false)
	if full.cfg.Unchanged || full.announced != 1 || full.recalled != 1 {
		t.Fatalf("memo refused: Unchanged %v, OnProviders %d, Recall %d", full.cfg.Unchanged, full.announced, full.recalled)
	}
	if len(full.cfg.Library.Scripts) != 2 || len(full.cfg.Files) != len(first.cfg.Files) {
		t.Fatalf("memo refused: %d scripts, %d files; want 2 and %d", len(full.cfg.Library.Scripts), len(full.cfg.Files), len(first.cfg.Files))
	}
	if got, want := full.cfg.Fingerprint.Blocks, fp.Blocks; !maps.Equal(got, want) || full.cfg.Fingerprint.Rest != fp.Rest {
		t.Fatalf("memo refused: fingerprint blocks %v rest %s, want %v %s", got, full.cfg.Fingerprint.Rest, want, fp.Rest)
	}

	// A block rewritten in one season: that file is parsed, the other is
	// deferred while the fingerprint is compared, and the change is the
	// block's.
	path := filepath.Join(dir, "season_two.hcl")
	if err := os.WriteFile(path, []byte(strings.Replace(seasonTwo, "episode = 2", "episode = 3", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	scoped := loadRecalling(t, dir, cache, fp, nil, true)
	if scoped.heldByHolds || scoped.cfg.Scope == nil {
		t.Fatalf("rewritten block: holds %v, scope %v, whole %q", scoped.heldByHolds, scoped.cfg.Scope != nil, scoped.cfg.Whole)
	}
	if !slices.Equal(scoped.cfg.Scope.Blocks, []string{"script.two"}) {
		t.Fatalf("rewritten block: scope blocks %v, want [script.two]", scoped.cfg.Scope.Blocks)
	}
	if scoped.announced != 1 || scoped.recalled != 1 {
		t.Fatalf("rewritten block: OnProviders %d, Recall %d", scoped.announced, scoped.recalled)
	}
	// The output names both scripts: evaluating it needs season_one.hcl
	// too (TestStubsGiveTheScopeOfEveryFileParsed has files left
	// unparsed).
	if scoped.cfg.Files["season_one.hcl"] == nil || scoped.cfg.Files["season_two.hcl"] == nil {
		t.Fatalf("rewritten block: parsed %v, want both seasons", slices.Sorted(maps.Keys(scoped.cfg.Files)))
	}
	bc = openBlockCache(cache, dir)
	if len(bc.old) != 2 {
		t.Fatalf("after the rewrite the block cache holds %d files, want 2 (the new season_two.hcl replaces the old)", len(bc.old))
	}
}

// A provider that refers to a deferred block cannot be evaluated without
// it: the evaluation parses everything and still gives the memo's answer.
func TestBlockCacheProviderNeedsDeferredBlock(t *testing.T) {
	main := strings.Replace(blockCacheMain, "branch = local.branch", "branch = script.one.title == \"\" ? \"main\" : \"main\"", 1)
	dir := blockCacheLibrary(t, main)
	cache := t.TempDir()
	fp := loadRecalling(t, dir, cache, nil, nil, false).cfg.Fingerprint
	held := loadRecalling(t, dir, cache, fp, nil, false)
	if !held.cfg.Unchanged || held.announced != 1 || held.recalled != 1 {
		t.Fatalf("Unchanged %v, OnProviders %d, Recall %d", held.cfg.Unchanged, held.announced, held.recalled)
	}
	if _, ok := held.cfg.Files["season_one.hcl"]; !ok {
		t.Fatal("season_one.hcl, which the git provider refers to, was not parsed")
	}
}

// A mistake in the configuration is reported as without the cache, even
// when the file it concerns was deferred.
func TestBlockCacheReportsErrorsOfDeferredFiles(t *testing.T) {
	dir := blockCacheLibrary(t, blockCacheMain)
	cache := t.TempDir()
	fp := loadRecalling(t, dir, cache, nil, nil, false).cfg.Fingerprint
	// main.hcl now declares script.two too: season_two.hcl is unchanged
	// (deferred), and the duplicate is between the two.
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(blockCacheMain+seasonTwo[:strings.Index(seasonTwo, "character")]), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := Load(Options{Dir: dir, CacheDir: cache, OnProviders: func(map[string]*providers.Config) {},
		Recall: func(holds func(*Fingerprint) bool) (bool, bool) { return holds(fp), true }})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "script") || !strings.Contains(diags.Error(), "two") {
		t.Fatalf("duplicate script.two: diagnostics %v", diags)
	}
	if cfg == nil || cfg.Files["season_two.hcl"] == nil {
		t.Fatal("the diagnostics' files lack season_two.hcl")
	}
}

func TestOnlyBlocks(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []string // block addresses; nil: not blocks only
	}{
		{seasonOne, []string{"script.one"}},
		{seasonTwo, []string{"script.two", "character.kim"}},
		{"# nothing but a comment\n", []string{}},
		{"locals {\n  a = 1\n}\n", nil},
		{"x = 1\n", nil},
		{"provider \"git\" {\n}\n", nil},
		{"series \"s\" {\n}\n", nil},
		{"script \"a\" {\n}\nscript \"a\" {\n}\n", nil},
		{"moved {\n  from = script.a\n  to = script.b\n}\n", nil},
	} {
		f, diags := parseHCL([]byte(tc.src), "t.hcl")
		if diags.HasErrors() {
			t.Fatalf("%q: %s", tc.src, diags.Error())
		}
		blocks, ok := onlyBlocks([]byte(tc.src), f)
		if ok != (tc.want != nil) {
			t.Errorf("%q: blocks only %v, want %v", tc.src, ok, tc.want != nil)
			continue
		}
		var addrs []string
		for _, b := range blocks {
			addrs = append(addrs, b.addr)
			if len(b.digest) != 64 {
				t.Errorf("%q: digest %q", tc.src, b.digest)
			}
		}
		if ok && !slices.Equal(addrs, tc.want) && !(len(addrs) == 0 && len(tc.want) == 0) {
			t.Errorf("%q: blocks %v, want %v", tc.src, addrs, tc.want)
		}
	}
	// What a stub needs of each block: its references, for_each, script.
	src := seasonTwo + `
embedding "e" {
  for_each = script.two.scenes
  scene    = each.value
  model    = var.model == "" ? local.model : var.model
  source   = "v/${each.key}.npy"
}
`
	f, diags := parseHCL([]byte(src), "t.hcl")
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	blocks, ok := onlyBlocks([]byte(src), f)
	if !ok || len(blocks) != 3 {
		t.Fatalf("blocks %v, %v", blocks, ok)
	}
	for i, want := range []cachedBlock{
		{addr: "script.two", refs: []string{"series.s"}},
		{addr: "character.kim", script: true, refs: []string{"script.two"}},
		{addr: "embedding.e", forEach: true, refs: []string{"local.model", "script.two", "var.model"}},
	} {
		want.digest = blocks[i].digest
		if !blocks[i].equal(want) {
			t.Errorf("block %d: %+v, want %+v", i, blocks[i], want)
		}
	}
}

func TestBlockCacheFile(t *testing.T) {
	dir := t.TempDir()
	c := openBlockCache(dir, "/some/config")
	entries := map[[32]byte][]cachedBlock{
		{1}: {{addr: "script.a", digest: strings.Repeat("ab", 32), script: true, refs: []string{"series.s", "var.x"}},
			{addr: "embedding.a", digest: strings.Repeat("01", 32), forEach: true, refs: []string{"local.model", "script.a"}}},
		{2}: {},
	}
	c.save(entries)
	again := openBlockCache(dir, "/some/config")
	if !sameBlockEntries(again.old, entries) {
		t.Fatalf("read back %v, want %v", again.old, entries)
	}
	if got := openBlockCache(dir, "/other/config"); len(got.old) != 0 {
		t.Fatalf("another directory's cache holds %v", got.old)
	}
	// A damaged file (cut short anywhere, or foreign) reads as empty.
	data, err := os.ReadFile(c.path)
	if err != nil {
		t.Fatal(err)
	}
	for n := len(blockCacheMagic) + 1; n < len(data); n++ {
		if got, err := parseBlockCache(data[:n]); err == nil && sameBlockEntries(got, entries) {
			t.Fatalf("cut at %d of %d: read as whole", n, len(data))
		}
	}
	if got, err := parseBlockCache([]byte("something else\n")); err == nil || got != nil {
		t.Fatalf("foreign file: %v, %v", got, err)
	}
	if c := openBlockCache("", "/some/config"); c != nil {
		t.Fatal("no cache directory, yet a cache")
	}
}

// The variable files are read by the evaluation (setVariables), not
// parsed with the configuration: an evaluation started again, with the
// deferred files parsed, must not declare them as configuration.
func TestBlockCacheVariableFilesOnReevaluation(t *testing.T) {
	main := blockCacheMain + "variable \"season\" {\n  type    = number\n  default = 0\n}\nvariable \"extra\" {\n  default = \"\"\n}\n"
	dir := blockCacheLibrary(t, main)
	if err := os.WriteFile(filepath.Join(dir, "scriptsync.vars.hcl"), []byte("season = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "more.vars.hcl"), []byte("extra = \"x\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	opts := Options{Dir: dir, CacheDir: cache, Vars: []VarArg{{File: "more.vars.hcl"}}}
	no := false
	load := func(fp *Fingerprint) recallRun { t.Helper(); return loadRecallingWith(t, opts, fp, &no) }
	first := load(nil)
	if len(openBlockCache(cache, dir).old) != 2 {
		t.Fatal("the seasons are not in the block cache")
	}
	// The memo does not hold (the backends moved, say): the deferred files
	// are parsed and everything is evaluated again, as without the cache.
	full := load(first.cfg.Fingerprint)
	if full.cfg.Unchanged || len(full.cfg.Library.Scripts) != 2 {
		t.Fatalf("Unchanged %v, %d scripts", full.cfg.Unchanged, len(full.cfg.Library.Scripts))
	}
	if full.cfg.Fingerprint == nil || full.cfg.Fingerprint.Config != first.cfg.Fingerprint.Config {
		t.Fatalf("fingerprint %+v, want %+v", full.cfg.Fingerprint, first.cfg.Fingerprint)
	}
}

// A damaged or hostile cache file cannot make parseBlockCache allocate
// much more than its size: a count of blocks is bounded by the bytes that
// could hold them.
func TestParseBlockCacheBoundsCounts(t *testing.T) {
	const size = 1 << 20
	data := []byte(blockCacheMagic)
	data = append(data, make([]byte, sha256.Size)...)
	data = binary.AppendUvarint(data, size)
	data = append(data, make([]byte, size)...) // zero-length addresses, cut short
	sum := sha256.Sum256(data)                 // a file that is whole, as far as its checksum says
	data = append(data, sum[:]...)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, err := parseBlockCache(data); err == nil {
		t.Fatal("a cache cut short read as whole")
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 4*size {
		t.Fatalf("parsing %d bytes allocated %d", len(data), got)
	}
}

// A block cache damaged in a way its layout cannot tell (a digest's byte
// changed) reads as empty: the memo's answer is the one without the cache.
func TestBlockCacheDamagedDigest(t *testing.T) {
	dir := blockCacheLibrary(t, blockCacheMain)
	cache := t.TempDir()
	fp := loadRecalling(t, dir, cache, nil, nil, false).cfg.Fingerprint
	// A comment changes the configuration's digest, not its blocks: the
	// memo holds by their digests.
	f, err := os.OpenFile(filepath.Join(dir, "main.hcl"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("# a comment\n")
	f.Close()
	path := openBlockCache(cache, dir).path
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	at := strings.Index(string(data), "script.one")
	if at < 0 {
		t.Fatal("script.one is not in the cache")
	}
	data[at+len("script.one")+3] ^= 0x40 // a byte of its digest
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	r := loadRecalling(t, dir, cache, fp, nil, true)
	if !r.heldByHolds || !r.cfg.Unchanged {
		t.Fatalf("damaged cache: holds %v, Unchanged %v, scope %+v", r.heldByHolds, r.cfg.Unchanged, r.cfg.Scope)
	}
}

// A cache written by a build that defers other block types is foreign.
func TestBlockCacheNamesItsBlockTypes(t *testing.T) {
	sealed := func(body string) []byte {
		sum := sha256.Sum256([]byte(body))
		return append([]byte(body), sum[:]...)
	}
	if got, err := parseBlockCache(sealed(blockCacheMagic)); err != nil || len(got) != 0 {
		t.Fatalf("an empty cache of this build: %v, %v", got, err)
	}
	if !strings.Contains(blockCacheMagic, "embedding,") || !strings.Contains(blockCacheMagic, "script") {
		t.Fatalf("the header %q does not name the block types", blockCacheMagic)
	}
	if got, err := parseBlockCache(sealed("scriptsync block cache 2 script\n")); err == nil {
		t.Fatalf("another build's cache (script blocks only) read as %v", got)
	}
}
