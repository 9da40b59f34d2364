package sql

import (
	"context"
	"fmt"
	"testing"

	"scriptsync/library"
	"scriptsync/providers"
)

// Benchmarks, per backend:
//
//	go test ./providers/sql -run '^$' -bench . -benchmem
//
// "postgres" writes large row sets with COPY and small ones in pipelined
// batches; "postgres-copy" and "postgres-batch" always use one of them.
// The library is benchLibrary(10000): 200 outline scripts of 50 scenes, each
// scene an action and four dialogue blocks among five characters.

const benchScenes = 10000

func benchLibrary(scenes int) *library.Library {
	lib := &library.Library{Dir: "."}
	names := []string{"KIM", "RAY", "ANA", "BO", "CY"}
	for s := 0; s < scenes/50; s++ {
		sc := &library.Script{Meta: library.Meta{Address: fmt.Sprintf("script.s%03d", s)}, Key: fmt.Sprintf("s%03d", s),
			Title: fmt.Sprintf("Episode %d", s), Author: "Bench", Format: "fountain", Season: i64(int64(s/20 + 1)), Episode: i64(int64(s%20 + 1))}
		sc.Meta.Resource = sc.Address
		for _, n := range names {
			sc.Characters = append(sc.Characters, character(sc, n))
		}
		for i := 1; i <= 50; i++ {
			spec := sceneSpec{heading: fmt.Sprintf("INT. ROOM %d - DAY", i), lines: []string{
				fmt.Sprintf("Scene %d of episode %d begins; the room is quiet and the lights hum.", i, s),
				fmt.Sprintf("%s: Line one of scene %d, with enough words to be a realistic line of dialogue.", names[i%5], i),
				fmt.Sprintf("%s: Line two, answering, a little longer than the first one was.", names[(i+1)%5]),
				fmt.Sprintf("%s (beat): Line three, with a parenthetical before it.", names[(i+2)%5]),
				fmt.Sprintf("%s: Line four closes the scene.", names[(i+3)%5]),
			}}
			addr := fmt.Sprintf("scene.s%03d_%02d", s, i)
			sc.Scenes = append(sc.Scenes, makeScene(sc, addr, i, spec))
		}
		sc.ContentHash = sha(sc.Address)
		lib.Scripts = append(lib.Scripts, sc)
	}
	return lib
}

func forEachBenchBackend(b *testing.B, fn func(b *testing.B, be *backend)) {
	var pgCopy, pgBatch *backend
	if postgresBackend != nil {
		c, b := *postgresBackend, *postgresBackend
		c.name, c.bulk = "postgres-copy", bulkCopy
		b.name, b.bulk = "postgres-batch", bulkBatch
		pgCopy, pgBatch = &c, &b
	}
	for _, be := range []*backend{sqliteBackend, postgresBackend, pgCopy, pgBatch} {
		if be != nil {
			b.Run(be.name, func(b *testing.B) { fn(b, be) })
		}
	}
}

// BenchmarkApplyCold is Desired, Begin, Read, plan and Apply of 10,000
// scenes into an empty database, committed.
func BenchmarkApplyCold(b *testing.B) {
	forEachBenchBackend(b, func(b *testing.B, be *backend) {
		lib := benchLibrary(benchScenes)
		for b.Loop() {
			b.StopTimer()
			p := be.open(b)
			b.StartTimer()
			changes := apply(b, p, lib)
			if len(changes) != benchScenes+200*6 {
				b.Fatalf("%d changes", len(changes))
			}
			b.StopTimer()
			p.Close()
			b.StartTimer()
		}
	})
}

// BenchmarkReadNoop is a Read of a database holding 11,200 managed objects.
func BenchmarkReadNoop(b *testing.B) {
	forEachBenchBackend(b, func(b *testing.B, be *backend) {
		lib := benchLibrary(benchScenes)
		p := be.open(b)
		apply(b, p, lib)
		ctx := context.Background()
		for b.Loop() {
			st, err := p.Read(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			if len(st.Objects) != benchScenes+200*6 {
				b.Fatalf("%d objects", len(st.Objects))
			}
		}
	})
}

// BenchmarkPlanNoop is a whole no-op plan: Desired, Read and the diff.
func BenchmarkPlanNoop(b *testing.B) {
	forEachBenchBackend(b, func(b *testing.B, be *backend) {
		lib := benchLibrary(benchScenes)
		p := be.open(b)
		apply(b, p, lib)
		for b.Loop() {
			if c := pending(b, p, lib); len(c) != 0 {
				b.Fatalf("%d changes", len(c))
			}
		}
	})
}

// BenchmarkUpdateOneScene is a full apply (Desired, Begin, Read, plan,
// Apply, Commit) that changes one scene's dialogue among 10,000 scenes.
func BenchmarkUpdateOneScene(b *testing.B) {
	forEachBenchBackend(b, func(b *testing.B, be *backend) {
		lib := benchLibrary(benchScenes)
		p := be.open(b)
		apply(b, p, lib)
		sc := lib.Scripts[100].Scenes[25]
		i := 0
		for b.Loop() {
			i++
			sc.Elements[1].Text = fmt.Sprintf("Rewritten line, take %d.", i)
			changes := apply(b, p, lib)
			if len(changes) != 1 || changes[0].Action != providers.Update {
				b.Fatalf("changes %v", counts(changes))
			}
		}
	})
}

// BenchmarkApplyOneScene is the transaction alone for a one-scene update:
// Begin, Apply of the one change, Commit (no Read of the inventory).
func BenchmarkApplyOneScene(b *testing.B) {
	forEachBenchBackend(b, func(b *testing.B, be *backend) {
		ctx := context.Background()
		lib := benchLibrary(benchScenes)
		p := be.open(b)
		apply(b, p, lib)
		sc := lib.Scripts[100].Scenes[25]
		i := 0
		for b.Loop() {
			b.StopTimer()
			i++
			sc.Elements[1].Text = fmt.Sprintf("Rewritten line, take %d.", i)
			changes := pending(b, p, lib)
			b.StartTimer()
			tx, err := p.Begin(ctx, providers.BeginOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if err := tx.Apply(ctx, changes, nil); err != nil {
				b.Fatal(err)
			}
			if err := tx.Commit(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
