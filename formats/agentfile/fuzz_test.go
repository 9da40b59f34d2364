package agentfile

import (
	"encoding/json"
	"strings"
	"testing"
)

// Nothing makes Parse panic, and what it accepts holds together: a schema
// that is JSON, at a line of the file.
func FuzzParse(f *testing.F) {
	f.Add([]byte("---\ndescription: Props\nversion: 1.0\nrequires_llm: true\n---\n\n# Props\n\n```json\n{\"type\": \"object\"}\n```\n\n```sql\nSELECT 1\n```\n"))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("no front matter"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Parse(data)
		if err != nil {
			return
		}
		if len(a.Schema) > 0 && !json.Valid(a.Schema) {
			t.Fatalf("Parse accepted a schema that is not JSON: %q", a.Schema)
		}
		if lines := strings.Count(string(data), "\n") + 1; a.SchemaLine < 0 || a.SchemaLine > lines {
			t.Fatalf("schema at line %d of a %d-line file", a.SchemaLine, lines)
		}
	})
}
