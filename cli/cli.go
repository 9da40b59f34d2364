package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"

	// The providers register themselves.
	_ "scriptsync/providers/all"
)

// Version is scriptsync's version, set at build time with
// -ldflags "-X scriptsync/cli.Version=...".
var Version = "0.1.0-dev"

// Exit codes.
const (
	ExitOK          = 0
	ExitError       = 1
	ExitChanges     = 2 // plan -detailed-exitcode found changes
	ExitUnformatted = 3 // fmt -check found unformatted files
)

// Env is everything a run of scriptsync gets from the outside world.
type Env struct {
	Args             []string // including the program name
	Dir              string   // working directory
	Stdin            io.Reader
	Stdout, Stderr   io.Writer
	Getenv           func(string) string
	StdinIsTerminal  bool
	StdoutIsTerminal bool
	// Context, when set, cancels the run (Ctrl-C).
	Context context.Context
}

// OSEnv is the environment of the running process.
func OSEnv(ctx context.Context) Env {
	dir, _ := os.Getwd()
	return Env{
		Args:             os.Args,
		Dir:              dir,
		Stdin:            os.Stdin,
		Stdout:           os.Stdout,
		Stderr:           os.Stderr,
		Getenv:           os.Getenv,
		StdinIsTerminal:  term.IsTerminal(int(os.Stdin.Fd())),
		StdoutIsTerminal: term.IsTerminal(int(os.Stdout.Fd())),
		Context:          ctx,
	}
}

// exitError carries an exit code through urfave/cli.
type exitError struct {
	code int
	err  error // nil when the message was already printed
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

// silent is an error whose message has already been shown.
func silent(code int) error { return &exitError{code: code} }

// session is one run: the environment and the global flags.
type session struct {
	env     Env
	dir     string // after -chdir
	color   bool
	ui      *ui
	ctx     context.Context
	varArgs []string // the command's own arguments, for -var ordering
	// parallelism is -parallelism: concurrent operations per backend.
	parallelism int
	// recall lets the next load answer a plain plan from the last apply's
	// memo (engine.Options.Recall).
	recall bool
	// scope lets the next load apply only what changed since the last
	// apply (engine.Options.Scope).
	scope bool
	// saving makes scope's load that of a plan to save
	// (engine.Options.Saving).
	saving bool
	log    *logger
}

// Run runs scriptsync and returns its exit code.
func Run(env Env) int {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	s := &session{env: env, dir: env.Dir, ctx: env.Context}
	if s.ctx == nil {
		s.ctx = context.Background()
	}
	s.ui = &ui{out: env.Stdout, err: env.Stderr}
	s.log = newLogger(env.Stderr, env.Getenv("SCRIPTSYNC_LOG"))
	if len(env.Args) > 1 {
		s.log.logf(logInfo, "scriptsync %s: %s", Version, commandName(env.Args[1:]))
	}
	app := s.app()
	s.installUsageHandlers(app.Commands, "")
	err := app.Run(env.Args)
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			s.ui.errorf("%s", ee.err)
		}
		return ee.code
	}
	s.ui.errorf("%s", err)
	return ExitError
}

func (s *session) app() *ucli.App {
	app := &ucli.App{
		Name:                      "scriptsync",
		Usage:                     "keep a screenwriting library in sync across SQL, git and Git LFS",
		UsageText:                 "scriptsync [global options] <command> [options] [args]",
		Version:                   Version,
		HideVersion:               true,
		HideHelpCommand:           true,
		Writer:                    s.env.Stdout,
		ErrWriter:                 s.env.Stderr,
		DisableSliceFlagSeparator: true,
		ExitErrHandler:            func(*ucli.Context, error) {},
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "chdir", Usage: "run as if started in `DIR`"},
			&ucli.BoolFlag{Name: "no-color", Usage: "disable colour in output"},
			&ucli.BoolFlag{Name: "version", Usage: "print the version (as the version command does)"},
		},
		EnableBashCompletion: true,
		Before: func(c *ucli.Context) error {
			if d := c.String("chdir"); d != "" {
				if !filepath.IsAbs(d) {
					d = filepath.Join(s.env.Dir, d)
				}
				st, err := os.Stat(d)
				if err != nil || !st.IsDir() {
					return &exitError{code: ExitError, err: fmt.Errorf("-chdir: %s is not a directory", c.String("chdir"))}
				}
				s.dir = d
			}
			s.color = !c.Bool("no-color") && s.env.Getenv("NO_COLOR") == "" && s.env.Getenv("TERM") != "dumb" && s.env.StdoutIsTerminal
			s.ui.color = s.color
			if c.Bool("version") {
				if err := s.printVersion(false); err != nil {
					return err
				}
				return silent(ExitOK)
			}
			return nil
		},
		OnUsageError: func(_ *ucli.Context, err error, _ bool) error {
			return &exitError{code: ExitError, err: fmt.Errorf("%s (see scriptsync -help)", err)}
		},
		Action: func(c *ucli.Context) error {
			if c.Args().Len() > 0 {
				return usageError("scriptsync has no command %q. Run scriptsync -help for the list.", c.Args().First())
			}
			return ucli.ShowAppHelp(c)
		},
		Commands: []*ucli.Command{
			s.initCommand(),
			s.validateCommand(),
			s.fmtCommand(),
			s.planCommand(),
			s.applyCommand(),
			s.destroyCommand(),
			s.showCommand(),
			s.outputCommand(),
			s.stateCommand(),
			s.importCommand(),
			s.versionCommand(),
			s.completionCommand(),
		},
	}
	return app
}

// usageError reports a misuse of a command.
func usageError(format string, args ...any) error {
	return &exitError{code: ExitError, err: fmt.Errorf(format, args...)}
}

func failure(err error) error { return &exitError{code: ExitError, err: err} }

// tooManyArgs is the error for a command given more arguments than it
// takes (want says what they are). Flags after an argument are arguments
// to urfave/cli, as to Go's flag package and Terraform: the message says
// to put them first, with the command line in that order.
func tooManyArgs(c *ucli.Context, want string) error {
	var flags, args []string
	for _, a := range c.Args().Slice() {
		if strings.HasPrefix(a, "-") {
			flags = append(flags, a)
		} else {
			args = append(args, a)
		}
	}
	if len(flags) > 0 {
		line := append(append([]string{"scriptsync", c.Command.Name}, flags...), args...)
		return usageError("%s: flags go before arguments: %s", c.Command.Name, strings.Join(line, " "))
	}
	return usageError("%s takes %s", c.Command.Name, want)
}

// commandName is the command being run, without its flags' values (which
// may hold secrets) and arguments: for the log.
func commandName(args []string) string {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return "(no command)"
}
