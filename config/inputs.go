package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// inputs reads the files a configuration names (sources, file(), vectors)
// and remembers the digest of each, for saved plans' staleness check. A file
// is read once however often it is named.
type inputs struct {
	dir   string
	mu    sync.Mutex
	files map[string]*inputFile
	busy  map[string]chan struct{} // files prefetchAhead is reading, closed when read
	pool  prefetchPool
	// cache remembers the vectors' digests and headers between runs; nil
	// without Options.CacheDir.
	cache *digestCache
	// owners says which object instance read each file as its source (see
	// claim): "" for a file read otherwise, or by more than one.
	owners map[string]string
	// secret are the files whose path is sensitive: a plan file names
	// them by digest only (see claim).
	secret map[string]bool
	// masked are other paths that came from a sensitive value: a path
	// fileexists() was asked about, a secret input of the last apply's
	// fingerprint. Messages name none of them, nor a secret one (hide).
	masked map[string]bool
}

type inputFile struct {
	data []byte // nil when not kept (filesha256: the hash is all it needs)
	hash string
	size int64
	err  error
	// prepared is what prefetch's prepare made of data (a parsed
	// screenplay, a vector's header), nil when it did not run.
	prepared any
}

func newInputs(dir string) *inputs {
	return &inputs{dir: dir, files: map[string]*inputFile{}, busy: map[string]chan struct{}{}}
}

// abs resolves a configuration-relative path.
func (in *inputs) abs(rel string) string {
	if filepath.IsAbs(rel) {
		return filepath.Clean(rel)
	}
	return filepath.Join(in.dir, rel)
}

// read returns a file's contents and hex SHA-256.
func (in *inputs) read(rel string) ([]byte, string, error) {
	f := in.load(rel, true)
	return f.data, f.hash, f.err
}

// load reads a file once, remembering its digest and size, and its
// contents when keep (a later load that keeps reads it again).
func (in *inputs) load(rel string, keep bool) *inputFile {
	in.mu.Lock()
	defer in.mu.Unlock()
	if f, ok := in.files[rel]; ok && (f.data != nil || f.err != nil || !keep) {
		return f
	}
	f := &inputFile{}
	data, err := readFile(in.abs(rel))
	if err != nil {
		f.err = readError(rel, err)
	} else {
		sum := sha256.Sum256(data)
		f.hash = hex.EncodeToString(sum[:])
		f.size = int64(len(data))
		if keep {
			f.data = data
		}
	}
	in.files[rel] = f
	return f
}

// vector returns the digest, size and header of an .npy vector without
// keeping its contents: a plan needs only its digest, and an apply reads
// the vectors it writes again, checking them against the digest.
func (in *inputs) vector(rel string) (string, int64, vectorHeader, error) {
	in.mu.Lock()
	f, ok := in.files[rel]
	if ok && f.err == nil {
		if h, ok := f.prepared.(vectorHeader); ok {
			f.prepared = nil
			in.mu.Unlock()
			return f.hash, f.size, h, nil
		}
		if f.data != nil {
			in.mu.Unlock()
			return f.hash, f.size, inspect(f.data), nil
		}
	}
	in.mu.Unlock()
	data, err := readFile(in.abs(rel))
	if err != nil {
		return "", 0, vectorHeader{}, readError(rel, err)
	}
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	in.mu.Lock()
	if _, ok := in.files[rel]; !ok {
		in.files[rel] = &inputFile{hash: hash, size: int64(len(data))}
	}
	in.mu.Unlock()
	return hash, int64(len(data)), inspect(data), nil
}

// takePrepared is read, plus what prefetch's prepare made of the file,
// or nil when the file was not prefetched or it was taken before: the
// caller owns it, and the cache lets go of it.
func (in *inputs) takePrepared(rel string) ([]byte, string, any, error) {
	defer in.tookOne()
	// A file prefetchAhead is reading is waited for, not read twice.
	in.mu.Lock()
	busy := in.busy[rel]
	in.mu.Unlock()
	if busy != nil {
		<-busy
	}
	f := in.load(rel, true)
	in.mu.Lock()
	prepared := f.prepared
	f.prepared = nil
	in.mu.Unlock()
	return f.data, f.hash, prepared, f.err
}

// tookOne counts a file taken, for prefetchAhead.
func (in *inputs) tookOne() {
	p := &in.pool
	p.taken.Add(1)
	select {
	case p.took <- struct{}{}:
	default:
	}
}

// prefetchWorkers bounds the files read side by side: the work is opening
// and reading small files (system calls) and parsing them, which a few
// goroutines per core overlap best.
var prefetchWorkers = max(4, 2*runtime.GOMAXPROCS(0))

// The evaluation must build one object at a time to stay deterministic,
// but reading and parsing the files that objects name needs no order. A
// pool of workers does that ahead (prefetch): read and takePrepared then
// find the files read and parsed. A file that cannot be read is left for
// read to report in its place.

// prefetchJob is one file to read ahead.
type prefetchJob struct {
	rel     string
	prepare func([]byte) any
	keep    bool            // keep the contents, not only the digest and prepare's result
	done    *sync.WaitGroup // told when the job is done, by the worker that did it
}

// prefetchPool is the workers, started on first use and stopped by stop.
type prefetchPool struct {
	once sync.Once
	// urgent jobs are files the evaluation waits for now; background
	// jobs, files it will need later. Workers take urgent ones first.
	urgent, background chan prefetchJob
	quit               chan struct{}
	workers            sync.WaitGroup
	// taken counts takePrepared's calls, and took tells prefetchAhead of
	// one.
	taken atomic.Int64
	took  chan struct{}
}

// prefetch reads (and prepares) the files and returns when they are done.
// keep says whether their contents are kept (read) or only their digest
// and what prepare made of them (vector).
func (in *inputs) prefetch(rels []string, prepare func([]byte) any, keep bool) {
	in.prefetchAsync(rels, prepare, keep, true).Wait()
}

// startPool starts the workers, once.
func (in *inputs) startPool() *prefetchPool {
	p := &in.pool
	p.once.Do(func() {
		p.urgent, p.background, p.quit = make(chan prefetchJob), make(chan prefetchJob), make(chan struct{})
		p.took = make(chan struct{}, 1)
		for range prefetchWorkers {
			p.workers.Add(1)
			go in.worker()
		}
	})
	return p
}

// aheadWindow is how many files prefetchAhead reads beyond those taken.
const aheadWindow = 32

// prefetchAhead reads and prepares files in the background, keeping their
// contents, one after the other in the order given and at most
// aheadWindow beyond the number takePrepared has handed out: the
// evaluation takes them in that order, and what prepare makes of one (a
// parsed screenplay) can be several times its size. It has a goroutine of
// its own: the workers serve the evaluation's urgent reads first, and
// would leave these behind.
func (in *inputs) prefetchAhead(rels []string, prepare func([]byte) any) {
	if len(rels) == 0 {
		return
	}
	p := in.startPool()
	if p.quit == nil {
		return // stopped before it started
	}
	p.workers.Add(1)
	go func() {
		defer p.workers.Done()
		var buf []byte
		for i, rel := range rels {
			for int64(i) >= p.taken.Load()+aheadWindow {
				select {
				case <-p.took:
				case <-p.quit:
					return
				}
			}
			select {
			case <-p.quit:
				return
			default:
			}
			in.mu.Lock()
			if f, ok := in.files[rel]; ok && f.data != nil {
				in.mu.Unlock()
				continue
			}
			busy := make(chan struct{})
			in.busy[rel] = busy
			in.mu.Unlock()
			buf = in.fetch(prefetchJob{rel: rel, prepare: prepare, keep: true}, buf)
			in.mu.Lock()
			delete(in.busy, rel)
			in.mu.Unlock()
			close(busy)
		}
	}()
}

// prefetchAsync queues the files to read (and prepare) and returns at
// once; the WaitGroup is done when they are. urgent files go before the
// background ones already queued.
func (in *inputs) prefetchAsync(rels []string, prepare func([]byte) any, keep, urgent bool) *sync.WaitGroup {
	var done sync.WaitGroup
	todo := make([]string, 0, len(rels))
	in.mu.Lock()
	for _, rel := range rels {
		if f, ok := in.files[rel]; !ok || (keep && f.data == nil) {
			todo = append(todo, rel)
		}
	}
	in.mu.Unlock()
	if len(todo) == 0 {
		return &done
	}
	p := in.startPool()
	done.Add(len(todo))
	send := func(ch chan prefetchJob) {
		for _, rel := range todo {
			select {
			case ch <- prefetchJob{rel, prepare, keep, &done}:
			case <-p.quit:
				return
			}
		}
	}
	if urgent {
		send(p.urgent)
	} else {
		go send(p.background)
	}
	return &done
}

func (in *inputs) worker() {
	p := &in.pool
	defer p.workers.Done()
	var buf []byte // for the files whose contents are not kept
	for {
		var j prefetchJob
		select {
		case j = <-p.urgent:
		default:
			select {
			case j = <-p.urgent:
			case j = <-p.background:
			case <-p.quit:
				return
			}
		}
		buf = in.fetch(j, buf)
		j.done.Done()
	}
}

// fetch reads one file, into buf when its contents are not kept, and
// returns buf for the next one.
//
// A file whose contents are not kept is a vector: the digest cache may
// know its digest and header, and learns them when it does not.
func (in *inputs) fetch(j prefetchJob, buf []byte) []byte {
	abs := in.abs(j.rel)
	cache := in.cache
	if j.keep {
		cache = nil
	}
	if e, ok := cache.known(abs); ok && e.dims >= 0 {
		if st, ok := statFile(abs); ok && st == e.stamp && e.trusted() {
			cache.use(abs, e)
			in.put(j.rel, &inputFile{hash: hex.EncodeToString(e.sum[:]), size: st.size,
				prepared: vectorHeader{dims: int(e.dims), offset: e.offset}}, false)
			return buf
		}
	}
	hashedAt := time.Now().UnixNano()
	var data []byte
	var stamp fileStamp
	var err error
	if j.keep {
		data, err = readFile(abs)
	} else {
		data, stamp, err = readFileInto(abs, buf[:0])
		buf = data
	}
	if err != nil {
		return buf
	}
	sum := sha256.Sum256(data)
	f := &inputFile{hash: hex.EncodeToString(sum[:]), size: int64(len(data))}
	if j.keep {
		f.data = data
	}
	if j.prepare != nil {
		f.prepared = j.prepare(data)
	}
	if h, ok := f.prepared.(vectorHeader); ok && h.err == nil && cache != nil && stamp != (fileStamp{}) {
		cache.store(abs, digestEntry{stamp: stamp, hashedAt: hashedAt, sum: sum, dims: int64(h.dims), offset: h.offset})
	}
	in.put(j.rel, f, j.keep)
	return buf
}

// put records what fetch found, unless a read that kept more came first.
func (in *inputs) put(rel string, f *inputFile, keep bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if old, ok := in.files[rel]; !ok || (keep && old.data == nil) {
		in.files[rel] = f
	}
}

// stop stops the prefetch workers, abandoning what is still queued.
func (in *inputs) stop() {
	p := &in.pool
	p.once.Do(func() {}) // never start them after this
	if p.quit != nil {
		close(p.quit)
		p.workers.Wait()
	}
}

// exists reports whether a regular file exists, recording nothing: a
// fileexists() answer that changes shows up in what the configuration then
// reads.
func (in *inputs) exists(rel string) bool {
	st, err := os.Stat(in.abs(rel))
	return err == nil && st.Mode().IsRegular()
}

// failed reports whether a read failed (try() or can() may have hidden
// it): the evaluation then depends on a file the fingerprint cannot record.
func (in *inputs) failed() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, f := range in.files {
		if f.err != nil {
			return true
		}
	}
	return false
}

// claim records that the instance resource (embedding.pilot["3"]) read
// rel as its source; resource "" is a read by a function (file(),
// fountain()), which any expression may make. A file with one owner
// changes only what that instance derives (see Config.Scope); a file
// with none, or several, may change anything. secret says that the path
// came from a sensitive value (source = "${var.secret}.fountain").
func (in *inputs) claim(rel, resource string, secret bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.owners == nil {
		in.owners = map[string]string{}
	}
	if secret {
		if in.secret == nil {
			in.secret = map[string]bool{}
		}
		in.secret[filepath.ToSlash(rel)] = true
	}
	if prev, ok := in.owners[rel]; ok && prev != resource {
		resource = ""
	}
	in.owners[rel] = resource
}

// owner returns the one instance that read rel as its source, or "".
func (in *inputs) owner(rel string) string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.owners[rel]
}

// secrets returns the paths claim was told are sensitive.
func (in *inputs) secrets() map[string]bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return maps.Clone(in.secret)
}

// mask records paths that came from a sensitive value, for hide.
func (in *inputs) mask(paths ...string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, p := range paths {
		if in.masked == nil {
			in.masked = map[string]bool{}
		}
		in.masked[filepath.ToSlash(p)] = true
	}
}

// hider replaces, in a message, every path that came from a sensitive
// value (secret or masked), relative or absolute, with "(a sensitive
// path)"; nil when there is none.
func (in *inputs) hider() *strings.Replacer {
	in.mu.Lock()
	var paths []string
	for _, m := range []map[string]bool{in.secret, in.masked} {
		for p := range m {
			paths = append(paths, in.abs(p), filepath.FromSlash(p), p)
		}
	}
	in.mu.Unlock()
	if len(paths) == 0 {
		return nil
	}
	// The longest first, so that a path inside another is not cut out of it.
	sort.Slice(paths, func(i, j int) bool { return len(paths[i]) > len(paths[j]) })
	var pairs []string
	for _, p := range paths {
		pairs = append(pairs, p, "(a sensitive path)")
	}
	return strings.NewReplacer(pairs...)
}

// hide is s with every path that came from a sensitive value masked
// (hider).
func (in *inputs) hide(s string) string {
	if r := in.hider(); r != nil {
		return r.Replace(s)
	}
	return s
}

// digests returns path → hex SHA-256 of every file read successfully.
func (in *inputs) digests() map[string]string {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make(map[string]string, len(in.files))
	for rel, f := range in.files {
		if f.err == nil {
			out[filepath.ToSlash(rel)] = f.hash
		}
	}
	return out
}

func readError(rel string, err error) error {
	switch {
	case os.IsNotExist(err):
		return fmt.Errorf("%s does not exist", rel)
	case os.IsPermission(err):
		return fmt.Errorf("%s cannot be read: permission denied", rel)
	default:
		if pe, ok := err.(*os.PathError); ok {
			return fmt.Errorf("%s cannot be read: %v", rel, pe.Err)
		}
		return fmt.Errorf("%s cannot be read: %v", rel, err)
	}
}
