package git

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/hashicorp/hcl/v2"

	"scriptsync/formats/lfspointer"
	"scriptsync/library"
	"scriptsync/providers"
)

// The .gitattributes file scriptsync writes when the library has
// embeddings, so that git and git-lfs treat the pointer files as LFS
// objects.
const (
	GitattributesAddress = "git.gitattributes"
	GitattributesPath    = ".gitattributes"
	// lfsAttributes follow each pattern on its line, as `git lfs track`
	// writes them.
	lfsAttributes = "filter=lfs diff=lfs merge=lfs -text"
)

// ObjectType is the type of every object the provider stores.
const ObjectType = "file"

// wanted is one file the library wants in the tree.
type wanted struct {
	address, resource, path string
	data                    []byte
	rng                     hcl.Range
	preventDestroy          bool
	deps                    []string
	// sensitive is set when the path derives from a sensitive value: the
	// file still lands at it (the data is the data), but plans, state and
	// diagnostics never print it.
	sensitive bool
}

// shown is the path as diagnostics print it.
func (f *wanted) shown() string {
	if f.sensitive {
		return "(sensitive value)"
	}
	return strconv.Quote(f.path)
}

// Desired implements providers.Provider. It returns one file object per
// script with a source, bible, agent and embedding (its LFS pointer file),
// plus the .gitattributes file when there are embeddings, sorted by
// address. Bad paths and agent files are diagnostics.
func (p *Provider) Desired(lib *library.Library) ([]*providers.Object, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	files := make([]wanted, 0, len(lib.Scripts)+len(lib.Bibles)+len(lib.Agents)+len(lib.Embeddings)+1)
	for _, s := range lib.Scripts {
		if s.Source == "" {
			continue
		}
		path := s.Path
		if path == "" {
			path = library.ScriptDir + "/" + s.Key + library.ScriptExt
		}
		files = append(files, fromMeta(s.Meta, path, s.Data))
	}
	for _, b := range lib.Bibles {
		path := b.Path
		if path == "" {
			path = library.BibleDir + "/" + b.Key + library.BibleExt
		}
		files = append(files, fromMeta(b.Meta, path, b.Data))
	}
	for _, a := range lib.Agents {
		// Always here: it is where ScriptRAG looks for custom agents.
		path := AgentPath(a.Key)
		if !agentNameRE.MatchString(a.Key) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid custom insight agent name",
				Detail:   fmt.Sprintf("ScriptRAG loads only agents named with letters, digits, _ and - (at most 99); %q is not.", a.Key),
				Subject:  a.Range.Ptr(),
			})
		} // the file itself was checked by config, which parsed it (library.Agent)
		files = append(files, fromMeta(a.Meta, path, a.Data))
	}
	var patterns []string
	for _, e := range lib.Embeddings {
		w := fromMeta(e.Meta, e.Path, lfspointer.Format(e.OID, e.Size))
		w.deps = pointerDeps
		files = append(files, w)
		pat, err := lfsPattern(e.Path)
		if err != nil {
			diags = append(diags, pathDiag(w, err.Error()))
			continue
		}
		patterns = append(patterns, pat)
	}
	if len(lib.Embeddings) > 0 {
		files = append(files, wanted{
			address:  GitattributesAddress,
			resource: GitattributesAddress,
			path:     GitattributesPath,
			data:     gitattributes(patterns),
			rng:      lib.Embeddings[0].Range,
		})
	}

	diags = append(diags, checkPaths(files)...)
	if diags.HasErrors() {
		return nil, diags
	}
	objs := make([]*providers.Object, 0, len(files))
	for _, f := range files {
		o := fileObject(f.address, f.resource, f.path, hashObject(plumbing.BlobObject, f.data), int64(len(f.data)))
		o.PreventDestroy = f.preventDestroy
		if f.sensitive {
			o.Sensitive = sensitivePath
		}
		o.Deps = f.deps
		o.Payload = f.data
		objs = append(objs, o)
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].Address < objs[j].Address })
	return objs, diags
}

// pointerDeps are the Deps of every pointer file, shared: nobody changes
// them.
var pointerDeps = []string{GitattributesAddress}

// sensitivePath is the Sensitive of a file whose path is sensitive, shared.
var sensitivePath = []string{"path"}

// agentNameRE is the agent names ScriptRAG's loader accepts.
var agentNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,99}$`)

// AgentPath is where a custom insight agent is committed.
func AgentPath(key string) string { return library.AgentDir + "/" + key + ".md" }

func fromMeta(m library.Meta, path string, data []byte) wanted {
	return wanted{address: m.Address, resource: m.Resource, path: path, data: data, rng: m.RangeOf("path"),
		preventDestroy: m.PreventDestroy, sensitive: slices.Contains(m.Sensitive, "path")}
}

// fileObject is a file as both Desired and Read describe it, so that an
// unchanged file diffs as no-op.
func fileObject(address, resource, path string, blob plumbing.Hash, size int64) *providers.Object {
	return newFileObject(address, resource, path, blob.String(), size)
}

// newFileObject is fileObject for a blob id in hex.
func newFileObject(address, resource, path, blob string, size int64) *providers.Object {
	return &providers.Object{
		Address:  address,
		Type:     ObjectType,
		Resource: resource,
		// Hash digests what Apply writes for a file: its content (the git
		// blob id) and where it goes. Attrs["blob"] is the bare blob id.
		Hash: blob + ":" + path,
		// Made when shown: a library has many files, and a plan shows few.
		AttrsFunc: func() map[string]any {
			return map[string]any{"path": path, "size": size, "blob": blob}
		},
		ForceNew: forceNew,
		Size:     size,
	}
}

// forceNew is every file's ForceNew, shared: nobody changes it.
var forceNew = []string{"path"}

// gitattributes is the file scriptsync manages when there are embeddings.
func gitattributes(patterns []string) []byte {
	sort.Strings(patterns)
	var b strings.Builder
	b.WriteString("# Written by scriptsync: embeddings are stored with Git LFS.\n")
	prev := ""
	for _, p := range patterns {
		if p == prev {
			continue
		}
		prev = p
		b.WriteString(p + " " + lfsAttributes + "\n")
	}
	return []byte(b.String())
}

// lfsPattern is the .gitattributes pattern that covers an embedding's
// pointer file: *.npy for the usual name, the path itself otherwise.
func lfsPattern(path string) (string, error) {
	if strings.HasSuffix(path, ".npy") {
		return "*.npy", nil
	}
	if strings.ContainsAny(path, " \t*?[]\\\"#!") {
		return "", fmt.Errorf("the path of an embedding that does not end in .npy must be usable as a .gitattributes pattern (no spaces or *?[]\\\"#!)")
	}
	return "/" + path, nil
}

// validPath checks a path in the tree.
func validPath(path string) error {
	switch {
	case path == "":
		return errors.New("the path is empty")
	case strings.Contains(path, "\\"):
		return errors.New("the path contains a backslash; separate directories with /")
	case strings.HasPrefix(path, "/"):
		return errors.New("the path is absolute; it must be relative to the repository root")
	}
	for _, r := range path {
		if r < 0x20 || r == 0x7f {
			return errors.New("the path contains a control character")
		}
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if err := gitSegment(s); err != nil {
			return err
		}
		switch {
		case s == "":
			return errors.New("the path has an empty segment (// or a trailing /)")
		case s == ".":
			return errors.New(`the path has a "." segment`)
		case s == "..":
			return errors.New("the path leaves the repository (..)")
		case strings.EqualFold(s, ".git"):
			return errors.New("the path is inside .git/")
		case i == 0 && s == ".scriptsync":
			return errors.New("paths under .scriptsync/ are reserved for scriptsync's manifest")
		}
	}
	return nil
}

// hfsIgnorable are the code points HFS+ ignores in names, so that
// ".g\u200cit" is .git on a Mac (git's fsck list).
var hfsIgnorable = strings.NewReplacer(
	"\u200c", "", "\u200d", "", "\u200e", "", "\u200f", "",
	"\u202a", "", "\u202b", "", "\u202c", "", "\u202d", "", "\u202e", "",
	"\u206a", "", "\u206b", "", "\u206c", "", "\u206d", "", "\u206e", "", "\u206f", "",
	"\ufeff", "")

// maxSegment is the longest name most file systems store (bytes).
const maxSegment = 255

// gitSegment applies git's own rules (fsck, verify_path) to one path
// segment: no name that some file system reads as .git (".git.",
// ".git ", NTFS's "GIT~1" and ".git::$INDEX_ALLOCATION", HFS+'s ignorable
// code points), and no segment longer than file systems allow.
func gitSegment(s string) error {
	if len(s) > maxSegment {
		return fmt.Errorf("a path segment is %d bytes long; file systems allow at most %d", len(s), maxSegment)
	}
	name := s
	if i := strings.IndexByte(name, ':'); i >= 0 {
		name = name[:i] // NTFS: what follows a colon names a stream of name
	}
	name = strings.ToLower(hfsIgnorable.Replace(name))
	name = strings.TrimRight(name, ". ") // Windows drops trailing dots and spaces
	switch name {
	case ".git", "git~1":
		return errors.New("the path is inside .git/ as some file system reads it (git refuses such paths)")
	}
	if s != hfsIgnorable.Replace(s) {
		return errors.New("the path contains an invisible Unicode character that some file systems ignore")
	}
	return nil
}

func checkPaths(files []wanted) hcl.Diagnostics {
	var diags hcl.Diagnostics
	byPath := map[string]*wanted{}
	byFold := map[string]*wanted{}
	for i := range files {
		f := &files[i]
		if err := validPath(f.path); err != nil {
			diags = append(diags, pathDiag(*f, fmt.Sprintf("%s: %s.", err, f.shown())))
			continue
		}
		if other := byPath[f.path]; other != nil {
			diags = append(diags, pathDiag(*f, fmt.Sprintf("%s and %s both want the path %s in the git repository.", other.address, f.address, f.shown())))
			continue
		}
		byPath[f.path] = f
		fold := strings.ToLower(f.path)
		if other := byFold[fold]; other != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Git paths differ only in case",
				Detail:   fmt.Sprintf("%s (%s) and %s (%s) collide when the repository is checked out on a case-insensitive file system.", other.address, other.shown(), f.address, f.shown()),
				Subject:  f.rng.Ptr(),
			})
		}
		byFold[fold] = f
	}
	// A file cannot also be a directory of another file's path.
	for i := range files {
		f := &files[i]
		path := f.path
		if byPath[path] != f {
			continue
		}
		for i := strings.IndexByte(path, '/'); i >= 0; i = nextSlash(path, i) {
			if other := byPath[path[:i]]; other != nil {
				diags = append(diags, pathDiag(*f, fmt.Sprintf("%s wants %s, below the file %s that %s wants.", f.address, f.shown(), other.shown(), other.address)))
				break
			}
		}
	}
	sort.SliceStable(diags, func(i, j int) bool { return diagLess(diags[i], diags[j]) })
	return diags
}

func nextSlash(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '/')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

func diagLess(a, b *hcl.Diagnostic) bool {
	if a.Subject == nil || b.Subject == nil {
		return a.Subject != nil
	}
	if a.Subject.Filename != b.Subject.Filename {
		return a.Subject.Filename < b.Subject.Filename
	}
	return a.Subject.Start.Byte < b.Subject.Start.Byte
}

func pathDiag(f wanted, detail string) *hcl.Diagnostic {
	if !strings.Contains(detail, f.address) {
		detail = f.address + ": " + detail
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Invalid path in the git repository",
		Detail:   detail,
		Subject:  f.rng.Ptr(),
	}
}
