// Package providertest is what provider tests share.
//
// Run is the conformance suite every provider's tests run (see
// providers/doc.go for adding a provider): it checks, from outside, the
// promises of the contract: a desired object read back after apply has
// the same hash and plans as a no-op; a missing backend reads as empty;
// Rollback leaves the backend as Begin found it; a second Begin gets a
// *LockError; a transaction whose backend moved under it fails with
// ErrConflict; Compensate is idempotent. A provider known to break one
// names the case in Subject.Known, with the issue, and the case is
// skipped with that message.
//
// Fake is an in-memory provider with switchable faults, for the tests of
// the code that drives providers (engine, applier).
package providertest
