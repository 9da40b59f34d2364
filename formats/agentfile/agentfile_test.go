package agentfile

import (
	"errors"
	"strings"
	"testing"
)

// propsInventory follows the shape of ScriptRAG's built-in agent.
const propsInventory = "---\n" +
	"description: Track props mentioned in scenes - first appearances and previously seen\n" +
	"version: 2.0\n" +
	"requires_llm: true\n" +
	"---\n" +
	"\n" +
	"# Props Inventory Analysis\n" +
	"\n" +
	"## Context Query\n" +
	"\n" +
	"```sql\n" +
	"SELECT scene_number FROM scenes WHERE script_id = :script_id;\n" +
	"```\n" +
	"\n" +
	"## Output Schema\n" +
	"\n" +
	"```json\n" +
	"{\n" +
	"  \"$schema\": \"http://json-schema.org/draft-07/schema#\",\n" +
	"  \"type\": \"object\",\n" +
	"  \"required\": [\"props_mentioned\"]\n" +
	"}\n" +
	"```\n" +
	"\n" +
	"## Analysis Prompt\n" +
	"\n" +
	"```fountain\n" +
	"{{scene_content}}\n" +
	"```\n"

func TestParseValid(t *testing.T) {
	a, err := Parse([]byte(propsInventory))
	if err != nil {
		t.Fatal(err)
	}
	if a.Description != "Track props mentioned in scenes - first appearances and previously seen" {
		t.Errorf("Description = %q", a.Description)
	}
	if a.Version != "2.0" {
		t.Errorf("Version = %q, want the text as written", a.Version)
	}
	if !a.RequiresLLM {
		t.Error("RequiresLLM = false")
	}
	if a.SchemaLine != 17 {
		t.Errorf("SchemaLine = %d, want 17", a.SchemaLine)
	}
	if !strings.Contains(string(a.Schema), `"type": "object"`) {
		t.Errorf("Schema = %s", a.Schema)
	}
	if a.ContextQuery != "SELECT scene_number FROM scenes WHERE script_id = :script_id;" {
		t.Errorf("ContextQuery = %q", a.ContextQuery)
	}
	if !strings.HasPrefix(a.Body, "\n# Props Inventory Analysis") {
		t.Errorf("Body starts %q", a.Body[:30])
	}
}

func TestParseVariants(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Agent // only Description, Version, RequiresLLM, SchemaLine compared
	}{
		{
			name: "requires_llm defaults to true",
			in:   "---\ndescription: d\nversion: 1\n---\n```json\n{}\n```\n",
			want: Agent{Description: "d", Version: "1", RequiresLLM: true, SchemaLine: 5},
		},
		{
			name: "requires_llm false, quoted version, CRLF, BOM",
			in:   "\ufeff---\r\ndescription: \"d\"\r\nversion: \"1.2.3\"\r\nrequires_llm: false\r\n---\r\n```json\r\n{\"type\":\"object\"}\r\n```\r\n",
			want: Agent{Description: "d", Version: "1.2.3", RequiresLLM: false, SchemaLine: 6},
		},
		{
			name: "unknown keys are ignored; first json block that parses wins",
			in:   "---\nname: x\nproperty: y\ndescription: d\nversion: 1\n---\n```json\nnot json\n```\n\n~~~~ json\n{\"a\": 1}\n~~~~\n",
			want: Agent{Description: "d", Version: "1", RequiresLLM: true, SchemaLine: 11},
		},
		{
			name: "a json fence inside another block is content",
			in:   "---\ndescription: d\nversion: 1\n---\n````markdown\n```json\n[]\n```\n````\n```json\n{}\n```\n",
			want: Agent{Description: "d", Version: "1", RequiresLLM: true, SchemaLine: 10},
		},
		{
			name: "front matter closed by ...",
			in:   "---\ndescription: d\nversion: 1\n...\n```JSON\n{}\n```",
			want: Agent{Description: "d", Version: "1", RequiresLLM: true, SchemaLine: 5},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			got := Agent{Description: a.Description, Version: a.Version, RequiresLLM: a.RequiresLLM, SchemaLine: a.SchemaLine}
			if got.Description != tt.want.Description || got.Version != tt.want.Version ||
				got.RequiresLLM != tt.want.RequiresLLM || got.SchemaLine != tt.want.SchemaLine {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	const schema = "```json\n{}\n```\n"
	tests := []struct {
		name string
		in   string
		line int
		msg  string // substring of Msg
	}{
		{"empty file", "", 1, "missing YAML front matter"},
		{"no front matter", "# Agent\n" + schema, 1, "missing YAML front matter"},
		{"unclosed front matter", "---\ndescription: d\nversion: 1\n" + schema, 1, "not closed"},
		{"empty front matter", "---\n---\n" + schema, 1, "front matter is empty"},
		{"not a mapping", "---\n- a\n- b\n---\n" + schema, 2, "must be a mapping"},
		{"bad YAML", "---\ndescription: d\nversion: 1: 2\n---\n" + schema, 3, "not valid YAML: mapping values are not allowed"},
		{"missing description", "---\nversion: 1\n---\n" + schema, 1, "no description"},
		{"missing version", "---\ndescription: d\n---\n" + schema, 1, "no version"},
		{"null version", "---\ndescription: d\nversion:\n---\n" + schema, 3, "version must be"},
		{"empty description", "---\ndescription: \"\"\nversion: 1\n---\n" + schema, 2, "description must be"},
		{"description is a list", "---\ndescription: [a]\nversion: 1\n---\n" + schema, 2, "description must be"},
		{"requires_llm not a bool", "---\ndescription: d\nversion: 1\nrequires_llm: maybe\n---\n" + schema, 4, "requires_llm must be true or false"},
		{"duplicate key", "---\ndescription: d\nversion: 1\ndescription: e\n---\n" + schema, 4, `key "description" is already set at line 2`},
		{"no json block", "---\ndescription: d\nversion: 1\n---\n\n```sql\nSELECT 1\n```\n", 5, "no ```json block"},
		{"invalid json names its line", "---\ndescription: d\nversion: 1\n---\n```json\n{\n  \"type\": \"object\",\n  \"x\": ,\n}\n```\n", 8, "not valid JSON"},
		{"truncated json", "---\ndescription: d\nversion: 1\n---\n```json\n{\"type\":\n```\n", 6, "not valid JSON"},
		{"empty json block", "---\ndescription: d\nversion: 1\n---\n```json\n```\n", 5, "is empty"},
		{"schema is an array", "---\ndescription: d\nversion: 1\n---\n\n```json\n[1, 2]\n```\n", 6, "must be an object, not an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if e.Line != tt.line || !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("got line %d %q, want line %d containing %q", e.Line, e.Msg, tt.line, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "line ") {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}
