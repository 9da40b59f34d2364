package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"scriptsync/address"
	"scriptsync/applier"
	"scriptsync/planner"
	"scriptsync/providers"
	"scriptsync/render"
)

// importCommand is scriptsync import: adopt one object (ADDR ID), or a
// whole ScriptRAG database and repository (-generate-config-out=FILE).
func (s *session) importCommand() *ucli.Command {
	flags := []ucli.Flag{
		&ucli.StringFlag{Name: "generate-config-out", Usage: "write the configuration that declares every unmanaged series, script, bible, embedding and agent to `FILE` (which must not exist), with their sources, then import them"},
		&ucli.BoolFlag{Name: "auto-approve", Usage: "import without asking"},
		&ucli.StringSliceFlag{Name: "var", Usage: "set a variable: `NAME=VALUE` (repeatable)"},
		&ucli.StringSliceFlag{Name: "var-file", Usage: "read variables from `FILE.vars.hcl` (repeatable)"},
		noColorFlag(), inputFlag(), parallelismFlag(),
	}
	flags = append(flags, lockFlags()...)
	return &ucli.Command{
		Name:      "import",
		Usage:     "adopt objects a backend holds that scriptsync does not manage, keeping their row ids, history and LFS objects",
		ArgsUsage: "ADDRESS ID | -generate-config-out=FILE",
		Flags:     flags,
		Action: func(c *ucli.Context) error {
			s.commandFlags(c)
			if out := c.String("generate-config-out"); out != "" {
				if c.Args().Len() > 0 {
					return tooManyArgs(c, "no arguments with -generate-config-out")
				}
				return s.generate(c, out)
			}
			if c.Args().Len() != 2 {
				return usageError("import takes two arguments, ADDRESS ID (or -generate-config-out=FILE and none)")
			}
			to, id := c.Args().Get(0), c.Args().Get(1)
			if err := address.CheckTarget(to); err != nil {
				return usageError("import %s", err)
			}
			if id == "" {
				return usageError("import %s: the ID is empty", to)
			}
			return s.importOne(c, providers.Import{To: to, ID: id})
		},
	}
}

// approval checks that the command may ask, or need not.
func (s *session) approval(c *ucli.Context) error {
	if c.Bool("auto-approve") {
		return nil
	}
	if !c.Bool("input") {
		return usageError("import needs approval, and -input=false forbids asking. Run with -auto-approve.")
	}
	if !s.env.StdinIsTerminal {
		return usageError("import needs approval, but standard input is not a terminal to ask on. Run with -auto-approve.")
	}
	return nil
}

// importChecks checks what both forms of import check first: -lock,
// -lock-timeout and whether the plan can be approved.
func (s *session) importChecks(c *ucli.Context) (time.Duration, error) {
	if err := checkLock(c); err != nil {
		return 0, err
	}
	timeout, err := lockTimeout(c)
	if err != nil {
		return 0, err
	}
	return timeout, s.approval(c)
}

// importOne imports the object at imp.To, which the configuration must
// declare: the plan holds the import alone, with the updates that make
// the object what the configuration says, shown before anything changes.
func (s *session) importOne(c *ucli.Context, imp providers.Import) error {
	timeout, err := s.importChecks(c)
	if err != nil {
		return err
	}
	ws, err := s.loadArgs(false)
	if err != nil {
		return err
	}
	defer ws.Close()
	opts := planner.Options{Imports: []providers.Import{imp}, ImportOnly: true}
	// Planned first, to refuse an object that is managed already, which
	// an import block would quietly skip.
	plan, err := ws.Plan(s.ctx, opts)
	if err != nil {
		return s.explain(err, ws)
	}
	if err := importable(plan, imp); err != nil {
		return err
	}
	ropts := render.Options{Color: s.color, Providers: ws.ProviderNames()}
	req := applier.Request{
		Options:     opts,
		LockTimeout: timeout,
		Outputs:     outputsToRecord(ws, opts),
		Confirm: func(p *planner.Plan) (bool, error) {
			if err := importable(p, imp); err != nil {
				return false, err
			}
			if err := render.Plan(s.env.Stdout, p, ropts); err != nil {
				return false, err
			}
			if c.Bool("auto-approve") {
				return true, nil
			}
			return s.confirm("Do you want to import "+imp.To+"?", "scriptsync will perform the actions described above.")
		},
	}
	if err := s.run(req, ws, ropts, false); err != nil {
		return err
	}
	s.ui.printf("\n%s\n\n%s is managed by scriptsync now; import %q found it.\n", s.ui.paint(bold+green, "Import successful!"), imp.To, imp.ID)
	return nil
}

// importable refuses a plan that imports nothing: the object is managed
// already, or no backend holds it.
func importable(p *planner.Plan, imp providers.Import) error {
	if p.Imports() > 0 {
		return nil
	}
	for _, c := range p.Changes {
		if c.Before != nil && address.Within(c.Before.Address, imp.To) {
			return usageError("import %s: %s is already managed by scriptsync (%s); to import another object there, first scriptsync state rm %s",
				imp.To, c.Before.Address, c.Provider, imp.To)
		}
	}
	return usageError("import %s (id %q): no backend holds an unmanaged object for it", imp.To, imp.ID)
}

// generate is import -generate-config-out=FILE: it writes the
// configuration that declares what the backends hold unmanaged, with its
// sources, then plans and applies the imports.
func (s *session) generate(c *ucli.Context, out string) error {
	timeout, err := s.importChecks(c)
	if err != nil {
		return err
	}
	file, err := filepath.Abs(s.path(out))
	if err != nil {
		return failure(err)
	}
	dir, err := filepath.Abs(s.dir)
	if err != nil {
		return failure(err)
	}
	if filepath.Ext(file) != ".hcl" || filepath.Dir(file) != dir {
		return usageError("-generate-config-out=%s: the file must be a .hcl file in the configuration directory %s, so that scriptsync reads it", out, dir)
	}
	if _, err := os.Lstat(file); err == nil {
		return usageError("-generate-config-out=%s: the file already exists; it is never overwritten: name a new file, or delete it first", out)
	}
	ws, err := s.loadArgs(false)
	if err != nil {
		return err
	}
	gen, err := ws.Generate(s.ctx)
	ws.Close()
	if err != nil {
		return s.explain(err, nil)
	}
	if gen.Objects == 0 {
		return usageError("import -generate-config-out: the backends hold nothing scriptsync does not manage already")
	}
	written, err := writeSources(dir, gen.Sources)
	if err != nil {
		return err
	}
	if err := os.WriteFile(file, gen.HCL, 0o644); err != nil {
		return failure(fmt.Errorf("write %s: %w", out, err))
	}
	s.ui.printf("Wrote %s: %d objects to import.\n", out, gen.Objects)
	if len(written) > 0 {
		s.ui.printf("Wrote their sources from the repository: %s.\n", strings.Join(written, ", "))
	}
	for _, n := range gen.Notes {
		s.ui.printf("%s %s\n", s.ui.paint(bold+yellow, "Note:"), n)
	}
	s.ui.printf("\n")
	ws, err = s.loadArgs(false)
	if err != nil {
		return err
	}
	defer ws.Close()
	ropts := render.Options{Color: s.color, Providers: ws.ProviderNames()}
	req := applier.Request{
		LockTimeout: timeout,
		Outputs:     ws.OutputsJSON(),
		Confirm: func(p *planner.Plan) (bool, error) {
			if err := render.Plan(s.env.Stdout, p, ropts); err != nil {
				return false, err
			}
			if c.Bool("auto-approve") {
				return true, nil
			}
			return s.confirm("Do you want to import these objects?",
				"scriptsync will perform the actions described above; if you say no, "+out+" stays, and scriptsync apply imports it later.")
		},
	}
	if err := s.run(req, ws, ropts, false); err != nil {
		return err
	}
	s.ui.printf("\n%s\n\nThe objects in %s are managed by scriptsync now.\n", s.ui.paint(bold+green, "Import successful!"), out)
	return nil
}

// writeSources writes the generated configuration's sources into the
// configuration directory, refusing (before writing any) a path that
// leaves it or a file there that holds something else; a file that holds
// the same bytes (the configuration directory is the repository's
// checkout) is left as it is.
func writeSources(dir string, sources map[string][]byte) ([]string, error) {
	paths := make([]string, 0, len(sources))
	for p := range sources {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var todo []string
	for _, p := range paths {
		if !filepath.IsLocal(filepath.FromSlash(p)) {
			return nil, failure(fmt.Errorf("import -generate-config-out: the repository's file %s would land outside the configuration directory", p))
		}
		have, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		switch {
		case err == nil && bytes.Equal(have, sources[p]):
		case err == nil:
			return nil, failure(fmt.Errorf("import -generate-config-out: %s exists in the configuration directory and differs from the repository's file; move it away or make it the repository's, and run again", p))
		case errors.Is(err, fs.ErrNotExist):
			todo = append(todo, p)
		default:
			return nil, failure(err)
		}
	}
	for _, p := range todo {
		target := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return nil, failure(err)
		}
		if err := os.WriteFile(target, sources[p], 0o644); err != nil {
			return nil, failure(err)
		}
	}
	return todo, nil
}
