package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"scriptsync/cli"
	"scriptsync/formats/npy"
	"scriptsync/internal/needs"
	"scriptsync/internal/workload"
)

// runMemo runs the CLI in-process with SCRIPTSYNC_MEMO set as memo says
// ("" leaves it unset) and reports the exit code, the output, and whether
// the last apply's memo answered the plan.
func runMemo(t *testing.T, dir, memo string, args ...string) (int, string, bool) {
	t.Helper()
	var out, log bytes.Buffer
	env := map[string]string{"SCRIPTSYNC_MEMO": memo, "SCRIPTSYNC_LOG": "info"}
	code := cli.Run(cli.Env{Args: append([]string{"scriptsync", "-no-color"}, args...), Dir: dir, Stdout: &out, Stderr: &log,
		Getenv: func(k string) string { return env[k] }, Context: context.Background()})
	logged := log.String()
	if os.Getenv("MEMO_DEBUG") != "" {
		t.Log(logged)
	}
	// The log has timings; the rest of stderr (diagnostics) must agree.
	var diags []string
	for _, l := range strings.Split(logged, "\n") {
		if !strings.Contains(l, " [INFO] ") {
			diags = append(diags, l)
		}
	}
	if strings.Contains(logged, "evaluated what they reach") && !strings.Contains(logged, "gave way") {
		if args[0] == "apply" {
			scopedApplies++
		} else {
			scopedPlans++
		}
	}
	return code, out.String() + strings.Join(diags, "\n"), strings.Contains(logged, "its memo holds")
}

// scopedPlans counts the plans runMemo saw made of what changed only
// (engine's scoped plan), which samePlans then compared with full ones;
// scopedApplies the applies of what changed only, whose results the
// plans after them check.
var scopedPlans, scopedApplies int

// samePlans plans with and without the memo and fails unless both give the
// same exit code and the same output. It reports whether the memo answered.
func samePlans(t *testing.T, dir, step string) (int, bool) {
	t.Helper()
	fullCode, full, fullRecalled := runMemo(t, dir, "off", "plan", "-detailed-exitcode")
	code, got, recalled := runMemo(t, dir, "", "plan", "-detailed-exitcode")
	if fullRecalled {
		t.Fatalf("%s: SCRIPTSYNC_MEMO=off used the memo", step)
	}
	if code != fullCode || got != full {
		t.Fatalf("%s: the plan with the memo differs from the full plan (memo answered: %v)\nwith memo: exit %d\n%s\nfull: exit %d\n%s",
			step, recalled, code, got, fullCode, full)
	}
	if recalled && code != 0 {
		t.Fatalf("%s: the memo answered a plan with changes (exit %d)", step, code)
	}
	// -json streams the same messages but for their times.
	fullCode, full, _ = runMemo(t, dir, "off", "plan", "-json", "-detailed-exitcode")
	jsonCode, got, _ := runMemo(t, dir, "", "plan", "-json", "-detailed-exitcode")
	full, got = stampRE.ReplaceAllString(full, ""), stampRE.ReplaceAllString(got, "")
	if jsonCode != fullCode || got != full || jsonCode != code {
		t.Fatalf("%s: plan -json with the memo differs from the full plan -json\nwith memo: exit %d\n%s\nfull: exit %d\n%s",
			step, jsonCode, got, fullCode, full)
	}
	// A saved plan holds the same changes and is checked against the
	// same inputs: the file of what changed is the full plan's, byte for
	// byte.
	saved := t.TempDir()
	fullPlan, scopedPlan := filepath.Join(saved, "full.plan"), filepath.Join(saved, "scoped.plan")
	fullCode, _, _ = runMemo(t, dir, "off", "plan", "-detailed-exitcode", "-out="+fullPlan)
	outCode, out, _ := runMemo(t, dir, "", "plan", "-detailed-exitcode", "-out="+scopedPlan)
	if outCode != fullCode || outCode != code {
		t.Fatalf("%s: plan -out exits %d with the memo, %d without\n%s", step, outCode, fullCode, out)
	}
	if a, b := gunzipped(t, fullPlan), gunzipped(t, scopedPlan); !bytes.Equal(a, b) {
		t.Fatalf("%s: the saved plan of what changed differs from the full one\nwith memo:\n%.3000s\nfull:\n%.3000s", step, b, a)
	}
	return code, recalled
}

// gunzipped is the decompressed content of the gzip file at path.
func gunzipped(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var stampRE = regexp.MustCompile(`"@timestamp":"[^"]*"`)

// TestMemoPlansEqualFullPlans edits a generated library at random (scenes
// inserted, moved, deleted and rewritten, vectors changed or only touched,
// a script renamed with a moved block, scripts removed, added and
// renumbered in the HCL, comments) and changes its backends
// behind scriptsync's back (SQL updates and deletes, LFS objects rewritten
// or removed, the branch moved, the whole directory moved), and after
// every step checks that a plan
// the memo may answer is the plan a full evaluation gives. After every
// apply the memo must answer, so the test fails if it never does. The
// library has three season files (22 scripts), so that a plan of what
// changed parses some and leaves the others to the block cache's stubs.
func TestMemoPlansEqualFullPlans(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		needs.Missing(t, "git", "install git: the branch edits use stock git", err)
	}
	seed := uint64(11)
	if s := os.Getenv("SCRIPTSYNC_MEMO_SEED"); s != "" { // for longer runs by hand
		if _, err := fmt.Sscan(s, &seed); err != nil {
			t.Fatalf("SCRIPTSYNC_MEMO_SEED: %v", err)
		}
	}
	r := rand.New(rand.NewPCG(seed, seed))
	w, err := workload.Generate(t.TempDir(), workload.Options{Scenes: 1100, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	dir := w.Dir
	applies, second := 0, 0
	apply := func(step string) {
		t.Helper()
		if code, out, _ := runMemo(t, dir, "", "apply", "-auto-approve"); code != 0 {
			t.Fatalf("%s: apply: exit %d\n%s", step, code, out)
		}
		applies++
		code, recalled := samePlans(t, dir, step+", after apply")
		if code != 0 {
			t.Fatalf("%s: after apply: plan exit %d, want 0 (the apply did not converge)", step, code)
		}
		if !recalled {
			// An apply whose plan had warnings (the branch was not where
			// the last apply left it) leaves no memo; the next one does.
			second++
			if code, out, _ := runMemo(t, dir, "", "apply", "-auto-approve"); code != 0 {
				t.Fatalf("%s: second apply: exit %d\n%s", step, code, out)
			}
			if code, recalled := samePlans(t, dir, step+", after a second apply"); code != 0 || !recalled {
				t.Fatalf("%s: after a second apply: plan exit %d, memo answered %v; want 0 and true", step, code, recalled)
			}
		}
	}
	apply("cold apply")

	renamed, added := 0, 0
	edits := []struct {
		name string
		do   func() error
	}{
		{"rewrite a scene and its vector", func() error {
			i := r.IntN(w.Scripts())
			if _, err := os.Stat(filepath.Join(dir, w.VectorFile(i, 1))); err != nil {
				return nil // removed, with its script block
			}
			return w.EditScene(i, 1+r.IntN(10))
		}},
		{"insert a scene", func() error { return editScenes(dir, pickScript(r, dir), r, "insert") }},
		{"move a scene", func() error { return editScenes(dir, pickScript(r, dir), r, "swap") }},
		{"delete a scene", func() error { return editScenes(dir, pickScript(r, dir), r, "delete") }},
		{"change a vector, same size", func() error { return flipByte(filepath.Join(dir, pickFile(r, dir, "vectors", ".npy"))) }},
		{"touch a vector, same bytes", func() error { return touch(filepath.Join(dir, pickFile(r, dir, "vectors", ".npy"))) }},
		{"touch a screenplay, same bytes", func() error { return touch(filepath.Join(dir, pickFile(r, dir, "scripts", ".fountain"))) }},
		{"add a comment", func() error { return appendFile(filepath.Join(dir, "main.hcl"), "\n# a comment\n") }},
		{"rename a script with a moved block", func() error {
			renamed++
			return renameScript(dir, renamed)
		}},
		{"update a scene heading in SQL", func() error {
			return sqlExec(dir, "UPDATE scenes SET heading = 'INT. ELSEWHERE - NIGHT' WHERE id = (SELECT id FROM scenes ORDER BY random() LIMIT 1)")
		}},
		{"delete an embedding row in SQL", func() error {
			return sqlExec(dir, "DELETE FROM embeddings WHERE id = (SELECT id FROM embeddings ORDER BY random() LIMIT 1)")
		}},
		{"update a column scriptsync does not own", func() error {
			return sqlExec(dir, "UPDATE scenes SET last_read_at = CURRENT_TIMESTAMP WHERE id = (SELECT id FROM scenes ORDER BY random() LIMIT 1)")
		}},
		{"rewrite an LFS object in place", func() error {
			return flipByte(filepath.Join(dir, "library.git", "lfs", pickFile(r, filepath.Join(dir, "library.git", "lfs"), "objects", "")))
		}},
		{"remove an LFS object", func() error {
			return os.Remove(filepath.Join(dir, "library.git", "lfs", pickFile(r, filepath.Join(dir, "library.git", "lfs"), "objects", "")))
		}},
		{"remove a script and its embeddings", func() error { return removeScript(dir, r) }},
		{"add a script with embeddings", func() error {
			added++
			return addScript(dir, r, added)
		}},
		{"renumber a script", func() error { return renumberScript(dir, r) }},
		{"move the configuration directory", func() error {
			moved := dir + "m"
			if err := os.Rename(dir, moved); err != nil {
				return err
			}
			dir, w.Dir = moved, moved
			return nil
		}},
		{"move the branch back", func() error {
			out, err := exec.Command("git", "--git-dir", filepath.Join(dir, "library.git"), "update-ref", "refs/heads/main", "HEAD~1").CombinedOutput()
			if err != nil && strings.Contains(string(out), "HEAD~1") {
				return nil // a single commit: nothing to move back to
			}
			if err != nil {
				return fmt.Errorf("git update-ref: %v: %s", err, out)
			}
			return nil
		}},
	}
	recalledOnEdit := 0
	scopedPlans, scopedApplies = 0, 0
	for step := range 40 {
		e := edits[r.IntN(len(edits))]
		name := fmt.Sprintf("step %d (%s)", step, e.name)
		if os.Getenv("MEMO_DEBUG") != "" {
			t.Log("=== " + name)
		}
		if err := e.do(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		code, recalled := samePlans(t, dir, name)
		if recalled {
			recalledOnEdit++
		}
		if code == 1 {
			t.Fatalf("%s: plan failed", name)
		}
		if r.IntN(3) > 0 || code != 0 {
			apply(name)
		}
	}
	t.Logf("the memo answered %d of 40 plans right after an edit (edits that change nothing a plan sees); %d plans and %d applies were of what changed only; %d of %d applies needed a second for a memo",
		recalledOnEdit, scopedPlans, scopedApplies, second, applies)
	if second*2 > applies {
		t.Fatalf("%d of %d applies left no memo", second, applies)
	}

	// Whatever the edits were, a line of a scene rewritten is planned and
	// applied from what changed, and converges.
	apply("before the last edit")
	plans, applied := scopedPlans, scopedApplies
	if err := rewriteLine(filepath.Join(dir, pickFile(r, dir, "scripts", ".fountain"))); err != nil {
		t.Fatal(err)
	}
	if code, _ := samePlans(t, dir, "the last edit"); code != 2 {
		t.Fatalf("the last edit: plan exit %d, want 2", code)
	}
	apply("the last edit")
	if scopedPlans == plans || scopedApplies == applied {
		t.Fatalf("the last edit: %d plans and %d applies of what changed only, want some of each", scopedPlans-plans, scopedApplies-applied)
	}
}

var sceneHeading = regexp.MustCompile(`(?m)^(INT|EXT)\. `)

// pickScript returns a random script's Fountain file, relative to dir.
func pickScript(r *rand.Rand, dir string) string { return pickFile(r, dir, "scripts", ".fountain") }

// pickFile returns a random file under dir/sub with the suffix, relative
// to dir.
func pickFile(r *rand.Rand, dir, sub, suffix string) string {
	var files []string
	filepath.WalkDir(filepath.Join(dir, sub), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, suffix) {
			rel, _ := filepath.Rel(dir, path)
			files = append(files, rel)
		}
		return nil
	})
	if len(files) == 0 {
		return sub
	}
	return files[r.IntN(len(files))]
}

// editScenes inserts a copy of a scene, swaps two, or deletes one in a
// screenplay; an inserted scene gets a vector file, copied from another,
// for the embedding the configuration then declares for it.
func editScenes(dir, rel string, r *rand.Rand, how string) error {
	path := filepath.Join(dir, rel)
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	text := string(data)
	idx := sceneHeading.FindAllStringIndex(text, -1)
	if len(idx) < 3 {
		return nil
	}
	head := text[:idx[0][0]]
	var scenes []string
	for i, m := range idx {
		end := len(text)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		scenes = append(scenes, text[m[0]:end])
	}
	i, j := r.IntN(len(scenes)), r.IntN(len(scenes))
	switch how {
	case "insert":
		scenes = append(scenes[:i+1], append([]string{scenes[i]}, scenes[i+1:]...)...)
		vecDir := filepath.Join(dir, "vectors", strings.TrimSuffix(strings.TrimPrefix(rel, "scripts"+string(filepath.Separator)), ".fountain"))
		src, err := os.ReadFile(filepath.Join(vecDir, "1.npy"))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(vecDir, fmt.Sprintf("%d.npy", len(scenes))), src, 0o644); err != nil {
			return err
		}
	case "swap":
		scenes[i], scenes[j] = scenes[j], scenes[i]
	case "delete":
		scenes = append(scenes[:i], scenes[i+1:]...)
	}
	return os.WriteFile(path, []byte(head+strings.Join(scenes, "")), 0o644)
}

// seasonBlock matches a script block of a generated season file and the
// embedding block after it, by the script's name.
var seasonBlock = regexp.MustCompile(`(?s)\nscript "(s\d{3}e\d{2}|extra\d+)" \{\n.*?\n\}\n(\nembedding "(?:s\d{3}e\d{2}|extra\d+)" \{\n.*?\n\}\n)?`)

// pickSeason returns a random season file of the generated library and
// its text.
func pickSeason(dir string, r *rand.Rand) (string, string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "season_*.hcl"))
	if err != nil || len(files) == 0 {
		return "", "", fmt.Errorf("no season files: %v", err)
	}
	extra, _ := filepath.Glob(filepath.Join(dir, "extra_*.hcl"))
	files = append(files, extra...)
	path := files[r.IntN(len(files))]
	data, err := os.ReadFile(path)
	return path, string(data), err
}

// removeScript takes a random script block out of a season file, with
// the embedding block declared after it; not a season's first episode,
// whose script the bible names. Its screenplay and vectors are deleted
// too, as git rm would.
func removeScript(dir string, r *rand.Rand) error {
	path, text, err := pickSeason(dir, r)
	if err != nil {
		return err
	}
	var blocks [][]int
	for _, m := range seasonBlock.FindAllStringSubmatchIndex(text, -1) {
		if !strings.HasSuffix(text[m[2]:m[3]], "e01") {
			blocks = append(blocks, m)
		}
	}
	if len(blocks) == 0 {
		return nil
	}
	m := blocks[r.IntN(len(blocks))]
	block := text[m[0]:m[1]]
	if err := os.WriteFile(path, []byte(text[:m[0]]+text[m[1]:]), 0o644); err != nil {
		return err
	}
	for _, src := range regexp.MustCompile(`source +\= "([^"$]+)(\$\{each\.key\}\.npy)?"`).FindAllStringSubmatch(block, -1) {
		if err := os.RemoveAll(filepath.Join(dir, filepath.FromSlash(src[1]))); err != nil {
			return err
		}
	}
	return nil
}

// addScript declares a new script in a season file (every other one in
// a file of its own), with an embedding per scene: a copy of a generated
// screenplay and its vectors.
func addScript(dir string, r *rand.Rand, n int) error {
	path, text, err := pickSeason(dir, r)
	if err != nil {
		return err
	}
	from := pickScript(r, dir)
	key := strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(from), "scripts/"), ".fountain")
	data, err := os.ReadFile(filepath.Join(dir, from))
	if err != nil {
		return err
	}
	name := fmt.Sprintf("extra%d", n)
	if err := os.MkdirAll(filepath.Join(dir, "scripts", "extra"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "scripts", "extra", name+".fountain"), data, 0o644); err != nil {
		return err
	}
	vectors := filepath.Join(dir, "vectors", "extra", name)
	if err := os.MkdirAll(vectors, 0o755); err != nil {
		return err
	}
	scenes := len(sceneHeading.FindAllStringIndex(string(data), -1))
	for i := 1; i <= scenes; i++ {
		vec, err := os.ReadFile(filepath.Join(dir, "vectors", filepath.FromSlash(key), fmt.Sprintf("%d.npy", i)))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(vectors, fmt.Sprintf("%d.npy", i)), vec, 0o644); err != nil {
			return err
		}
	}
	season := strings.TrimPrefix(strings.TrimSuffix(filepath.Base(path), ".hcl"), "season_")
	if !strings.HasPrefix(filepath.Base(path), "season_") {
		season = "1"
	}
	if n%2 == 0 {
		// Every other one in a file of its own, which the plan of what
		// changed takes as its blocks coming.
		path, text = filepath.Join(dir, fmt.Sprintf("extra_%d.hcl", n)), "# An extra episode.\n"
	}
	text += fmt.Sprintf(`
script %[1]q {
  source  = "scripts/extra/%[1]s.fountain"
  series  = series.harbour
  season  = %[2]s
  episode = %[3]d
}

embedding %[1]q {
  for_each   = script.%[1]s.scenes
  scene      = each.value
  model      = local.embedding_model
  dimensions = 384
  source     = "vectors/extra/%[1]s/${each.key}.npy"
  path       = "embeddings/%[1]s/${each.key}.npy"
}
`, name, strings.TrimLeft(season, "0"), 100+n)
	return os.WriteFile(path, []byte(text), 0o644)
}

// renumberScript gives a random script block of a season file another
// episode number.
func renumberScript(dir string, r *rand.Rand) error {
	path, text, err := pickSeason(dir, r)
	if err != nil {
		return err
	}
	episodes := regexp.MustCompile(`(?m)^  episode = (\d+)$`).FindAllStringSubmatchIndex(text, -1)
	if len(episodes) == 0 {
		return nil
	}
	m := episodes[r.IntN(len(episodes))]
	return os.WriteFile(path, []byte(text[:m[2]]+fmt.Sprint(200+r.IntN(800))+text[m[3]:]), 0o644)
}

// renameScript renames the first script still declared under its
// generated name in season_001.hcl, with a moved block.
func renameScript(dir string, n int) error {
	path := filepath.Join(dir, "season_001.hcl")
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	m := regexp.MustCompile(`script "(s\d{3}e\d{2})"`).FindSubmatch(data)
	if m == nil {
		return nil
	}
	old, to := string(m[1]), fmt.Sprintf("renamed%d", n)
	text := strings.ReplaceAll(string(data), `"`+old+`"`, `"`+to+`"`)
	text = strings.ReplaceAll(text, "script."+old, "script."+to)
	text += fmt.Sprintf("\nmoved {\n  from = script.%s\n  to   = script.%s\n}\n\nmoved {\n  from = embedding.%s\n  to   = embedding.%s\n}\n", old, to, old, to)
	return os.WriteFile(path, []byte(text), 0o644)
}

// rewriteLine adds a sentence to the first line of action of a
// screenplay, after its first scene heading.
func rewriteLine(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	loc := sceneHeading.FindIndex(data)
	if loc == nil {
		return fmt.Errorf("%s has no scene heading", path)
	}
	rest := string(data[loc[0]:])
	heading, after, _ := strings.Cut(rest, "\n")
	after = strings.TrimLeft(after, "\n")
	action, tail, _ := strings.Cut(after, "\n")
	edited := string(data[:loc[0]]) + heading + "\n\n" + action + " Nobody notices.\n" + tail
	return os.WriteFile(path, []byte(edited), 0o644)
}

// flipByte changes the last byte of a file in place, keeping its size.
func flipByte(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return err
	}
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, st.Size()-1); err != nil {
		return err
	}
	b[0] ^= 0x5a
	_, err = f.WriteAt(b, st.Size()-1)
	return err
}

// touch rewrites a file with the bytes it has: new times, same content.
func touch(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteString(text)
	return err
}

// sqlExec runs a statement on the library's SQLite database as another
// program would.
func sqlExec(dir, stmt string) error {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "scriptrag.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec(stmt)
	return err
}

// TestMemoDisplacedEmbeddingsPlanInFull: two screenplays of one text have
// scenes ScriptRAG hashes alike, so the second's embeddings cannot have
// the paths ScriptRAG names those scenes by (the first took them). A plan
// of the second's change only does not see the first, and would put them
// there; the plan must still be the full plan's, and the apply converge.
func TestMemoDisplacedEmbeddingsPlanInFull(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		needs.Missing(t, "git", "install git: the library's branch is read with stock git's layout", err)
	}
	dir := t.TempDir()
	const text = "Title: Twice\n\nINT. ER - NIGHT\n\nRain.\n\nKIM\nHere we go again.\n\nEXT. ROOF - DAWN\n\nOKAFOR\nCall me back.\n"
	season := func(name string, episode int) string {
		return fmt.Sprintf("script %q {\n  source  = \"%[1]s.fountain\"\n  series  = series.s\n  episode = %d\n}\n\n"+
			"embedding %[1]q {\n  for_each = script.%[1]s.scenes\n  scene    = each.value\n  model    = \"m\"\n  source   = \"vectors/%[1]s/${each.key}.npy\"\n}\n", name, episode)
	}
	files := map[string]string{
		"main.hcl":     "series \"s\" {\n  title = \"S\"\n}\n\nprovider \"git\" {\n  branch = \"main\"\n}\n",
		"season_a.hcl": season("a1", 1),
		"season_b.hcl": season("b1", 2),
		"a1.fountain":  text,
		"b1.fountain":  text,
	}
	for i, name := range []string{"a1/1", "a1/2", "b1/1", "b1/2"} {
		files["vectors/"+name+".npy"] = string(npy.Encode([]float32{float32(i), 1}))
	}
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	apply := func(step string) {
		t.Helper()
		if code, out, _ := runMemo(t, dir, "", "apply", "-auto-approve"); code != 0 {
			t.Fatalf("%s: apply: exit %d\n%s", step, code, out)
		}
		if code, recalled := samePlans(t, dir, step+", after apply"); code != 0 || !recalled {
			t.Fatalf("%s: after apply: plan exit %d, memo answered %v; want 0 and true", step, code, recalled)
		}
	}
	apply("cold apply")
	_, out, _ := runMemo(t, dir, "off", "plan", "-no-color")
	if !strings.Contains(out, "No changes") {
		t.Fatalf("plan after the cold apply:\n%s", out)
	}
	for _, step := range []struct {
		name string
		do   func() error
	}{
		{"the second's vector rewritten", func() error {
			return os.WriteFile(filepath.Join(dir, "vectors/b1/2.npy"), npy.Encode([]float32{9, 9}), 0o644)
		}},
		{"the second renumbered", func() error {
			return os.WriteFile(filepath.Join(dir, "season_b.hcl"), []byte(season("b1", 3)), 0o644)
		}},
		{"the first removed", func() error {
			return os.WriteFile(filepath.Join(dir, "season_a.hcl"), nil, 0o644)
		}},
	} {
		if err := step.do(); err != nil {
			t.Fatal(err)
		}
		if code, _ := samePlans(t, dir, step.name); code != 2 {
			t.Fatalf("%s: plan exit %d, want 2", step.name, code)
		}
		apply(step.name)
	}
}
