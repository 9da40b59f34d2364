package cli

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	ucli "github.com/urfave/cli/v2"

	"scriptsync/render"
)

// Terraform's habits, on every command that takes them.

// noColorFlag is the per-command -no-color (Terraform takes it after the
// command name; the global one before it also works).
func noColorFlag() ucli.Flag {
	return &ucli.BoolFlag{Name: "no-color", Usage: "disable colour in output"}
}

// inputFlag is -input=false: never ask; what would need an answer fails.
func inputFlag() ucli.Flag {
	return &ucli.BoolFlag{Name: "input", Value: true, Usage: "ask for input when needed; -input=false fails instead"}
}

// lockFlags are -lock and -lock-timeout.
func lockFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.BoolFlag{Name: "lock", Value: true, Usage: "lock the backends while applying (plan never locks; apply cannot do without)"},
		lockTimeoutFlag(),
	}
}

// lockTimeoutFlag is -lock-timeout, read with lockTimeout.
func lockTimeoutFlag() ucli.Flag {
	return &ucli.StringFlag{Name: "lock-timeout", Value: "0s", Usage: "how long to wait for another apply's lock: a duration with a unit (`DURATION`, e.g. 30s, 5m)"}
}

// commandFlags applies the per-command flags every command shares.
func (s *session) commandFlags(c *ucli.Context) {
	if c.Bool("no-color") {
		s.color, s.ui.color = false, false
	}
}

// lockTimeout parses -lock-timeout as Terraform does: a Go duration, with
// a unit; negative durations are refused.
func lockTimeout(c *ucli.Context) (time.Duration, error) {
	v := c.String("lock-timeout")
	d, err := time.ParseDuration(v)
	if err != nil {
		if strings.Trim(v, "0123456789.") == "" && v != "" {
			return 0, usageError("-lock-timeout=%s needs a unit: a duration such as %ss or %sm", v, v, v)
		}
		return 0, usageError("-lock-timeout=%s is not a duration (such as 30s, 5m or 1h30m)", v)
	}
	if d < 0 {
		return 0, usageError("-lock-timeout=%s is negative; give a duration of 0s (do not wait) or more", v)
	}
	return d, nil
}

// checkLock refuses -lock=false where scriptsync cannot do without the
// lock: an apply's lock is what makes its commits to the backends
// consistent. plan reads without locking, so -lock=false changes nothing
// there, as in Terraform for a plan that takes no lock.
func checkLock(c *ucli.Context) error {
	if !c.Bool("lock") {
		return usageError("-lock=false is not supported by %s: scriptsync applies to several backends under their locks, and without them two applies could interleave. plan never locks", c.Command.Name)
	}
	return nil
}

// parallelismFlag is -parallelism=N, the number of concurrent operations
// against a backend (Git LFS transfers).
func parallelismFlag() ucli.Flag {
	return &ucli.IntFlag{Name: "parallelism", Value: 10, Usage: "at most `N` concurrent operations per backend (Git LFS transfers)"}
}

func parallelism(c *ucli.Context) (int, error) {
	n := c.Int("parallelism")
	if n < 1 {
		return 0, usageError("-parallelism=%d: give at least 1", n)
	}
	return n, nil
}

// usageHandler reports a flag error in one line, then the usage of that
// command (not the whole help).
func (s *session) usageHandler(path string) ucli.OnUsageErrorFunc {
	return func(c *ucli.Context, err error, _ bool) error {
		msg := strings.TrimPrefix(err.Error(), "flag provided but not defined: ")
		if msg != err.Error() {
			msg = "scriptsync " + path + " has no flag " + msg
		} else {
			msg = "scriptsync " + path + ": " + msg
		}
		if wantsJSON(s.env.Args) {
			// The machine-readable UI reports even a flag error as a
			// diagnostic.
			s.ui.stream = render.NewStream(s.env.Stdout)
			s.ui.stream.Version(Version)
			s.ui.stream.Diagnostic(hcl.DiagError, msg, commandUsage(path, c.Command), nil)
			return silent(ExitError)
		}
		fmt.Fprintf(s.env.Stderr, "Error: %s\n\n%s", msg, commandUsage(path, c.Command))
		return silent(ExitError)
	}
}

// wantsJSON reports whether the command line asks for -json.
func wantsJSON(args []string) bool {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-json" || a == "--json" || a == "-json=true" {
			return true
		}
	}
	return false
}

// commandUsage is a command's usage line and flags, one a line.
func commandUsage(path string, cmd *ucli.Command) string {
	var b strings.Builder
	args := strings.TrimSpace(cmd.ArgsUsage)
	fmt.Fprintf(&b, "%s\n", strings.TrimSpace("Usage: scriptsync "+path+" [options] "+args))
	var lines []string
	width := 0
	type fl struct{ name, usage string }
	var fls []fl
	for _, f := range cmd.Flags {
		name := f.Names()[0]
		usage := ""
		if d, ok := f.(ucli.DocGenerationFlag); ok {
			usage = d.GetUsage()
			if d.TakesValue() {
				name += "=" + valueName(usage)
			}
		}
		fls = append(fls, fl{"-" + name, strings.ReplaceAll(usage, "`", "")})
		width = max(width, len(name)+1)
	}
	sort.Slice(fls, func(i, j int) bool { return fls[i].name < fls[j].name })
	for _, f := range fls {
		lines = append(lines, fmt.Sprintf("  %-*s  %s", width, f.name, f.usage))
	}
	if len(lines) > 0 {
		b.WriteString("\nOptions:\n" + strings.Join(lines, "\n") + "\n")
	}
	return b.String()
}

// valueName is the `NAME` a flag's usage quotes, or VALUE.
func valueName(usage string) string {
	if i := strings.Index(usage, "`"); i >= 0 {
		if j := strings.Index(usage[i+1:], "`"); j >= 0 {
			return usage[i+1 : i+1+j]
		}
	}
	return "VALUE"
}

// installUsageHandlers sets usageHandler on every command and subcommand.
func (s *session) installUsageHandlers(cmds []*ucli.Command, prefix string) {
	for _, c := range cmds {
		path := strings.TrimSpace(prefix + " " + c.Name)
		c.OnUsageError = s.usageHandler(path)
		s.installUsageHandlers(c.Subcommands, path)
	}
}
