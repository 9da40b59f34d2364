package cli

import (
	"encoding/json"
	"sort"

	"github.com/hashicorp/hcl/v2"
	ucli "github.com/urfave/cli/v2"

	"scriptsync/engine"
	"scriptsync/planfile"
	"scriptsync/render"
)

func (s *session) validateCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "validate",
		Usage: "check the configuration without touching any backend",
		Flags: []ucli.Flag{&ucli.BoolFlag{Name: "json", Usage: "print the result as JSON"}, noColorFlag()},
		Action: func(c *ucli.Context) error {
			s.commandFlags(c)
			diags, files := s.validate()
			if c.Bool("json") {
				return s.validateJSON(diags)
			}
			s.ui.diagnostics(diags, files)
			if diags.HasErrors() {
				return silent(ExitError)
			}
			s.ui.printf("%s The configuration is valid.\n", s.ui.paint(bold+green, "Success!"))
			return nil
		},
	}
}

// validate checks the configuration and what every provider makes of it.
func (s *session) validate() (hcl.Diagnostics, map[string]*hcl.File) {
	vars, err := scanVarArgs(s.env.Args)
	if err != nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid arguments", Detail: err.Error()}}, nil
	}
	return engine.Validate(engine.Options{Dir: s.dir, Vars: vars, Getenv: s.env.Getenv})
}

func (s *session) validateJSON(diags hcl.Diagnostics) error {
	valid, err := render.ValidationJSON(s.env.Stdout, diags)
	if err != nil {
		return failure(err)
	}
	if !valid {
		return silent(ExitError)
	}
	return nil
}

func (s *session) initCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "init",
		Usage: "create the backends if they are missing (never needed: apply creates what it needs)",
		Flags: []ucli.Flag{noColorFlag(), inputFlag()},
		Action: func(c *ucli.Context) error {
			s.commandFlags(c)
			ws, err := s.loadArgs(false)
			if err != nil {
				return err
			}
			defer ws.Close()
			err = ws.Init(s.ctx, func(name, desc string) {
				s.ui.printf("- %s: ready (%s)\n", name, desc)
			})
			if err != nil {
				return failure(err)
			}
			s.ui.printf("\n%s\n", s.ui.paint(bold+green, "scriptsync has been successfully initialized!"))
			return nil
		},
	}
}

func (s *session) versionCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "version",
		Usage:  "print the version and the versions of its formats",
		Flags:  []ucli.Flag{&ucli.BoolFlag{Name: "json", Usage: "print JSON"}},
		Action: func(c *ucli.Context) error { return s.printVersion(c.Bool("json")) },
	}
}

// printVersion prints scriptsync's version and its formats' (the version
// command, and the global -version flag).
func (s *session) printVersion(asJSON bool) error {
	formats := map[string]string{"plan": planfile.FormatVersion, "json": render.FormatVersion}
	for name, v := range engine.Formats(s.dir, s.env.Getenv) {
		formats[name] = v
	}
	if asJSON {
		enc := json.NewEncoder(s.env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"scriptsync_version": Version, "formats": formats})
	}
	s.ui.printf("scriptsync v%s\n", Version)
	names := make([]string, 0, len(formats))
	for k := range formats {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		s.ui.printf("  %s format %s\n", k, formats[k])
	}
	return nil
}

// completionCommand prints a shell script that completes scriptsync's
// commands and flags, from urfave/cli's --generate-bash-completion.
func (s *session) completionCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script: eval \"$(scriptsync completion bash)\" (or zsh)",
		ArgsUsage: "bash|zsh",
		Action: func(c *ucli.Context) error {
			switch c.Args().First() {
			case "bash":
				s.ui.printf("%s", bashCompletion)
			case "zsh":
				s.ui.printf("autoload -U +X bashcompinit && bashcompinit\n%s", bashCompletion)
			default:
				return usageError("completion takes the shell: bash or zsh")
			}
			return nil
		},
	}
}

// bashCompletion asks scriptsync itself for the words that can follow.
const bashCompletion = `_scriptsync_complete() {
  local cur words
  cur="${COMP_WORDS[COMP_CWORD]}"
  if [[ "$cur" == -* ]]; then
    words=$("${COMP_WORDS[@]:0:$COMP_CWORD}" "$cur" --generate-bash-completion 2>/dev/null)
  else
    words=$("${COMP_WORDS[@]:0:$COMP_CWORD}" --generate-bash-completion 2>/dev/null)
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _scriptsync_complete scriptsync
`
