package git

import (
	"testing"

	"scriptsync/internal/gittest"
	"scriptsync/providers"
	"scriptsync/providers/providertest"
)

// The contract's own suite.
func TestProviderContract(t *testing.T) {
	reg, _ := providers.Lookup(Name)
	providertest.Run(t, func(t *testing.T) *providertest.Subject {
		dir := t.TempDir()
		p := newTestProvider(t, dir, nil)
		return &providertest.Subject{
			Provider: p,
			Commit:   reg.Commit,
			Library:  fakeLib{scripts: map[string]string{"a": "a\n", "b": "b\n"}, bibles: map[string]string{"w": "# W\n"}}.library(),
			Changed:  fakeLib{scripts: map[string]string{"a": "mine\n"}, bibles: map[string]string{"w": "# W\n"}}.library(),
			Open:     func(t *testing.T) providers.Provider { return newTestProvider(t, dir, nil) },
			// Another writer moves the branch: the lock is scriptsync's,
			// and git itself does not take it.
			Interfere: func(t *testing.T, _ providers.Tx) {
				gittest.CommitFiles(t, p.dir, "main", "landed meanwhile", map[string]string{"other.txt": "o"})
			},
			Known: map[string]string{
				"SecondBeginLocks": "git takes no lock at Begin: its lock is the compare-and-swap of the branch at Commit, so a second apply finds out there, with ErrConflict (issue 13)",
			},
		}
	})
}
