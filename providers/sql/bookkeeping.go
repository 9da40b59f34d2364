package sql

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"scriptsync/providers"
)

// The bookkeeping tables. A database has all of them (scriptsync_drift
// from schema version 3) or none; anything between is damage that
// scriptsync must not paper over: treating the database as new would plan
// to add rows that are already there, and the plan would never converge.

// adoptHint is how to recover when scriptsync's records of the rows are
// gone: adopt the rows, or start from an empty database.
const adoptHint = "to manage the rows that are there, adopt them with scriptsync import -generate-config-out=FILE " +
	"(which writes a configuration for them to FILE); or point the sql provider at an empty database " +
	"(a new SQLite file, an empty PostgreSQL database) and apply"

// contentTables are ScriptRAG's tables whose rows scriptsync would write:
// a database without bookkeeping that has rows in any of them is not new.
var contentTables = []string{"series", "scripts", "scenes", "characters", "script_bibles", "bible_chunks", "embeddings"}

// checkBookkeeping completes readSchemaVersion (which refuses
// scriptsync_objects without scriptsync_meta): from version 1 on,
// scriptsync_objects and (from version 3) scriptsync_drift must be there.
func checkBookkeeping(ctx context.Context, s session, v int) error {
	if v == 0 {
		return nil
	}
	objCols, err := s.columns(ctx, "scriptsync_objects")
	if err != nil {
		return wrapf(err, "inspect scriptsync_objects")
	}
	if objCols == nil {
		return &schemaError{"sql: the database has scriptsync's scriptsync_meta table but not scriptsync_objects, so scriptsync's bookkeeping is damaged " +
			"(was scriptsync_objects dropped?) and scriptsync no longer knows which rows it manages; restore the database from a backup, or " +
			"drop what is left of the bookkeeping (DROP TABLE scriptsync_meta; DROP TABLE IF EXISTS scriptsync_drift) and then, " + adoptHint}
	}
	if v < 3 {
		return nil // the migration to version 3 creates scriptsync_drift
	}
	driftCols, err := s.columns(ctx, "scriptsync_drift")
	if err != nil {
		return wrapf(err, "inspect scriptsync_drift")
	}
	if driftCols == nil {
		t, _ := tableByName("scriptsync_drift")
		return &schemaError{"sql: the database has scriptsync's scriptsync_meta and scriptsync_objects tables but not scriptsync_drift, " +
			"so scriptsync cannot tell which managed rows were changed outside it (and every write to those rows fails in its drift triggers); " +
			"re-create the table with " + strings.Join(strings.Fields(createTable(s.flavor(), t)), " ") + " " +
			"(changes made to managed rows while it was missing stay unnoticed), or restore the database from a backup"}
	}
	return nil
}

// readTaken fills inv.taken for a database scriptsync has recorded nothing
// in (no bookkeeping, or none applied yet): the file_path of every script
// row there. ScriptRAG's own rows may live beside scriptsync's, but a
// script the configuration wants at a path a row already has is one
// scriptsync would add again and again (the unique file_path refuses it):
// the rows of a database whose bookkeeping was dropped.
func (inv *inventory) readTaken(ctx context.Context, s session) error {
	if inv.serial != 0 || len(inv.recs) != 0 {
		return nil
	}
	cols, err := s.columns(ctx, "scripts")
	if err != nil || cols == nil || !cols["file_path"] {
		return wrapNil(err, "inspect table scripts")
	}
	inv.taken = map[string]int64{}
	return wrapNil(scanAll(ctx, s, func(r rows) error {
		var id int64
		var path any
		if err := r.Scan(&id, &path); err != nil {
			return err
		}
		if path != nil {
			inv.taken[textOf(path)] = id
		}
		return nil
	}, "SELECT id, file_path FROM scripts"), "read scripts")
}

// checkTaken refuses a plan that would add a script at a file_path an
// unrecorded row already has (see readTaken).
func (inv *inventory) checkTaken(want []*providers.Object) error {
	if len(inv.taken) == 0 {
		return nil
	}
	var clash []string
	for _, o := range want {
		sp, ok := o.Payload.(scriptPayload)
		if o.Type != typeScript || !ok {
			continue
		}
		if id, ok := inv.taken[sp.filePath]; ok {
			clash = append(clash, fmt.Sprintf("%s (scripts row %d has its file_path)", o.Address, id))
		}
	}
	if len(clash) == 0 {
		return nil
	}
	sort.Strings(clash)
	more := ""
	if len(clash) > 3 {
		more = fmt.Sprintf(" and %d more", len(clash)-3)
		clash = clash[:3]
	}
	return &schemaError{fmt.Sprintf("sql: the database already holds scripts the configuration wants, %s%s, but scriptsync's bookkeeping records none of them "+
		"(a database ScriptRAG filled, or one whose scriptsync_meta and scriptsync_objects tables were dropped), so scriptsync would add them again and never converge; %s",
		strings.Join(clash, ", "), more, adoptHint)}
}

// wrapNil is wrapf that keeps nil.
func wrapNil(err error, op string) error {
	if err == nil {
		return nil
	}
	return wrapf(err, "%s", op)
}
