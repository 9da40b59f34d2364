package sql

import (
	"context"
	"testing"

	"scriptsync/providers"
	"scriptsync/providers/providertest"
)

// The contract's own suite, against SQLite and PostgreSQL.
func TestProviderContract(t *testing.T) {
	reg, _ := providers.Lookup("sql")
	forEachBackend(t, func(t *testing.T, b *backend) {
		providertest.Run(t, func(t *testing.T) *providertest.Subject {
			p := b.open(t)
			dir := t.TempDir()
			return &providertest.Subject{
				Provider: p,
				Commit:   reg.Commit,
				Library:  fixture(t, dir),
				Changed:  fixtureWithTitle(t, dir, "Renamed"),
				Open:     func(t *testing.T) providers.Provider { return b.reopen(t, p) },
				// The transaction's lock keeps other connections out:
				// move the serial through its own, as the suite allows.
				Interfere: func(t *testing.T, tx providers.Tx) {
					if _, err := tx.(*Tx).s.exec(context.Background(), "UPDATE scriptsync_meta SET value = '7' WHERE key = 'serial'"); err != nil {
						t.Fatal(err)
					}
				},
			}
		})
	})
}
