package sql

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"scriptsync/providers"
)

// TestApplyWritesInChunks creates more scenes, children and embeddings
// than one multi-row statement or one chunk of rows holds, and checks
// that every row is written once, with its vector rows beside it, and
// that nothing is left to plan.
func TestApplyWritesInChunks(t *testing.T) {
	const n = 1400 // three children a scene: more than insertChunk rows
	forEachBackend(t, func(t *testing.T, b *backend) {
		p := b.open(t)
		dir := t.TempDir()
		lib := fixture(t, dir)
		pilot := script(lib, "script.pilot")
		setDerivedScenes(pilot, pilotSpecs(n))
		lib.Embeddings = nil
		for i, sc := range pilot.Scenes {
			lib.Embeddings = append(lib.Embeddings, embedding(t, dir, fmt.Sprint(i+1), sc, []float32{float32(i), 1, -float32(i)}))
		}
		apply(t, p, lib)

		scenes := int64(n + 2) // the spin-off has two
		for table, want := range map[string]int64{
			"scenes": scenes, "dialogues": 2*n + 1, "actions": n + 2,
			"embeddings": n, "scene_embeddings": n, "embedding_metadata": n,
			"scriptsync_objects": int64(len(mustDesired(t, p, lib))),
		} {
			if got := b.count(t, p, table); got != want {
				t.Errorf("%s has %d rows, want %d", table, got, want)
			}
		}
		q := "SELECT count(*) FROM embeddings e JOIN scene_embeddings v ON v.scene_id = e.entity_id " +
			"AND v.embedding_model = e.embedding_model JOIN embedding_metadata m ON m.entity_type = e.entity_type " +
			"AND m.entity_id = e.entity_id AND m.embedding_model = e.embedding_model AND m.dimensions = e.dimensions"
		if got := b.ints(t, p, q)[0]; got != n {
			t.Errorf("%d embeddings have their vector and metadata rows, want %d", got, n)
		}
		for _, r := range b.query(t, p, "SELECT e.embedding, v.embedding FROM embeddings e JOIN scene_embeddings v ON v.scene_id = e.entity_id") {
			e, v := r[0].([]byte), r[1].([]byte)
			if len(e) < 4 || !bytes.Equal(e[4:], v) {
				t.Fatalf("scene_embeddings holds %x, want the embedding's values %x", v, e)
			}
		}
		if c := pending(t, p, lib); len(c) != 0 {
			t.Errorf("%d changes after the apply, want none", len(c))
		}
	})
}

// TestApplyTwoModelsOfOneScene creates two embeddings of one scene with
// different models in one apply: embeddings and embedding_metadata hold
// both, scene_embeddings (one row a scene) the one applied last, as
// upserting them one by one leaves it.
func TestApplyTwoModelsOfOneScene(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		p := b.open(t)
		dir := t.TempDir()
		lib := fixture(t, dir)
		first := script(lib, "script.pilot").Scenes[0]
		a := embedding(t, dir, "a", first, []float32{1, 2, 3})
		c := embedding(t, dir, "c", first, []float32{4, 5, 6})
		c.Model = "other-model"
		lib.Embeddings = append(lib.Embeddings[:0], a, c)
		apply(t, p, lib)

		for table, want := range map[string]int64{"embeddings": 2, "embedding_metadata": 2, "scene_embeddings": 1} {
			if got := b.count(t, p, table); got != want {
				t.Errorf("%s has %d rows, want %d", table, got, want)
			}
		}
		got := b.query(t, p, "SELECT v.embedding_model, v.embedding, e.embedding FROM scene_embeddings v "+
			"JOIN embeddings e ON e.entity_id = v.scene_id AND e.embedding_model = 'other-model'")
		if len(got) != 1 {
			t.Fatalf("%d scene_embeddings rows of the scene, want 1", len(got))
		}
		if model := fmt.Sprint(stringOf(got[0][0])); model != "other-model" {
			t.Errorf("scene_embeddings holds the vector of model %q, want other-model's (applied last)", model)
		}
		if v, e := got[0][1].([]byte), got[0][2].([]byte); !bytes.Equal(v, e[4:]) {
			t.Errorf("scene_embeddings holds %x, want other-model's values %x", v, e[4:])
		}
		if c := pending(t, p, lib); len(c) != 0 {
			t.Errorf("%d changes after the apply, want none", len(c))
		}
	})
}

// stringOf is a text column's value, which a driver may return as bytes.
func stringOf(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return fmt.Sprint(v)
}

// TestForgetVectorsByKey: the statements that remove an embedding's VSS
// rows look them up by key; a scan of scene_embeddings for each deleted
// embedding made deleting one script of W(100,000) take 20 s.
func TestForgetVectorsByKey(t *testing.T) {
	ctx := context.Background()
	p := sqliteBackend.open(t)
	tx, err := p.Begin(ctx, providers.BeginOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	s := tx.(*Tx).s
	for _, q := range []string{forgetSceneVector, forgetVectorMeta} {
		var plan []string
		err := scanAll(ctx, s, func(r rows) error {
			var id, parent, unused int64
			var detail string
			if err := r.Scan(&id, &parent, &unused, &detail); err != nil {
				return err
			}
			plan = append(plan, detail)
			return nil
		}, "EXPLAIN QUERY PLAN "+q, int64(1))
		if err != nil {
			t.Fatal(err)
		}
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN ") {
				t.Errorf("%s\nscans a table: %q", q, plan)
			}
		}
		if len(plan) == 0 {
			t.Errorf("%s: no query plan", q)
		}
	}
}
