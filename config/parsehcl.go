package config

import (
	"bytes"
	"runtime"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"golang.org/x/sync/errgroup"
)

// HCL's lexer reads about 1.6 MB/s of heredoc-heavy text and holds every
// token of a file at once, so a large file (thousands of outline scenes)
// is the slowest step of loading a configuration. A large file is
// therefore parsed in pieces, side by side, cut where one top-level block
// ends and the next begins; positions stay those of the whole file.
//
// A cut can only be trusted when every piece parses cleanly: a cut
// inside a block, heredoc, comment or expression leaves the piece before
// it with something unclosed, which is an error. On any diagnostic at all,
// and when two pieces set the same top-level attribute (which the whole
// file would report), the file is parsed again in one piece, so errors
// read exactly as they always do.

// chunkSize is roughly how much of a large file each piece holds; files
// smaller than two pieces are parsed whole.
const chunkSize = 128 << 10

// parseHCL parses a configuration file like hclsyntax.ParseConfig.
func parseHCL(src []byte, name string) (*hcl.File, hcl.Diagnostics) {
	cuts := topLevelCuts(src, chunkSize)
	if len(cuts) == 0 {
		return hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	}
	if f := parsePieces(src, name, cuts); f != nil {
		return f, nil
	}
	return hclsyntax.ParseConfig(src, name, hcl.InitialPos)
}

// topLevelCuts returns offsets, about every size bytes, where a line that
// starts with a letter follows a line that is only "}": where a formatted
// file starts a top-level block. None when the file is small.
func topLevelCuts(src []byte, size int) []int {
	if len(src) < 2*size {
		return nil
	}
	var cuts []int
	last := 0
	for off := size; off < len(src)-size/2; {
		i := bytes.Index(src[off:], []byte("\n}\n"))
		if i < 0 {
			break
		}
		at := off + i + 3 // the start of the line after "}"
		// Blank lines may come between.
		for at < len(src) && (src[at] == '\n' || (src[at] == '\r' && at+1 < len(src) && src[at+1] == '\n')) {
			at++
		}
		if at < len(src) && isLetter(src[at]) && at-last >= size/2 && len(src)-at >= size/2 {
			cuts = append(cuts, at)
			last = at
			off = at + size
			continue
		}
		off = at
	}
	return cuts
}

// parsePiece parses one piece, or returns nil when it has any
// diagnostic.
func parsePiece(piece []byte, name string, start hcl.Pos) *hclsyntax.Body {
	f, diags := hclsyntax.ParseConfig(piece, name, start)
	if len(diags) > 0 || f == nil {
		return nil
	}
	body, _ := f.Body.(*hclsyntax.Body)
	return body
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// parsePieces parses src cut at cuts, side by side, and returns the file
// they make together, or nil when the whole file must be parsed instead.
func parsePieces(src []byte, name string, cuts []int) *hcl.File {
	starts := append([]int{0}, cuts...)
	ends := append(cuts[:len(cuts):len(cuts)], len(src))
	bodies := make([]*hclsyntax.Body, len(starts))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	line := 1
	for i, s := range starts {
		if i > 0 {
			line += bytes.Count(src[starts[i-1]:s], []byte("\n"))
		}
		// Each piece is parsed as the whole file would be, from its line
		// and offset: hclsyntax takes the start position.
		start := hcl.Pos{Line: line, Column: 1, Byte: s}
		g.Go(func() error {
			bodies[i] = parsePiece(src[s:ends[i]], name, start)
			return nil
		})
	}
	g.Wait()

	merged := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}}
	for _, b := range bodies {
		if b == nil {
			return nil
		}
		for n, a := range b.Attributes {
			if _, dup := merged.Attributes[n]; dup {
				return nil
			}
			merged.Attributes[n] = a
		}
		merged.Blocks = append(merged.Blocks, b.Blocks...)
	}
	last := bodies[len(bodies)-1]
	merged.SrcRange = hcl.Range{Filename: name, Start: hcl.InitialPos, End: last.SrcRange.End}
	merged.EndRange = last.EndRange
	return &hcl.File{Body: merged, Bytes: src}
}
