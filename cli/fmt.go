package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/rogpeppe/go-internal/diff"
	ucli "github.com/urfave/cli/v2"
)

func (s *session) fmtCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "fmt",
		Usage:     "rewrite *.hcl files in canonical form",
		ArgsUsage: "[DIR or FILE...]",
		Flags: []ucli.Flag{
			&ucli.BoolFlag{Name: "check", Usage: "change nothing; exit 3 if any file is not formatted"},
			&ucli.BoolFlag{Name: "diff", Usage: "print the changes as a diff"},
			&ucli.BoolFlag{Name: "recursive", Usage: "also format files in subdirectories"},
		},
		Action: func(c *ucli.Context) error {
			targets := c.Args().Slice()
			if len(targets) == 0 {
				targets = []string{"."}
			}
			var files []string
			for _, t := range targets {
				found, err := hclFiles(s.path(t), c.Bool("recursive"))
				if err != nil {
					return failure(err)
				}
				files = append(files, found...)
			}
			sort.Strings(files)
			var diags hcl.Diagnostics
			srcFiles := map[string]*hcl.File{}
			unformatted := false
			for _, path := range files {
				lst, err := os.Lstat(path)
				if err != nil {
					return failure(err)
				}
				link := lst.Mode()&os.ModeSymlink != 0
				if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
					return failure(fmt.Errorf("fmt: %s is not a regular file", s.rel(path)))
				}
				src, err := os.ReadFile(path)
				if err != nil {
					return failure(err)
				}
				name := s.rel(path)
				f, d := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
				srcFiles[name] = f
				if d.HasErrors() {
					diags = append(diags, d...)
					continue
				}
				out := hclwrite.Format(src)
				if bytes.Equal(out, src) {
					continue
				}
				unformatted = true
				s.ui.printf("%s\n", name)
				if c.Bool("diff") {
					s.env.Stdout.Write(diff.Diff("old/"+name, src, "new/"+name, out))
				}
				if link && !c.Bool("check") {
					// Its target may be outside the directory (or anyone's
					// file): fmt rewrites only files that are here.
					s.ui.printf("  (a symbolic link: not rewritten; format its target where it lives)\n")
					continue
				}
				if !c.Bool("check") {
					st, _ := os.Stat(path)
					if err := os.WriteFile(path, out, st.Mode().Perm()); err != nil {
						return failure(err)
					}
				}
			}
			if diags.HasErrors() {
				s.ui.diagnostics(diags, srcFiles)
				return silent(ExitError)
			}
			if unformatted && c.Bool("check") {
				return silent(ExitUnformatted)
			}
			return nil
		},
	}
}

// hclFiles lists the *.hcl files (variable files included) of a directory,
// or the file itself.
func hclFiles(path string, recursive bool) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	var out []string
	err = filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != path && (!recursive || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(d.Name(), ".hcl") {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// rel names a path relative to the working directory when it is inside.
func (s *session) rel(path string) string {
	if r, err := filepath.Rel(s.dir, path); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return path
}
