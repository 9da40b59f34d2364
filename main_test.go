package main

import (
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/rogpeppe/go-internal/testscript"

	_ "modernc.org/sqlite"
	"scriptsync/formats/npy"
	"scriptsync/internal/lfstest"
	"scriptsync/internal/pgtest"
)

// The testscripts in testscripts/ and each example's script run the real
// Main: testscript re-executes this test binary as "scriptsync".
func TestMain(m *testing.M) {
	testscript.Main(pgMain{m}, map[string]func(){
		"scriptsync": func() { os.Exit(Main()) },
	})
}

// pgMain stops the PostgreSQL cluster that the postgres scripts may start.
type pgMain struct{ m *testing.M }

func (p pgMain) Run() int { return pgtest.Run(p.m) }

// TestPostgresScripts runs testscripts/postgres/*.txtar with $PG_DSN set to
// a new, empty database for each script. Without PostgreSQL's server
// binaries it skips, except with CI=true, where it fails.
func TestPostgresScripts(t *testing.T) {
	pgtest.Require(t) // here: Setup below runs in the script's goroutine
	p := params(t, "testscripts/postgres")
	setup := p.Setup
	p.Setup = func(env *testscript.Env) error {
		if err := setup(env); err != nil {
			return err
		}
		env.Setenv("PG_DSN", pgtest.NewDatabase(t))
		return nil
	}
	testscript.Run(t, p)
}

// TestScripts runs testscripts/*.txtar. Set SCRIPTSYNC_UPDATE_GOLDEN=1 to
// rewrite the expected output inside the scripts from what the commands
// print now.
func TestScripts(t *testing.T) {
	testscript.Run(t, params(t, "testscripts"))
}

func params(t *testing.T, dir string) testscript.Params {
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return testscript.Params{
		Dir:           dir,
		UpdateScripts: os.Getenv("SCRIPTSYNC_UPDATE_GOLDEN") != "",
		Setup: func(env *testscript.Env) error {
			env.Setenv("EXAMPLES", filepath.Join(root, "examples"))
			env.Setenv("HOME", filepath.Join(env.WorkDir, ".home"))
			env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			env.Setenv("GIT_AUTHOR_NAME", "Test Writer")
			env.Setenv("GIT_AUTHOR_EMAIL", "writer@example.com")
			env.Setenv("GIT_COMMITTER_NAME", "Test Writer")
			env.Setenv("GIT_COMMITTER_EMAIL", "writer@example.com")
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "jq":
				return haveJQ(), nil
			case "opa":
				return haveOPA(), nil
			case "sqlite3":
				return haveTool("sqlite3"), nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"cpdir":      cmdCpdir,
			"sqlite":     cmdSQLite,
			"exits":      cmdExits,
			"sqlitelock": cmdSQLiteLock,
			"mknpy":      cmdMknpy,
			"jq":         cmdJQ,
			"gunzip":     cmdGunzip,
			"dumpdb":     cmdDumpDB,
			"sqlexec":    cmdSQLExec,
			"lfsserver":  cmdLFSServer,
			"pg":         cmdPG,
		},
	}
}

// gunzip SRC DST decompresses a gzip file (a plan file), so that grep can
// look inside it.
func cmdGunzip(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: gunzip SRC DST")
	}
	f, err := os.Open(ts.MkAbs(args[0]))
	ts.Check(err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	ts.Check(err)
	data, err := io.ReadAll(zr)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), data, 0o644))
}

// lfsserver VAR [stall|trickle|slow] starts a Git LFS server on loopback
// for the rest of the script, misbehaving as asked (slow: every answer
// 400ms late), and sets $VAR to its endpoint.
func cmdLFSServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: lfsserver VAR [stall|trickle|slow]")
	}
	srv, err := lfstest.New(ts.MkAbs(".lfsserver"))
	ts.Check(err)
	ts.Defer(srv.Close)
	if len(args) == 2 {
		switch args[1] {
		case "stall":
			srv.SetHostile(lfstest.Hostile{Stall: true})
		case "trickle":
			srv.SetHostile(lfstest.Hostile{Trickle: 200 * time.Millisecond})
		case "slow":
			srv.SetLatency(400 * time.Millisecond)
		default:
			ts.Fatalf("lfsserver: unknown behaviour %q", args[1])
		}
	}
	ts.Setenv(args[0], srv.Endpoint)
}

// sqlexec DB STATEMENT runs a statement on a SQLite database, as a user
// repairing (or breaking) it by hand would.
func cmdSQLExec(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: sqlexec DB STATEMENT")
	}
	db, err := sql.Open("sqlite", "file:"+ts.MkAbs(args[0]))
	ts.Check(err)
	defer db.Close()
	_, err = db.Exec(args[1])
	ts.Check(err)
}

// dumpdb DB DST writes every row of every table of a SQLite database to
// DST, one per line, so that grep can look for a value anywhere in it.
func cmdDumpDB(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: dumpdb DB DST")
	}
	db, err := sql.Open("sqlite", "file:"+ts.MkAbs(args[0])+"?mode=ro")
	ts.Check(err)
	defer db.Close()
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'table'")
	ts.Check(err)
	var tables []string
	for rows.Next() {
		var n string
		ts.Check(rows.Scan(&n))
		tables = append(tables, n)
	}
	rows.Close()
	var out strings.Builder
	for _, tbl := range tables {
		r, err := db.Query(`SELECT * FROM "` + tbl + `"`)
		ts.Check(err)
		cols, _ := r.Columns()
		for r.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			ts.Check(r.Scan(ptrs...))
			fmt.Fprintf(&out, "%s:", tbl)
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				fmt.Fprintf(&out, " %v", v)
			}
			out.WriteByte('\n')
		}
		r.Close()
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(out.String()), 0o644))
}

// cpdir SRC DST copies a directory tree (an example into $WORK).
func cmdCpdir(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: cpdir SRC DST")
	}
	ts.Check(copyLibrary(ts.MkAbs(args[0]), ts.MkAbs(args[1])))
}

// copyLibrary copies a configuration directory as a fresh clone has it:
// without the databases, repositories, caches and plans that running it
// leaves behind.
func copyLibrary(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		name := d.Name()
		if d.IsDir() {
			if name == "library.git" || name == ".scriptsync" || name == "node_modules" {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		}
		if strings.HasPrefix(name, "scriptrag.db") || strings.HasSuffix(name, ".plan") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// sqlite DB QUERY prints the query's rows, one per line, columns separated
// by " | ", NULL as NULL.
func cmdSQLite(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: sqlite DB QUERY")
	}
	db, err := sql.Open("sqlite", "file:"+ts.MkAbs(args[0])+"?mode=ro")
	ts.Check(err)
	defer db.Close()
	rows, err := db.Query(args[1])
	if err != nil {
		if neg {
			return
		}
		ts.Fatalf("sqlite: %v", err)
	}
	defer rows.Close()
	lines, err := rowLines(rows, sqlText)
	ts.Check(err)
	for _, l := range lines {
		fmt.Fprintln(ts.Stdout(), l)
	}
	if neg {
		ts.Fatalf("sqlite: query succeeded")
	}
}

// exits N PROGRAM ARGS... runs a program and checks its exit code, for the
// codes that matter (plan -detailed-exitcode: 2, fmt -check: 3). Its
// output is then checked with stdout and stderr as usual.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("exits: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

// sqlitelock DB holds SQLite's write lock on DB (as another apply would)
// until the script ends.
func cmdSQLiteLock(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sqlitelock DB")
	}
	db, err := sql.Open("sqlite", "file:"+ts.MkAbs(args[0]))
	ts.Check(err)
	conn, err := db.Conn(context.Background())
	ts.Check(err)
	_, err = conn.ExecContext(context.Background(), "BEGIN IMMEDIATE")
	ts.Check(err)
	ts.Defer(func() {
		conn.ExecContext(context.Background(), "ROLLBACK")
		conn.Close()
		db.Close()
	})
}

// mknpy [-truncate] FILE N writes a .npy vector of N float32 values
// (with -truncate, missing its last three bytes).
func cmdMknpy(ts *testscript.TestScript, neg bool, args []string) {
	truncate := len(args) > 0 && args[0] == "-truncate"
	if truncate {
		args = args[1:]
	}
	if neg || len(args) != 2 {
		ts.Fatalf("usage: mknpy [-truncate] FILE N")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(i) / 10
	}
	data := npy.Encode(v)
	if truncate {
		data = data[:len(data)-3]
	}
	path := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(filepath.Dir(path), 0o755))
	ts.Check(os.WriteFile(path, data, 0o644))
}

// sqlText shows a value scanned from SQL: NULL, text, or the value.
// rowLines reads every row, each as its columns (made text by text)
// joined with " | ".
func rowLines(rows *sql.Rows, text func(any) string) ([]string, error) {
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = text(v)
		}
		out = append(out, strings.Join(parts, " | "))
	}
	return out, rows.Err()
}

func sqlText(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return string(x)
	default:
		return fmt.Sprint(x)
	}
}

// pg DSN QUERY runs a statement as another program would, and prints the
// rows it returns as sqlite does.
func cmdPG(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: pg DSN QUERY")
	}
	db, err := sql.Open("pgx", args[0])
	ts.Check(err)
	defer db.Close()
	rows, err := db.Query(args[1])
	if err != nil {
		ts.Fatalf("pg: %v", err)
	}
	defer rows.Close()
	lines, err := rowLines(rows, sqlText)
	ts.Check(err)
	for _, l := range lines {
		fmt.Fprintln(ts.Stdout(), l)
	}
}
