package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"scriptsync/internal/parallel"
	"scriptsync/library"
)

// Fingerprint is everything outside the evaluator that the evaluation of
// a configuration read: its files, its variables' values, the environment
// variables env() read, the answers fileexists() and fileset() gave, and
// every other file it read (sources, vectors, bibles, agents). Evaluation
// is a function of these alone, so a configuration whose fingerprint
// matches an earlier one's evaluates to the same library: a plan can skip
// the evaluation when it also knows the backends still hold what that
// library wants (see engine's memo).
type Fingerprint struct {
	// Dir is the configuration directory: paths derived from it (a
	// script's file_path) change when it moves.
	Dir string `json:"dir"`
	// Config is Config.Digest: the configuration and variable files.
	Config string `json:"config"`
	// Blocks digest the text of each block a scope may reach, by address
	// (script.pilot), and Rest the rest of the configuration files: when
	// Config differs and Rest does not, the blocks whose digests differ
	// are what changed (see blocks.go).
	Blocks map[string]string `json:"blocks,omitempty"`
	Rest   string            `json:"rest,omitempty"`
	// Vars digest every variable's final value, by name.
	Vars map[string]string `json:"vars"`
	// Env digests the value of every environment variable env() read.
	Env map[string]string `json:"env,omitempty"`
	// Exists is fileexists()'s answer for every path it was asked about.
	Exists map[string]bool `json:"exists,omitempty"`
	// Filesets digests fileset()'s result for every directory and pattern
	// (joined by a NUL).
	Filesets map[string]string `json:"filesets,omitempty"`
	// Instances counts the instances of each block that has objects, by
	// the block's address (embedding.pilot): a scoped evaluation that
	// finds an instance of a changed block gone knows from it that it
	// knows every instance the block had (see Config.Scope).
	Instances map[string]int `json:"instances,omitempty"`
	// Displaced are the embedding blocks, by address, with an instance
	// that did not get the path ScriptRAG names its scene by because an
	// embedding evaluated before took it: deleting that one gives the
	// path back, to a block a scope may not reach (see Config.Scope).
	Displaced []string `json:"displaced,omitempty"`
	// Inputs are every other file read (Config.Inputs), sorted by path.
	Inputs []InputDigest `json:"-"`
	// Secret are the inputs whose path is sensitive
	// (Config.SecretInputs), sorted.
	Secret []string `json:"secret,omitempty"`
}

// InputDigest is one file a configuration read, and its SHA-256.
type InputDigest struct {
	Path string
	Sum  [sha256.Size]byte
	// Owner is the object instance that read the file as its source and
	// that alone (embedding.pilot["3"]), "" when an expression read it
	// (file(), fountain()) or more than one instance did.
	Owner string
}

// recorder collects what the evaluation reads from outside, for the
// Fingerprint; the functions run on many goroutines.
type recorder struct {
	mu       sync.Mutex
	env      map[string]string
	exists   map[string]bool
	filesets map[string]string
}

func (r *recorder) readEnv(name, value string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.env == nil {
		r.env = map[string]string{}
	}
	r.env[name] = digestString(value)
}

func (r *recorder) askedExists(path string, answer bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.exists == nil {
		r.exists = map[string]bool{}
	}
	r.exists[path] = answer
}

func (r *recorder) listed(dir, pattern string, matches []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.filesets == nil {
		r.filesets = map[string]string{}
	}
	r.filesets[dir+"\x00"+pattern] = digestString(strings.Join(matches, "\x00"))
}

func digestString(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// valueDigest digests a value with its type; marks are dropped, the
// digest of a secret is all that is kept.
func valueDigest(v cty.Value) string {
	v, _ = v.UnmarkDeep()
	ty, err := ctyjson.MarshalType(v.Type())
	if err != nil {
		return ""
	}
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return ""
	}
	return digestString(string(ty) + "\x00" + string(b))
}

// fingerprint is the Fingerprint of a configuration that loaded as lib,
// with displaced the blocks of Fingerprint.Displaced.
func (l *loader) fingerprint(lib *library.Library, displaced map[string]bool) *Fingerprint {
	if l.inputs.failed() {
		return nil
	}
	fp := &Fingerprint{Dir: l.dir, Config: l.configDigest(), Vars: l.varDigests(), Instances: instances(lib),
		Displaced: slices.Sorted(maps.Keys(displaced))}
	fp.Blocks, fp.Rest, _ = l.blockDigests()
	for path, hash := range l.inputs.digests() {
		d, ok := inputDigest(path, hash, l.inputs.owner(path))
		if !ok {
			return nil
		}
		fp.Inputs = append(fp.Inputs, d)
	}
	sort.Slice(fp.Inputs, func(i, j int) bool { return fp.Inputs[i].Path < fp.Inputs[j].Path })
	fp.Secret = secretInputs(fp.Inputs, l.inputs.secrets())
	r := &l.recorded
	r.mu.Lock()
	defer r.mu.Unlock()
	fp.Env, fp.Exists, fp.Filesets = r.env, r.exists, r.filesets
	return fp
}

// inputAt is the position of path in fp.Inputs, which are sorted by
// path, each once: fingerprint and fingerprintNow make them so, and
// UnmarshalBinary refuses others.
func (fp *Fingerprint) inputAt(path string) (int, bool) {
	return slices.BinarySearchFunc(fp.Inputs, path, func(in InputDigest, p string) int { return strings.Compare(in.Path, p) })
}

// secretInputs are the paths of inputs that secret holds, sorted.
func secretInputs(inputs []InputDigest, secret map[string]bool) []string {
	var out []string
	for _, in := range inputs {
		if secret[in.Path] {
			out = append(out, in.Path)
		}
	}
	return out
}

// inputDigest is the InputDigest of the file at path whose hex SHA-256
// is hash; false when hash is not one.
func inputDigest(path, hash, owner string) (InputDigest, bool) {
	d := InputDigest{Path: path, Owner: owner}
	n, err := hex.Decode(d.Sum[:], []byte(hash))
	return d, err == nil && n == sha256.Size
}

// instances counts the instances of each block in lib (Fingerprint.Instances).
func instances(lib *library.Library) map[string]int {
	out := map[string]int{}
	seen := map[string]bool{}
	lib.Each(func(m library.Meta) {
		if !seen[m.Resource] {
			seen[m.Resource] = true
			out[nodeOf(m.Resource)]++
		}
	})
	return out
}

func (l *loader) varDigests() map[string]string {
	out := make(map[string]string, len(l.vars))
	for name, v := range l.vars {
		out[name] = valueDigest(v)
	}
	return out
}

// maxDelta is the most changed inputs a plan evaluates only the reach of
// (see Config.Scope): past it, the whole configuration is evaluated.
const maxDelta = 64

// delta is what a fingerprint that did not hold says: it matched in
// everything but the digests of changed (positions in fp.Inputs).
type delta struct {
	fp      *Fingerprint
	changed []int
	// blocks are the addresses of the blocks added, removed or rewritten
	// (blocksDiffer), sorted.
	blocks []string
}

// compare reports whether the configuration as loaded so far (its files
// and variables) and everything outside it that fp records are still as
// fp records them. When only some inputs' digests differ (no more than
// maxDelta), it also returns which. It reads only what it must: the files
// whose stat the digest cache does not vouch for are hashed again, side
// by side.
func (l *loader) compare(fp *Fingerprint) (bool, *delta) {
	if fp == nil || fp.Dir != l.dir || !sameStrings(fp.Vars, l.varDigests()) {
		return false, nil
	}
	var blocks []string
	if fp.Config != l.configDigest() {
		var ok bool
		if blocks, ok = l.blocksDiffer(fp); !ok {
			return false, nil
		}
	}
	for name, d := range fp.Env {
		if digestString(l.opts.Getenv(name)) != d {
			return false, nil
		}
	}
	for path, answer := range fp.Exists {
		if now, ok := existsAnswer(l.inputs.abs(path)); !ok || now != answer {
			return false, nil
		}
	}
	for key, d := range fp.Filesets {
		dir, pattern, _ := strings.Cut(key, "\x00")
		matches, err := fileset(l.inputs.abs(dir), pattern)
		if err != nil || digestString(strings.Join(matches, "\x00")) != d {
			return false, nil
		}
	}
	changed, ok := l.inputsDiffer(fp.Inputs)
	switch {
	case !ok:
		return false, nil
	case len(changed) == 0 && len(blocks) == 0:
		// The configuration files may differ, in what HCL ignores.
		return true, nil
	}
	// The files whose path was sensitive stay out of messages (refuse).
	l.inputs.mask(fp.Secret...)
	return false, &delta{fp: fp, changed: changed, blocks: blocks}
}

func sameStrings(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// statRun is how many neighbouring inputs a worker of inputsDiffer takes
// at a time.
const statRun = 64

// inputsDiffer returns the positions of the files in want whose digest
// changed, sorted; false when more than maxDelta did, or a file cannot be
// read (it stops there). want is sorted by path, so that workers read
// neighbouring files (a directory at a time), as a checkout laid them out.
func (l *loader) inputsDiffer(want []InputDigest) ([]int, bool) {
	var (
		mu      sync.Mutex
		changed []int
		give    atomic.Bool
	)
	cache := l.inputs.cache
	workers := 2 * runtime.GOMAXPROCS(0) // reading waits on the disk as much as it hashes
	bufs := make([][]byte, workers)
	// Runs of neighbouring files, so that a worker stats a directory's
	// files through one handle (dirHandle).
	runs := (len(want) + statRun - 1) / statRun
	parallel.EachWorker(runs, workers, func(w, r int) {
		var dir dirHandle
		defer dir.close()
		at := -1 // where the digest cache found the last
		for i := r * statRun; i < min(len(want), (r+1)*statRun); i++ {
			if give.Load() {
				return
			}
			sum, err := l.currentDigest(cache, l.inputs.abs(want[i].Path), &dir, &at, &bufs[w])
			if err == nil && sum == want[i].Sum {
				continue
			}
			mu.Lock()
			changed = append(changed, i)
			// A file gone is a change (a scene's vector deleted with it); one
			// that cannot be read is the whole evaluation's to report.
			if (err != nil && !errors.Is(err, fs.ErrNotExist)) || len(changed) > maxDelta {
				give.Store(true)
			}
			mu.Unlock()
		}
	})
	if give.Load() {
		return nil, false
	}
	// Every entry the cache vouched for is still good, and those of the
	// changed files were replaced: keep them all for the next run without
	// touching each.
	cache.keepAll()
	sort.Ints(changed)
	return changed, true
}

// currentDigest is the SHA-256 of the file at abs: the digest cache's
// when it vouches for the file (dir stats it; at is for knownAfter),
// else read and hashed (and remembered).
func (l *loader) currentDigest(cache *digestCache, abs string, dir *dirHandle, at *int, buf *[]byte) ([sha256.Size]byte, error) {
	if e, ok := cache.knownAfter(abs, at); ok {
		if st, ok := dir.stat(abs); ok && st == e.stamp && e.trusted() {
			return e.sum, nil
		}
	}
	hashedAt := time.Now().UnixNano()
	data, stamp, err := readFileInto(abs, (*buf)[:0])
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	*buf = data
	sum := sha256.Sum256(data)
	if cache != nil && stamp != (fileStamp{}) {
		// dims -1: a digest only, which no vector read takes for a header.
		cache.store(abs, digestEntry{stamp: stamp, hashedAt: hashedAt, sum: sum, dims: -1})
	}
	return sum, nil
}

// recall lets Options.Recall try an earlier fingerprint and reports
// whether one held; the evaluation stops when it did. When it did not
// because some inputs changed, while the backends still hold what that
// fingerprint's apply left, l.delta says which: the evaluation is then
// of their reach only (see scope.go).
func (l *loader) recall() bool {
	if l.opts.Recall == nil || l.diags.HasErrors() {
		return false
	}
	if l.recallDone {
		// An evaluation started again (load): the answer stands.
		return l.recalled != nil
	}
	l.recallDone = true
	var (
		held  *Fingerprint
		found *delta
	)
	use, backends := l.opts.Recall(func(fp *Fingerprint) bool {
		ok, d := l.compare(fp)
		if ok {
			held = fp
		}
		found = d
		return ok
	})
	switch {
	case use && held != nil:
		l.recalled = held
	case backends && held != nil && l.opts.Scope:
		// An apply with nothing changed applies a change of nothing.
		l.delta = &delta{fp: held}
	case backends && found != nil && l.opts.Scope:
		l.delta = found
	default:
		if backends && held == nil {
			l.whole = "more than the contents of a few input files changed since the last apply"
		}
		if l.opts.Whole != nil {
			l.opts.Whole()
		}
	}
	return l.recalled != nil
}

// fingerprintMagic starts an encoded Fingerprint.
const fingerprintMagic = "scriptsync fingerprint 2\n"

// MarshalBinary encodes the fingerprint compactly: its small maps as JSON,
// then the inputs, each path as the length it shares with the previous
// one and the rest, followed by its raw digest and its owner, written the
// way the path is. A library's worth of
// inputs decodes in milliseconds, where JSON would take a good part of a
// plan.
func (fp *Fingerprint) MarshalBinary() ([]byte, error) {
	head, err := json.Marshal(fp)
	if err != nil {
		return nil, err
	}
	out := append([]byte(fingerprintMagic), binary.AppendUvarint(nil, uint64(len(head)))...)
	out = append(out, head...)
	out = binary.AppendUvarint(out, uint64(len(fp.Inputs)))
	prev, prevOwner := "", ""
	for _, in := range fp.Inputs {
		out = appendShared(out, prev, in.Path)
		out = append(out, in.Sum[:]...)
		out = appendShared(out, prevOwner, in.Owner)
		prev, prevOwner = in.Path, in.Owner
	}
	return out, nil
}

// appendShared appends s as the length of the prefix it shares with prev
// and the rest.
func appendShared(out []byte, prev, s string) []byte {
	shared := 0
	for shared < len(prev) && shared < len(s) && prev[shared] == s[shared] {
		shared++
	}
	out = binary.AppendUvarint(out, uint64(shared))
	out = binary.AppendUvarint(out, uint64(len(s)-shared))
	return append(out, s[shared:]...)
}

var errFingerprint = errors.New("config: damaged fingerprint")

// UnmarshalBinary decodes what MarshalBinary encoded.
func (fp *Fingerprint) UnmarshalBinary(data []byte) error {
	rest, ok := bytes.CutPrefix(data, []byte(fingerprintMagic))
	if !ok {
		return errFingerprint
	}
	next := func() (uint64, bool) {
		v, k := binary.Uvarint(rest)
		if k <= 0 {
			return 0, false
		}
		rest = rest[k:]
		return v, true
	}
	n, ok := next()
	if !ok || n > uint64(len(rest)) {
		return errFingerprint
	}
	*fp = Fingerprint{}
	if err := json.Unmarshal(rest[:n], fp); err != nil {
		return errFingerprint
	}
	rest = rest[n:]
	count, ok := next()
	if !ok || count > uint64(len(rest)) {
		return errFingerprint
	}
	fp.Inputs = make([]InputDigest, count)
	// shared reads what appendShared wrote.
	shared := func(prev string) (string, bool) {
		n, ok1 := next()
		tail, ok2 := next()
		if !ok1 || !ok2 || n > uint64(len(prev)) || tail > uint64(len(rest)) {
			return "", false
		}
		s := prev[:n] + string(rest[:tail])
		rest = rest[tail:]
		return s, true
	}
	prev, prevOwner := "", ""
	for i := range fp.Inputs {
		path, ok := shared(prev)
		if !ok || len(rest) < sha256.Size {
			return errFingerprint
		}
		copy(fp.Inputs[i].Sum[:], rest[:sha256.Size])
		rest = rest[sha256.Size:]
		owner, ok := shared(prevOwner)
		if !ok {
			return errFingerprint
		}
		if i > 0 && path <= prev {
			return errFingerprint // the inputs are sorted by path (inputAt)
		}
		fp.Inputs[i].Path, fp.Inputs[i].Owner = path, owner
		prev, prevOwner = path, owner
	}
	if len(rest) != 0 {
		return errFingerprint
	}
	return nil
}
