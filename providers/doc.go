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
//     statements, git objects). Nothing is visible to readers yet except
//     content-addressed uploads, which no one references.
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
//   - PeerRecorder (Tx): the CommitLast provider stores the versions the
//     others committed, so that a plan can tell an apply stopped between
//     two commits.
//   - Warmer (Provider): start reading the backend while the
//     configuration is still being evaluated.
//   - Initializer (Provider): create the backend ahead of the first apply
//     (scriptsync init).
//   - SchemaVersioner (Provider): the version of the provider's own stored
//     format, for scriptsync version.
//   - Describer (Provider): one line naming the backend, without secrets,
//     for init and plan output.
package providers
