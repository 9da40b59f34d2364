package lfs

import (
	"testing"

	"scriptsync/providers"
	"scriptsync/providers/providertest"
)

// The contract's own suite, on the local store.
func TestProviderContract(t *testing.T) {
	reg, _ := providers.Lookup("lfs")
	providertest.Run(t, func(t *testing.T) *providertest.Subject {
		lib := fixture(t, 2, 4)
		return &providertest.Subject{
			Provider: newProvider(t, lib, ""),
			Commit:   reg.Commit,
			Library:  lib,
			// The same two vectors and a third.
			Changed: fixture(t, 3, 4),
			Open:    func(t *testing.T) providers.Provider { return newProvider(t, lib, "") },
			// Objects are content-addressed: two applies that store the
			// same object store the same bytes.
			Unlocked: true,
		}
	})
}
