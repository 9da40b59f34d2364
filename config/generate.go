package config

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"scriptsync/formats/npy"
	"scriptsync/library"
	"scriptsync/providers"
)

// GenerateInput is what Generate adopts.
type GenerateInput struct {
	// Dir is the configuration directory (absolute).
	Dir string
	// Held is what the backends hold unmanaged: the database's rows and
	// the repository's files.
	Held *providers.Holdings
	// SQLBlock is the configuration's provider "sql" block, nil when it
	// has none; Generate reads its checkout.
	SQLBlock *providers.Config
	// Declared are the repository paths the configuration already gives
	// a script, bible or agent: their rows and files are left to it.
	Declared map[string]bool
}

// Generated is the configuration Generate wrote: the HCL, and the source
// files it refers to, by path relative to the configuration directory.
type Generated struct {
	HCL     []byte
	Sources map[string][]byte
	// Notes tell the user what was left out or will be reconciled.
	Notes []string
	// Objects counts the top-level blocks.
	Objects int
}

// Generate writes the configuration that declares what a ScriptRAG
// database and its repository hold, with an import block for each
// object: series, scripts (their Fountain files from the repository, or
// from the path ScriptRAG indexed), their bibles and scene embeddings,
// and agents. Sources are the repository's files at their repository
// paths, so that the git provider's files are the same ones, and adopting
// them is a no-op.
// The database's scripts.file_path is absolute (ScriptRAG indexes a
// checkout); when every script's lies under one directory R as its
// repository path, scripts.file_path stays unchanged by declaring the sql
// provider's checkout = R.
func Generate(in GenerateInput) (*Generated, error) {
	g := &generator{in: in, out: &Generated{Sources: map[string][]byte{}}, keys: map[string]bool{},
		f: hclwrite.NewEmptyFile(), seriesKey: map[int64]string{}, scriptKey: map[int64]string{}}
	body := g.f.Body()
	body.AppendUnstructuredTokens(comment("Written by scriptsync import -generate-config-out: the series, scripts, bibles,\n" +
		"# embeddings and agents of an existing ScriptRAG database and repository, each with an\n" +
		"# import block that adopts it, keeping its row id and history. Once applied, the import\n" +
		"# blocks do nothing; keep them or delete them."))
	held := in.Held
	if held == nil {
		held = &providers.Holdings{}
	}
	g.checkout()
	for _, s := range held.Series {
		g.series(s)
	}
	for _, s := range held.Scripts {
		if err := g.script(s); err != nil {
			return nil, err
		}
	}
	for _, b := range held.Bibles {
		g.bible(b)
	}
	g.embeddings()
	g.agents()
	g.out.HCL = g.f.Bytes()
	return g.out, nil
}

type generator struct {
	in        GenerateInput
	out       *Generated
	f         *hclwrite.File
	keys      map[string]bool
	seriesKey map[int64]string
	scriptKey map[int64]string
	root      string // the checkout the database's file paths lie under
}

func comment(text string) hclwrite.Tokens {
	return hclwrite.Tokens{{Type: hclsyntax.TokenComment, Bytes: []byte("# " + text + "\n")}}
}

// key makes a block name from s: lower case letters, digits and
// underscores, starting with a letter, unique within kind.
func (g *generator) key(kind, s string) string {
	k := ident(kind, s)
	out := k
	for n := 2; g.keys[kind+"."+out]; n++ {
		out = k + "_" + strconv.Itoa(n)
	}
	g.keys[kind+"."+out] = true
	return out
}

// ident makes an identifier of s: lower case letters, digits and
// underscores, starting with a letter (kind_ is put first otherwise).
func ident(kind, s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	k := strings.Trim(b.String(), "_")
	if k == "" || k[0] < 'a' || k[0] > 'z' {
		k = kind + "_" + k
		k = strings.TrimSuffix(k, "_")
	}
	return k
}

func ref(parts ...string) hcl.Traversal {
	t := hcl.Traversal{hcl.TraverseRoot{Name: parts[0]}}
	for _, p := range parts[1:] {
		t = append(t, hcl.TraverseAttr{Name: p})
	}
	return t
}

func (g *generator) importBlock(to hcl.Traversal, id string) {
	body := g.f.Body()
	b := body.AppendNewBlock("import", nil).Body()
	b.SetAttributeTraversal("to", to)
	b.SetAttributeValue("id", cty.StringVal(id))
	body.AppendNewline()
	g.out.Objects++
}

// repoPath finds the repository file a database path names: the longest
// repository path that the absolute path ends with.
func (g *generator) repoPath(filePath string) string {
	best := ""
	clean := filepath.ToSlash(filePath)
	for p := range g.in.Held.Files {
		if (clean == p || strings.HasSuffix(clean, "/"+p)) && len(p) > len(best) {
			best = p
		}
	}
	return best
}

// checkout works out the directory the database's script paths lie
// under, and declares it as the sql provider's checkout when the
// configuration has no sql block.
func (g *generator) checkout() {
	roots := map[string]bool{}
	for _, s := range g.in.Held.Scripts {
		if p := g.repoPath(s.FilePath); p != "" {
			roots[strings.TrimSuffix(filepath.ToSlash(s.FilePath), "/"+p)] = true
		}
	}
	if len(roots) != 1 {
		if len(roots) > 1 {
			g.out.Notes = append(g.out.Notes, "the database's scripts lie under different directories, so no one checkout keeps every scripts.file_path: the import updates them in place (row ids stay)")
		}
		return
	}
	for r := range roots {
		g.root = filepath.FromSlash(r)
	}
	if filepath.Clean(g.root) == filepath.Clean(g.in.Dir) {
		return
	}
	if blk := g.in.SQLBlock; blk != nil && blk.DeclRange != (hcl.Range{}) {
		if _, ok := blk.Attrs["checkout"]; !ok {
			g.out.Notes = append(g.out.Notes, fmt.Sprintf("set checkout = %q in your provider \"sql\" block to keep scripts.file_path as ScriptRAG stored it; without it the import updates file_path in place (row ids stay)", g.root))
		}
		return
	}
	body := g.f.Body()
	b := body.AppendNewBlock("provider", []string{"sql"}).Body()
	b.AppendUnstructuredTokens(comment("Where ScriptRAG indexed the repository: scripts.file_path stays as it stored it."))
	b.SetAttributeValue("checkout", cty.StringVal(g.root))
	body.AppendNewline()
}

func (g *generator) series(s providers.HeldSeries) {
	k := g.key("series", s.Title)
	g.seriesKey[s.ID] = k
	body := g.f.Body()
	b := body.AppendNewBlock("series", []string{k}).Body()
	b.SetAttributeValue("title", cty.StringVal(s.Title))
	if s.Description != "" {
		b.SetAttributeValue("description", cty.StringVal(s.Description))
	}
	body.AppendNewline()
	g.importBlock(ref("series", k), strconv.FormatInt(s.ID, 10))
}

// source records a source file at its repository path, from the
// repository or else from disk; it returns false when neither has it.
func (g *generator) source(filePath string) (string, bool, error) {
	if p := g.repoPath(filePath); p != "" {
		g.out.Sources[p] = g.in.Held.Files[p]
		return p, true, nil
	}
	data, err := os.ReadFile(filePath)
	if err != nil {
		return "", false, nil
	}
	p := "scripts/" + path.Base(filepath.ToSlash(filePath))
	if _, taken := g.out.Sources[p]; taken {
		return "", false, fmt.Errorf("generate configuration: two scripts outside the repository are named %s", path.Base(p))
	}
	g.out.Sources[p] = data
	return p, true, nil
}

func (g *generator) script(s providers.HeldScript) error {
	if p := g.repoPath(s.FilePath); p != "" && g.in.Declared[p] {
		g.out.Notes = append(g.out.Notes, fmt.Sprintf("scripts row %d is left out: the configuration already declares a script at %s (import it with an import block)", s.ID, p))
		return nil
	}
	src, ok, err := g.source(s.FilePath)
	if err != nil {
		return err
	}
	if !ok {
		g.out.Notes = append(g.out.Notes, fmt.Sprintf("scripts row %d (%s) is left out: %s is neither in the repository nor on this machine", s.ID, s.Title, s.FilePath))
		return nil
	}
	base := strings.TrimSuffix(path.Base(src), path.Ext(src))
	k := g.key("script", base)
	g.scriptKey[s.ID] = k
	body := g.f.Body()
	b := body.AppendNewBlock("script", []string{k}).Body()
	b.SetAttributeValue("source", cty.StringVal(src))
	b.SetAttributeValue("path", cty.StringVal(src))
	if sk, ok := g.seriesKey[s.SeriesID]; ok && s.SeriesID != 0 {
		b.SetAttributeTraversal("series", ref("series", sk))
	} else if s.SeriesTitle != "" {
		for _, sr := range g.in.Held.Series {
			if sr.Title == s.SeriesTitle {
				b.SetAttributeTraversal("series", ref("series", g.seriesKey[sr.ID]))
				break
			}
		}
	}
	if s.Season != nil {
		b.SetAttributeValue("season", cty.NumberIntVal(*s.Season))
	}
	if s.Episode != nil {
		b.SetAttributeValue("episode", cty.NumberIntVal(*s.Episode))
	}
	body.AppendNewline()
	g.importBlock(ref("script", k), s.FilePath)
	return nil
}

func (g *generator) bible(bi providers.HeldBible) {
	sk, ok := g.scriptKey[bi.ScriptID]
	if !ok {
		g.out.Notes = append(g.out.Notes, fmt.Sprintf("script_bibles row %d (%s) is left out: its script is not generated", bi.ID, bi.FilePath))
		return
	}
	p := g.repoPath(bi.FilePath)
	if g.in.Declared[p] {
		return
	}
	if p == "" {
		g.out.Notes = append(g.out.Notes, fmt.Sprintf("script_bibles row %d is left out: %s is not in the repository", bi.ID, bi.FilePath))
		return
	}
	g.out.Sources[p] = g.in.Held.Files[p]
	k := g.key("bible", strings.TrimSuffix(path.Base(p), path.Ext(p)))
	body := g.f.Body()
	b := body.AppendNewBlock("bible", []string{k}).Body()
	b.SetAttributeValue("source", cty.StringVal(p))
	b.SetAttributeValue("path", cty.StringVal(p))
	b.SetAttributeTraversal("script", ref("script", sk))
	body.AppendNewline()
	g.importBlock(ref("bible", k), strconv.FormatInt(bi.ID, 10))
}

// agents declares the repository's custom insight agents, at the path
// scriptsync gives them (.scriptrag/agents/<name>.md).
func (g *generator) agents() {
	var paths []string
	for p := range g.in.Held.Files {
		if dir, file := path.Split(p); dir == library.AgentDir+"/" && strings.HasSuffix(file, ".md") {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		if g.in.Declared[p] {
			continue
		}
		name := strings.TrimSuffix(path.Base(p), ".md")
		k := g.key("agent", name)
		if k != name {
			g.out.Notes = append(g.out.Notes, fmt.Sprintf("agent %s is left out: scriptsync names an agent's file after its block, and %q is no block name", p, name))
			continue
		}
		g.out.Sources[p] = g.in.Held.Files[p]
		body := g.f.Body()
		b := body.AppendNewBlock("agent", []string{k}).Body()
		b.SetAttributeValue("source", cty.StringVal(p))
		body.AppendNewline()
		g.importBlock(ref("agent", k), p)
	}
}

// embeddings declares the scene embeddings of the generated scripts, one
// block each, with its vector written as a .npy file (byte for byte what
// numpy.save writes, so that a vector ScriptRAG's analyzer saved to Git
// LFS is the same object).
func (g *generator) embeddings() {
	models := map[[2]int64]int{}
	for _, e := range g.in.Held.Embeddings {
		models[[2]int64{e.ScriptID, e.SceneNumber}]++
	}
	for _, e := range g.in.Held.Embeddings {
		sk, ok := g.scriptKey[e.ScriptID]
		if !ok {
			g.out.Notes = append(g.out.Notes, fmt.Sprintf("embeddings row %d is left out: its script is not generated", e.ID))
			continue
		}
		n := strconv.FormatInt(e.SceneNumber, 10)
		name, file := sk+"_"+n, n+".npy"
		if models[[2]int64{e.ScriptID, e.SceneNumber}] > 1 {
			name, file = sk+"_"+n+"_"+e.Model, ident("model", e.Model)+"/"+n+".npy"
		}
		k := g.key("embedding", name)
		src := "vectors/" + sk + "/" + file
		g.out.Sources[src] = npy.Encode(e.Vector)
		body := g.f.Body()
		b := body.AppendNewBlock("embedding", []string{k}).Body()
		b.SetAttributeTraversal("scene", hcl.Traversal{hcl.TraverseRoot{Name: "script"}, hcl.TraverseAttr{Name: sk},
			hcl.TraverseAttr{Name: "scenes"}, hcl.TraverseIndex{Key: cty.StringVal(n)}})
		b.SetAttributeValue("model", cty.StringVal(e.Model))
		b.SetAttributeValue("source", cty.StringVal(src))
		body.AppendNewline()
		g.importBlock(ref("embedding", k), strconv.FormatInt(e.ID, 10))
	}
}
