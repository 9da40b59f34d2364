package sql

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"scriptsync/library"
	"scriptsync/providers"
)

// The conformance suite: every test here runs against SQLite and against
// PostgreSQL (see backends_test.go).

func TestConformanceRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		p := b.open(t)
		lib := fixture(t, t.TempDir())
		changes := apply(t, p, lib)
		if n := counts(changes)[providers.Create]; n != len(changes) || n == 0 {
			t.Fatalf("first apply: %v, want only creates", counts(changes))
		}
		desired, _ := p.Desired(lib)
		st, err := p.Read(context.Background(), desired)
		if err != nil {
			t.Fatal(err)
		}
		if st.Version != "1" {
			t.Errorf("Version = %q, want 1", st.Version)
		}
		if len(st.Warnings) > 0 {
			t.Errorf("warnings: %v", st.Warnings)
		}
		// Read leaves the dependencies of unchanged objects unread, and
		// reads their attributes when asked for.
		assertSameObjects(t, desired, st.Objects, false)
		if c := plan(desired, st.Refreshed()); len(c) != 0 {
			t.Errorf("second plan has %d changes, want none", len(c))
		}
		// Wanting nothing, every object is a change and is read in full.
		full, err := p.Read(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		assertSameObjects(t, desired, full.Objects, true)
		for table, want := range map[string]int64{"series": 1, "scripts": 2, "characters": 4, "scenes": 7,
			"dialogues": 11, "actions": 7, "embeddings": 2, "script_bibles": 1, "bible_chunks": 3} {
			if got := b.count(t, p, table); got != want {
				t.Errorf("%s has %d rows, want %d", table, got, want)
			}
		}
		// Values land where ScriptRAG reads them.
		row := b.strings(t, p, `SELECT s.title, s.series_title, sc.heading, sc.location, sc.time_of_day, c.name, d.dialogue_text
FROM dialogues d JOIN scenes sc ON sc.id = d.scene_id JOIN scripts s ON s.id = sc.script_id
JOIN characters c ON c.id = d.character_id WHERE sc.scene_number = 2 AND s.title = 'Pilot' ORDER BY d.order_in_scene`)
		if want := []string{"Pilot", "Night Shift", "INT. WARD 2 - NIGHT", "WARD 2", "NIGHT", "KIM", "Here we go again."}; !reflect.DeepEqual(row, want) {
			t.Errorf("scene 2's first dialogue: %q, want %q", row, want)
		}
		if got := b.strings(t, p, "SELECT metadata FROM dialogues WHERE metadata IS NOT NULL LIMIT 1"); !strings.Contains(got[0], `"parenthetical"`) {
			t.Errorf("dialogue metadata %q has no parenthetical", got[0])
		}
		// As ScriptRAG numbers them: each scene's dialogues 0..n-1, and
		// its actions 0..m-1.
		for _, tbl := range []string{"dialogues", "actions"} {
			q := `SELECT count(*) FROM (SELECT count(*) AS n, min(order_in_scene) AS lo, max(order_in_scene) AS hi,
count(DISTINCT order_in_scene) AS d FROM ` + tbl + ` GROUP BY scene_id) per WHERE lo <> 0 OR hi <> n - 1 OR d <> n`
			if bad := b.ints(t, p, q); bad[0] != 0 {
				t.Errorf("%d scenes number their %s other than 0..n-1", bad[0], tbl)
			}
		}
		if top := b.ints(t, p, "SELECT max(order_in_scene) FROM dialogues"); top[0] < 1 {
			t.Errorf("no scene has two dialogues: the numbering is untested")
		}
		vec := b.bytes(t, p, "SELECT embedding FROM embeddings WHERE dimensions = 3 ORDER BY id LIMIT 1")
		// ScriptRAG's encoding: a little-endian uint32 count, then the values.
		if want := []byte{3, 0, 0, 0, 0, 0, 0, 0x3f, 0, 0, 0x80, 0xbf, 0, 0, 0x10, 0x40}; !reflect.DeepEqual(vec, want) {
			t.Errorf("embedding bytes %x, want %x", vec, want)
		}
		if got := b.ints(t, p, "SELECT count(*) FROM bible_chunks c JOIN bible_chunks parent ON parent.id = c.parent_chunk_id WHERE parent.chunk_number = 0"); got[0] != 2 {
			t.Errorf("%d chunks under chunk 0, want 2", got[0])
		}
		if got := b.ints(t, p, "SELECT count(*) FROM scripts WHERE series_id IS NOT NULL AND file_path IS NOT NULL"); got[0] != 1 {
			t.Errorf("%d scripts linked to the series with a path, want 1", got[0])
		}
	})
}

// assertSameObjects checks that Read returns what Desired produced, with
// their dependencies when deps is true.
func assertSameObjects(t *testing.T, desired, actual []*providers.Object, deps bool) {
	t.Helper()
	slices.SortFunc(actual, func(x, y *providers.Object) int { return strings.Compare(x.Address, y.Address) })
	if len(desired) != len(actual) {
		t.Fatalf("read %d objects, want %d", len(actual), len(desired))
	}
	for i, d := range desired {
		a := actual[i]
		if a.ID == "" {
			t.Errorf("%s: no ID", a.Address)
		}
		got := []any{a.Address, a.Type, a.Hash, a.Attributes(), a.Group, a.MatchHash, a.Seq, a.ForceNew, a.Sensitive}
		want := []any{d.Address, d.Type, d.Hash, d.Attributes(), d.Group, d.MatchHash, d.Seq, d.ForceNew, d.Sensitive}
		if deps {
			got, want = append(got, a.Deps), append(want, d.Deps)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("read object differs from desired:\n got %#v\nwant %#v", got, want)
		}
	}
}

func TestConformanceUpdateInPlace(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		p := b.open(t)
		dir := t.TempDir()
		lib := fixture(t, dir)
		apply(t, p, lib)
		before := b.ids(t, p)
		b.startAudit(t, p)

		lib.Series[0].Description = "A hospital drama at night."
		pilot := script(lib, "script.pilot")
		pilot.Author = "B. Writer"
		pilot.Characters[1].Description = "Paramedic."
		specs := pilotSpecs(5)
		specs[3].lines = append(specs[3].lines, "KIM: One more line.")
		setDerivedScenes(pilot, specs)
		lib.Embeddings[1] = embedding(t, dir, "2", pilot.Scenes[1], []float32{4, 5, 6})
		lib.Bibles[0].Title = "The World"
		lib.Bibles[0].Chunks[2].Content = "## Roof\nStorm."
		lib.Bibles[0].Chunks[2].ContentHash = sha("storm")
		outline := script(lib, "script.spinoff")
		outline.Scenes[1].Heading = "EXT. ROOF - DUSK"

		changes := apply(t, p, lib)
		// series, pilot, RAY, scene 4, embedding 2, bible, outline scene.
		if c := counts(changes); c[providers.Update] != 7 || len(changes) != 7 {
			t.Fatalf("plan %v, want 7 updates", c)
		}
		if after := b.ids(t, p); !reflect.DeepEqual(before, after) {
			t.Errorf("row ids changed:\nbefore %v\n after %v", before, after)
		}
		audit := b.audit(t, p)
		// SQLite sets parent_chunk_id to NULL on chunks it is about to
		// delete; PostgreSQL does not.
		delete(audit, "bible_chunks U")
		want := map[string]int{
			"series U": 1, "scripts U": 1, "characters U": 1, "scenes U": 2, "embeddings U": 1, "script_bibles U": 1,
			"dialogues D": 2, "dialogues I": 3, "actions D": 1, "actions I": 1, "bible_chunks D": 3, "bible_chunks I": 3,
		}
		if !reflect.DeepEqual(audit, want) {
			t.Errorf("rows written %v, want %v", audit, want)
		}
		if got := b.strings(t, p, "SELECT author FROM scripts WHERE title = 'Pilot'"); got[0] != "B. Writer" {
			t.Errorf("author %q", got[0])
		}
		if got := b.bytes(t, p, "SELECT embedding FROM embeddings ORDER BY id DESC LIMIT 1"); len(got) != 16 || got[0] != 3 || got[7] != 0x40 {
			t.Errorf("embedding not rewritten: %x", got)
		}
		if c := pending(t, p, lib); len(c) != 0 {
			t.Errorf("plan after update has %d changes", len(c))
		}
	})
}

func TestConformanceRenumberInPlace(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		p := b.open(t)
		lib := fixture(t, t.TempDir())
		apply(t, p, lib)
		pilot := script(lib, "script.pilot")
		idsByContent := b.sceneIDsByHeading(t, p)
		b.startAudit(t, p)

		// Insert a scene between 2 and 3: scenes 3..5 become 4..6.
		specs := pilotSpecs(5)
		specs = slices.Insert(specs, 2, sceneSpec{"INT. LIFT - NIGHT", []string{"The lift stalls.", "RAY: Great."}})
		setDerivedScenes(pilot, specs)
		changes := apply(t, p, lib)
		moves := 0
		for _, c := range changes {
			if c.Moved() {
				moves++
			}
		}
		if c := counts(changes); moves != 3 || c[providers.Create] != 1 || c[providers.Update] != 4 || len(changes) != 5 {
			t.Fatalf("plan %v with %d moves, want 3 moves, the script's update and 1 create", c, moves)
		}
		after := b.sceneIDsByHeading(t, p)
		for heading, id := range idsByContent {
			if after[heading] != id {
				t.Errorf("%s: row id %d became %d", heading, id, after[heading])
			}
		}
		numbers := b.ints(t, p, "SELECT scene_number FROM scenes WHERE heading = 'INT. WARD 5 - NIGHT'")
		if numbers[0] != 6 {
			t.Errorf("ward 5 is scene %d, want 6", numbers[0])
		}
		audit := b.audit(t, p)
		// Three renumbered scenes are written (twice: out of the way, then
		// into place; audit counts rows); their dialogues and actions are
		// untouched.
		want := map[string]int{"scenes U": 3, "scenes I": 1, "dialogues I": 1, "actions I": 1, "scripts U": 1}
		if !reflect.DeepEqual(audit, want) {
			t.Errorf("rows written %v, want %v", audit, want)
		}
		if c := pending(t, p, lib); len(c) != 0 {
			t.Errorf("plan after renumbering has %d changes", len(c))
		}
		// And back: remove the inserted scene.
		setDerivedScenes(pilot, pilotSpecs(5))
		apply(t, p, lib)
		if after := b.sceneIDsByHeading(t, p); !reflect.DeepEqual(after, idsByContent) {
			t.Errorf("after removing the scene: %v, want %v", after, idsByContent)
		}
	})
}

func TestConformanceDeleteAndCascade(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		p := b.open(t)
		lib := fixture(t, t.TempDir())
		apply(t, p, lib)
		pilot := script(lib, "script.pilot")
		scene1 := b.ints(t, p, "SELECT id FROM scenes WHERE heading = 'INT. WARD 1 - NIGHT'")[0]

		// Scene 1 goes (and with it its embedding); the rest renumber.
		setDerivedScenes(pilot, pilotSpecs(6)[1:5])
		lib.Embeddings = lib.Embeddings[1:]
		lib.Embeddings[0].Scene = pilot.Scenes[0].Address
		lib.Bibles = nil
		lib.Series[0].Metadata = nil
		pilot.Characters = pilot.Characters[:1] // RAY has lines: config would refuse
		for _, sc := range pilot.Scenes {
			sc.Elements = slices.DeleteFunc(sc.Elements, func(e library.Element) bool { return e.Character == "RAY" })
		}
		apply(t, p, lib)
		for _, q := range []string{
			fmt.Sprintf("SELECT count(*) FROM dialogues WHERE scene_id = %d", scene1),
			fmt.Sprintf("SELECT count(*) FROM actions WHERE scene_id = %d", scene1),
			fmt.Sprintf("SELECT count(*) FROM embeddings WHERE entity_id = %d", scene1),
			"SELECT count(*) FROM script_bibles", "SELECT count(*) FROM bible_chunks",
			"SELECT count(*) FROM characters WHERE name = 'RAY'",
		} {
			if n := b.ints(t, p, q)[0]; n != 0 {
				t.Errorf("%s = %d, want 0", q, n)
			}
		}
		if c := pending(t, p, lib); len(c) != 0 {
			t.Errorf("plan after deletes has %d changes", len(c))
		}
		// Deleting everything leaves no managed row and no bookkeeping.
		apply(t, p, &library.Library{Dir: lib.Dir})
		for _, table := range []string{"series", "scripts", "scenes", "characters", "dialogues", "actions", "embeddings", "scriptsync_objects"} {
			if n := b.count(t, p, table); n != 0 {
				t.Errorf("%s has %d rows after destroy", table, n)
			}
		}
	})
}

func TestConformanceReplace(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		p := b.open(t)
		lib := fixture(t, t.TempDir())
		apply(t, p, lib)
		before := b.ids(t, p)
		replace := []string{"series.night_shift", "script.spinoff", `script.spinoff.characters["SILENT BOB"]`,
			"scene.spinoff_close", `embedding.pilot["2"]`, "bible.world"}
		changes := apply(t, p, lib, replace...)
		if c := counts(changes); c[providers.Replace] != len(replace) {
			t.Fatalf("plan %v", c)
		}
		after := b.ids(t, p)
		for _, addr := range replace {
			if before[addr] == after[addr] {
				t.Errorf("%s kept row %d", addr, before[addr])
			}
		}
		for _, addr := range []string{`script.pilot.scenes["1"]`, "scene.spinoff_open", `script.spinoff.characters["KIM"]`} {
			if before[addr] != after[addr] {
				t.Errorf("%s changed row: %d -> %d", addr, before[addr], after[addr])
			}
		}
		// The unchanged dependents of replaced objects follow them: nothing
		// cascaded away.
		if c := pending(t, p, lib); len(c) != 0 {
			t.Errorf("%d changes after replacing", len(c))
		}
		for q, want := range map[string]int64{
			"SELECT series_id FROM scripts WHERE title = 'Pilot'":                      after["series.night_shift"],
			"SELECT script_id FROM scenes WHERE heading = 'INT. ER - NIGHT'":           after["script.spinoff"],
			"SELECT script_id FROM script_bibles":                                      after["script.pilot"],
			"SELECT count(*) FROM dialogues WHERE dialogue_text = 'Here we go again.'": 6,
			"SELECT count(*) FROM series":                                              1,
			"SELECT count(*) FROM characters":                                          4,
			"SELECT count(*) FROM bible_chunks":                                        3,
			"SELECT count(*) FROM embeddings":                                          2,
		} {
			if got := b.ints(t, p, q); len(got) != 1 || got[0] != want {
				t.Errorf("%s = %v, want %d", q, got, want)
			}
		}
	})
}

func TestConformanceRollback(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		p := b.open(t)
		lib := fixture(t, t.TempDir())
		apply(t, p, lib)
		desired, _ := p.Desired(&library.Library{Dir: lib.Dir})
		tx, err := p.Begin(ctx, providers.BeginOptions{})
		if err != nil {
			t.Fatal(err)
		}
		st, err := tx.Read(ctx, desired)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Apply(ctx, plan(desired, st.Refreshed()), nil); err != nil {
			t.Fatal(err)
		}
		if err := tx.(providers.PeerRecorder).RecordPeers(ctx, map[string]string{"git": "abc"}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(ctx); err != nil {
			t.Errorf("second Rollback: %v", err)
		}
		if err := tx.Commit(ctx); err == nil {
			t.Errorf("Commit after Rollback succeeded")
		}
		st, err = p.Read(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if st.Version != "1" || st.Peers != nil || len(st.Objects) == 0 {
			t.Errorf("after rollback: version %q, peers %v, %d objects", st.Version, st.Peers, len(st.Objects))
		}
		if n := b.count(t, p, "scenes"); n != 7 {
			t.Errorf("%d scenes after rollback, want 7", n)
		}
		// A failing apply is rolled back by the caller, and leaves nothing.
		lib2 := fixture(t, t.TempDir())
		lib2.Embeddings[0].OID = sha("something else")
		script(lib2, "script.pilot").Title = "Changed"
		if _, err := tryApply(ctx, p, lib2); err == nil || !strings.Contains(err.Error(), "changed since the plan was made") {
			t.Fatalf("apply with a changed vector file: %v", err)
		}
		if got := b.strings(t, p, "SELECT title FROM scripts WHERE file_path IS NOT NULL"); got[0] != "Pilot" {
			t.Errorf("title %q after a failed apply", got[0])
		}
		// Rollback after Commit is a no-op.
		tx, err = p.Begin(ctx, providers.BeginOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(ctx); err != nil {
			t.Errorf("Rollback after Commit: %v", err)
		}
	})
}

func TestConformanceSerialAndPeers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		p := b.open(t)
		st, err := p.Read(ctx, nil)
		if err != nil || st.Version != "" || len(st.Objects) != 0 {
			t.Fatalf("empty database: %+v, %v", st, err)
		}
		lib := fixture(t, t.TempDir())
		apply(t, p, lib)
		tx, err := p.Begin(ctx, providers.BeginOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.(providers.PeerRecorder).RecordPeers(ctx, map[string]string{"git": "c0ffee", "lfs": ""}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if v := tx.(providers.VersionReporter).CommittedVersion(); v != "2" {
			t.Errorf("CommittedVersion = %q, want 2", v)
		}
		st, err = p.Read(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if st.Version != "2" || !reflect.DeepEqual(st.Peers, map[string]string{"git": "c0ffee", "lfs": ""}) {
			t.Errorf("version %q peers %v", st.Version, st.Peers)
		}

		// The serial moved behind the transaction's back: the
		// compare-and-swap refuses.
		tx, err = p.Begin(ctx, providers.BeginOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Read(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.(*Tx).s.exec(ctx, "UPDATE scriptsync_meta SET value = '7' WHERE key = 'serial'"); err != nil {
			t.Fatal(err)
		}
		err = tx.Apply(ctx, nil, nil)
		if !errors.Is(err, providers.ErrConflict) {
			t.Fatalf("Apply after the serial moved: %v, want ErrConflict", err)
		}
		tx.Rollback(ctx)

		// A plan made from another version is refused too.
		desired, _ := p.Desired(lib)
		st, _ = p.Read(ctx, desired)
		script(lib, "script.pilot").Title = "Renamed"
		changes := plan(mustDesired(t, p, lib), st.Refreshed())
		apply(t, p, fixtureWithTitle(t, lib.Dir, "Other"))
		tx, err = p.Begin(ctx, providers.BeginOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if err := tx.Apply(ctx, changes, nil); !errors.Is(err, providers.ErrConflict) {
			t.Errorf("stale changes: %v, want ErrConflict", err)
		}
	})
}

func mustDesired(t *testing.T, p *Provider, lib *library.Library) []*providers.Object {
	t.Helper()
	objs, diags := p.Desired(lib)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return objs
}

func fixtureWithTitle(t *testing.T, dir, title string) *library.Library {
	lib := fixture(t, dir)
	script(lib, "script.pilot").Title = title
	return lib
}

func TestConformanceLocked(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		p := b.open(t)
		other := b.reopen(t, p)
		tx, err := p.Begin(ctx, providers.BeginOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		start := time.Now()
		_, err = other.Begin(ctx, providers.BeginOptions{LockTimeout: 300 * time.Millisecond})
		var lock *providers.LockError
		if !errors.As(err, &lock) {
			t.Fatalf("second Begin: %v, want a LockError", err)
		}
		if waited := time.Since(start); waited < 250*time.Millisecond {
			t.Errorf("gave up after %s, before the timeout", waited)
		}
		if lock.Provider != "sql" || lock.Timeout != 300*time.Millisecond || !strings.HasPrefix(lock.Lock, b.lockPrefix) {
			t.Errorf("LockError %+v, want lock %q...", lock, b.lockPrefix)
		}
		if msg := err.Error(); !strings.Contains(msg, b.lockPrefix) {
			t.Errorf("message %q does not name the lock", msg)
		}
		// The holder is this process (the other provider), by pid and host.
		if want := fmt.Sprintf(`"scriptsync pid %d on `, os.Getpid()); b.namesHolder &&
			(!strings.HasPrefix(lock.Holder, want) || !strings.Contains(lock.Holder, " since ") || !strings.Contains(err.Error(), "it is held by "+want)) {
			t.Errorf("holder %q (message %q), want %s...", lock.Holder, err, want)
		}
		// Readers are not blocked by the lock.
		if _, err := other.Read(ctx, nil); err != nil {
			t.Errorf("Read while locked: %v", err)
		}
		tx.Rollback(ctx)
		tx2, err := other.Begin(ctx, providers.BeginOptions{LockTimeout: time.Second})
		if err != nil {
			t.Fatalf("Begin after release: %v", err)
		}
		tx2.Rollback(ctx)
	})
}

func TestConformanceDeletedBehindBack(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		p := b.open(t)
		lib := fixture(t, t.TempDir())
		apply(t, p, lib)
		b.exec(t, p, "DELETE FROM scenes WHERE heading = 'INT. WARD 1 - NIGHT'")
		b.exec(t, p, "DELETE FROM characters WHERE name = 'SILENT BOB'")
		// Whether Read reads every record in full (nothing wanted) or
		// only those of changes (the desired objects wanted).
		for _, want := range [][]*providers.Object{nil, mustDesired(t, p, lib)} {
			st, err := p.Read(context.Background(), want)
			if err != nil {
				t.Fatal(err)
			}
			deleted := 0
			for _, d := range st.Drift {
				if d.Action == providers.Delete && d.After == nil {
					deleted++
				}
			}
			if len(st.Drift) != 3 || deleted != 3 {
				t.Errorf("drift %v, want the scene, its embedding and the character deleted", st.Drift)
			}
		}
		changes := pending(t, p, lib)
		if c := counts(changes); c[providers.Create] != 3 || len(changes) != 3 {
			t.Fatalf("plan %v, want the scene, its embedding and the character created", c)
		}
		apply(t, p, lib)
		if c := pending(t, p, lib); len(c) != 0 {
			t.Errorf("%d changes after repair", len(c))
		}
		// An object deleted behind scriptsync's back and no longer desired
		// leaves no bookkeeping behind.
		b.exec(t, p, "DELETE FROM script_bibles")
		lib.Bibles = nil
		apply(t, p, lib)
		if n := b.ints(t, p, "SELECT count(*) FROM scriptsync_objects WHERE type = 'bible'")[0]; n != 0 {
			t.Errorf("%d bible bookkeeping rows left", n)
		}
	})
}

func TestConformanceSensitive(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		p := b.open(t)
		lib := fixture(t, t.TempDir())
		pilot := script(lib, "script.pilot")
		pilot.Title = "Top Secret Title"
		pilot.Sensitive = []string{"title", "metadata"}
		objs := mustDesired(t, p, lib)
		o := objs[slices.IndexFunc(objs, func(o *providers.Object) bool { return o.Address == "script.pilot" })]
		if o.Attributes()["title"] != sensitiveValue || o.Attributes()["metadata"] != sensitiveValue || !reflect.DeepEqual(o.Sensitive, pilot.Sensitive) {
			t.Errorf("desired attrs not redacted: %v %v", o.Attributes(), o.Sensitive)
		}
		apply(t, p, lib)
		if got := b.strings(t, p, "SELECT attrs FROM scriptsync_objects WHERE address = 'script.pilot'"); strings.Contains(got[0], "Secret") {
			t.Errorf("bookkeeping holds the secret: %s", got[0])
		}
		if got := b.strings(t, p, "SELECT title FROM scripts WHERE file_path IS NOT NULL"); got[0] != "Top Secret Title" {
			t.Errorf("title in the table %q", got[0])
		}
		if c := pending(t, p, lib); len(c) != 0 {
			t.Errorf("%d changes", len(c))
		}
		pilot.Title = "Another Secret"
		if c := pending(t, p, lib); len(c) != 1 {
			t.Errorf("changing a sensitive value: %d changes, want 1", len(c))
		}
	})
}

func TestConformanceInit(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		p := b.open(t)
		for range 2 {
			if err := p.Init(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if n := b.count(t, p, "scriptsync_objects"); n != 0 {
			t.Errorf("%d objects", n)
		}
		st, err := p.Read(ctx, nil)
		if err != nil || st.Version != "" {
			t.Errorf("after init: %+v %v", st, err)
		}
		if n := b.ints(t, p, "SELECT count(*) FROM schema_version")[0]; n == 0 {
			t.Errorf("schema_version is empty")
		}
	})
}

func TestConformanceEmbeddingSourceChecked(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		dir := t.TempDir()
		p := b.open(t)
		lib := fixture(t, dir)
		if err := p.Init(context.Background()); err != nil {
			t.Fatal(err)
		}
		writeNPY(t, filepath.Join(dir, lib.Embeddings[0].Source), []float32{9, 9, 9})
		_, err := tryApply(context.Background(), p, lib)
		if err == nil || !strings.Contains(err.Error(), `embedding.pilot["1"]: vectors/1.npy changed since the plan was made`) {
			t.Fatalf("error %v", err)
		}
		if n := b.count(t, p, "scenes"); n != 0 {
			t.Errorf("%d scenes written by a failed apply", n)
		}
	})
}
