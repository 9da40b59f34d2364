package config

import (
	"sort"
	"strings"

	"scriptsync/address"
	"scriptsync/library"
)

// assemble completes the objects that depend on others (outline scenes,
// declared characters, embeddings) and returns the library in address
// order.
func (ev *evaluator) assemble() *library.Library {
	lib := &library.Library{Dir: ev.l.dir}

	// Outline scenes join their scripts.
	numbers := map[string]map[int]string{}
	for _, sc := range ev.sceneBlocks {
		s := ev.scriptByAddr[sc.Script]
		if numbers[s.Address] == nil {
			numbers[s.Address] = map[int]string{}
		}
		if other, dup := numbers[s.Address][sc.Number]; dup {
			ev.diag(errorAt(sc.Range, "Duplicate scene number",
				"%s and %s are both scene %d of %s. Scene numbers must be unique within a script.", other, sc.Address, sc.Number, s.Address))
			continue
		}
		numbers[s.Address][sc.Number] = sc.Address
		s.Scenes = append(s.Scenes, sc)
	}
	for _, s := range ev.scripts {
		if s.Source != "" {
			continue
		}
		sortScenes(s.Scenes)
		s.Characters = deriveCharacters(s)
		var b strings.Builder
		for _, sc := range s.Scenes {
			b.WriteString(itoa(sc.Number) + " " + sc.ContentHash + "\n")
		}
		if len(s.Scenes) > 0 {
			s.ContentHash = sha256Hex(b.String())
		}
	}

	// Character blocks describe derived characters or add new ones.
	declared := map[string]string{} // character address → block address
	for _, cb := range ev.charBlocks {
		c := cb.c
		if other, dup := declared[c.Address]; dup {
			ev.diag(errorAt(c.Range, "Duplicate character",
				"%s and %s both declare the character %q of %s.", other, cb.inst.addr, c.Name, c.Script))
			continue
		}
		declared[c.Address] = cb.inst.addr
		s := ev.scriptByAddr[c.Script]
		var existing *library.Character
		for _, d := range s.Characters {
			if d.Name == c.Name {
				existing = d
				break
			}
		}
		if existing == nil {
			s.Characters = append(s.Characters, c)
			continue
		}
		existing.Resource = c.Resource
		existing.Range = c.Range
		existing.Aliases = c.Aliases
		existing.Description = c.Description
		existing.Metadata = c.Metadata
		existing.Sensitive = c.Sensitive
		existing.PreventDestroy = existing.PreventDestroy || c.PreventDestroy
	}
	ev.bindAliases(declared)
	for _, s := range ev.scripts {
		sort.Slice(s.Characters, func(i, j int) bool { return s.Characters[i].Name < s.Characters[j].Name })
	}

	// One embedding per scene and model: the SQL index keys on both.
	byTarget := map[string]string{}
	for _, e := range ev.embeddings {
		k := e.Scene + "\x00" + e.Model
		if other, dup := byTarget[k]; dup {
			ev.diag(errorAt(e.Range, "Duplicate embedding",
				"%s and %s both embed %s with model %q. A scene has at most one embedding per model.", other, e.Address, e.Scene, e.Model))
			continue
		}
		byTarget[k] = e.Address
		lib.Embeddings = append(lib.Embeddings, e)
	}

	lib.Series = ev.series
	lib.Scripts = ev.scripts
	lib.Bibles = ev.bibles
	lib.Agents = ev.agents
	sort.Slice(lib.Series, func(i, j int) bool { return lib.Series[i].Address < lib.Series[j].Address })
	sort.Slice(lib.Scripts, func(i, j int) bool { return lib.Scripts[i].Address < lib.Scripts[j].Address })
	sort.Slice(lib.Embeddings, func(i, j int) bool { return lib.Embeddings[i].Address < lib.Embeddings[j].Address })
	sort.Slice(lib.Bibles, func(i, j int) bool { return lib.Bibles[i].Address < lib.Bibles[j].Address })
	sort.Slice(lib.Agents, func(i, j int) bool { return lib.Agents[i].Address < lib.Agents[j].Address })
	return lib
}

// bindAliases makes the cues a character block lists as aliases speak as
// that character: their dialogue names it, and no character of their own
// is derived. declared maps every declared character's address to its
// block. An alias that another block declares as a character of its own
// is an error.
func (ev *evaluator) bindAliases(declared map[string]string) {
	for _, cb := range ev.charBlocks {
		c := cb.c
		if len(c.Aliases) == 0 || declared[c.Address] != cb.inst.addr {
			continue
		}
		s := ev.scriptByAddr[c.Script]
		for _, alias := range c.Aliases {
			if alias == c.Name {
				continue
			}
			if other, ok := declared[address.Character(s.Address, alias)]; ok {
				ev.diag(errorAt(c.Range, "Alias declared as a character",
					"%s lists %q as an alias of %s, but %s declares it as a character of its own.", cb.inst.addr, alias, c.Name, other))
				continue
			}
			kept := s.Characters[:0]
			for _, d := range s.Characters {
				if d.Name != alias {
					kept = append(kept, d)
				}
			}
			s.Characters = kept
			for _, sc := range s.Scenes {
				for i := range sc.Elements {
					if el := &sc.Elements[i]; el.Kind == library.Dialogue && el.Character == alias {
						el.Character = c.Name
					}
				}
			}
		}
	}
}
