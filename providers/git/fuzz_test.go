package git

import (
	"testing"
)

// FuzzDecodeShard feeds manifest shards, as anyone who can push may write
// them, to the decoder: it must not panic, and what it accepts must
// survive being written and read again.
func FuzzDecodeShard(f *testing.F) {
	f.Add(encodeShard([]*manifestEntry{{Address: "script.a", Path: "scripts/a.fountain", Blob: "0123456789012345678901234567890123456789", Size: 3}}))
	f.Add(encodeShard([]*manifestEntry{{Address: `embedding.e["x"]`, Path: "v/x.npy", Blob: "0123456789012345678901234567890123456789", Size: 1, Resource: "embedding.e", Sensitive: true}}))
	f.Add([]byte(`{"format_version":1,"files":[{"address":"script.a","path":"../x","blob":"zz","size":-1}]}`))
	f.Add([]byte(`{"format_version":99}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := decodeShard(data, 0)
		if err != nil {
			return
		}
		for _, e := range entries {
			_ = checkEntry(e) // must not panic on anything decoded
		}
		again, err := decodeShard(encodeShard(entries), 0)
		if err != nil {
			t.Fatalf("a shard scriptsync wrote does not decode: %v", err)
		}
		if len(again) != len(entries) {
			t.Fatalf("re-read %d entries, wrote %d", len(again), len(entries))
		}
		for i := range again {
			a, b := again[i], entries[i]
			if a.Address != b.Address || a.Path != b.Path || a.Blob != b.Blob || a.Size != b.Size || a.Sensitive != b.Sensitive {
				t.Fatalf("entry %d changed on a round trip: %+v then %+v", i, b, a)
			}
		}
	})
}
