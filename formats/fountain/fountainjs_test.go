package fountain

import (
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"scriptsync/internal/needs"
)

// fountainJSDir holds the differential test's node script and its
// package.json; .ci/run installs fountain-js there with npm ci.
const fountainJSDir = "testdata/fountainjs"

// fountainJSDivergences lists where scriptsync's parser and fountain-js
// read a file differently, each for a rule the two apply differently on
// purpose, keyed by file name and "headings" or "cues". Every other file
// and kind must agree exactly.
var fountainJSDivergences = map[[2]string]struct {
	why string
	// jsOnly and goOnly are what only fountain-js and only scriptsync read,
	// in file order.
	jsOnly, goOnly []string
}{
	{"rules.fountain", "cues"}: {
		why: "text after an extension (BOB (V.O.) JR.): the line is entirely upper case, a cue by fountain.io's rule; " +
			"fountain-js wants the extension to end the line",
		goOnly: []string{"BOB"},
	},
}

// TestFountainJS compares the scene headings and character cues of every
// screenplay of the corpus and of the project's own fixtures with what
// fountain-js (npm) reads in them.
func TestFountainJS(t *testing.T) {
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(fountainJSDir, "node_modules", "fountain-js", "package.json"))
	}
	if err != nil {
		needs.Missing(t, "node and fountain-js", "apt-get install -y nodejs npm; npm ci in formats/fountain/"+fountainJSDir, err)
	}

	files := fountainFixtures(t)
	if len(files) == 0 {
		t.Fatal("no screenplays to compare")
	}
	paths := make([]string, 0, len(files))
	for _, f := range files {
		paths = append(paths, f.path)
	}
	cmd := exec.Command(node, append([]string{filepath.Join(fountainJSDir, "headings.js")}, paths...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node headings.js: %v", err)
	}
	var js map[string]struct{ Headings, Characters []string }
	if err := json.Unmarshal(out, &js); err != nil {
		t.Fatalf("node headings.js printed no JSON: %v", err)
	}

	used := map[[2]string]bool{}
	compared := map[string]int{}
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			got, ok := js[f.path]
			if !ok {
				t.Fatalf("fountain-js printed nothing for %s", f.path)
			}
			data, err := os.ReadFile(f.path)
			if err != nil {
				t.Fatal(err)
			}
			sp, err := Parse(data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var heads, cues []string
			for _, sc := range sp.Scenes {
				h, _ := sceneNumber(sc.Heading)
				heads = append(heads, h)
			}
			for _, e := range allElements(sp) {
				if e.Type == Character {
					cues = append(cues, e.Name)
				}
			}
			jsHeads := make([]string, len(got.Headings))
			for i, h := range got.Headings {
				jsHeads[i] = strings.TrimSpace(h)
			}
			jsCues := make([]string, len(got.Characters))
			for i, c := range got.Characters {
				jsCues[i], _, _ = cue(c)
			}
			for _, what := range []struct {
				kind     string
				js, mine []string
			}{{"headings", jsHeads, heads}, {"cues", jsCues, cues}} {
				key := [2]string{f.name, what.kind}
				d, listed := fountainJSDivergences[key]
				used[key] = true
				jsOnly, goOnly := diffLists(what.js, what.mine)
				if !listed && len(jsOnly)+len(goOnly) > 0 {
					t.Errorf("%s differ from fountain-js: only fountain-js %q, only scriptsync %q", what.kind, jsOnly, goOnly)
				}
				if listed && (!reflect.DeepEqual(jsOnly, d.jsOnly) || !reflect.DeepEqual(goOnly, d.goOnly)) {
					t.Errorf("%s: the listed divergence (%s) changed: only fountain-js %q, only scriptsync %q; listed %q, %q",
						what.kind, d.why, jsOnly, goOnly, d.jsOnly, d.goOnly)
				}
				compared[what.kind] += len(what.mine)
			}
		})
	}
	t.Logf("compared %d files: %d headings, %d cues", len(files), compared["headings"], compared["cues"])
	for key := range fountainJSDivergences {
		if !used[key] {
			t.Errorf("divergence listed for %s, which is not among the files compared", key[0])
		}
	}
}

type fixture struct{ name, path string }

// fountainFixtures lists the screenplays to compare: the corpus, the
// examples' .fountain files, and the .fountain members of the testscripts
// (written to a temporary directory).
func fountainFixtures(t *testing.T) []fixture {
	t.Helper()
	var files []fixture
	walk := func(dir string) {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".fountain") {
				files = append(files, fixture{filepath.Base(path), path})
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(corpusDir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("corpus %s is missing on CI (set SCRIPTSYNC_CORPUS): %v", corpusDir, err)
		}
		t.Logf("corpus %s not present, comparing the project's fixtures only", corpusDir)
	} else {
		walk(corpusDir)
	}
	walk("../../examples")
	walk(fountainJSDir) // cases of the rules, written for this test
	scripts, err := filepath.Glob("../../testscripts/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	for _, s := range scripts {
		ar, err := txtar.ParseFile(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			if !strings.HasSuffix(f.Name, ".fountain") || checkText(f.Data) != nil {
				continue // not a screenplay: the invalid-input fixtures
			}
			name := strings.TrimSuffix(filepath.Base(s), ".txtar") + ":" + f.Name
			path := filepath.Join(tmp, strings.NewReplacer("/", "_", ":", "_").Replace(name))
			if err := os.WriteFile(path, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, fixture{name, path})
		}
	}
	return files
}

// diffLists returns the items of a not matched in b and of b not matched
// in a, in order, by a longest common subsequence.
func diffLists(a, b []string) (aOnly, bOnly []string) {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			i++
			j++
		case lcs[i+1][j] >= lcs[i][j+1]:
			aOnly = append(aOnly, a[i])
			i++
		default:
			bOnly = append(bOnly, b[j])
			j++
		}
	}
	return append(aOnly, a[i:]...), append(bOnly, b[j:]...)
}
