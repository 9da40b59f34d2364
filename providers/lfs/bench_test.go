package lfs

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"scriptsync/formats/npy"
	"scriptsync/internal/lfstest"
	"scriptsync/providers"
)

// The target: 10,000 embeddings of 384 float32 dimensions planned
// (Desired + Read) and stored locally (Apply) in under 2 s.
const benchEmbeddings, benchDims = 10000, 384

// BenchmarkPlanApplyLocal10k plans and applies 10,000 new embeddings into
// an empty local store.
func BenchmarkPlanApplyLocal10k(b *testing.B) {
	lib := fixture(b, benchEmbeddings, benchDims)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// A fresh repository each time, so every object is written.
		cfg := config(lib.Dir, nil, map[string]string{"path": fmt.Sprintf("repo%d.git", i)}, nil)
		p, diags := New(cfg)
		if diags.HasErrors() {
			b.Fatal(diags.Error())
		}
		want, _ := p.Desired(lib)
		state, err := p.Read(ctx, want)
		if err != nil || len(state.Objects) != 0 {
			b.Fatalf("Read = %d objects, %v", len(state.Objects), err)
		}
		tx, _ := p.Begin(ctx, providers.BeginOptions{})
		if err := tx.Apply(ctx, creates(want), nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchEmbeddings), "embeddings/op")
}

// BenchmarkPlanNoChanges10k plans 10,000 embeddings that are all stored:
// the common case of a plan after an edit elsewhere.
func BenchmarkPlanNoChanges10k(b *testing.B) {
	lib := fixture(b, benchEmbeddings, benchDims)
	p := newProvider(b, lib, "")
	if _, _, err := applyAll(b, p, lib); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		want, _ := p.Desired(lib)
		state, err := p.Read(ctx, want)
		if err != nil || len(state.Objects) != benchEmbeddings {
			b.Fatalf("Read = %d objects, %v", len(state.Objects), err)
		}
	}
}

// BenchmarkInspect10k validates 10,000 .npy files, as config does when it
// loads a library.
func BenchmarkInspect10k(b *testing.B) {
	lib := fixture(b, benchEmbeddings, benchDims)
	paths := make([]string, len(lib.Embeddings))
	for i, e := range lib.Embeddings {
		paths[i] = filepath.Join(lib.Dir, e.Source)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, path := range paths {
			info, err := npy.Inspect(path)
			if err != nil || info.Dimensions != benchDims {
				b.Fatal(info, err)
			}
		}
	}
	b.ReportMetric(float64(len(paths)), "files/op")
}

// serverDir is where benchmark servers keep objects: memory (/dev/shm) when
// the machine has it, so that the numbers measure the client and loopback
// HTTP rather than the test server's own file creation.
func serverDir(b *testing.B) string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		if dir, err := os.MkdirTemp("/dev/shm", "lfsbench-"); err == nil {
			b.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return b.TempDir()
}

// BenchmarkUpload measures upload throughput to the loopback test server
// (which hashes every object, sharing the two cores with the client): many
// embedding-sized objects, and a few large ones.
func BenchmarkUpload(b *testing.B) {
	for _, bc := range []struct {
		name  string
		n     int
		size  int
		verif bool
	}{
		{"1000x1.6KiB", 1000, 128 + 4*benchDims, true},
		{"1000x1.6KiB-noverify", 1000, 128 + 4*benchDims, false},
		{"16x4MiB", 16, 4 << 20, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			objs := make([]Object, bc.n)
			data := make(map[string][]byte, bc.n)
			var total int64
			for i := range objs {
				d := make([]byte, bc.size)
				rand.Read(d)
				sum := sha256.Sum256(d)
				oid := hex.EncodeToString(sum[:])
				data[oid] = d
				objs[i] = Object{OID: oid, Size: int64(len(d))}
				total += int64(len(d))
			}
			b.SetBytes(total)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				srv, err := lfstest.New(serverDir(b))
				if err != nil {
					b.Fatal(err)
				}
				srv.SetVerify(bc.verif)
				c, err := NewClient(srv.Endpoint, ClientOptions{})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if err := c.Upload(context.Background(), objs, openBytes(data), nil); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				c.CloseIdleConnections()
				srv.Close()
				b.StartTimer()
			}
		})
	}
}

// BenchmarkApplyUpload10k is the whole apply against the loopback server:
// 10,000 embeddings stored locally and uploaded.
func BenchmarkApplyUpload10k(b *testing.B) {
	lib := fixture(b, benchEmbeddings, benchDims)
	var total int64
	for _, e := range lib.Embeddings {
		total += e.Size
	}
	b.SetBytes(total)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		srv, err := lfstest.New(serverDir(b))
		if err != nil {
			b.Fatal(err)
		}
		cfg := config(lib.Dir, map[string]cty.Value{"url": cty.StringVal(srv.Endpoint)},
			map[string]string{"path": fmt.Sprintf("repo%d.git", i)}, nil)
		p, diags := New(cfg)
		if diags.HasErrors() {
			b.Fatal(diags.Error())
		}
		b.StartTimer()
		want, _ := p.Desired(lib)
		if _, err := p.Read(ctx, want); err != nil {
			b.Fatal(err)
		}
		tx, _ := p.Begin(ctx, providers.BeginOptions{})
		if err := tx.Apply(ctx, creates(want), nil); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		p.Close()
		srv.Close()
		b.StartTimer()
	}
}
