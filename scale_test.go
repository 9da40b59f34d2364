package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"scriptsync/cli"
	"scriptsync/internal/workload"
)

// runCode runs the CLI in-process and returns its exit code and output.
func runCode(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := cli.Run(cli.Env{Args: append([]string{"scriptsync", "-no-color"}, args...), Dir: dir, Stdout: &out, Stderr: &out,
		Getenv: func(string) string { return "" }, Context: context.Background()})
	return code, out.String()
}

// TestWorkloadApplies: the generated library applies, a second plan finds
// nothing to do, and so does a plan after a script is taken out.
func TestWorkloadApplies(t *testing.T) {
	w, err := workload.Generate(t.TempDir(), workload.Options{Scenes: 520, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if code, out := runCode(t, w.Dir, "apply", "-auto-approve"); code != 0 || !strings.Contains(out, "Apply complete!") {
		t.Fatalf("cold apply: exit %d\n%s", code, out)
	}
	if code, out := runCode(t, w.Dir, "plan", "-detailed-exitcode"); code != 0 || !strings.Contains(out, "No changes.") {
		t.Fatalf("plan after apply: exit %d, want 0\n%s", code, out)
	}
	// The last script is short (520 = 10×50 + 20) and has a season of its own.
	if w.Scripts() != 11 {
		t.Fatalf("W(520) has %d scripts, want 11", w.Scripts())
	}
	db := openDB(t, w.Dir)
	var scenes, embeddings, dialogues int
	for q, n := range map[string]*int{"scenes": &scenes, "embeddings": &embeddings, "dialogues": &dialogues} {
		if err := db.QueryRow("SELECT count(*) FROM " + q).Scan(n); err != nil {
			t.Fatal(err)
		}
	}
	if scenes != 520 || embeddings != 520 || dialogues < 3*520 || dialogues > 5*520 {
		t.Fatalf("after the cold apply: %d scenes, %d embeddings, %d dialogues; want 520, 520 and 3-5 per scene", scenes, embeddings, dialogues)
	}

	if err := w.DeleteScript(3); err != nil {
		t.Fatal(err)
	}
	code, out := runCode(t, w.Dir, "apply", "-auto-approve")
	if code != 0 || !strings.Contains(out, "0 added, 0 changed,") {
		t.Fatalf("delete apply: exit %d\n%s", code, out)
	}
	if code, out := runCode(t, w.Dir, "plan", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan after the delete: exit %d, want 0\n%s", code, out)
	}
	if err := db.QueryRow("SELECT count(*) FROM scenes").Scan(&scenes); err != nil {
		t.Fatal(err)
	}
	if scenes != 470 {
		t.Fatalf("after deleting a script of 50 scenes: %d scenes, want 470", scenes)
	}
}

// TestWorkloadEditWritesOnlyWhatChanged edits one scene of one script (its
// text and its vector) and checks, by comparing the backends before and
// after, that the apply wrote that scene's rows, its script's file and its
// embedding object, and nothing else.
func TestWorkloadEditWritesOnlyWhatChanged(t *testing.T) {
	w, err := workload.Generate(t.TempDir(), workload.Options{Scenes: 500, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if code, out := runCode(t, w.Dir, "apply", "-auto-approve"); code != 0 {
		t.Fatalf("cold apply: exit %d\n%s", code, out)
	}
	db := openDB(t, w.Dir)
	const script, scene = 5, 26
	key := w.ScriptKey(script)
	var sceneID, scriptID int64
	err = db.QueryRow(`SELECT s.id, s.script_id FROM scenes s JOIN scriptsync_objects o ON o.row_id = s.id AND o.type = 'scene'
		WHERE o.address = ?`, fmt.Sprintf("script.%s.scenes[%q]", key, fmt.Sprint(scene))).Scan(&sceneID, &scriptID)
	if err != nil {
		t.Fatalf("find the scene's row: %v", err)
	}
	sqlBefore := dumpSQL(t, db)
	gitBefore := lsTree(t, w.Dir)
	lfsBefore := lfsObjects(t, w.Dir)

	if err := w.EditScene(script, scene); err != nil {
		t.Fatal(err)
	}
	code, out := runCode(t, w.Dir, "apply", "-auto-approve")
	if code != 0 {
		t.Fatalf("apply of the edit: exit %d\n%s", code, out)
	}
	t.Logf("apply of the edit:\n%s", out)

	// SQL: rows change only where they belong to the scene, its script or
	// its embedding, and the bookkeeping only for those objects.
	sceneAddr := fmt.Sprintf("script.%s.scenes[%q]", key, fmt.Sprint(scene))
	embAddr := fmt.Sprintf("embedding.%s[%q]", key, fmt.Sprint(scene))
	allowed := func(table string, row map[string]string) bool {
		switch table {
		case "scenes":
			return row["id"] == fmt.Sprint(sceneID)
		case "dialogues", "actions":
			return row["scene_id"] == fmt.Sprint(sceneID)
		case "embeddings", "embedding_metadata":
			return row["entity_type"] == "scene" && row["entity_id"] == fmt.Sprint(sceneID)
		case "scene_embeddings":
			return row["scene_id"] == fmt.Sprint(sceneID)
		case "scripts":
			return row["id"] == fmt.Sprint(scriptID)
		case "scriptsync_objects":
			a := row["address"]
			return a == sceneAddr || a == embAddr || a == "script."+key
		case "scriptsync_meta":
			return true // the serial and the peers' versions move on every apply
		}
		return false
	}
	sqlAfter := dumpSQL(t, db)
	changed := map[string]int{}
	for table, rows := range sqlAfter {
		before := sqlBefore[table]
		for k, row := range rows {
			if old, ok := before[k]; ok && equalRows(old, row) {
				continue
			}
			if !allowed(table, row) {
				t.Errorf("%s row %s was written, but it has nothing to do with the edited scene: %v", table, k, row)
			}
			changed[table]++
		}
		for k, row := range before {
			if _, ok := rows[k]; !ok {
				if !allowed(table, row) {
					t.Errorf("%s row %s was deleted, but it has nothing to do with the edited scene: %v", table, k, row)
				}
				changed[table]++
			}
		}
	}
	for _, table := range []string{"scenes", "embeddings", "dialogues"} {
		if changed[table] == 0 {
			t.Errorf("no %s row changed; the edit rewrote the scene's dialogue and vector", table)
		}
	}
	if changed["scenes"] != 1 || changed["embeddings"] != 1 {
		t.Errorf("%d scene rows and %d embedding rows changed, want 1 and 1", changed["scenes"], changed["embeddings"])
	}

	// Git: the script's file and the vector's pointer, besides
	// scriptsync's own manifest.
	gitAfter := lsTree(t, w.Dir)
	var paths []string
	for p, id := range gitAfter {
		if gitBefore[p] != id {
			paths = append(paths, p)
		}
	}
	for p := range gitBefore {
		if _, ok := gitAfter[p]; !ok {
			paths = append(paths, p+" (deleted)")
		}
	}
	sort.Strings(paths)
	var content []string
	for _, p := range paths {
		if !strings.HasPrefix(p, ".scriptsync/manifest/") {
			content = append(content, p)
		}
	}
	want := []string{w.VectorPath(script, scene), w.ScriptPath(script)}
	sort.Strings(want)
	if strings.Join(content, "\n") != strings.Join(want, "\n") {
		t.Errorf("git paths written: %q, want %q (plus the manifest)", paths, want)
	}
	// The manifest is sharded by block: at most one shard per changed block.
	if shards := len(paths) - len(content); shards > len(want) {
		t.Errorf("%d manifest shards rewritten for %d changed paths: %q", shards, len(want), paths)
	}

	// LFS: exactly one new object, the new vector; at most one removed,
	// the old vector, which no managed pointer names any more.
	lfsAfter := lfsObjects(t, w.Dir)
	var added, removed []string
	for oid := range lfsAfter {
		if !lfsBefore[oid] {
			added = append(added, oid)
		}
	}
	for oid := range lfsBefore {
		if !lfsAfter[oid] {
			removed = append(removed, oid)
		}
	}
	if len(removed) > 1 {
		t.Errorf("LFS objects %q were removed, want at most the edited vector's old one", removed)
	}
	vec, err := os.ReadFile(filepath.Join(w.Dir, w.VectorFile(script, scene)))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(vec)
	if len(added) != 1 || added[0] != hex.EncodeToString(sum[:]) {
		t.Errorf("new LFS objects: %q, want only the edited vector's %x", added, sum)
	}

	if code, out := runCode(t, w.Dir, "plan", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan after the edit: exit %d, want 0\n%s", code, out)
	}
}

func openDB(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "scriptrag.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// dumpSQL reads every row of every table, by table and key (the id, or
// the key column, or the whole row).
func dumpSQL(t *testing.T, db *sql.DB) map[string]map[string]map[string]string {
	t.Helper()
	var tables []string
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	out := map[string]map[string]map[string]string{}
	for _, table := range tables {
		rows, err := db.Query("SELECT * FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		out[table] = map[string]map[string]string{}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			row := map[string]string{}
			var all []string
			for i, c := range cols {
				row[c] = sqlText(vals[i])
				all = append(all, c+"="+row[c])
			}
			k := row["id"]
			switch {
			case k != "":
			case row["key"] != "":
				k = row["key"]
			case row["address"] != "":
				k = row["address"]
			default:
				k = strings.Join(all, ",")
			}
			out[table][k] = row
		}
		rows.Close()
	}
	return out
}

func equalRows(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// lsTree lists the branch's files with stock git: path → blob id.
func lsTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out, err := exec.Command("git", "--git-dir", filepath.Join(dir, "library.git"), "ls-tree", "-r", "main").Output()
	if err != nil {
		t.Fatalf("git ls-tree: %v", err)
	}
	files := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		meta, path, ok := strings.Cut(line, "\t")
		if f := strings.Fields(meta); ok && len(f) == 3 {
			files[path] = f[2]
		}
	}
	return files
}

// lfsObjects lists the oids in the repository's LFS store.
func lfsObjects(t *testing.T, dir string) map[string]bool {
	t.Helper()
	oids := map[string]bool{}
	root := filepath.Join(dir, "library.git", "lfs", "objects")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			oids[d.Name()] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return oids
}

// TestSceneEditsConverge: inserting, deleting and moving scenes renumbers
// the others; the embeddings follow their scene's address, and the next
// plan is empty (an embedding row used to be deleted with the scene row
// that had left its address, while the bookkeeping kept it).
func TestSceneEditsConverge(t *testing.T) {
	w, err := workload.Generate(t.TempDir(), workload.Options{Scenes: 100, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if code, out := runCode(t, w.Dir, "apply", "-auto-approve"); code != 0 {
		t.Fatalf("cold apply: exit %d\n%s", code, out)
	}
	db := openDB(t, w.Dir)
	r := rand.New(rand.NewPCG(3, 3))
	for _, how := range []string{"delete", "insert", "swap", "delete", "delete", "insert"} {
		if err := editScenes(w.Dir, "scripts/s001/e02.fountain", r, how); err != nil {
			t.Fatal(err)
		}
		if code, out := runCode(t, w.Dir, "apply", "-auto-approve"); code != 0 {
			t.Fatalf("%s: apply: exit %d\n%s", how, code, out)
		}
		if code, out := runCode(t, w.Dir, "plan", "-detailed-exitcode"); code != 0 {
			t.Fatalf("%s: plan after apply: exit %d, want 0\n%s", how, code, out)
		}
		// Every embedding of the script is on the scene its vector file is
		// named after: embedding N on scene N.
		var all, wrong int
		err := db.QueryRow(`SELECT COUNT(*), COALESCE(SUM(o.address NOT LIKE '%["' || s.scene_number || '"]'), 0)
			FROM embeddings e JOIN scenes s ON s.id = e.entity_id
			JOIN scripts sc ON sc.id = s.script_id
			JOIN scriptsync_objects o ON o.type = 'embedding' AND o.row_id = e.id
			WHERE sc.file_path LIKE ?`, "%/scripts/s001/e02.fountain").Scan(&all, &wrong)
		if err != nil {
			t.Fatal(err)
		}
		if all < 40 || wrong != 0 {
			t.Fatalf("%s: %d of the script's %d embeddings are on another scene than their address names", how, wrong, all)
		}
	}
}
