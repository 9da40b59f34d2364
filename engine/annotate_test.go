package engine

import (
	"math"
	"reflect"
	"testing"

	"scriptsync/planner"
	"scriptsync/providers"
)

func TestCosineDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b []float32
		want float64
		ok   bool
	}{
		{[]float32{1, 0}, []float32{1, 0}, 0, true},
		{[]float32{1, 0}, []float32{0, 2}, 1, true},
		{[]float32{1, 1}, []float32{-1, -1}, 2, true},
		{[]float32{1, 0}, []float32{1, 0, 0}, 0, false},
		{nil, []float32{1}, 0, false},
		{[]float32{0, 0}, []float32{1, 0}, 0, false},
	} {
		got, ok := cosineDistance(tc.a, tc.b)
		if ok != tc.ok || math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("cosineDistance(%v, %v) = %v, %v; want %v, %v", tc.a, tc.b, got, ok, tc.want, tc.ok)
		}
	}
}

// TestAnnotateNotesCreatedEmbeddingsDimensions checks the notes of created
// embeddings (which share one map per dimensions) and that an update's
// notes stay its own: noting the update's distance changes no create's.
func TestAnnotateNotesCreatedEmbeddingsDimensions(t *testing.T) {
	emb := func(dims int, oid string) *providers.Object {
		return &providers.Object{Type: "embedding", Attrs: map[string]any{"dimensions": dims, "lfs_oid": oid}}
	}
	changes := []*providers.Change{
		{Provider: "sql", Action: providers.Create, After: emb(384, "a")},
		{Provider: "sql", Action: providers.Create, After: emb(3, "b")},
		{Provider: "sql", Action: providers.Create, After: emb(384, "c")},
		{Provider: "sql", Action: providers.Update, Before: emb(384, "d"), After: emb(384, "e")},
		{Provider: "lfs", Action: providers.Create, After: emb(384, "f")},
	}
	(&Workspace{}).annotate(&planner.Plan{Changes: changes})
	want := []map[string]any{
		{"dimensions": 384},
		{"dimensions": 3},
		{"dimensions": 384},
		{"dimensions": 384, "cosine_distance": nil,
			"cosine_distance_note": "the applied vector is not in the local LFS store, or the vectors differ in length"},
		nil,
	}
	for i, c := range changes {
		if !reflect.DeepEqual(c.Notes, want[i]) {
			t.Errorf("change %d: notes %v, want %v", i, c.Notes, want[i])
		}
	}
}
