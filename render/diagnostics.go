package render

import (
	"io"

	"github.com/hashicorp/hcl/v2"
)

type posJSON struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

type rangeJSON struct {
	Filename string  `json:"filename"`
	Start    posJSON `json:"start"`
	End      posJSON `json:"end"`
}

type diagnosticJSON struct {
	Severity string     `json:"severity"`
	Summary  string     `json:"summary"`
	Detail   string     `json:"detail,omitempty"`
	Range    *rangeJSON `json:"range,omitempty"`
}

type validationJSON struct {
	FormatVersion string           `json:"format_version"`
	Valid         bool             `json:"valid"`
	ErrorCount    int              `json:"error_count"`
	WarningCount  int              `json:"warning_count"`
	Diagnostics   []diagnosticJSON `json:"diagnostics"`
}

// ValidationJSON writes the result of validate -json and reports whether
// the configuration is valid (has no errors).
func ValidationJSON(w io.Writer, diags hcl.Diagnostics) (valid bool, err error) {
	out := validationJSON{FormatVersion: FormatVersion, Diagnostics: []diagnosticJSON{}}
	for _, d := range diags {
		jd := diagnosticJSON{Severity: "warning", Summary: d.Summary, Detail: d.Detail}
		if d.Severity == hcl.DiagError {
			jd.Severity = "error"
			out.ErrorCount++
		} else {
			out.WarningCount++
		}
		if d.Subject != nil {
			r := d.Subject
			jd.Range = &rangeJSON{r.Filename, posJSON{r.Start.Line, r.Start.Column, r.Start.Byte}, posJSON{r.End.Line, r.End.Column, r.End.Byte}}
		}
		out.Diagnostics = append(out.Diagnostics, jd)
	}
	out.Valid = out.ErrorCount == 0
	return out.Valid, encode(w, out)
}
