package git

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"scriptsync/library"
	"scriptsync/providers"
)

// benchLibrary is n Fountain files of about 1 KiB in 100 directories.
func benchLibrary(n int) *library.Library {
	lib := &library.Library{Dir: "/config"}
	body := strings.Repeat("The rain hammers the ambulance bay. KIM watches the doors.\n", 16)
	for i := 0; i < n; i++ {
		key := fmt.Sprintf("ep%05d", i)
		lib.Scripts = append(lib.Scripts, &library.Script{
			Meta:   library.Meta{Address: "script." + key, Resource: "script." + key},
			Key:    key,
			Source: "src/" + key + ".fountain",
			Path:   fmt.Sprintf("scripts/season%02d/%s.fountain", i%100, key),
			Data:   []byte(fmt.Sprintf("Title: Episode %d\n\nINT. ER - NIGHT\n\n%s", i, body)),
		})
	}
	return lib
}

// cpuTime is the process's user and system CPU time so far. Benchmarks
// report it per operation next to wall time, which other processes on a
// shared machine inflate.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// commitOnce runs Begin, Read, Apply and Commit, as the applier does.
func commitOnce(b *testing.B, p *Provider, want []*providers.Object) {
	ctx := context.Background()
	ptx, err := p.Begin(ctx, providers.BeginOptions{LockTimeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	st, err := ptx.Read(ctx, want)
	if err != nil {
		b.Fatal(err)
	}
	if err := ptx.Apply(ctx, diff(want, st.Objects), nil); err != nil {
		b.Fatal(err)
	}
	if err := ptx.Commit(ctx); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkDesired10000(b *testing.B) {
	p := newTestProvider(b, b.TempDir(), nil)
	lib := benchLibrary(10000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, diags := p.Desired(lib); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}

// BenchmarkCommit10000FromEmpty commits 10,000 files to a new repository.
func BenchmarkCommit10000FromEmpty(b *testing.B) {
	want := desired(b, newTestProvider(b, b.TempDir(), nil), benchLibrary(10000))
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		p := newTestProvider(b, b.TempDir(), nil)
		start := cpuTime()
		b.StartTimer()
		commitOnce(b, p, want)
		b.StopTimer()
		cpu += cpuTime() - start
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// BenchmarkCommitOneChangeIn10000 changes one file of a 10,000-file tree
// per commit, with one provider, as `scriptsync apply` does after its plan
// read the branch: the manifest shards the commit did not change are not
// decoded again.
func BenchmarkCommitOneChangeIn10000(b *testing.B) { benchOneChange(b, false) }

// BenchmarkCommitOneChangeIn10000Cold is the same with a new provider per
// commit, which reads the whole manifest: a process that only applies.
func BenchmarkCommitOneChangeIn10000Cold(b *testing.B) { benchOneChange(b, true) }

func benchOneChange(b *testing.B, cold bool) {
	dir := b.TempDir()
	p := newTestProvider(b, dir, nil)
	want := desired(b, p, benchLibrary(10000))
	commitOnce(b, p, want)
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		k := i * 7919 % len(want)
		old := want[k]
		data := []byte(fmt.Sprintf("Title: changed %d\n", i))
		o := fileObject(old.Address, old.Resource, pathOf(old), hashObject(plumbing.BlobObject, data), int64(len(data)))
		o.Payload = data
		want[k] = o
		if cold {
			p = newTestProvider(b, dir, nil)
		}
		start := cpuTime()
		b.StartTimer()
		commitOnce(b, p, want)
		b.StopTimer()
		cpu += cpuTime() - start
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
}
