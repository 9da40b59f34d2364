// Command scriptsync keeps a screenwriting library (Fountain screenplays,
// script bibles, insight agents and scene embeddings) in sync across a SQL
// database, a git repository and Git LFS, from HCL files that declare it,
// the way Terraform does for infrastructure: plan shows what would change,
// apply makes it so, transactionally.
package main

import (
	"context"
	"os"
	"os/signal"

	"scriptsync/cli"
)

func main() { os.Exit(Main()) }

// Main runs scriptsync with the process's arguments and environment and
// returns its exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return cli.Run(cli.OSEnv(ctx))
}
