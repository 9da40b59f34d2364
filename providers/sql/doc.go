// Package sql is scriptsync's SQL provider: it keeps a ScriptRAG database
// (SQLite through modernc.org/sqlite, or PostgreSQL through pgx) in step
// with a library.
//
// # What it owns
//
// The schema is a superset of ScriptRAG's, with the same table and column
// names (series, scripts, scenes, characters, dialogues, actions,
// embeddings, script_bibles, bible_chunks and ScriptRAG's other tables),
// created and versioned by the provider: Begin and Init create what is
// missing, and an existing ScriptRAG database is adopted by adding missing
// tables, columns, indexes and the trigger that removes a scene's
// embeddings with it. Desired turns a library into one object per series,
// script, character, scene, embedding and bible; a scene's dialogues and
// actions and a bible's chunks are child rows of their object, written and
// rewritten with it. Rows that scriptsync did not write are never read or
// changed.
//
// # Bookkeeping
//
// scriptsync_objects maps each managed address to its type, row id, hash
// and the attributes, dependencies and grouping Desired produced when it was
// written, so that Read returns objects that diff as no-op against an
// unchanged library. scriptsync_meta holds the schema version, the
// inventory serial (the State.Version; "" until the first apply) and the
// peers' versions recorded at the last apply. Read omits a managed object
// whose row was deleted behind scriptsync's back, so the next apply
// recreates it.
//
// # Locking and the serial
//
// Read takes no lock: it reads a consistent snapshot (a read transaction).
// Begin takes the write lock and holds it until Commit or Rollback: on
// SQLite a BEGIN IMMEDIATE on one dedicated connection, waiting up to the
// lock timeout through busy_timeout; on PostgreSQL pg_advisory_xact_lock on
// a key derived from the database name, bounded by SET LOCAL lock_timeout,
// or, where the engine or the user cannot take advisory locks, SELECT ...
// FOR UPDATE on the one row of scriptsync_lock. A timeout is a *providers.LockError naming the lock. Every apply bumps the
// serial by compare-and-swap from the value the transaction read, so two
// transactions can never both apply from the same version; a mismatch is an
// error wrapping providers.ErrConflict.
//
// # Applying
//
// Apply writes in phases that respect every dependency whatever order the
// planner chose within its rules: unique keys of changing rows are freed
// first (renumbered scenes go to negative numbers), then deletes run
// dependents first, then creates and updates run dependencies first, type by
// type, in bulk (multi-row prepared INSERTs on SQLite, COPY or pipelined
// batches on PostgreSQL). Updates keep the row id; a renumbered scene keeps
// its row and only its number changes. A replaced object gets a new row;
// the references other objects' rows hold to the old one move to it before
// the old row is deleted, so that replacing a script does not cascade into
// its unchanged scenes. Rows of unchanged objects are never touched, and a
// scene's dialogues and actions are rewritten only when they changed.
//
// Embedding vectors are read at apply time from the .npy file named by the
// embedding (relative to the Library.Dir that Desired saw), after checking
// that the file's SHA-256 is still the planned OID.
package sql
