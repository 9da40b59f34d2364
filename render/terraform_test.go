package render

import (
	"bytes"
	"encoding/json"
	"testing"

	"scriptsync/planner"
	"scriptsync/providers"
)

// One block's row, file and object get three distinct addresses, and a
// plan's JSON holds Terraform's keys where Terraform's readers look.
func TestTerraformPlanAddressesEachBackendOnce(t *testing.T) {
	emb := `embedding.ep1["1"]`
	p := &planner.Plan{
		Changes: []*providers.Change{
			{Provider: "sql", Action: providers.Create, After: &providers.Object{Address: emb, Type: "embedding", Attrs: map[string]any{"dimensions": int64(4)}}},
			{Provider: "git", Action: providers.Update,
				Before: &providers.Object{Address: emb, Type: "file", Attrs: map[string]any{"path": "v.npy", "blob": "a"}},
				After:  &providers.Object{Address: emb, Type: "file", Attrs: map[string]any{"path": "v.npy", "blob": "b"}}},
			{Provider: "lfs", Action: providers.Create, After: &providers.Object{Address: emb, Type: "lfs_object", Attrs: map[string]any{"oid": "x"}}},
			{Provider: "sql", Action: providers.Update,
				Before: &providers.Object{Address: "series.s", Type: "series", Attrs: map[string]any{"token": "(sensitive)"}, Sensitive: []string{"token"}},
				After:  &providers.Object{Address: "series.s", Type: "series", Attrs: map[string]any{"token": "(sensitive)", "title": "T"}, Sensitive: []string{"token"}}},
		},
		Drift: []*providers.Change{{Provider: "sql", Action: providers.Delete, Before: &providers.Object{Address: "series.gone", Type: "series"}}},
	}
	var buf bytes.Buffer
	if err := WriteTerraformPlan(&buf, TerraformPlan(p, "test", nil, []NamedValue{{Name: "n", Value: int64(3)}}, nil)); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	rcs := doc["resource_changes"].([]any)
	want := []string{emb, emb + ".git_file", emb + ".lfs_object", "series.s"}
	types := []string{"embedding", "git_file", "lfs_object", "series"}
	for i, rc := range rcs {
		m := rc.(map[string]any)
		if m["address"] != want[i] || m["type"] != types[i] || m["mode"] != "managed" || m["name"] != map[bool]string{true: "s", false: "ep1"}[i == 3] {
			t.Errorf("resource_changes[%d] = %v %v %v", i, m["address"], m["type"], m["name"])
		}
		ch := m["change"].(map[string]any)
		for _, k := range []string{"actions", "before", "after", "after_unknown", "before_sensitive", "after_sensitive"} {
			if _, ok := ch[k]; !ok {
				t.Errorf("resource_changes[%d].change has no %s", i, k)
			}
		}
	}
	last := rcs[3].(map[string]any)["change"].(map[string]any)
	if last["after"].(map[string]any)["token"] != nil || last["after_sensitive"].(map[string]any)["token"] != true {
		t.Errorf("sensitive attribute: after %v, after_sensitive %v", last["after"], last["after_sensitive"])
	}
	if d := doc["resource_drift"].([]any); len(d) != 1 || d[0].(map[string]any)["address"] != "series.gone" {
		t.Errorf("resource_drift %v", doc["resource_drift"])
	}
	if oc := doc["output_changes"].(map[string]any)["n"].(map[string]any); oc["after"] != float64(3) {
		t.Errorf("output_changes %v", oc)
	}
	if n := len(doc["planned_values"].(map[string]any)["root_module"].(map[string]any)["resources"].([]any)); n != 4 {
		t.Errorf("planned_values has %d resources, want 4", n)
	}
	if n := len(doc["prior_state"].(map[string]any)["values"].(map[string]any)["root_module"].(map[string]any)["resources"].([]any)); n != 2 {
		t.Errorf("prior_state has %d resources, want 2", n)
	}
}
