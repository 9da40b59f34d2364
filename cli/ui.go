package cli

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"scriptsync/render"
)

// ui writes human output.
type ui struct {
	out, err io.Writer
	color    bool
	// stream, when set (-json), takes every message: errors and warnings
	// become diagnostic objects, and human text is not printed.
	stream *render.Stream
}

const (
	bold   = "\x1b[1m"
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
	green  = "\x1b[32m"
	reset  = "\x1b[0m"
)

func (u *ui) paint(code, s string) string {
	if !u.color {
		return s
	}
	return code + s + reset
}

func (u *ui) printf(format string, args ...any) {
	if u.stream == nil {
		fmt.Fprintf(u.out, format, args...)
	}
}

// errorf prints an error the way Terraform does: "Error: <message>".
func (u *ui) errorf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if u.stream != nil {
		summary, detail, _ := strings.Cut(msg, "\n")
		u.stream.Diagnostic(hcl.DiagError, summary, strings.TrimSpace(detail), nil)
		return
	}
	fmt.Fprintf(u.err, "\n%s %s\n\n", u.paint(bold+red, "Error:"), msg)
}

// diagnostics prints HCL diagnostics with file:line:col and the source
// lines they point at, underlined.
func (u *ui) diagnostics(diags hcl.Diagnostics, files map[string]*hcl.File) {
	for _, d := range diags {
		if u.stream != nil {
			u.stream.Diagnostic(d.Severity, d.Summary, d.Detail, d.Subject)
			continue
		}
		w := u.out
		label := u.paint(bold+yellow, "Warning:")
		if d.Severity == hcl.DiagError {
			w, label = u.err, u.paint(bold+red, "Error:")
		}
		fmt.Fprintf(w, "\n%s %s\n", label, u.paint(bold, d.Summary))
		if d.Subject != nil {
			r := *d.Subject
			fmt.Fprintf(w, "\n  on %s:%d:%d:\n", r.Filename, r.Start.Line, r.Start.Column)
			if f := files[r.Filename]; f != nil {
				writeSnippet(w, f.Bytes, r, u)
			}
		}
		if d.Detail != "" {
			fmt.Fprintf(w, "\n%s\n", wrap(d.Detail, 78))
		}
		fmt.Fprintln(w)
	}
}

// writeSnippet prints the lines of r with line numbers and a caret line
// under the range's start line.
func writeSnippet(w io.Writer, src []byte, r hcl.Range, u *ui) {
	lines := strings.Split(string(src), "\n")
	start, end := r.Start.Line, r.End.Line
	if start < 1 || start > len(lines) {
		return
	}
	if end < start || end > len(lines) {
		end = start
	}
	if end-start > 3 {
		end = start + 3
	}
	width := len(fmt.Sprint(end))
	for n := start; n <= end; n++ {
		line := strings.TrimRight(strings.ReplaceAll(lines[n-1], "\t", " "), "\r")
		fmt.Fprintf(w, "  %*d: %s\n", width, n, line)
		if n == start {
			from := r.Start.Column - 1
			to := len(line)
			if r.End.Line == start {
				to = r.End.Column - 1
			}
			if from < 0 {
				from = 0
			}
			if from > len(line) {
				from = len(line)
			}
			if to <= from {
				to = from + 1
			}
			fmt.Fprintf(w, "  %s  %s%s\n", strings.Repeat(" ", width), strings.Repeat(" ", from), u.paint(red, strings.Repeat("^", to-from)))
		}
	}
}

// wrap breaks text at spaces to lines of at most width, keeping existing
// line breaks.
func wrap(text string, width int) string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			if line != "" && len(line)+1+len(word) > width {
				out = append(out, line)
				line = word
				continue
			}
			if line != "" {
				line += " "
			}
			line += word
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// confirm asks the Terraform question and accepts only "yes".
func (s *session) confirm(question, detail string) (bool, error) {
	if !s.env.StdinIsTerminal {
		return false, usageError("apply needs approval, but standard input is not a terminal to ask on. Run with -auto-approve, or apply a saved plan (plan -out=FILE, then apply FILE).")
	}
	s.ui.printf("\n%s\n  %s\n  Only 'yes' will be accepted to approve.\n\n  %s ", s.ui.paint(bold, question), detail, s.ui.paint(bold, "Enter a value:"))
	line, err := bufio.NewReader(s.env.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return false, nil
	}
	s.ui.printf("\n")
	return strings.TrimSpace(line) == "yes", nil
}
