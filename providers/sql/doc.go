// Package sql is scriptsync's SQL provider: it keeps a ScriptRAG database
// (SQLite through modernc.org/sqlite, or PostgreSQL through pgx) in step
// with a library.
//
// # What it owns
//
// The schema is ScriptRAG's, exactly (every table, column, constraint,
// index and trigger of its three schema files, vector tables included),
// plus scriptsync's series and bookkeeping tables and a few columns (see
// schema.go and docs/scriptrag.md), created and versioned by the provider:
// Begin and Init create what is missing, and migrate an older scriptsync
// schema or adopt a ScriptRAG database (migrate.go) inside the write
// transaction; Read, and so a plan, only warns of those changes. Desired
// turns a library into one object per series, script, character, scene,
// embedding and bible; a scene's dialogues and actions and a bible's
// chunks are child rows of their object, written and rewritten with it.
// Row values take ScriptRAG's shapes (rows.go): file_path is an absolute
// path, season and episode are also JSON numbers in scripts.metadata,
// order_in_scene counts dialogues and actions apart. Rows that scriptsync
// did not write are never read or changed.
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
// that the file's SHA-256 is still the planned OID, and written in
// ScriptRAG's encoding (a little-endian uint32 count, then the float32s)
// to embeddings, and raw to scene_embeddings with an embedding_metadata
// row, as ScriptRAG's vector layer keeps them.
package sql
