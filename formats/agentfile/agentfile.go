// Package agentfile parses custom insight agents the way ScriptRAG stores
// them (.scriptrag/agents/<name>.md): a Markdown file that starts with YAML
// front matter and holds the agent's output JSON Schema in a fenced json
// block.
//
//	---
//	description: Track props mentioned in scenes
//	version: 2.0
//	requires_llm: true
//	---
//
//	# Props Inventory Analysis
//
//	```sql
//	SELECT ...
//	```
//
//	```json
//	{"type": "object", "properties": {...}}
//	```
//
// The front matter needs description and version; requires_llm is optional
// and, as in ScriptRAG, defaults to true. Other keys are allowed and
// ignored. Like ScriptRAG, the schema is the first json block that parses;
// it must be a JSON object. The first sql block, when there is one, is the
// context query.
//
// The package is pure: bytes in, an Agent or an *Error with a line number
// out. It knows nothing of files, configuration or git.
package agentfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Agent is a parsed agent file.
type Agent struct {
	Description string
	// Version is the front matter's version as written ("2.0", not 2).
	Version     string
	RequiresLLM bool
	// Schema is the output JSON Schema, exactly as the json block holds it.
	Schema json.RawMessage
	// SchemaLine is the 1-based line of the json block's opening fence.
	SchemaLine int
	// ContextQuery is the first sql block, or "" when there is none.
	ContextQuery string
	// Body is the Markdown after the front matter (ScriptRAG's analysis
	// prompt).
	Body string
}

// Error is a problem in an agent file, at a 1-based line.
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// Parse reads an agent file. Every error it returns is an *Error.
func Parse(data []byte) (Agent, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	lines := splitLines(string(data))

	if len(lines) == 0 || !isFrontMatterFence(lines[0], "---") {
		return Agent{}, &Error{1, `missing YAML front matter: the file must start with a line "---"`}
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if isFrontMatterFence(lines[i], "---") || isFrontMatterFence(lines[i], "...") {
			end = i
			break
		}
	}
	if end < 0 {
		return Agent{}, &Error{1, `YAML front matter is not closed: no line "---" follows the opening one`}
	}

	a := Agent{RequiresLLM: true}
	if err := parseFrontMatter(&a, lines[1:end], 2); err != nil {
		return Agent{}, err
	}
	a.Body = strings.Join(lines[end+1:], "\n")
	if err := parseBody(&a, lines[end+1:], end+2); err != nil {
		return Agent{}, err
	}
	return a, nil
}

// splitLines splits on "\n", dropping a "\r" before it, and drops the empty
// string after a final newline.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

func isFrontMatterFence(line, fence string) bool {
	return strings.TrimRight(line, " \t") == fence
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseFrontMatter reads the YAML between the fences; first is the file line
// of its first line.
func parseFrontMatter(a *Agent, lines []string, first int) error {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(strings.Join(lines, "\n")), &doc); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := first
		if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
			n, _ := strconv.Atoi(m[1])
			line, msg = first+n-1, m[2]
		}
		return &Error{line, "front matter is not valid YAML: " + msg}
	}
	if len(doc.Content) == 0 {
		return &Error{first - 1, "front matter is empty: description and version are required"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return &Error{first + root.Line - 1, "front matter must be a mapping of keys to values"}
	}

	fileLine := func(n *yaml.Node) int { return first + n.Line - 1 }
	seen := map[string]int{}
	var sawDescription, sawVersion bool
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if prev, dup := seen[k.Value]; dup {
			return &Error{fileLine(k), fmt.Sprintf("key %q is already set at line %d", k.Value, prev)}
		}
		seen[k.Value] = fileLine(k)
		switch k.Value {
		case "description":
			if v.Kind != yaml.ScalarNode || v.Tag == "!!null" || strings.TrimSpace(v.Value) == "" {
				return &Error{fileLine(v), "description must be a non-empty string"}
			}
			a.Description, sawDescription = v.Value, true
		case "version":
			if v.Kind != yaml.ScalarNode || v.Tag == "!!null" || strings.TrimSpace(v.Value) == "" {
				return &Error{fileLine(v), `version must be a value such as "1.0"`}
			}
			a.Version, sawVersion = v.Value, true
		case "requires_llm":
			var b bool
			if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" || v.Decode(&b) != nil {
				return &Error{fileLine(v), "requires_llm must be true or false"}
			}
			a.RequiresLLM = b
		}
	}
	switch {
	case !sawDescription:
		return &Error{first - 1, "front matter has no description (required)"}
	case !sawVersion:
		return &Error{first - 1, "front matter has no version (required)"}
	}
	return nil
}

// fenceRE matches a CommonMark fence opening: up to three spaces, three or
// more backticks or tildes, and an info string.
var fenceRE = regexp.MustCompile("^ {0,3}(`{3,}|~{3,})[ \t]*(.*)$")

type block struct {
	lang    string
	line    int // file line of the opening fence
	content string
}

// parseBody finds the fenced blocks; first is the file line of lines[0].
func parseBody(a *Agent, lines []string, first int) error {
	blocks := fencedBlocks(lines, first)
	var firstJSON *block
	var firstErr error
	for i := range blocks {
		b := &blocks[i]
		switch b.lang {
		case "sql":
			if a.ContextQuery == "" {
				a.ContextQuery = b.content
			}
		case "json":
			if a.Schema != nil {
				continue
			}
			if firstJSON == nil {
				firstJSON = b
			}
			if err := schema(b); err != nil {
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			a.Schema, a.SchemaLine = json.RawMessage(b.content), b.line
		}
	}
	if a.Schema != nil {
		return nil
	}
	if firstErr != nil {
		return firstErr
	}
	return &Error{first, "no ```json block holding the output JSON Schema"}
}

func fencedBlocks(lines []string, first int) []block {
	var out []block
	for i := 0; i < len(lines); i++ {
		m := fenceRE.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		fence, info := m[1], strings.TrimSpace(m[2])
		if fence[0] == '`' && strings.Contains(info, "`") {
			continue // not a fence: backticks in a backtick info string
		}
		lang, _, _ := strings.Cut(info, " ")
		b := block{lang: strings.ToLower(lang), line: first + i}
		var body []string
		j := i + 1
		for ; j < len(lines); j++ {
			if isClosingFence(lines[j], fence) {
				break
			}
			body = append(body, lines[j])
		}
		b.content = strings.Join(body, "\n")
		out = append(out, b)
		i = j // an unclosed block runs to the end, as CommonMark says
	}
	return out
}

func isClosingFence(line, open string) bool {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 {
		return false
	}
	t = strings.TrimRight(t, " \t")
	return len(t) >= len(open) && strings.Trim(t, open[:1]) == ""
}

// schema checks that a json block parses and is an object.
func schema(b *block) error {
	var v any
	if err := json.Unmarshal([]byte(b.content), &v); err != nil {
		line := b.line + 1
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			line += strings.Count(b.content[:clamp(syn.Offset, len(b.content))], "\n")
		case errors.As(err, &typ):
			line += strings.Count(b.content[:clamp(typ.Offset, len(b.content))], "\n")
		}
		if strings.TrimSpace(b.content) == "" {
			return &Error{b.line, "the ```json block is empty: it must hold the output JSON Schema"}
		}
		return &Error{line, "the ```json block is not valid JSON: " + err.Error()}
	}
	if _, ok := v.(map[string]any); !ok {
		return &Error{b.line, fmt.Sprintf("the JSON Schema must be an object, not %s", jsonKind(v))}
	}
	return nil
}

func clamp(off int64, n int) int {
	switch {
	case off < 0:
		return 0
	case off > int64(n):
		return n
	}
	return int(off)
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "an array"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}
