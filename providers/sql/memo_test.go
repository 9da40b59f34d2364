package sql

import (
	"bytes"
	"context"
	"testing"
	"time"

	"scriptsync/providers"
)

// recordMemo records memo in a transaction of its own, as the applier
// does for an apply with nothing to do.
func recordMemo(t *testing.T, p *Provider, memo []byte) {
	t.Helper()
	ctx := context.Background()
	tx, err := p.Begin(ctx, providers.BeginOptions{LockTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Read(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := tx.(providers.MemoRecorder).RecordMemo(ctx, memo); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

func memoNow(t *testing.T, p *Provider) []byte {
	t.Helper()
	m, err := p.Memo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMemoHoldsForItsStateOnly: a memo is returned while the database is
// in the state it was recorded with, and never after an apply, a write by
// another program to a managed row (an update or a delete), or with a
// schema older than this version's.
func TestMemoHoldsForItsStateOnly(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		p := b.open(t)
		if m := memoNow(t, p); m != nil {
			t.Fatalf("a database that does not exist has memo %q", m)
		}
		lib := fixture(t, t.TempDir())
		apply(t, p, lib)
		if m := memoNow(t, p); m != nil {
			t.Fatalf("an apply that recorded none left memo %q", m)
		}
		memo := []byte("memo\x00with\xffbinary bytes")
		recordMemo(t, p, memo)
		if m := memoNow(t, p); !bytes.Equal(m, memo) {
			t.Fatalf("memo = %q, want %q", m, memo)
		}
		// A column ScriptRAG owns is no change to what the memo vouches for.
		b.exec(t, p, "UPDATE scenes SET last_read_at = CURRENT_TIMESTAMP")
		if m := memoNow(t, p); !bytes.Equal(m, memo) {
			t.Fatalf("after a write to last_read_at: memo = %q, want it kept", m)
		}
		b.exec(t, p, "UPDATE scenes SET heading = 'HACKED' WHERE id = (SELECT MIN(id) FROM scenes)")
		if m := memoNow(t, p); m != nil {
			t.Fatalf("after an edit of a managed row: memo = %q, want none", m)
		}
		apply(t, p, lib) // repairs, and bumps the serial
		recordMemo(t, p, memo)
		if m := memoNow(t, p); !bytes.Equal(m, memo) {
			t.Fatalf("after the repair: memo = %q, want %q", m, memo)
		}
		b.exec(t, p, "DELETE FROM characters WHERE id = (SELECT MIN(id) FROM characters)")
		if m := memoNow(t, p); m != nil {
			t.Fatalf("after a managed row was deleted: memo = %q, want none", m)
		}
		apply(t, p, lib)
		if got := b.query(t, p, "SELECT COUNT(*) FROM scriptsync_drift"); toInt(got[0][0]) != 0 {
			t.Fatalf("the repair of a deleted row left %v flags", got[0][0])
		}
		recordMemo(t, p, memo)
		lib.Series[0].Title += " (revised)"
		apply(t, p, lib)
		if m := memoNow(t, p); m != nil {
			t.Fatalf("after another apply: memo = %q, want none", m)
		}
		if b.flavor == flavorPostgres {
			// TRUNCATE fires no row trigger; a statement trigger flags it.
			recordMemo(t, p, memo)
			b.exec(t, p, "TRUNCATE dialogues")
			if m := memoNow(t, p); m != nil {
				t.Fatalf("after TRUNCATE: memo = %q, want none", m)
			}
			apply(t, p, lib)
			if got := b.query(t, p, "SELECT COUNT(*) FROM scriptsync_drift"); toInt(got[0][0]) != 0 {
				t.Fatalf("the apply after a TRUNCATE left %v flags", got[0][0])
			}
		}
		recordMemo(t, p, memo)
		b.exec(t, p, "UPDATE scriptsync_meta SET value = '3' WHERE key = 'schema_version'")
		if m := memoNow(t, p); m != nil {
			t.Fatalf("with an older schema: memo = %q, want none", m)
		}
	})
}
