package lfs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"testing"

	"scriptsync/library"
)

// A stat digest moved on by the objects that left and joined the list is
// the digest of the new list stated afresh, and refuses an object that is
// not there.
func TestMovedStatDigest(t *testing.T) {
	ctx := context.Background()
	p := newProvider(t, &library.Library{Dir: t.TempDir()}, "")
	var all [][sha256.Size]byte
	for i := range 12 {
		data := []byte(fmt.Sprintf("vector %d", i))
		sum := sha256.Sum256(data)
		if _, err := p.store.Add(ctx, bytes.NewReader(data), fmt.Sprintf("%x", sum), int64(len(data))); err != nil {
			t.Fatal(err)
		}
		all = append(all, sum)
	}
	sortIDs := func(ids [][sha256.Size]byte) [][sha256.Size]byte {
		out := append([][sha256.Size]byte(nil), ids...)
		for i := range out {
			for j := i + 1; j < len(out); j++ {
				if bytes.Compare(out[j][:], out[i][:]) < 0 {
					out[i], out[j] = out[j], out[i]
				}
			}
		}
		return out
	}
	stamp := func(ids [][sha256.Size]byte) []byte {
		d, err := p.statDigest(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		out := append(make([]byte, sha256.Size), d[:]...)
		for _, id := range ids {
			out = append(out, id[:]...)
		}
		return out
	}
	before := sortIDs(all[:8])
	after := sortIDs(append(append([][sha256.Size]byte{}, all[2:6]...), all[8:]...))
	want, err := p.statDigest(ctx, after)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := p.movedDigest(stamp(before), after)
	if !ok || got != want {
		t.Fatalf("moved digest %x (%v), want %x", got, ok, want)
	}
	if got, ok := p.movedDigest(stamp(before), before); !ok || got != [sha256.Size]byte(stamp(before)[sha256.Size:2*sha256.Size]) {
		t.Fatalf("an unchanged list moved its digest: %x %v", got, ok)
	}
	missing := sortIDs(append(append([][sha256.Size]byte{}, before...), sha256.Sum256([]byte("not stored"))))
	if _, ok := p.movedDigest(stamp(before), missing); ok {
		t.Fatal("moved digest took in an object the store does not hold")
	}
	if _, ok := p.movedDigest([]byte("short"), after); ok {
		t.Fatal("moved digest took a damaged base")
	}
}
