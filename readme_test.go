package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"scriptsync/cli"
)

// TestReadmeTour runs the README's console blocks as a newcomer would type
// them, from a fresh copy of examples/, and checks that each command
// prints what the README shows. A line "..." in the README stands for any
// number of lines; every other line must match exactly (trailing spaces
// aside). When the output changes, this test fails until the README shows
// the new output.
func TestReadmeTour(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := consoleBlocks(string(readme))
	if len(blocks) == 0 {
		t.Fatal("README.md has no console blocks")
	}
	root := t.TempDir()
	if err := copyLibrary("examples", filepath.Join(root, "examples")); err != nil {
		t.Fatal(err)
	}
	// A fresh clone: the tour's git commands (apply, checkout) see a
	// repository, as a newcomer's do.
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"},
		{"-c", "user.name=Tour", "-c", "user.email=tour@example.com", "commit", "-q", "-m", "clone"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, b)
		}
	}
	env := map[string]string{"HOME": t.TempDir(), "SCRIPTSYNC_CACHE_DIR": "off"}
	dir := root
	for _, b := range blocks {
		for _, c := range b {
			args := strings.Fields(c.command)
			var out string
			switch args[0] {
			case "cd":
				if len(args) != 2 {
					t.Fatalf("README line %d: cd takes one directory", c.line)
				}
				dir = filepath.Join(dir, args[1])
				continue
			case "scriptsync":
				var buf bytes.Buffer
				code := cli.Run(cli.Env{Args: args, Dir: dir, Stdout: &buf, Stderr: &buf,
					Getenv: func(k string) string { return env[k] }, Context: context.Background()})
				if code != 0 {
					t.Fatalf("README line %d: %s exited %d:\n%s", c.line, c.command, code, buf.String())
				}
				out = buf.String()
			case "git":
				cmd := exec.Command("git", args[1:]...)
				cmd.Dir = dir
				b, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("README line %d: %s: %v\n%s", c.line, c.command, err, b)
				}
				out = string(b)
			default:
				t.Fatalf("README line %d: the tour test does not know how to run %q", c.line, c.command)
			}
			if !matchLines(c.want, outputLines(out)) {
				t.Errorf("README line %d: %s printed\n%s\nwhere the README shows\n%s", c.line, c.command,
					indent(outputLines(out)), indent(c.want))
			}
		}
	}
}

// tourCommand is one "$ command" line of a console block and the output
// lines shown under it.
type tourCommand struct {
	line    int
	command string
	want    []string
}

// consoleBlocks returns the commands of README's ```console blocks.
func consoleBlocks(readme string) [][]tourCommand {
	var blocks [][]tourCommand
	var cur []tourCommand
	in := false
	sc := bufio.NewScanner(strings.NewReader(readme))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case !in && line == "```console":
			in, cur = true, nil
		case in && line == "```":
			in = false
			for i := range cur {
				cur[i].want = trimBlank(cur[i].want)
			}
			blocks = append(blocks, cur)
		case in && strings.HasPrefix(line, "$ "):
			cur = append(cur, tourCommand{line: n, command: strings.TrimPrefix(line, "$ ")})
		case in && len(cur) > 0:
			cur[len(cur)-1].want = append(cur[len(cur)-1].want, strings.TrimRight(line, " "))
		}
	}
	return blocks
}

func outputLines(s string) []string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return trimBlank(lines)
}

func trimBlank(lines []string) []string {
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	return lines
}

// matchLines matches got against want, where a want line that is "..."
// (indented or not) matches any number of lines.
func matchLines(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if strings.TrimSpace(want[0]) == "..." {
		for i := 0; i <= len(got); i++ {
			if matchLines(want[1:], got[i:]) {
				return true
			}
		}
		return false
	}
	return len(got) > 0 && got[0] == want[0] && matchLines(want[1:], got[1:])
}

func indent(lines []string) string {
	return "    | " + strings.Join(lines, "\n    | ")
}
