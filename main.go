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
	"syscall"

	"scriptsync/cli"
	"scriptsync/internal/netlimit"
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
	if path := os.Getenv("SCRIPTSYNC_MEMPROFILE"); path != "" {
		defer writeHeapProfile(path)
	}
	if path := os.Getenv("SCRIPTSYNC_PEAKHEAPPROFILE"); path != "" {
		defer startPeakHeapProfile(path, os.Stderr)()
	}
	// One budget for the network time of the whole command
	// (SCRIPTSYNC_NET_TIMEOUT), whatever the number of requests.
	return cli.Run(cli.OSEnv(netlimit.WithBudget(ctx)))
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
