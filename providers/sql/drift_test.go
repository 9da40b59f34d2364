package sql

import (
	"context"
	"testing"

	"scriptsync/providers"
)

// An in-place edit of a managed row is drift, on both backends; an edit of
// a column ScriptRAG owns is not; scriptsync's own apply flags nothing.
func TestDriftInPlaceEdits(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		p := b.open(t)
		lib := fixture(t, t.TempDir())
		apply(t, p, lib)
		if n := b.query(t, p, "SELECT COUNT(*) FROM scriptsync_drift"); toInt(n[0][0]) != 0 {
			t.Fatalf("scriptsync's own apply flagged %v rows", n[0][0])
		}
		// Columns ScriptRAG owns (its timestamp triggers fire too).
		b.exec(t, p, "UPDATE scenes SET last_read_at = CURRENT_TIMESTAMP")
		st, err := p.Read(context.Background(), mustDesired(t, p, lib))
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Drift) != 0 {
			t.Fatalf("a write to last_read_at is drift: %v", st.Drift)
		}

		b.exec(t, p, "UPDATE scenes SET heading = 'HACKED' WHERE heading = 'INT. WARD 1 - NIGHT'")
		st, err = p.Read(context.Background(), mustDesired(t, p, lib))
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Drift) != 1 {
			t.Fatalf("drift = %v, want the one scene", st.Drift)
		}
		d := st.Drift[0]
		if d.Action != providers.Update || d.After.Attributes()["heading"] != "HACKED" ||
			d.Before.Attributes()["heading"] != "INT. WARD 1 - NIGHT" || d.Before.Type != typeScene {
			t.Fatalf("drift = %s %v -> %v", d.Action, d.Before.Attributes(), d.After.Attributes())
		}
		changes := pending(t, p, lib)
		if len(changes) != 1 || changes[0].Action != providers.Update {
			t.Fatalf("plan = %v, want one update", counts(changes))
		}
		apply(t, p, lib)
		if got := b.query(t, p, "SELECT COUNT(*) FROM scenes WHERE heading = 'HACKED'"); toInt(got[0][0]) != 0 {
			t.Error("the apply did not repair the heading")
		}
		if got := b.query(t, p, "SELECT COUNT(*) FROM scriptsync_drift"); toInt(got[0][0]) != 0 {
			t.Errorf("the repair left %v flags", got[0][0])
		}
		if c := pending(t, p, lib); len(c) != 0 {
			t.Errorf("%d changes after the repair", len(c))
		}

		// A child row: a dialogue line of a managed scene.
		b.exec(t, p, "UPDATE dialogues SET dialogue_text = 'nothing' WHERE id = (SELECT MIN(id) FROM dialogues)")
		if c := pending(t, p, lib); len(c) != 1 || c[0].Before.Type != typeScene {
			t.Fatalf("plan after a dialogue edit = %v", counts(c))
		}
		apply(t, p, lib)
		if got := b.query(t, p, "SELECT COUNT(*) FROM dialogues WHERE dialogue_text = 'nothing'"); toInt(got[0][0]) != 0 {
			t.Error("the apply did not repair the dialogue")
		}
	})
}
