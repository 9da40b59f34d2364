package engine

import (
	"math"
	"os"
	"strings"
	"unicode/utf8"

	"scriptsync/formats/npy"
	"scriptsync/library"
	"scriptsync/planner"
	"scriptsync/providers"
)

// maxVectorFile bounds the vector files a plan reads to compare: a
// larger one is not compared (the plan says so).
const maxVectorFile = 64 << 20

// annotate works out, for each embedding a plan changes, its dimensions
// and how far its vector moved: the cosine distance from the applied
// vector (read from the local LFS store, which holds what was uploaded)
// to the new one (the source file). It goes in Change.Notes; a vector
// that cannot be read is noted as such.
func (w *Workspace) annotate(p *planner.Plan) {
	var store providers.LocalObjects
	for _, b := range w.Backends {
		if s, ok := b.Provider.(providers.LocalObjects); ok {
			store = s
		}
	}
	var blobs providers.BlobReader
	for _, b := range w.Backends {
		if r, ok := b.Provider.(providers.BlobReader); ok {
			blobs = r
		}
	}
	// A created embedding's notes say only its dimensions: the changes
	// with the same dimensions share one map (a cold apply has a note for
	// every embedding of the library), which nothing changes afterwards.
	var created []map[string]any
	createdNotes := func(dims any) map[string]any {
		for _, n := range created {
			if planner.EqualValue(n["dimensions"], dims) {
				return n
			}
		}
		n := map[string]any{"dimensions": dims}
		created = append(created, n)
		return n
	}
	for _, c := range p.Changes {
		if blobs != nil {
			agentText(c, blobs)
		}
		if c.Provider != "sql" || c.After == nil || c.After.Type != "embedding" ||
			(c.Action != providers.Update && c.Action != providers.Replace && c.Action != providers.Create) {
			continue
		}
		after := c.After.Attributes()
		if c.Before == nil {
			c.Notes = createdNotes(after["dimensions"])
			continue
		}
		notes := map[string]any{"dimensions": after["dimensions"]}
		c.Notes = notes
		before := c.Before.Attributes()
		if d := before["dimensions"]; !planner.EqualValue(d, after["dimensions"]) {
			notes["dimensions_before"] = d
		}
		oldOID, _ := before["lfs_oid"].(string)
		newOID, _ := after["lfs_oid"].(string)
		if oldOID == newOID {
			continue // the vector did not change (the scene or model did)
		}
		var oldVec, newVec []float32
		if store != nil {
			oldVec = readVector(store.LocalObjectPath(oldOID))
		}
		newVec = readVector(c.After.Source)
		dist, ok := cosineDistance(oldVec, newVec)
		if !ok {
			notes["cosine_distance"] = nil
			notes["cosine_distance_note"] = "the applied vector is not in the local LFS store, or the vectors differ in length"
			continue
		}
		notes["cosine_distance"] = math.Round(dist*1e6) / 1e6
	}
}

func readVector(path string) []float32 {
	if path == "" {
		return nil
	}
	st, err := os.Stat(path)
	if err != nil || st.Size() > maxVectorFile {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	v, err := npy.Decode(data)
	if err != nil {
		return nil
	}
	return v
}

// cosineDistance is 1 - cos(a, b); ok is false when it is undefined.
func cosineDistance(a, b []float32) (float64, bool) {
	if len(a) == 0 || len(a) != len(b) {
		return 0, false
	}
	var dot, na, nb float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		dot += x * y
		na += x * x
		nb += y * y
	}
	if na == 0 || nb == 0 {
		return 0, false
	}
	return 1 - dot/math.Sqrt(na*nb), true
}

// maxShownText is the largest agent whose text a plan diffs.
const maxShownText = 64 << 10

// agentText notes the text before and after of a changed agent file (a
// bible's text is among its SQL attributes; an agent is only a file),
// for renderings to diff.
func agentText(c *providers.Change, blobs providers.BlobReader) {
	if c.Provider != "git" || c.Action != providers.Update || c.Before == nil {
		return
	}
	path, _ := c.After.Attributes()["path"].(string)
	if !strings.HasPrefix(path, library.AgentDir+"/") {
		return
	}
	after, ok := c.After.Payload.([]byte)
	blob, _ := c.Before.Attributes()["blob"].(string)
	if !ok || blob == "" || len(after) > maxShownText || !utf8.Valid(after) {
		return
	}
	before, err := blobs.ReadBlob(blob)
	if err != nil || len(before) > maxShownText || !utf8.Valid(before) {
		return
	}
	if c.Notes == nil {
		c.Notes = map[string]any{}
	}
	c.Notes["text"] = map[string]any{"before": string(before), "after": string(after)}
}
