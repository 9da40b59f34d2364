package git_test

import (
	"context"
	"fmt"
	"os"

	"scriptsync/library"
	"scriptsync/providers"
	git "scriptsync/providers/git"
)

// One apply of a one-script library: Desired, Begin, Read, Apply, Commit.
// The planner normally computes the changes; here everything is created.
func Example() {
	dir, _ := os.MkdirTemp("", "scriptsync-example-")
	defer os.RemoveAll(dir)
	ctx := context.Background()

	p, diags := git.New(&providers.Config{Name: "git", Dir: dir})
	if diags.HasErrors() {
		fmt.Println(diags)
		return
	}
	lib := &library.Library{Dir: dir, Scripts: []*library.Script{{
		Meta:   library.Meta{Address: "script.pilot", Resource: "script.pilot"},
		Key:    "pilot",
		Source: "pilot.fountain",
		Path:   "scripts/pilot.fountain",
		Data:   []byte("INT. ER - NIGHT\n"),
	}}}
	want, _ := p.Desired(lib)

	tx, _ := p.Begin(ctx, providers.BeginOptions{})
	if _, err := tx.Read(ctx, want); err != nil {
		fmt.Println(err)
		return
	}
	changes := []*providers.Change{{Provider: "git", Action: providers.Create, After: want[0]}}
	if err := tx.Apply(ctx, changes, nil); err != nil {
		fmt.Println(err)
		return
	}
	if err := tx.Commit(ctx); err != nil {
		fmt.Println(err)
		return
	}

	st, _ := p.Read(ctx, want)
	for _, o := range st.Objects {
		fmt.Println(o.Address, o.Attributes()["path"], o.Attributes()["blob"], o.Attributes()["size"])
	}
	fmt.Println(st.Version == tx.(providers.VersionReporter).CommittedVersion())
	// Output:
	// script.pilot scripts/pilot.fountain 9059f8d0a15f7a0e6b57ae009d8316e09c0025a9 16
	// true
}
