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
//  2. Apply on every provider, in registry order (lfs uploads, sql
//     statements, git objects). Nothing is visible to readers yet except
//     content-addressed uploads, which no one references.
//  3. Commit every Tx that implements Compensator (git moves its branch),
//     then the one Tx that does not (sql). If a later commit fails, the
//     earlier ones are undone with Compensate, in reverse order.
//
// To implement a provider:
//
//   - Register a Factory in an init function with Register.
//   - Desired must be pure: it reads only the Library (whose sources config
//     has already read) and reports bad input as diagnostics.
//   - Read returns only the objects scriptsync manages; objects it did not
//     create are invisible to the planner and therefore never changed.
//   - An actual Object must carry the same Hash, Attrs and MatchHash that
//     Desired produced when it was written, so that an unchanged object
//     diffs as no-op.
//   - Apply receives changes already ordered (dependencies first for
//     creates and updates, dependents first for deletes) and must either
//     do all of them inside the Tx or return an error; Rollback must then
//     leave the backend as Begin found it.
//
// Optional capabilities are small interfaces found by type assertion:
// Initializer (init), Compensator (undo after commit), Describer (a line
// naming the backend in plan output).
package providers
