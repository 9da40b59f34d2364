// Command scriptsync keeps a screenwriting library (Fountain screenplays,
// script bibles, insight agents and scene embeddings) in sync across a SQL
// database, a git repository and Git LFS, from HCL files that declare it,
// the way Terraform does for infrastructure: plan shows what would change,
// apply makes it so, transactionally.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"scriptsync/cli"
)

func main() { os.Exit(Main()) }

// Main runs scriptsync with the process's arguments and environment and
// returns its exit code.
func Main() (code int) {
	// SIGTERM is what CI sends to cancel a job: it stops a run as ^C does,
	// so that transactions roll back and locks are released.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer func() {
		// The last line of defence: a bug must not print a Go stack trace
		// (which may hold values from the configuration) at a user.
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "\nError: internal error in scriptsync: %s\n\nThis is a bug; nothing more was changed after it. Please report it with the command you ran.\n", panicSummary(r))
			code = 1
		}
	}()
	if path := os.Getenv("SCRIPTSYNC_CPUPROFILE"); path != "" {
		if stopProfile := startCPUProfile(path); stopProfile != nil {
			defer stopProfile()
		}
	}
	return cli.Run(cli.OSEnv(ctx))
}

// startCPUProfile writes a CPU profile to path until the returned function
// is called: SCRIPTSYNC_CPUPROFILE, for measuring (go tool pprof).
func startCPUProfile(path string) func() {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Warning: SCRIPTSYNC_CPUPROFILE:", err)
		return nil
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "Warning: SCRIPTSYNC_CPUPROFILE:", err)
		f.Close()
		return nil
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// panicSummary is a panic's value, bounded: the type of the error for an
// error, so that no configuration value travels in the message.
func panicSummary(r any) string {
	switch v := r.(type) {
	case error:
		return fmt.Sprintf("%T", v)
	case string:
		if len(v) > 200 {
			v = v[:200]
		}
		return v
	}
	return fmt.Sprintf("%T", r)
}
