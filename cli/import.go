package cli

import (
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
		&ucli.StringFlag{Name: "generate-config-out", Usage: "write the configuration that declares every unmanaged series, script, bible and agent to `FILE` (which must not exist), with their sources, then import them"},
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

// importOne imports the object at imp.To, which the configuration must
// declare: the plan holds the import alone, with the updates that make
// the object what the configuration says, shown before anything changes.
func (s *session) importOne(c *ucli.Context, imp providers.Import) error {
	if err := checkLock(c); err != nil {
		return err
	}
	timeout, err := lockTimeout(c)
	if err != nil {
		return err
	}
	if err := s.approval(c); err != nil {
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
		Outputs:     ws.OutputsJSON(),
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
	if err := s.run(req, ws, ropts); err != nil {
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

// generate is import -generate-config-out=FILE.
func (s *session) generate(c *ucli.Context, out string) error {
	return usageError("import -generate-config-out is not built yet")
}
