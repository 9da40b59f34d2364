package config

import (
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"scriptsync/formats/agentfile"
	"scriptsync/formats/npy"
	"scriptsync/library"
)

func (ev *evaluator) buildAgent(inst *instance) cty.Value {
	source := str(inst.vals["source"])
	ev.l.inputs.claim(source, inst.meta.Resource, slices.Contains(inst.meta.Sensitive, "source"))
	data, hash, err := ev.l.inputs.read(source)
	if err != nil {
		ev.diag(errorAt(inst.rngs["source"], "Cannot read agent source", "%s.", err))
		return cty.NilVal
	}
	if err := checkText(data); err != nil {
		ev.diag(errorAt(inst.rngs["source"], "Invalid agent", "%s: %s.", source, err))
		return cty.NilVal
	}
	parsed, err := agentfile.Parse(data)
	if err != nil {
		ev.diag(errorAt(inst.rngs["source"], "Invalid agent", "%s: %s.", source, strings.TrimSuffix(err.Error(), ".")))
		return cty.NilVal
	}
	a := &library.Agent{
		Meta:        inst.meta,
		Key:         keyOf(inst),
		Source:      source,
		Path:        defaultPath(library.AgentDir, inst, ".md"),
		Data:        data,
		Hash:        hash,
		Description: parsed.Description,
		Version:     parsed.Version,
		RequiresLLM: parsed.RequiresLLM,
	}
	ev.agents = append(ev.agents, a)
	return cty.ObjectVal(map[string]cty.Value{
		"address":     cty.StringVal(a.Address),
		"path":        cty.StringVal(a.Path),
		"description": cty.StringVal(a.Description),
		"version":     cty.StringVal(a.Version),
	})
}

// inspectVector validates a .npy embedding and returns its length and
// where its float32 data starts.
func inspectVector(data []byte) (int, int64, error) {
	h, err := npy.Parse("", data)
	if err != nil {
		return 0, 0, errTrim{strings.TrimPrefix(err.Error(), "npy: ")}
	}
	return h.Dimensions, h.DataOffset, nil
}

type errTrim struct{ s string }

func (e errTrim) Error() string { return e.s }
