package config

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Most configuration files of a large library declare scripts and their
// embeddings and nothing else: a season's file, say. Before it can ask
// whether the last apply's memo still holds, a plan needs the provider
// blocks and what they refer to, never those files; yet parsing them is
// most of the cost of a plan that finds nothing changed (2,000 files at
// W(1,000,000), 3 CPU-seconds). The block cache remembers, by the SHA-256
// of a file's bytes, that a parse found in it only blocks of the types a
// scope may reach (scopedTypes), each with its one label, and each
// block's digest (see blocks.go). Load leaves such a file unparsed (it is
// deferred) until the evaluation needs more than the memo's answer: when
// the memo holds, a deferred file has the bytes of one that the apply
// recording it evaluated cleanly, and declares nothing the providers can
// refer to. When the memo's answer is that a few inputs or blocks
// changed, the evaluation of what changed needs only the files of the
// blocks the change reaches: it finds them on a graph where the deferred
// blocks are stubs made of what the cache recorded of each (see stubs in
// graph.go). Like the digest cache, it lives outside the configuration
// (Options.CacheDir), only a run that asks for a memo uses it, and a run
// without it parses every file.

// cachedBlock is one block of a deferred file: its address (script.pilot)
// and the hex SHA-256 of its text, as blockDigests makes them, and what
// the evaluation's graph needs of a block it leaves unparsed (see
// buildGraph): whether it sets for_each and script, and what its
// attributes refer to (var.x, local.y, script.z), sorted.
type cachedBlock struct {
	addr, digest    string
	forEach, script bool
	refs            []string
}

func (b cachedBlock) equal(c cachedBlock) bool {
	return b.addr == c.addr && b.digest == c.digest && b.forEach == c.forEach && b.script == c.script && slices.Equal(b.refs, c.refs)
}

// blockCache is the block cache of one configuration directory.
type blockCache struct {
	path string
	old  map[[sha256.Size]byte][]cachedBlock
}

// blockCacheMagic starts the cache file; another version is ignored. The
// file ends with the SHA-256 of what comes before: a damaged one (a
// digest's byte changed, which its layout cannot tell) reads as empty.
// It names the block types a file of blocks only may hold: a build that
// defers other types reads another build's cache as foreign.
var blockCacheMagic = "scriptsync block cache 3 " + strings.Join(slices.Sorted(maps.Keys(scopedTypes)), ",") + "\n"

// openBlockCache reads the block cache of the configuration in dir from
// cacheDir: nil when cacheDir is empty, an empty cache when the file is
// missing, foreign or damaged.
func openBlockCache(cacheDir, dir string) *blockCache {
	if cacheDir == "" {
		return nil
	}
	key := sha256.Sum256([]byte(dir))
	c := &blockCache{path: filepath.Join(cacheDir, hex.EncodeToString(key[:16])+".blocks")}
	// readFile: a FIFO or device in its place is refused, not waited on.
	if data, err := readFile(c.path); err == nil {
		c.old, _ = parseBlockCache(data)
	}
	return c
}

var errBlockCache = errors.New("damaged block cache")

// parseBlockCache reads the records of a cache file: each file's SHA-256,
// its number of blocks, and each block's address (length first) and raw
// digest.
func parseBlockCache(data []byte) (map[[sha256.Size]byte][]cachedBlock, error) {
	if len(data) < len(blockCacheMagic)+sha256.Size {
		return nil, errBlockCache
	}
	body, tail := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], tail) {
		return nil, errBlockCache
	}
	rest, ok := bytes.CutPrefix(body, []byte(blockCacheMagic))
	if !ok {
		return nil, errBlockCache
	}
	out := map[[sha256.Size]byte][]cachedBlock{}
	for len(rest) > 0 {
		if len(rest) < sha256.Size {
			return nil, errBlockCache
		}
		sum := [sha256.Size]byte(rest[:sha256.Size])
		rest = rest[sha256.Size:]
		n, k := binary.Uvarint(rest)
		// Each block takes at least a length, a digest, its flags and its
		// number of references: no more fit than that.
		if k <= 0 || n > uint64(len(rest)-k)/(3+sha256.Size) {
			return nil, errBlockCache
		}
		rest = rest[k:]
		blocks := make([]cachedBlock, 0, n)
		for range n {
			var b cachedBlock
			var ok bool
			if b.addr, rest, ok = cutString(rest); !ok || len(rest) < sha256.Size+1 {
				return nil, errBlockCache
			}
			b.digest = hex.EncodeToString(rest[:sha256.Size])
			flags := rest[sha256.Size]
			rest = rest[sha256.Size+1:]
			if flags&^3 != 0 {
				return nil, errBlockCache
			}
			b.forEach, b.script = flags&1 != 0, flags&2 != 0
			refs, k := binary.Uvarint(rest)
			// Each reference takes a length at least.
			if k <= 0 || refs > uint64(len(rest)-k) {
				return nil, errBlockCache
			}
			rest = rest[k:]
			for range refs {
				var ref string
				if ref, rest, ok = cutString(rest); !ok {
					return nil, errBlockCache
				}
				b.refs = append(b.refs, ref)
			}
			blocks = append(blocks, b)
		}
		if _, dup := out[sum]; dup {
			return nil, errBlockCache
		}
		out[sum] = blocks
	}
	return out, nil
}

// cutString cuts a string written as its length, then its bytes, off
// the front of b.
func cutString(b []byte) (string, []byte, bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return "", nil, false
	}
	b = b[k:]
	return string(b[:n]), b[n:], true
}

// appendString is what cutString reads.
func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// lookup returns the blocks of a file whose bytes digest to sum, if the
// cache knows it holds nothing else. A nil cache knows nothing.
func (c *blockCache) lookup(sum [sha256.Size]byte) ([]cachedBlock, bool) {
	if c == nil {
		return nil, false
	}
	b, ok := c.old[sum]
	return b, ok
}

// save replaces the cache with entries: the files of this configuration
// that hold blocks only. It writes nothing when they are the entries it
// read, and gives up silently on any error: it is only a cache.
func (c *blockCache) save(entries map[[sha256.Size]byte][]cachedBlock) {
	if c == nil || sameBlockEntries(c.old, entries) {
		return
	}
	replaceCacheFile(c.path, func(out *bufio.Writer) error {
		h := sha256.New() // of everything written, which the file ends with
		w := io.MultiWriter(out, h)
		io.WriteString(w, blockCacheMagic)
		sums := make([][sha256.Size]byte, 0, len(entries))
		for sum := range entries {
			sums = append(sums, sum)
		}
		slices.SortFunc(sums, func(a, b [sha256.Size]byte) int { return bytes.Compare(a[:], b[:]) })
		for _, sum := range sums {
			w.Write(sum[:])
			w.Write(binary.AppendUvarint(nil, uint64(len(entries[sum]))))
			for _, b := range entries[sum] {
				raw, err := hex.DecodeString(b.digest)
				if err != nil || len(raw) != sha256.Size {
					return errBlockCache
				}
				rec := append(appendString(nil, b.addr), raw...)
				var flags byte
				if b.forEach {
					flags |= 1
				}
				if b.script {
					flags |= 2
				}
				rec = binary.AppendUvarint(append(rec, flags), uint64(len(b.refs)))
				for _, ref := range b.refs {
					rec = appendString(rec, ref)
				}
				w.Write(rec)
			}
		}
		_, err := out.Write(h.Sum(nil))
		return err
	})
}

func sameBlockEntries(a, b map[[sha256.Size]byte][]cachedBlock) bool {
	return maps.EqualFunc(a, b, func(x, y []cachedBlock) bool { return slices.EqualFunc(x, y, cachedBlock.equal) })
}

// onlyBlocks returns the blocks of a parsed file, as the block cache
// keeps them, when the file holds nothing but blocks of scopedTypes with
// one label each, at distinct addresses: nothing of Fingerprint.Rest,
// nothing a provider, variable, local, output or moved block is. It
// returns false for anything else, and for a file that is not native
// syntax.
func onlyBlocks(src []byte, f *hcl.File) ([]cachedBlock, bool) {
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok || len(body.Attributes) > 0 {
		return nil, false
	}
	out := make([]cachedBlock, 0, len(body.Blocks))
	seen := make(map[string]bool, len(body.Blocks))
	for _, b := range body.Blocks {
		if !scopedTypes[b.Type] || len(b.Labels) != 1 {
			return nil, false
		}
		r := b.Range()
		if r.Start.Byte < 0 || r.End.Byte > len(src) || r.Start.Byte > r.End.Byte {
			return nil, false
		}
		addr := b.Type + "." + b.Labels[0]
		if seen[addr] {
			return nil, false
		}
		seen[addr] = true
		sum := sha256.Sum256(src[r.Start.Byte:r.End.Byte])
		c := cachedBlock{addr: addr, digest: hex.EncodeToString(sum[:])}
		refs := map[string]bool{}
		for name, a := range b.Body.Attributes {
			c.forEach = c.forEach || name == "for_each"
			c.script = c.script || name == "script"
			for _, t := range a.Expr.Variables() {
				if ref, ok := refName(t); ok {
					refs[ref] = true
				}
			}
		}
		c.refs = slices.Sorted(maps.Keys(refs))
		out = append(out, c)
	}
	return out, true
}

// refName is what a traversal refers to, as a cachedBlock keeps it:
// var.x, local.y or script.z; false for each, and for a traversal that
// names nothing (which the evaluation that parsed the file found).
func refName(t hcl.Traversal) (string, bool) {
	root := t.RootName()
	if root != "var" && root != "local" && !isObjectType(root) {
		return "", false
	}
	if len(t) < 2 {
		return "", false
	}
	a, ok := t[1].(hcl.TraverseAttr)
	if !ok {
		return "", false
	}
	return root + "." + a.Name, true
}
