package planfile

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"scriptsync/config"
	"scriptsync/render"
)

func saved() *SavedPlan {
	return &SavedPlan{
		FormatVersion:    FormatVersion,
		ConfigDigest:     "c1",
		Inputs:           map[string]string{"a.fountain": "h1"},
		SensitiveDigests: map[string]string{"token": "t1"},
		VarArgs:          []config.VarArg{{Name: "title", Value: "Pilot"}, {File: "x.vars.hcl"}},
		Versions:         map[string]string{"sql": "3", "git": "abc"},
		Digest:           "d1",
		Plan:             &render.JSONPlan{FormatVersion: FormatVersion},
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.plan")
	want := saved()
	if err := WriteFile(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read %+v, want %+v", got, want)
	}
}

func TestReadRefusesAnotherMajorVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.plan")
	sp := saved()
	sp.Magic, sp.FormatVersion = planMagic, "2.0"
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(sp); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(path)
	if !errors.Is(err, ErrNotPlanFile) || !strings.Contains(err.Error(), path+" has format version 2.0, which this scriptsync (format "+FormatVersion+") cannot apply; run plan again") {
		t.Errorf("ReadFile = %v, want the format refused", err)
	}
	if err := Stale(&SavedPlan{FormatVersion: "1.7"}, Now{FormatVersion: "1.0"}); err != nil {
		t.Errorf("a minor version is refused: %v", err)
	}
}

func TestReadRefusesOtherFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.plan")
	if err := os.WriteFile(path, []byte("not gzip"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(path); !errors.Is(err, ErrNotPlanFile) {
		t.Errorf("ReadFile = %v, want ErrNotPlanFile", err)
	}
}

func TestStale(t *testing.T) {
	cfg := func(digest string, inputs map[string]string) *config.Config {
		return &config.Config{Digest: digest, Inputs: inputs, Variables: []*config.Variable{{Name: "token", Sensitive: true}}}
	}
	same := cfg("c1", map[string]string{"a.fountain": "h1"})
	for _, tc := range []struct {
		name string
		now  Now
		want string // "" when fresh
	}{
		{"nothing known", Now{}, ""},
		{"same inputs", Now{Config: same, VariableDigests: map[string]string{"token": "t1"}}, ""},
		{"config changed", Now{Config: cfg("c2", map[string]string{"a.fountain": "h1"}), VariableDigests: map[string]string{"token": "t1"}},
			"Saved plan is stale: the configuration files changed"},
		{"input changed and added", Now{Config: cfg("c1", map[string]string{"a.fountain": "h2", "b.npy": "h3"}), VariableDigests: map[string]string{"token": "t1"}},
			"Saved plan is stale: input files changed: a.fountain, b.npy"},
		{"sensitive value changed", Now{Config: same, VariableDigests: map[string]string{"token": "t2"}},
			`the variable "token" has another value than at plan time`},
		{"same versions", Now{Versions: map[string]string{"sql": "3", "git": "abc"}}, ""},
		{"versions moved", Now{Versions: map[string]string{"sql": "4", "git": ""}},
			"Saved plan is stale: git moved from abc to (empty), sql moved from 3 to 4 since the plan was made"},
		{"same changes", Now{Digest: "d1"}, ""},
		{"other changes", Now{Digest: "d2"}, "the changes it would make today differ from the saved ones"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Stale(saved(), tc.now)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Stale = %v, want fresh", err)
			case tc.want != "" && (!errors.Is(err, ErrStale) || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Stale = %v, want ErrStale saying %q", err, tc.want)
			}
		})
	}
}
