package sql

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"sort"
	"testing"
)

// These tests run, on a database scriptsync wrote, the queries ScriptRAG's
// readers run on the values this package shapes (see docs/scriptrag.md):
// season and episode from scripts.metadata as JSON numbers, scene lookup
// by project title, season, episode and number, bible search by project,
// embedding decoding, and related-scene ranking over embeddings and over
// scene_embeddings. On PostgreSQL the JSON paths are spelled ->>.

// jsonInt spells ScriptRAG's json_extract(col, '$.key') per dialect.
func jsonInt(b *backend, col, key string) string {
	if b.flavor == flavorPostgres {
		return "(" + col + "->>'" + key + "')::bigint"
	}
	return "json_extract(" + col + ", '$." + key + "')"
}

func TestScriptRAGReaders(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		p := b.open(t)
		lib := fixture(t, t.TempDir())
		apply(t, p, lib)

		// Season and episode are JSON numbers: ScriptRAG binds integers.
		typ := "json_type(metadata, '$.season') || json_type(metadata, '$.episode')"
		if b.flavor == flavorPostgres {
			typ = "jsonb_typeof(metadata->'season') || jsonb_typeof(metadata->'episode')"
		}
		if got := b.strings(t, p, "SELECT "+typ+" FROM scripts WHERE title = 'Pilot'"); got[0] != "integerinteger" && got[0] != "numbernumber" {
			t.Errorf("season and episode are %s", got[0])
		}

		// Search --range s1e1 (search/utils.py's range condition).
		q := "SELECT count(*) FROM scripts s JOIN scenes sc ON sc.script_id = s.id WHERE " +
			jsonInt(b, "s.metadata", "season") + " >= ? AND " + jsonInt(b, "s.metadata", "season") + " <= ? AND " +
			jsonInt(b, "s.metadata", "episode") + " >= ? AND " + jsonInt(b, "s.metadata", "episode") + " <= ?"
		if n := b.ints(t, p, q, 1, 1, 1, 1); n[0] != 5 {
			t.Errorf("range s1e1: %d scenes, want the pilot's 5", n[0])
		}

		// scene read Pilot:S01E01:002 (api/scene_database.py).
		q = "SELECT sc.heading FROM scenes sc JOIN scripts s ON sc.script_id = s.id WHERE sc.scene_number = ? AND s.title = ? AND " +
			jsonInt(b, "s.metadata", "season") + " = ? AND " + jsonInt(b, "s.metadata", "episode") + " = ?"
		if got := b.strings(t, p, q, 2, "Pilot", 1, 1); got[0] != "INT. WARD 2 - NIGHT" {
			t.Errorf("Pilot:S01E01:002 is %q", got[0])
		}
		// ... and the outline script by its title alone (Spin-off (outline):001).
		if got := b.strings(t, p, "SELECT sc.heading FROM scenes sc JOIN scripts s ON sc.script_id = s.id WHERE sc.scene_number = ? AND s.title = ?",
			1, "Spin-off (outline)"); got[0] != "INT. ER - NIGHT" {
			t.Errorf("Spin-off (outline):001 is %q", got[0])
		}

		// Bible search with a project (search/engine.py): exact title.
		if n := b.ints(t, p, `SELECT count(*) FROM bible_chunks bc JOIN script_bibles sb ON bc.bible_id = sb.id
JOIN scripts s ON sb.script_id = s.id WHERE s.title = ?`, "Pilot"); n[0] != 3 {
			t.Errorf("bible search in Pilot: %d chunks, want 3", n[0])
		}

		// Embedding decode (BinaryEmbeddingSerializer) and the VSS copy.
		vecs := map[int64][]float32{}
		vss := map[int64][]float32{}
		for _, r := range b.query(t, p, `SELECT e.entity_id, e.embedding, v.embedding, m.dimensions FROM embeddings e
JOIN scene_embeddings v ON v.scene_id = e.entity_id AND v.embedding_model = e.embedding_model
JOIN embedding_metadata m ON m.entity_type = 'scene' AND m.entity_id = e.entity_id AND m.embedding_model = e.embedding_model
WHERE e.entity_type = 'scene'`) {
			id, blob, raw := toInt(r[0]), r[1].([]byte), r[2].([]byte)
			dims := binary.LittleEndian.Uint32(blob)
			if dims == 0 || dims > 10000 || len(blob) != 4+4*int(dims) || toInt(r[3]) != int64(dims) {
				t.Fatalf("scene %d: a %d-byte blob declaring %d dimensions (metadata %v)", id, len(blob), dims, r[3])
			}
			vecs[id], vss[id] = floats(blob[4:]), floats(raw)
		}
		if len(vecs) != 2 || !reflect.DeepEqual(vecs, vss) {
			t.Fatalf("decoded %v, VSS %v", vecs, vss)
		}
		// Related scenes: the same ranking from either table.
		if a, c := ranking(vecs), ranking(vss); !reflect.DeepEqual(a, c) || len(a) != 2 {
			t.Errorf("rankings %v and %v", a, c)
		}
		want := []float32{0.5, -1, 2.25}
		found := false
		for _, v := range vecs {
			found = found || reflect.DeepEqual(v, want)
		}
		if !found {
			t.Errorf("vectors %v, want one of them %v", vecs, want)
		}

		// Deleting an embedding takes its VSS rows; deleting a scene takes
		// its embeddings and their VSS rows.
		lib.Embeddings = lib.Embeddings[:1]
		apply(t, p, lib)
		if n := b.ints(t, p, "SELECT (SELECT count(*) FROM scene_embeddings) + (SELECT count(*) FROM embedding_metadata)"); n[0] != 2 {
			t.Errorf("%d VSS rows after deleting an embedding, want 2", n[0])
		}
		b.exec(t, p, "DELETE FROM scenes WHERE id IN (SELECT entity_id FROM embeddings)")
		if n := b.ints(t, p, "SELECT (SELECT count(*) FROM embeddings) + (SELECT count(*) FROM scene_embeddings) + (SELECT count(*) FROM embedding_metadata)"); n[0] != 0 {
			t.Errorf("%d vector rows left after deleting their scene", n[0])
		}
	})
}

func floats(b []byte) []float32 {
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

// ranking orders the pairs of scenes by cosine similarity, as
// find_related_scenes does.
func ranking(vecs map[int64][]float32) []string {
	type pair struct {
		a, b int64
		sim  float64
	}
	var ps []pair
	for a, va := range vecs {
		for c, vc := range vecs {
			if a == c {
				continue
			}
			var dot, na, nc float64
			for i := range va {
				dot += float64(va[i]) * float64(vc[i])
				na += float64(va[i]) * float64(va[i])
				nc += float64(vc[i]) * float64(vc[i])
			}
			ps = append(ps, pair{a, c, dot / math.Sqrt(na*nc)})
		}
	}
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].sim != ps[j].sim {
			return ps[i].sim > ps[j].sim
		}
		return ps[i].a < ps[j].a
	})
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%d~%d:%.6f", p.a, p.b, p.sim))
	}
	return out
}
