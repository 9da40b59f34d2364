package config

import (
	"bytes"
	"runtime"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
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

// sideBySide calls f(0) ... f(n-1) on as many goroutines as there are
// processors, and returns when all calls have.
func sideBySide(n int, f func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// parsePieces parses src cut at cuts, side by side, and returns the file
// they make together, or nil when the whole file must be parsed instead.
func parsePieces(src []byte, name string, cuts []int) *hcl.File {
	starts := append([]int{0}, cuts...)
	// Where each piece starts: the line and column of its first byte.
	pos := make([]hcl.Pos, len(starts))
	line, from := 1, 0
	for i, s := range starts {
		line += bytes.Count(src[from:s], []byte("\n"))
		from = s
		pos[i] = hcl.Pos{Line: line, Column: 1, Byte: s}
	}
	bodies := make([]*hclsyntax.Body, len(starts))
	failed := make([]bool, len(starts))
	sideBySide(len(starts), func(i int) {
		end := len(src)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		// The piece is parsed as the whole file would be, from its offset:
		// hclsyntax takes the start position.
		f, diags := hclsyntax.ParseConfig(src[starts[i]:end], name, pos[i])
		var body *hclsyntax.Body
		ok := false
		if f != nil {
			body, ok = f.Body.(*hclsyntax.Body)
		}
		failed[i] = len(diags) > 0 || !ok
		bodies[i] = body
	})

	merged := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}}
	for i, b := range bodies {
		if failed[i] {
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
