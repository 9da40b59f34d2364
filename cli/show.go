package cli

import (
	"encoding/json"
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
		Flags:     []ucli.Flag{&ucli.BoolFlag{Name: "json", Usage: "print JSON"}},
		Action: func(c *ucli.Context) error {
			switch c.Args().Len() {
			case 0:
				return s.showState(c.Bool("json"), "")
			case 1:
				sp, err := planfile.ReadFile(s.path(c.Args().First()))
				if err != nil {
					return failure(err)
				}
				if c.Bool("json") {
					enc := json.NewEncoder(s.env.Stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(sp.Plan)
				}
				return render.Plan(s.env.Stdout, render.PlanFromJSON(sp.Plan), render.Options{Color: s.color})
			default:
				return usageError("show takes at most one argument, a saved plan file")
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
				Action: func(c *ucli.Context) error {
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
				Action: func(c *ucli.Context) error {
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
	vars, err := scanVarArgs(s.env.Args)
	if err != nil {
		return nil, err
	}
	ws, err := s.load(vars, true)
	if err != nil {
		return nil, err
	}
	defer ws.Close()
	objs, err := ws.State(s.ctx)
	if err != nil {
		return nil, failure(err)
	}
	return objs, nil
}

// showState prints managed objects (only address's, when given).
func (s *session) showState(asJSON bool, address string) error {
	objs, err := s.managed()
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
		return render.StateJSON(s.env.Stdout, objs)
	}
	if len(objs) == 0 {
		s.ui.printf("No objects are managed yet. Run scriptsync apply to create them.\n")
		return nil
	}
	return render.State(s.env.Stdout, objs)
}
