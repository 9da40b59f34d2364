package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"scriptsync/applier"
	"scriptsync/config"
	"scriptsync/planfile"
	"scriptsync/planner"
	"scriptsync/providers"
	"scriptsync/providers/providertest"
)

// The engine's tests see two fakes and no real provider.
var (
	early = providertest.NewFake("early", true)
	late  = providertest.NewFake("late", false)
)

func init() {
	providers.Register(early.Registration(10))
	providers.Register(late.Registration(20))
}

func reset() {
	for _, f := range []*providertest.Fake{early, late} {
		f.Mu.Lock()
		f.Objects, f.Version, f.Peers, f.Locked, f.BeginCount, f.Warmed, f.DesiredDiags = map[string]string{}, 0, nil, false, 0, 0, nil
		f.Mu.Unlock()
	}
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

const twoSeries = `
variable "title" {
  default = "Night Shift"
}
series "night" {
  title = var.title
}
series "day" {
  title = "Day Shift"
}
`

func open(t *testing.T, dir string, vars ...config.VarArg) *Workspace {
	t.Helper()
	ws, err := Open(context.Background(), Options{Dir: dir, Vars: vars, Warm: true, NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ws.Close)
	return ws
}

func TestOpenBuildsEveryProviderInOrder(t *testing.T) {
	reset()
	ws := open(t, writeConfig(t, twoSeries))
	if got := ws.ProviderNames(); !reflect.DeepEqual(got, []string{"early", "late"}) {
		t.Fatalf("providers %v, want early, late", got)
	}
	for _, b := range ws.Backends {
		if len(b.Desired) != 2 || b.Desired[0].Address != "series.day" || b.Desired[1].Address != "series.night" {
			t.Errorf("%s wants %v, want series.day and series.night", b.Provider.Name(), b.Desired)
		}
	}
}

func TestOpenWarmsOnlyWhenAsked(t *testing.T) {
	reset()
	dir := writeConfig(t, twoSeries)
	open(t, dir)
	if early.Warmed != 1 || late.Warmed != 1 {
		t.Errorf("warmed %d and %d times, want once each", early.Warmed, late.Warmed)
	}
	ws, err := Open(context.Background(), Options{Dir: dir, NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	ws.Close()
	if early.Warmed != 1 {
		t.Errorf("Open without Warm warmed the backends")
	}
}

func TestOpenPutsWarningsBeforeProviderErrors(t *testing.T) {
	reset()
	early.DesiredDiags = hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "early refuses"}}
	late.DesiredDiags = hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "late warns"}}
	defer reset()
	_, err := Open(context.Background(), Options{Dir: writeConfig(t, twoSeries), NoCache: true})
	var de *DiagnosticsError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v, want a DiagnosticsError", err)
	}
	var got []string
	for _, d := range de.Diags {
		got = append(got, d.Summary)
	}
	if !reflect.DeepEqual(got, []string{"late warns", "early refuses"}) {
		t.Errorf("diagnostics %v, want the warning, then the error", got)
	}
}

func TestOpenReportsConfigurationErrors(t *testing.T) {
	reset()
	_, err := Open(context.Background(), Options{Dir: writeConfig(t, `series "x" { title = nope }`), NoCache: true})
	var de *DiagnosticsError
	if !errors.As(err, &de) || !de.Diags.HasErrors() {
		t.Fatalf("err = %v, want a DiagnosticsError", err)
	}
	if de.Files["main.hcl"] == nil {
		t.Errorf("the diagnostics come without the file they point into: %v", de.Files)
	}
}

func plan(t *testing.T, ws *Workspace) *planner.Plan {
	t.Helper()
	p, err := ws.Plan(context.Background(), planner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPlanApplyState(t *testing.T) {
	reset()
	ctx := context.Background()
	dir := writeConfig(t, twoSeries)
	ws := open(t, dir)
	if s := plan(t, ws).Summary(); s.Add != 4 || s.Change != 0 || s.Destroy != 0 {
		t.Fatalf("plan %+v, want 4 to add", s)
	}
	res, err := ws.Apply(ctx, applier.Request{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Applied {
		t.Fatal("nothing applied")
	}
	if late.Peers["early"] != "1" {
		t.Errorf("late recorded peers %v, want early at 1", late.Peers)
	}

	state, err := ws.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range state {
		got = append(got, m.Provider+" "+m.Object.Address)
	}
	want := []string{"early series.day", "late series.day", "early series.night", "late series.night"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("state %v, want %v", got, want)
	}

	if again := plan(t, open(t, dir)); again.HasChanges() {
		t.Errorf("a second plan has changes: %+v", again.Summary())
	}
}

func TestSavedPlanGoesStaleWhenAnInputMoves(t *testing.T) {
	reset()
	dir := writeConfig(t, twoSeries)
	ws := open(t, dir)
	sp := ws.SavedPlan(plan(t, ws), nil, "test")
	if err := open(t, dir).StaleInputs(sp); err != nil {
		t.Fatalf("the same configuration is stale: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(twoSeries+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := open(t, dir).StaleInputs(sp); !errors.Is(err, planfile.ErrStale) {
		t.Fatalf("err = %v, want ErrStale after the configuration changed", err)
	}
}

func TestValidateTouchesNoBackend(t *testing.T) {
	reset()
	diags, files := Validate(Options{Dir: writeConfig(t, twoSeries)})
	if diags.HasErrors() || files["main.hcl"] == nil {
		t.Fatalf("diags %v, files %v", diags, files)
	}
	if early.BeginCount != 0 || late.BeginCount != 0 {
		t.Errorf("validate began a transaction")
	}
	if len(early.Objects) != 0 {
		t.Errorf("validate wrote %v", early.Objects)
	}
}

func TestCacheDir(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, tc := range []struct {
		env  func(string) string
		want string
	}{
		{env("SCRIPTSYNC_CACHE_DIR", "off", "HOME", "/home/u"), ""},
		{env("SCRIPTSYNC_CACHE_DIR", "/c"), "/c"},
		{env("XDG_CACHE_HOME", "/x", "HOME", "/home/u"), "/lib/.scriptsync/cache"},
		{env("HOME", "/home/u"), "/lib/.scriptsync/cache"},
	} {
		if got := CacheDir("/lib", tc.env); got != tc.want {
			t.Errorf("CacheDir = %q, want %q", got, tc.want)
		}
	}
}
