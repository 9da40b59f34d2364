package config

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// The configuration a block at a time. A change to a configuration file
// that adds, removes or rewrites blocks of the types a scope may reach
// (scopedTypes), and changes nothing else but the blank lines and
// comments between top-level blocks, is a change of those blocks: a
// plan evaluates what they reach, as it does a changed input (see
// scope.go). Fingerprint.Blocks digests each such block's text, and
// Fingerprint.Rest everything else: the other top-level blocks and
// attributes, file by file, in order; a file that has nothing else, a
// season's file of scripts say, adds nothing to it, so that such a file
// may come or go. Blank lines and comments between top-level items mean
// nothing to HCL, and blocks are evaluated in the order of their
// addresses, not where they are written, so a block's digest is of its
// text alone.

// blockDigests returns Fingerprint.Blocks and Fingerprint.Rest for the
// configuration files as parsed; false when a file is not native HCL
// syntax or two blocks share an address (the evaluation says what is
// wrong), so that only the whole configuration's digest can tell.
func (l *loader) blockDigests() (map[string]string, string, bool) {
	if l.blocks != nil || l.blocksFailed {
		return l.blocks, l.rest, !l.blocksFailed
	}
	blocks := map[string]string{}
	rest := sha256.New()
	names := slices.Sorted(maps.Keys(l.digest))
	item := func(b []byte) {
		rest.Write(binary.AppendUvarint(nil, uint64(len(b))))
		rest.Write(b)
	}
	for _, name := range names {
		if deferred, ok := l.deferred[name]; ok {
			// Blocks only (blockcache.go): nothing of Rest.
			for _, b := range deferred {
				if _, dup := blocks[b.addr]; dup {
					l.blocksFailed = true
					return nil, "", false
				}
				blocks[b.addr] = b.digest
			}
			continue
		}
		src := l.digest[name]
		f := l.files[name]
		var body *hclsyntax.Body
		if f != nil {
			body, _ = f.Body.(*hclsyntax.Body)
		}
		if body == nil {
			l.blocksFailed = true
			return nil, "", false
		}
		type span struct {
			start, end int
			addr       string
		}
		var spans []span
		for _, b := range body.Blocks {
			r := b.Range()
			s := span{start: r.Start.Byte, end: r.End.Byte}
			if scopedTypes[b.Type] && len(b.Labels) == 1 {
				s.addr = b.Type + "." + b.Labels[0]
			}
			spans = append(spans, s)
		}
		for _, a := range body.Attributes {
			r := a.SrcRange
			spans = append(spans, span{start: r.Start.Byte, end: r.End.Byte})
		}
		sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
		named := false // the file's name, before its first item of Rest
		for _, s := range spans {
			if s.start < 0 || s.end > len(src) || s.start > s.end {
				l.blocksFailed = true
				return nil, "", false
			}
			text := src[s.start:s.end]
			if s.addr == "" {
				if !named {
					item([]byte(name))
					named = true
				}
				item(text)
				continue
			}
			if _, dup := blocks[s.addr]; dup {
				l.blocksFailed = true
				return nil, "", false
			}
			sum := sha256.Sum256(text)
			blocks[s.addr] = hex.EncodeToString(sum[:])
		}
		if named {
			item(nil) // the end of the file's items
		}
	}
	l.blocks, l.rest = blocks, hex.EncodeToString(rest.Sum(nil))
	return l.blocks, l.rest, true
}

// blocksDiffer returns the addresses of the blocks that were added,
// removed or rewritten since fp, sorted; false when anything else in the
// configuration files changed (Fingerprint.Rest), fp does not digest its
// blocks, or more than maxDelta blocks changed.
func (l *loader) blocksDiffer(fp *Fingerprint) ([]string, bool) {
	if fp.Blocks == nil || fp.Rest == "" {
		return nil, false
	}
	now, rest, ok := l.blockDigests()
	if !ok || rest != fp.Rest {
		return nil, false
	}
	var changed []string
	for addr, d := range now {
		if fp.Blocks[addr] != d {
			changed = append(changed, addr)
		}
	}
	for addr := range fp.Blocks {
		if _, ok := now[addr]; !ok {
			changed = append(changed, addr)
		}
	}
	if len(changed) > maxDelta {
		return nil, false
	}
	sort.Strings(changed)
	return changed, true
}

// blockType is the type of the block at addr (script for script.pilot).
func blockType(addr string) string {
	typ, _, _ := strings.Cut(addr, ".")
	return typ
}
