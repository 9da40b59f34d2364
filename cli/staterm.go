package cli

import (
	ucli "github.com/urfave/cli/v2"

	"scriptsync/address"
	"scriptsync/applier"
	"scriptsync/planner"
	"scriptsync/providers"
	"scriptsync/render"
)

// stateRmCommand is scriptsync state rm: stop managing objects, leaving
// them in the backends.
func (s *session) stateRmCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "rm",
		Usage:     "stop managing objects, leaving their rows, files and LFS objects in place",
		ArgsUsage: "ADDRESS...",
		Flags:     []ucli.Flag{lockTimeoutFlag()},
		Action: func(c *ucli.Context) error {
			if c.Args().Len() == 0 {
				return usageError("state rm takes at least one address")
			}
			opts := planner.Options{ForgetOnly: true}
			for _, a := range c.Args().Slice() {
				if err := address.CheckTarget(a); err != nil {
					return usageError("state rm %s", err)
				}
				opts.Forget = append(opts.Forget, a)
			}
			return s.stateEdit(c, opts, func(p *planner.Plan) error {
				if p.Summary().Forget == 0 {
					return usageError("no managed object has the address %s (see scriptsync state list)", opts.Forget[0])
				}
				return nil
			}, "Removed %d objects from management; they stay in the backends.\n")
		},
	}
}

// stateMvCommand is scriptsync state mv: follow a renamed object, as a
// moved block does, for the objects at FROM only.
func (s *session) stateMvCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "mv",
		Usage:     "move managed objects to the address the configuration now declares them at, keeping them",
		ArgsUsage: "FROM TO",
		Flags:     []ucli.Flag{lockTimeoutFlag()},
		Action: func(c *ucli.Context) error {
			if c.Args().Len() != 2 {
				return usageError("state mv takes two addresses: FROM TO")
			}
			from, to := c.Args().Get(0), c.Args().Get(1)
			for _, a := range []string{from, to} {
				if err := address.CheckTarget(a); err != nil {
					return usageError("state mv %s", err)
				}
			}
			opts := planner.Options{Moved: []planner.Move{{From: from, To: to}}, Targets: []string{from, to}}
			return s.stateEdit(c, opts, func(p *planner.Plan) error {
				for _, ch := range p.Changes {
					if ch.Moved() {
						return nil
					}
				}
				return usageError("nothing managed at %s moves to %s: the configuration must declare %s, and not %s", from, to, to, from)
			}, "Moved %d objects.\n")
		},
	}
}

// stateEdit applies a plan limited to opts without asking, after check
// accepts it, and reports how many objects it touched.
func (s *session) stateEdit(c *ucli.Context, opts planner.Options, check func(*planner.Plan) error, done string) error {
	timeout, err := lockTimeout(c)
	if err != nil {
		return err
	}
	ws, err := s.loadArgs(false)
	if err != nil {
		return err
	}
	defer ws.Close()
	var n int
	req := applier.Request{
		Options:     opts,
		LockTimeout: timeout,
		Confirm: func(p *planner.Plan) (bool, error) {
			if err := check(p); err != nil {
				return false, err
			}
			for _, ch := range p.Changes {
				if ch.Action != providers.NoOp {
					n++
				}
			}
			return true, render.Plan(s.env.Stdout, p, render.Options{Color: s.color, Providers: ws.ProviderNames()})
		},
	}
	res, err := ws.Apply(s.ctx, req)
	if err != nil {
		return s.explain(err, ws)
	}
	if !res.Applied {
		if err := check(res.Plan); err != nil {
			return err
		}
	}
	s.ui.printf("\n"+done, n)
	return nil
}
