package cli

import (
	"sort"

	ucli "github.com/urfave/cli/v2"

	"scriptsync/address"
	"scriptsync/planfile"
	"scriptsync/render"
)

func (s *session) showCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "show",
		Usage:     "show a saved plan, or the objects scriptsync manages",
		ArgsUsage: "[PLANFILE]",
		Flags: []ucli.Flag{
			&ucli.BoolFlag{Name: "json", Usage: "print Terraform's JSON plan or state representation"},
			&ucli.BoolFlag{Name: "markdown", Usage: "print a saved plan as a pull-request comment in Markdown"},
			noColorFlag(),
		},
		Action: func(c *ucli.Context) error {
			s.commandFlags(c)
			if c.Bool("json") && c.Bool("markdown") {
				return usageError("show takes -json or -markdown, not both")
			}
			switch c.Args().Len() {
			case 0:
				if c.Bool("markdown") {
					return usageError("show -markdown needs a saved plan file: scriptsync plan -out=FILE, then scriptsync show -markdown FILE")
				}
				return s.showState(c.Bool("json"), "")
			case 1:
				sp, err := planfile.ReadFile(s.path(c.Args().First()))
				if err != nil {
					return failure(err)
				}
				if c.Bool("json") {
					doc := render.TerraformPlan(render.PlanFromJSON(sp.Plan), Version, sp.Plan.Variables, sp.Plan.Outputs, sp.Plan.PriorOutputMap())
					return render.WriteTerraformPlan(s.env.Stdout, doc)
				}
				plan := render.PlanFromJSON(sp.Plan)
				now := sp.Plan.Outputs
				if plan.Options.Destroy {
					now = nil
				}
				outputs := render.OutputChanges(now, sp.Plan.PriorOutputMap(), false)
				if c.Bool("markdown") {
					return render.Markdown(s.env.Stdout, plan, render.MarkdownOptions{PlanFile: c.Args().First(), Outputs: outputs})
				}
				return render.Plan(s.env.Stdout, plan, render.Options{Color: s.color, Outputs: outputs})
			default:
				return tooManyArgs(c, "at most one argument, a saved plan file")
			}
		},
	}
}

func (s *session) stateCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "state",
		Usage: "list or show the objects scriptsync manages",
		Subcommands: []*ucli.Command{
			s.stateRmCommand(),
			s.stateMvCommand(),
			{
				Name:      "list",
				Usage:     "list managed objects by address",
				ArgsUsage: "[ADDRESS...]",
				Flags:     []ucli.Flag{noColorFlag()},
				Action: func(c *ucli.Context) error {
					s.commandFlags(c)
					objs, err := s.managed()
					if err != nil {
						return err
					}
					seen := map[string]bool{}
					var addrs []string
					for _, o := range objs {
						if !seen[o.Object.Address] && address.WithinAny(o.Object.Address, c.Args().Slice()) {
							seen[o.Object.Address] = true
							addrs = append(addrs, o.Object.Address)
						}
					}
					sort.Strings(addrs)
					for _, a := range addrs {
						s.ui.printf("%s\n", a)
					}
					return nil
				},
			},
			{
				Name:      "show",
				Usage:     "print one managed object",
				ArgsUsage: "ADDRESS",
				Flags:     []ucli.Flag{noColorFlag()},
				Action: func(c *ucli.Context) error {
					s.commandFlags(c)
					if c.Args().Len() != 1 {
						return usageError("state show takes exactly one address")
					}
					return s.showState(false, c.Args().First())
				},
			},
		},
	}
}

// managed reads the objects every backend holds for scriptsync.
func (s *session) managed() ([]render.Managed, error) {
	objs, _, err := s.managedOutputs(false)
	return objs, err
}

// managedOutputs is managed, and the outputs the last apply recorded when
// withOutputs.
func (s *session) managedOutputs(withOutputs bool) ([]render.Managed, map[string]render.NamedValue, error) {
	ws, err := s.loadArgs(true)
	if err != nil {
		return nil, nil, err
	}
	defer ws.Close()
	objs, err := ws.State(s.ctx)
	if err != nil {
		return nil, nil, failure(err)
	}
	var outputs map[string]render.NamedValue
	if withOutputs {
		if outputs, err = ws.RecordedOutputs(s.ctx); err != nil {
			return nil, nil, failure(err)
		}
	}
	return objs, outputs, nil
}

// showState prints managed objects (only address's, when given).
func (s *session) showState(asJSON bool, address string) error {
	objs, outputs, err := s.managedOutputs(asJSON && address == "")
	if err != nil {
		return err
	}
	if address != "" {
		var keep []render.Managed
		for _, o := range objs {
			if o.Object.Address == address {
				keep = append(keep, o)
			}
		}
		if len(keep) == 0 {
			return usageError("no managed object has the address %s (see scriptsync state list)", address)
		}
		objs = keep
	}
	if asJSON {
		return render.TerraformState(s.env.Stdout, objs, Version, outputs)
	}
	if len(objs) == 0 {
		s.ui.printf("No objects are managed yet. Run scriptsync apply to create them.\n")
		return nil
	}
	return render.State(s.env.Stdout, objs)
}
