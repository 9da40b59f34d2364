package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	ucli "github.com/urfave/cli/v2"

	"scriptsync/address"
	"scriptsync/applier"
	"scriptsync/engine"
	"scriptsync/planfile"
	"scriptsync/planner"
	"scriptsync/render"
)

// planFlags are shared by plan, apply and destroy.
func planFlags(withDestroy bool) []ucli.Flag {
	flags := []ucli.Flag{
		&ucli.StringSliceFlag{Name: "target", Usage: "limit the plan to `ADDRESS` and what it depends on (repeatable)"},
		&ucli.StringSliceFlag{Name: "var", Usage: "set a variable: `NAME=VALUE` (repeatable)"},
		&ucli.StringSliceFlag{Name: "var-file", Usage: "read variables from `FILE.vars.hcl` (repeatable)"},
		&ucli.StringSliceFlag{Name: "replace", Usage: "replace `ADDRESS` (delete and create it again) although it did not change (repeatable)"},
		&ucli.BoolFlag{Name: "compact-warnings", Usage: "show warnings in one line each"},
		noColorFlag(), inputFlag(), parallelismFlag(),
		&ucli.BoolFlag{Name: "refresh", Value: true, Usage: "check for changes made outside scriptsync (-refresh=false skips it)"},
		&ucli.BoolFlag{Name: "refresh-only", Usage: "report changes made outside scriptsync and plan nothing else"},
	}
	flags = append(flags, lockFlags()...)
	if withDestroy {
		flags = append(flags, &ucli.BoolFlag{Name: "destroy", Usage: "plan to destroy every managed object"})
	}
	return flags
}

// planOptions reads and checks -target, -replace and -destroy, and the
// flags every planning command checks first (-lock-timeout,
// -parallelism).
func (s *session) planOptions(c *ucli.Context, destroy bool) (planner.Options, error) {
	s.commandFlags(c)
	opts := planner.Options{Destroy: destroy || c.Bool("destroy"), NoRefresh: !c.Bool("refresh"), RefreshOnly: c.Bool("refresh-only")}
	switch {
	case opts.RefreshOnly && opts.NoRefresh:
		return opts, usageError("-refresh-only and -refresh=false cannot be used together")
	case opts.RefreshOnly && opts.Destroy:
		return opts, usageError("-refresh-only and -destroy cannot be used together")
	}

	for _, t := range c.StringSlice("target") {
		if err := address.CheckTarget(t); err != nil {
			return opts, usageError("-target %s", err)
		}
		opts.Targets = append(opts.Targets, t)
	}
	for _, r := range c.StringSlice("replace") {
		if err := address.CheckTarget(r); err != nil {
			return opts, usageError("-replace %s", err)
		}
		opts.Replace = append(opts.Replace, r)
	}
	if len(opts.Replace) > 0 && opts.Destroy {
		return opts, usageError("-replace cannot be used when destroying")
	}
	if _, err := lockTimeout(c); err != nil {
		return opts, err
	}
	n, err := parallelism(c)
	if err != nil {
		return opts, err
	}
	s.parallelism = n
	return opts, nil
}

func (s *session) planCommand() *ucli.Command {
	flags := append(planFlags(true),
		&ucli.StringFlag{Name: "out", Usage: "save the plan to `FILE` for apply"},
		&ucli.BoolFlag{Name: "json", Usage: "print Terraform's machine-readable UI: one JSON message per line"},
		&ucli.BoolFlag{Name: "detailed-exitcode", Usage: "exit 2 when there are changes"},
	)
	return &ucli.Command{
		Name:      "plan",
		Usage:     "show what apply would change in each backend",
		ArgsUsage: " ",
		Flags:     flags,
		Action: func(c *ucli.Context) error {
			if c.Args().Len() > 0 {
				return tooManyArgs(c, "no arguments")
			}
			s.startStream(c)
			vars, err := scanVarArgs(s.env.Args)
			if err != nil {
				return err
			}
			opts, err := s.planOptions(c, false)
			if err != nil {
				return err
			}
			// A plain plan can be answered by the last apply's memo, or
			// evaluate what changed since; -json streams no unchanged
			// object. One to save (-out) evaluates what changed, as an
			// apply does, since the file holds what an apply checks.
			// SCRIPTSYNC_MEMO=off always evaluates.
			if c.String("out") == "" {
				s.recall = engine.Recallable(opts) && s.memoOn()
			} else {
				s.scope = s.scopes(opts)
				s.saving = s.scope
			}
			ws, err := s.load(vars, true)
			if err != nil {
				return err
			}
			defer ws.Close()
			done := s.log.phase("plan: read the backends and diff")
			scoped := ws.Config.Scope != nil
			plan, err := ws.Plan(s.ctx, opts)
			if err != nil {
				done("failed")
				return s.explain(err, ws)
			}
			if why := ws.GaveWay(); scoped && why != "" {
				s.log.logf(logInfo, "plan: the plan of what changed gave way to the full plan: %s", why)
			}
			done(s.planCounts(plan))
			s.ui.diagnostics(ws.Rewarned, ws.Config.Files)
			outputs, err := ws.OutputChanges(s.ctx, opts)
			if err != nil {
				return failure(err)
			}
			if s.ui.stream != nil {
				s.ui.stream.Plan(plan, len(outputs) > 0)
				s.ui.stream.OutputChanges(outputs)
			} else if err := render.Plan(s.env.Stdout, plan, render.Options{Color: s.color, Providers: ws.ProviderNames(), CompactWarnings: c.Bool("compact-warnings"), Outputs: outputs}); err != nil {
				return failure(err)
			}
			if out := c.String("out"); out != "" {
				sp := ws.SavedPlan(plan, vars, Version)
				prior, err := ws.RecordedOutputs(s.ctx)
				if err != nil {
					return failure(err)
				}
				if prior != nil {
					sp.Plan.HasPriorOutputs = true
					for _, o := range prior {
						sp.Plan.PriorOutputs = append(sp.Plan.PriorOutputs, o)
					}
					sort.Slice(sp.Plan.PriorOutputs, func(i, j int) bool { return sp.Plan.PriorOutputs[i].Name < sp.Plan.PriorOutputs[j].Name })
				}
				if err := planfile.WriteFile(s.path(out), sp); err != nil {
					return failure(err)
				}
				if !c.Bool("json") {
					s.ui.printf("\nSaved the plan to: %s\n\nTo perform exactly these actions, run:\n    scriptsync apply %q\n", out, out)
				}
			}
			if c.Bool("detailed-exitcode") && (plan.HasChanges() || len(outputs) > 0 || (opts.RefreshOnly && len(plan.Drift) > 0)) {
				return silent(ExitChanges)
			}
			return nil
		},
	}
}

func (s *session) applyCommand() *ucli.Command {
	flags := append(planFlags(true),
		&ucli.BoolFlag{Name: "auto-approve", Usage: "apply without asking"},
		&ucli.BoolFlag{Name: "json", Usage: "print Terraform's machine-readable UI: one JSON message per line (needs -auto-approve or a saved plan)"},
	)
	return &ucli.Command{
		Name:      "apply",
		Usage:     "make the backends match the configuration (or apply a saved plan)",
		ArgsUsage: "[PLANFILE]",
		Flags:     flags,
		Action: func(c *ucli.Context) error {
			s.startStream(c)
			if c.Bool("json") && c.Args().Len() == 0 && !c.Bool("auto-approve") {
				return usageError("apply -json needs -auto-approve (there is no prompt in the machine-readable UI), or a saved plan file")
			}
			switch c.Args().Len() {
			case 0:
				return s.apply(c, false)
			case 1:
				return s.applySaved(c, c.Args().First())
			default:
				return tooManyArgs(c, "at most one argument, a saved plan file")
			}
		},
	}
}

func (s *session) destroyCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "destroy",
		Usage:     "delete every object scriptsync manages, and only those",
		ArgsUsage: " ",
		Flags: append(planFlags(false), &ucli.BoolFlag{Name: "auto-approve", Usage: "destroy without asking"},
			&ucli.BoolFlag{Name: "json", Usage: "print Terraform's machine-readable UI: one JSON message per line (needs -auto-approve)"}),
		Action: func(c *ucli.Context) error {
			s.startStream(c)
			if c.Args().Len() > 0 {
				return tooManyArgs(c, "no arguments")
			}
			if c.Bool("json") && !c.Bool("auto-approve") {
				return usageError("destroy -json needs -auto-approve (there is no prompt in the machine-readable UI)")
			}
			return s.apply(c, true)
		},
	}
}

// apply plans and applies, asking first unless -auto-approve.
func (s *session) apply(c *ucli.Context, destroy bool) error {
	vars, err := scanVarArgs(s.env.Args)
	if err != nil {
		return err
	}
	opts, err := s.planOptions(c, destroy)
	if err != nil {
		return err
	}
	if err := checkLock(c); err != nil {
		return err
	}
	if !c.Bool("auto-approve") && !c.Bool("input") {
		return usageError("%s needs approval, and -input=false forbids asking. Run with -auto-approve, or save a plan (plan -out=FILE) and apply it.", c.Command.Name)
	}
	if !c.Bool("auto-approve") && !s.env.StdinIsTerminal {
		return usageError("%s needs approval, but standard input is not a terminal to ask on. Run with -auto-approve, or save a plan (plan -out=FILE) and apply it.", c.Command.Name)
	}
	// A plain apply applies only what changed since the last one when it
	// can (see engine's scope.go); SCRIPTSYNC_MEMO=off always evaluates.
	s.scope = s.scopes(opts)
	ws, err := s.load(vars, true)
	if err != nil {
		return err
	}
	defer ws.Close()
	changes, err := ws.OutputChanges(s.ctx, opts)
	if err != nil {
		return failure(err)
	}
	ropts := render.Options{Color: s.color, Providers: ws.ProviderNames(), CompactWarnings: c.Bool("compact-warnings"), Outputs: changes}
	req := applier.Request{
		Options:       opts,
		Outputs:       outputsToRecord(ws, opts),
		OutputsChange: len(changes) > 0,
		LockTimeout:   mustLockTimeout(c),
		Confirm: func(p *planner.Plan) (bool, error) {
			if s.ui.stream != nil {
				s.ui.stream.Plan(p, len(changes) > 0)
				return true, nil // -json requires -auto-approve
			}
			if err := render.Plan(s.env.Stdout, p, ropts); err != nil {
				return false, err
			}
			if c.Bool("auto-approve") {
				return true, nil
			}
			question, detail := "Do you want to perform these actions?", "scriptsync will perform the actions described above."
			if opts.Destroy {
				question, detail = "Do you really want to destroy all managed objects?", "scriptsync will destroy every object it manages, as shown above. There is no undo."
			}
			return s.confirm(question, detail)
		},
	}
	return s.run(req, ws, ropts, c.Bool("auto-approve") && s.ui.stream == nil)
}

// memoOn reports whether the last apply's memo may be used:
// SCRIPTSYNC_MEMO=off always evaluates the whole configuration.
func (s *session) memoOn() bool { return s.env.Getenv("SCRIPTSYNC_MEMO") != "off" }

// scopes reports whether a command with opts that applies, or saves a
// plan to apply, may evaluate only what changed since the last apply.
func (s *session) scopes(opts planner.Options) bool {
	return engine.Recallable(opts) && !opts.NoRefresh && s.memoOn()
}

// applySaved applies a plan file made by plan -out.
func (s *session) applySaved(c *ucli.Context, file string) error {
	for _, f := range []string{"target", "var", "var-file", "destroy", "replace"} {
		if c.IsSet(f) {
			return usageError("-%s cannot be used with a saved plan: the plan already fixes it", f)
		}
	}
	s.commandFlags(c)
	if err := checkLock(c); err != nil {
		return err
	}
	if _, err := lockTimeout(c); err != nil {
		return err
	}
	n, err := parallelism(c)
	if err != nil {
		return err
	}
	s.parallelism = n
	sp, err := planfile.ReadFile(s.path(file))
	if err != nil {
		return failure(err)
	}
	// A plain plan's file is applied as a plain apply is: what changed
	// since the last apply, when that is all there is to evaluate.
	s.scope = s.scopes(sp.Options)
	ws, err := s.load(sp.VarArgs, true)
	if err != nil {
		return err
	}
	defer ws.Close()
	if err := ws.StaleInputs(sp); err != nil {
		return s.explain(err, ws)
	}
	ropts := render.Options{Color: s.color, Providers: ws.ProviderNames(), CompactWarnings: c.Bool("compact-warnings")}
	req := applier.Request{
		Options:     sp.Options,
		Outputs:     outputsToRecord(ws, sp.Options),
		LockTimeout: mustLockTimeout(c),
		Check: func(versions map[string]string, plan *planner.Plan) error {
			if err := sp.Check(versions, plan); err != nil || plan == nil {
				return err
			}
			// Again under the locks: an apply of what changed that had
			// to evaluate the whole configuration did so after
			// StaleInputs.
			return ws.StaleValues(sp)
		},
	}
	return s.run(req, ws, ropts, false)
}

// outputsToRecord is what an apply with opts records of the outputs: nil
// (the recorded ones stay) when it records none (engine.RecordsOutputs).
func outputsToRecord(ws *engine.Workspace, opts planner.Options) []byte {
	switch {
	case !engine.RecordsOutputs(opts):
		return nil
	case opts.Destroy:
		return []byte("[]") // a destroyed library has no outputs
	}
	return ws.OutputsJSON()
}

// run applies and reports.
//
// beside says that Confirm would only show the plan and approve it
// (-auto-approve): the plan is then shown while the providers apply it,
// and committed once it has been (planShow).
func (s *session) run(req applier.Request, ws *engine.Workspace, ropts render.Options, beside bool) error {
	prog := s.newProgress()
	// Warnings an apply of what changed found only once it had to evaluate
	// everything come before its plan.
	rewarned, scoped := false, ws.Config.Scope != nil
	rewarn := func() {
		if !rewarned && scoped && ws.GaveWay() != "" {
			rewarned = true
			s.log.logf(logInfo, "apply: applying what changed gave way to the whole configuration: %s", ws.GaveWay())
			s.ui.diagnostics(ws.Rewarned, ws.Config.Files)
		}
	}
	shown := false
	var showing *planShow
	if confirm := req.Confirm; confirm != nil {
		req.Confirm = func(p *planner.Plan) (bool, error) {
			rewarn()
			prog.plan, shown = p, true
			if beside {
				showing.wait() // a plan shown before, by an apply that gave way
				showing = showPlan(s.env.Stdout, p, ropts)
				prog.holdUntil(showing.done)
				return true, nil
			}
			return confirm(p)
		}
	}
	req.Shown = func() error { return showing.wait() }
	req.Progress = func(p applier.Progress) {
		s.log.logf(logTrace, "apply: %s: %d/%d objects, %d bytes", p.Provider, p.Done, p.Total, p.Bytes)
		prog.update(p)
	}
	done := s.log.phase("apply: lock, plan, write and commit")
	release := func() {}
	if beside {
		release = holdBrokenPipe()
	}
	res, err := ws.Apply(s.ctx, req)
	showing.wait() // an apply that failed before its commit: the plan first
	release()
	rewarn()
	prog.finish(err == nil)
	if err != nil {
		done("failed")
	} else {
		done(s.planCounts(res.Plan))
	}
	if errors.Is(err, applier.ErrCancelled) {
		s.ui.printf("Apply cancelled.\n")
		return silent(ExitError)
	}
	if err != nil {
		return s.explain(err, ws)
	}
	if !res.Applied && !shown && s.ui.stream == nil {
		if err := render.Plan(s.env.Stdout, res.Plan, ropts); err != nil {
			return failure(err)
		}
	}
	if res.Recorded {
		s.ui.printf("\nRecorded the backends' current versions, so the warning above will not repeat.\n")
	}
	sum := res.Plan.Summary()
	if !res.Applied {
		sum = planner.Summary{}
	}
	verb := "Apply"
	if req.Options.Destroy {
		verb = "Destroy"
	}
	forgot := ""
	if sum.Forget > 0 {
		forgot = fmt.Sprintf(", %d forgotten", sum.Forget)
	}
	imported := ""
	if sum.Import > 0 {
		imported = fmt.Sprintf("%d imported, ", sum.Import)
	}
	s.ui.printf("\n%s Resources: %s%d added, %d changed, %d destroyed%s.\n",
		s.ui.paint(bold+green, verb+" complete!"), imported, sum.Add, sum.Change, sum.Destroy, forgot)
	for _, w := range res.Warnings {
		s.ui.printf("\n%s %s\n", s.ui.paint(bold+yellow, "Warning:"), w)
	}
	if st := s.ui.stream; st != nil {
		op := "apply"
		if req.Options.Destroy {
			op = "destroy"
		}
		st.ChangeSummary(sum, op, fmt.Sprintf("%s complete! Resources: %s%d added, %d changed, %d destroyed%s.", verb, imported, sum.Add, sum.Change, sum.Destroy, forgot))
		_, outputs := ws.Values()
		st.Outputs(outputs)
		return nil
	}
	if !req.Options.Destroy { // as in Terraform: a destroy has no outputs to show
		s.outputs(ws)
	}
	return nil
}

// startStream switches the session to the machine-readable UI when the
// command has -json, and opens it with the version message.
func (s *session) startStream(c *ucli.Context) {
	if !c.Bool("json") {
		return
	}
	s.ui.stream = render.NewStream(s.env.Stdout)
	s.ui.stream.Version(Version)
}

// outputs prints output values after an apply.
func (s *session) outputs(ws *engine.Workspace) {
	_, outputs := ws.Values()
	if len(outputs) == 0 {
		return
	}
	s.ui.printf("\n%s\n\n", s.ui.paint(bold+green, "Outputs:"))
	for _, o := range outputs {
		v := "<sensitive>"
		if !o.Sensitive {
			v = render.FormatValue(o.Value)
		}
		s.ui.printf("%s = %s\n", o.Name, v)
	}
}

// path resolves a file argument against the working directory.
func (s *session) path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(s.dir, p)
}

// mustLockTimeout is -lock-timeout, checked by planOptions already.
func mustLockTimeout(c *ucli.Context) time.Duration {
	d, _ := lockTimeout(c)
	return d
}

// planCounts describes a plan for the log: totals, and per backend at
// debug level.
func (s *session) planCounts(p *planner.Plan) string {
	sum := p.Summary()
	out := fmt.Sprintf("%d objects, %d to add, %d to change, %d to destroy", len(p.Changes), sum.Add, sum.Change, sum.Destroy)
	if s.log.level >= logDebug {
		per := render.BackendSummaries(p)
		for _, name := range render.Backends(p) {
			t := per[name]
			out += fmt.Sprintf("; %s +%d ~%d -%d", name, t.Add, t.Change, t.Destroy)
		}
	}
	return out
}
