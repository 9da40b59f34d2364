package engine

import (
	"context"

	"scriptsync/config"
	"scriptsync/providers"
)

// Unmanaged gathers what every backend that can list it (providers.Lister)
// holds without scriptsync managing it: the rows of a ScriptRAG database,
// the files of a repository.
func (w *Workspace) Unmanaged(ctx context.Context) (*providers.Holdings, error) {
	out := &providers.Holdings{Files: map[string][]byte{}}
	for _, b := range w.Backends {
		l, ok := b.Provider.(providers.Lister)
		if !ok {
			continue
		}
		h, err := l.Unmanaged(ctx)
		if err != nil {
			return nil, &providers.OpError{Provider: b.Provider.Name(), Op: "list unmanaged objects", Err: err}
		}
		out.Series = append(out.Series, h.Series...)
		out.Scripts = append(out.Scripts, h.Scripts...)
		out.Bibles = append(out.Bibles, h.Bibles...)
		out.Embeddings = append(out.Embeddings, h.Embeddings...)
		for p, data := range h.Files {
			out.Files[p] = data
		}
	}
	return out, nil
}

// Generate writes the configuration that adopts what the backends hold
// unmanaged (see config.Generate).
func (w *Workspace) Generate(ctx context.Context) (*config.Generated, error) {
	held, err := w.Unmanaged(ctx)
	if err != nil {
		return nil, err
	}
	declared := map[string]bool{}
	if lib := w.Config.Library; lib != nil {
		for _, s := range lib.Scripts {
			declared[s.Path] = true
		}
		for _, b := range lib.Bibles {
			declared[b.Path] = true
		}
		for _, a := range lib.Agents {
			declared[a.Path] = true
		}
	}
	return config.Generate(config.GenerateInput{Dir: w.Config.Dir, Held: held, SQLBlock: w.Config.Providers["sql"], Declared: declared})
}
