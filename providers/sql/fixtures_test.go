package sql

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"scriptsync/library"
	"scriptsync/providers"
)

// This file builds test libraries as library values (no config package) and
// holds a small planner with the diff rules the real one follows.

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func i64(n int64) *int64 { return &n }

// sceneSpec is a scene in compact form: a heading, then lines; "NAME: text"
// is dialogue ("NAME (paren): text" with a parenthetical), others action.
type sceneSpec struct {
	heading string
	lines   []string
}

func makeScene(script *library.Script, addr string, number int, spec sceneSpec) *library.Scene {
	content := spec.heading + "\n\n" + strings.Join(spec.lines, "\n\n")
	sc := &library.Scene{
		Meta:        library.Meta{Address: addr, Resource: addr},
		Script:      script.Address,
		Number:      number,
		Heading:     spec.heading,
		Content:     content,
		ContentHash: sha(content),
	}
	if h := strings.SplitN(strings.TrimPrefix(strings.TrimPrefix(spec.heading, "INT. "), "EXT. "), " - ", 2); len(h) == 2 {
		sc.Location, sc.TimeOfDay = h[0], h[1]
	}
	for _, l := range spec.lines {
		name, text, ok := strings.Cut(l, ": ")
		if cue, _, _ := strings.Cut(name, " ("); !ok || strings.ToUpper(cue) != cue {
			sc.Elements = append(sc.Elements, library.Element{Kind: library.Action, Text: l})
			continue
		}
		el := library.Element{Kind: library.Dialogue, Character: name, Text: text}
		if n, paren, ok := strings.Cut(name, " ("); ok {
			el.Character, el.Parenthetical = n, "("+paren
		}
		sc.Elements = append(sc.Elements, el)
	}
	return sc
}

// setDerivedScenes gives a Fountain script its scenes, numbered in order.
func setDerivedScenes(s *library.Script, specs []sceneSpec) {
	s.Scenes = nil
	var data strings.Builder
	for i, spec := range specs {
		addr := fmt.Sprintf("%s.scenes[%q]", s.Address, fmt.Sprint(i+1))
		sc := makeScene(s, addr, i+1, spec)
		sc.Resource = s.Address
		s.Scenes = append(s.Scenes, sc)
		data.WriteString(sc.Content + "\n\n")
	}
	s.Data = []byte(data.String())
	s.ContentHash = sha(data.String())
}

func character(s *library.Script, name string) *library.Character {
	return &library.Character{
		Meta:   library.Meta{Address: fmt.Sprintf("%s.characters[%q]", s.Address, name), Resource: s.Address},
		Script: s.Address, Name: name,
	}
}

func pilotSpecs(n int) []sceneSpec {
	specs := make([]sceneSpec, n)
	for i := range specs {
		specs[i] = sceneSpec{
			heading: fmt.Sprintf("INT. WARD %d - NIGHT", i+1),
			lines:   []string{fmt.Sprintf("Monitors beep in ward %d.", i+1), "KIM: Here we go again.", "RAY (quietly): Again."},
		}
	}
	return specs
}

// writeNPY writes a version 1.0 .npy file of float32 values and returns
// the embedding's OID, size and data offset.
func writeNPY(t testing.TB, path string, vec []float32) (oid string, size, offset int64) {
	t.Helper()
	header := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%d,), }", len(vec))
	pad := 64 - (10+len(header)+1)%64
	header += strings.Repeat(" ", pad%64) + "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(header)))
	b.WriteString(header)
	offset = int64(b.Len())
	for _, f := range vec {
		binary.Write(&b, binary.LittleEndian, math.Float32bits(f))
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return sha(b.String()), int64(b.Len()), offset
}

func embedding(t testing.TB, dir, key string, scene *library.Scene, vec []float32) *library.Embedding {
	src := fmt.Sprintf("vectors/%s.npy", key)
	oid, size, off := writeNPY(t, filepath.Join(dir, src), vec)
	addr := fmt.Sprintf("embedding.pilot[%q]", key)
	return &library.Embedding{
		Meta:  library.Meta{Address: addr, Resource: addr},
		Scene: scene.Address, Script: scene.Script, Model: "all-MiniLM-L6-v2", Dimensions: len(vec),
		Source: src, Path: "vectors/" + key + ".npy", OID: oid, Size: size, DataOffset: off,
	}
}

// fixture is a small library with every object type: a series, a Fountain
// script with five scenes, an outline script with two, characters,
// embeddings of two scenes and a bible with nested chunks.
func fixture(t testing.TB, dir string) *library.Library {
	series := &library.Series{Meta: library.Meta{Address: "series.night_shift", Resource: "series.night_shift"},
		Key: "night_shift", Title: "Night Shift", Description: "A hospital drama.", Metadata: map[string]any{"network": "HBX"}}
	pilot := &library.Script{
		Meta: library.Meta{Address: "script.pilot", Resource: "script.pilot"},
		Key:  "pilot", Source: "scripts/pilot.fountain", Path: "scripts/pilot.fountain", Title: "Pilot",
		Author: "A. Writer", Format: "fountain", Series: series.Address, SeriesTitle: series.Title,
		Season: i64(1), Episode: i64(1), Metadata: map[string]any{"status": "draft", "pages": int64(3)},
	}
	pilot.Characters = []*library.Character{character(pilot, "KIM"), character(pilot, "RAY")}
	pilot.Characters[0].Aliases = []string{"NURSE KIM"}
	pilot.Characters[0].Description = "Night nurse."
	setDerivedScenes(pilot, pilotSpecs(5))

	spinoff := &library.Script{Meta: library.Meta{Address: "script.spinoff", Resource: "script.spinoff"},
		Key: "spinoff", Title: "Spin-off (outline)", Format: "fountain"}
	spinoff.Characters = []*library.Character{character(spinoff, "KIM"), character(spinoff, "SILENT BOB")}
	spinoff.Scenes = []*library.Scene{
		makeScene(spinoff, "scene.spinoff_open", 1, sceneSpec{"INT. ER - NIGHT", []string{"Rain hammers the bay.", "KIM: Here we go again."}}),
		makeScene(spinoff, "scene.spinoff_close", 2, sceneSpec{"EXT. ROOF - DAWN", []string{"The sun comes up."}}),
	}
	spinoff.ContentHash = sha(spinoff.Scenes[0].ContentHash + spinoff.Scenes[1].ContentHash)

	bible := &library.Bible{
		Meta: library.Meta{Address: "bible.world", Resource: "bible.world"},
		Key:  "world", Source: "bible/world.md", Path: "bibles/world.md", Title: "World", Script: pilot.Address,
		Data: []byte("# World\n## Ward\nBeds.\n## Roof\nWind.\n"),
		Chunks: []library.BibleChunk{
			{Number: 1, Heading: "World", Level: 1, Content: "# World", ContentHash: sha("# World")},
			{Number: 2, Heading: "Ward", Level: 2, Content: "## Ward\nBeds.", ContentHash: sha("ward"), Parent: 1},
			{Number: 3, Heading: "Roof", Level: 2, Content: "## Roof\nWind.", ContentHash: sha("roof"), Parent: 1},
		},
	}
	bible.Hash = sha(string(bible.Data))
	return &library.Library{
		Dir:     dir,
		Series:  []*library.Series{series},
		Scripts: []*library.Script{pilot, spinoff},
		Embeddings: []*library.Embedding{
			embedding(t, dir, "1", pilot.Scenes[0], []float32{0.5, -1, 2.25}),
			embedding(t, dir, "2", pilot.Scenes[1], []float32{1, 2, 3}),
		},
		Bibles: []*library.Bible{bible},
	}
}

func script(lib *library.Library, addr string) *library.Script {
	for _, s := range lib.Scripts {
		if s.Address == addr {
			return s
		}
	}
	return nil
}

// plan diffs desired against actual objects with the planner's rules: equal
// hashes are no-ops; within a Group an unmatched desired and an unmatched
// actual object with equal MatchHash are the same object, moved; the rest
// are updates by address, creates and deletes. replace lists addresses to
// replace instead of update.
func plan(desired, actual []*providers.Object, replace ...string) []*providers.Change {
	byAddr := map[string]*providers.Object{}
	for _, o := range actual {
		byAddr[o.Address] = o
	}
	matched := map[string]bool{} // actual addresses
	var changes []*providers.Change
	var unmatched []*providers.Object
	for _, d := range desired {
		a := byAddr[d.Address]
		if a != nil && (d.Group == "" || a.MatchHash == d.MatchHash) {
			matched[a.Address] = true
			if a.Hash != d.Hash || slices.Contains(replace, d.Address) {
				action := providers.Update
				if slices.Contains(replace, d.Address) {
					action = providers.Replace
				}
				changes = append(changes, &providers.Change{Provider: "sql", Action: action, Before: a, After: d})
			}
			continue
		}
		unmatched = append(unmatched, d)
	}
	byMatch := map[string][]*providers.Object{}
	for _, a := range actual {
		if !matched[a.Address] && a.Group != "" {
			k := a.Group + "\x00" + a.MatchHash
			byMatch[k] = append(byMatch[k], a)
		}
	}
	var rest []*providers.Object
	for _, d := range unmatched {
		k := d.Group + "\x00" + d.MatchHash
		if cands := byMatch[k]; d.Group != "" && len(cands) > 0 {
			a := cands[0]
			byMatch[k] = cands[1:]
			matched[a.Address] = true
			changes = append(changes, &providers.Change{Provider: "sql", Action: providers.Update, Before: a, After: d})
			continue
		}
		rest = append(rest, d)
	}
	for _, d := range rest {
		if a := byAddr[d.Address]; a != nil && !matched[a.Address] {
			matched[a.Address] = true
			changes = append(changes, &providers.Change{Provider: "sql", Action: providers.Update, Before: a, After: d})
			continue
		}
		changes = append(changes, &providers.Change{Provider: "sql", Action: providers.Create, After: d})
	}
	for _, a := range actual {
		if !matched[a.Address] {
			changes = append(changes, &providers.Change{Provider: "sql", Action: providers.Delete, Before: a})
		}
	}
	rank := map[string]int{}
	for i, t := range createOrder {
		rank[t] = i
	}
	slices.SortStableFunc(changes, func(x, y *providers.Change) int {
		xd, yd := x.Action == providers.Delete, y.Action == providers.Delete
		switch {
		case xd && !yd:
			return -1
		case !xd && yd:
			return 1
		case xd:
			return rank[y.Object().Type] - rank[x.Object().Type]
		}
		return rank[x.Object().Type] - rank[y.Object().Type]
	})
	return changes
}

// counts is how many changes of each action a plan has.
func counts(changes []*providers.Change) map[providers.Action]int {
	out := map[providers.Action]int{}
	for _, c := range changes {
		out[c.Action]++
	}
	return out
}

// apply plans lib against the database inside a transaction and applies it.
func apply(t testing.TB, p *Provider, lib *library.Library, replace ...string) []*providers.Change {
	t.Helper()
	changes, err := tryApply(context.Background(), p, lib, replace...)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return changes
}

func tryApply(ctx context.Context, p *Provider, lib *library.Library, replace ...string) ([]*providers.Change, error) {
	desired, diags := p.Desired(lib)
	if diags.HasErrors() {
		return nil, diags
	}
	// Wait for a concurrent apply, as a user with -lock-timeout would.
	tx, err := p.Begin(ctx, providers.BeginOptions{LockTimeout: 30 * time.Second})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	st, err := tx.Read(ctx, desired)
	if err != nil {
		return nil, err
	}
	changes := plan(desired, st.Refreshed(), replace...)
	if err := tx.Apply(ctx, changes, nil); err != nil {
		return nil, err
	}
	return changes, tx.Commit(ctx)
}

// pending plans lib against a fresh Read, outside any transaction.
func pending(t testing.TB, p *Provider, lib *library.Library) []*providers.Change {
	t.Helper()
	desired, diags := p.Desired(lib)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	st, err := p.Read(context.Background(), desired)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return plan(desired, st.Refreshed())
}
