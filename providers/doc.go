// Package providers is the contract between scriptsync's planner and
// applier and the backends that hold a library (SQL, git, LFS), and the
// registry that names them.
//
// A backend implements Provider. The planner asks each provider for the
// objects a library wants (Desired) and the objects the backend holds
// (Read), and diffs the two with one generic engine: providers supply facts
// (addresses, hashes, attributes, dependencies), never their own diff loops.
// The applier then opens a Tx on every provider, applies each provider's
// changes inside it, and commits them in an order that lets a failure be
// undone everywhere:
//
//  1. Begin on every provider (this takes its lock, if it has one).
//  2. Apply on every provider, in apply order (Registration.Order:
//     OrderObjectStore, OrderDatabase, OrderRepository: lfs uploads, sql
//     statements, git objects), except that a CommitUnreferenced one (lfs)
//     runs side by side with the others; progress is reported in apply
//     order all the same. Nothing is visible to readers yet except
//     content-addressed uploads, which no one references; no Apply may
//     read what another provider's Apply writes.
//  3. Commit, by the class each provider registered (Registration.Commit):
//     first every CommitUnreferenced and CommitUndoable Tx, in apply order
//     (lfs has nothing left to do, git moves its branch), then the
//     CommitLast one (sql). If a later commit fails, the CommitUndoable
//     ones that committed are undone with Compensate, in reverse order.
//
// # The contract
//
//   - Register a Registration in an init function: name, apply order,
//     commit class, factory, the attributes the provider block accepts, and
//     the defaults of the settings peers may read.
//   - The Factory validates the block (Config) and reports bad attributes
//     as diagnostics naming them; it touches no backend. Relative paths
//     resolve against Config.Dir. A peer's settings are read with
//     Config.Setting, which falls back to the defaults the peer declared:
//     no provider repeats another's defaults, and none imports another.
//   - Desired is pure: it reads only the Library (whose sources config
//     has already read), changes neither the library nor the provider, and
//     reports bad input as diagnostics. What Apply needs goes on the
//     objects: Payload (the library entity) and Source (the absolute path
//     of a file Apply reads).
//   - Read returns only the objects scriptsync manages; objects it did not
//     create are invisible to the planner and therefore never changed. A
//     backend that does not exist yet reads as empty, with version "".
//   - An actual Object must carry the same Hash, Attrs and MatchHash that
//     Desired produced when it was written, so that an unchanged object
//     diffs as no-op.
//   - Objects changed outside scriptsync are reported in State.Drift, not
//     by changing Objects: Objects holds them as recorded, Drift says what
//     the backend holds now (After nil: deleted outside). A plan that
//     refreshes diffs against State.Refreshed(); -refresh=false against
//     Objects. Finding drift must not cost a read of every object.
//   - Changes that are not objects' (a schema migration) are reported in
//     State.Pending; a plan that has them has changes.
//   - Apply handles the Forget action (removed blocks, state rm) by
//     dropping its bookkeeping of the object and leaving its data.
//   - Begin takes the backend's write lock, or returns a *LockError when
//     another apply holds it past the timeout.
//   - Apply receives changes already ordered (dependencies first for
//     creates and updates, dependents first for deletes) and must either
//     do all of them inside the Tx or return an error; Rollback must then
//     leave the backend as Begin found it.
//   - Commit (or Apply) fails with an error wrapping ErrConflict when the
//     backend moved since the Tx read it.
//   - Errors name the provider once ("git: ..."); the applier adds the
//     operation and the CLI the hints.
//
// # Optional capabilities
//
// Small interfaces, found by type assertion:
//
//   - Compensator (Tx): Compensate undoes a successful Commit; required of
//     a CommitUndoable provider, idempotent.
//   - VersionReporter (Tx): the version a Commit produced, recorded by the
//     CommitLast provider.
//   - Finisher (Tx): work after every provider committed (lfs removes the
//     objects no managed pointer names any more).
//   - PeerRecorder (Tx): the CommitLast provider stores the versions the
//     others committed, so that a plan can tell an apply stopped between
//     two commits.
//   - Vouchable (Provider and Tx): a provider whose record of what it
//     manages lives in the backend, where anyone may edit it (git's
//     manifest), drops after each Read what the version the PeerRecorder
//     recorded for it does not vouch for, so that no plan deletes a file
//     on the word of an entry scriptsync did not write.
//   - OutputRecorder (Tx), OutputReader (Provider): the CommitLast
//     provider stores the output values an apply computed, for the output
//     command (sensitive values are never stored).
//   - LocalObjects (Provider): the file of a content-addressed object
//     kept on this machine, for plans that compare old and new vectors.
//   - BlobReader (Provider): the content of a committed file by its blob
//     id, for plans that diff a changed agent's text.
//   - Warmer (Provider): start reading the backend while the
//     configuration is still being evaluated.
//   - Initializer (Provider): create the backend ahead of the first apply
//     (scriptsync init).
//   - SchemaVersioner (Provider): the version of the provider's own stored
//     format, for scriptsync version.
//   - Describer (Provider): one line naming the backend, without secrets,
//     for init and plan output.
//   - Importer (Provider and Tx): the unmanaged objects an import block
//     names, for a plan that adopts them (sql by row id or natural key,
//     git by path). The applier reads them before Read and leaves them
//     out of the want it hands Read, so that a file in the way that an
//     import covers is no conflict. Apply handles a change whose
//     Importing() is set by recording the object as managed (NoOp),
//     rewriting it in place first (Update), or deleting it (Delete).
//
// # Adding a backend
//
// A fourth backend, say a search index, touches no package but its own
// and one line of providers/all:
//
//  1. Copy a provider package's file set into providers/search: doc.go
//     (what it stores and how; its configuration block), provider.go (the
//     Registration in init, with Order, Commit class, Attributes and
//     Defaults; the Factory; Name, Close, Begin, and the optional
//     capabilities it has), desired.go (Desired: the library's objects,
//     each with Address, Type, Hash, Payload and, when Apply reads a file,
//     Source), read.go (Read: the managed objects with the same Hash and
//     MatchHash), apply.go (the Tx: Read, Apply, Commit, Rollback, and
//     Compensate for CommitUndoable). sql is the model of a locked
//     database committed last, git of a compare-and-swap committed early
//     and undone by Compensate, lfs of a content-addressed store.
//  2. Pick the Order and Commit class from the constants above. At most
//     one provider is CommitLast; the SQL provider already is, so a new
//     backend is CommitUndoable (implement Compensator) or
//     CommitUnreferenced.
//  3. Read a peer's settings with Config.Setting, never by repeating its
//     defaults, and never import another provider.
//
// Then, in provider_test.go, run the conformance suite, which must pass:
//
//	func TestProviderContract(t *testing.T) {
//		reg, _ := providers.Lookup("search")
//		providertest.Run(t, func(t *testing.T) *providertest.Subject {
//			dir := t.TempDir()
//			open := func(t *testing.T) providers.Provider { return mustNew(t, dir) }
//			return &providertest.Subject{Provider: open(t), Commit: reg.Commit,
//				Library: lib, Changed: changed, Open: open, Interfere: moveBehindTx}
//		})
//	}
//
// providers/providertest/jsonfile_test.go is a complete provider, written
// this way, that passes it. Last, add the blank import to providers/all:
// config, planner, the engine and the CLI find the provider through the
// registry, so the provider block, validate, plan, apply, state and
// version work unchanged.
package providers
