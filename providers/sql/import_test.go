package sql

import "testing"

// cell decides whether an imported row already holds what scriptsync
// would write: values equal across drivers and encodings compare equal,
// and nothing else does.
func TestImportCellCompares(t *testing.T) {
	same := [][2]any{
		{int64(3), 3.0},
		{int64(3), int32(3)},
		{`{"b": 1, "a": [1, 2]}`, `{"a":[1,2],"b":1}`},
		{[]byte(`{"a":1}`), map[string]any{"a": 1.0}},
		{"text", []byte("text")},
		{nil, nil},
		{true, int64(1)},
	}
	for _, p := range same {
		if cell(p[0]) != cell(p[1]) {
			t.Errorf("cell(%#v) = %q, cell(%#v) = %q: want equal", p[0], cell(p[0]), p[1], cell(p[1]))
		}
	}
	differ := [][2]any{
		{nil, ""},
		{nil, "null"},
		{int64(3), 3.5},
		{`{"a":1}`, `{"a":2}`},
		{"{not json", "{not json "},
		{"1", int64(2)},
	}
	for _, p := range differ {
		if cell(p[0]) == cell(p[1]) {
			t.Errorf("cell(%#v) and cell(%#v) are both %q: want them to differ", p[0], p[1], cell(p[0]))
		}
	}
}
