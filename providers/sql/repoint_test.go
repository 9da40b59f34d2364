package sql

import (
	"context"
	"slices"
	"testing"

	"scriptsync/library"
	"scriptsync/providers"
)

// TestApplyEmbeddingsFollowMovedScenes moves embeddings between scene rows
// that other embeddings still name when the update reaches them: the
// unique (entity_type, entity_id, embedding_model) key must not collide on
// the way, whether an embedding is repointed (unchanged but for its
// scene's row) or updated with a new vector.
func TestApplyEmbeddingsFollowMovedScenes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		// Scenes 1 and 2 swap places; both embeddings get new vectors, so
		// both are plain updates and each one's target row still holds the
		// other until that one moves.
		t.Run("swap", func(t *testing.T) {
			p := b.open(t)
			dir := t.TempDir()
			lib := fixture(t, dir)
			apply(t, p, lib)
			pilot := script(lib, "script.pilot")
			specs := pilotSpecs(5)
			specs[0], specs[1] = specs[1], specs[0]
			setDerivedScenes(pilot, specs)
			lib.Embeddings[0] = embedding(t, dir, "1", pilot.Scenes[0], []float32{7, 8, 9})
			lib.Embeddings[1] = embedding(t, dir, "2", pilot.Scenes[1], []float32{-1, -2, -3})
			changes := apply(t, p, lib)
			if n := countType(changes, typeEmbedding); n != 2 {
				t.Fatalf("%d embedding changes, want 2", n)
			}
			checkEmbeddingsFollow(t, b, p, lib, map[string]string{"1": "INT. WARD 2 - NIGHT", "2": "INT. WARD 1 - NIGHT"})
		})
		// Scene 1 goes and the others move up, as the planner plans it: the
		// first embedding is repointed to the row the second, updated with
		// a new vector, still names.
		t.Run("shift", func(t *testing.T) {
			p := b.open(t)
			dir := t.TempDir()
			lib := fixture(t, dir)
			apply(t, p, lib)
			pilot := script(lib, "script.pilot")
			setDerivedScenes(pilot, pilotSpecs(6)[1:])
			lib.Embeddings[1] = embedding(t, dir, "2", pilot.Scenes[1], []float32{-1, -2, -3})
			desired := mustDesired(t, p, lib)
			st, err := p.Read(context.Background(), desired)
			if err != nil {
				t.Fatal(err)
			}
			changes := plan(desired, st.Refreshed())
			// The test planner leaves the unchanged embedding out; the real
			// one repoints it, ahead of the updated one.
			var before, after *providers.Object
			for _, o := range st.Refreshed() {
				if o.Address == `embedding.pilot["1"]` {
					before = o
				}
			}
			for _, o := range desired {
				if o.Address == `embedding.pilot["1"]` {
					after = o
				}
			}
			if before == nil || after == nil || before.Hash != after.Hash {
				t.Fatalf("embedding 1: %v -> %v, want it unchanged", before, after)
			}
			i := slices.IndexFunc(changes, func(c *providers.Change) bool { return c.Object().Type == typeEmbedding })
			if i < 0 {
				t.Fatal("no embedding change planned")
			}
			repointed := &providers.Change{Provider: "sql", Action: providers.Update, Before: before, After: after, Repoint: true}
			changes = slices.Insert(changes, i, repointed)
			if err := applyAndCommit(t, p, changes); err != nil {
				t.Fatal(err)
			}
			checkEmbeddingsFollow(t, b, p, lib, map[string]string{"1": "INT. WARD 2 - NIGHT", "2": "INT. WARD 3 - NIGHT"})
		})
	})
}

func countType(changes []*providers.Change, typ string) int {
	n := 0
	for _, c := range changes {
		if c.Object().Type == typ {
			n++
		}
	}
	return n
}

// applyAndCommit applies changes in a transaction and commits them.
func applyAndCommit(t *testing.T, p *Provider, changes []*providers.Change) error {
	t.Helper()
	ctx := context.Background()
	tx, err := p.Begin(ctx, providers.BeginOptions{})
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Read(ctx, nil); err != nil {
		return err
	}
	if err := tx.Apply(ctx, changes, nil); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// checkEmbeddingsFollow checks that each embedding (by key) names the
// scene of the heading want gives it, in its row, its vector row and its
// metadata row, and that nothing is left to plan.
func checkEmbeddingsFollow(t *testing.T, b *backend, p *Provider, lib *library.Library, want map[string]string) {
	t.Helper()
	ids := b.ids(t, p)
	for key, heading := range want {
		id := ids[`embedding.pilot["`+key+`"]`]
		q := "SELECT count(*) FROM embeddings e JOIN scenes s ON s.id = e.entity_id " +
			"JOIN scene_embeddings v ON v.scene_id = s.id AND v.embedding_model = e.embedding_model " +
			"JOIN embedding_metadata m ON m.entity_type = 'scene' AND m.entity_id = s.id AND m.embedding_model = e.embedding_model " +
			"WHERE e.id = ? AND s.heading = ?"
		if n := b.ints(t, p, q, id, heading)[0]; n != 1 {
			t.Errorf("embedding %s (row %d): %d rows name %q with its vector rows, want 1", key, id, n, heading)
		}
	}
	for _, table := range []string{"embeddings", "scene_embeddings", "embedding_metadata"} {
		if n := b.count(t, p, table); n != int64(len(want)) {
			t.Errorf("%s has %d rows, want %d", table, n, len(want))
		}
	}
	if c := pending(t, p, lib); len(c) != 0 {
		t.Errorf("%d changes after the apply, want none", len(c))
	}
}
