package config

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"

	"scriptsync/address"
	"scriptsync/formats/fountain"
	"scriptsync/library"
)

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// deriveScenes turns a screenplay's scenes into the scenes its script owns.
func deriveScenes(s *library.Script, sp *fountain.Screenplay) []*library.Scene {
	scenes := make([]*library.Scene, 0, len(sp.Scenes))
	for _, fs := range sp.Scenes {
		sc := &library.Scene{
			Meta: library.Meta{
				Address:        address.Scene(s.Address, fs.Number),
				Resource:       s.Resource,
				PreventDestroy: s.PreventDestroy,
				Range:          s.Range,
			},
			Script:      s.Address,
			Number:      fs.Number,
			Heading:     fs.Heading,
			Location:    fs.Location,
			TimeOfDay:   fs.TimeOfDay,
			Content:     fs.Content,
			ContentHash: sha256Hex(fs.Content),
			Elements:    elements(fs.Blocks()),
		}
		if fs.FountainNumber != "" {
			sc.Metadata = map[string]any{"fountain_number": fs.FountainNumber}
		}
		scenes = append(scenes, sc)
	}
	return scenes
}

// fillScene completes an outline scene from its parsed content: the stored
// content starts with the heading, as a derived scene's does.
func fillScene(sc *library.Scene, body *fountain.Scene) {
	sc.Content = sc.Heading
	if body.Content != "" {
		sc.Content += "\n\n" + body.Content
	}
	sc.ContentHash = sha256Hex(sc.Content)
	sc.Elements = elements(body.Blocks())
}

func elements(blocks []fountain.Block) []library.Element {
	out := make([]library.Element, 0, len(blocks))
	for _, b := range blocks {
		switch b.Kind {
		case fountain.DialogueBlock:
			e := library.Element{Kind: library.Dialogue, Character: b.Character, Text: b.Text, Parenthetical: b.Parenthetical}
			if b.Extension != "" || b.Dual {
				e.Metadata = map[string]any{}
				if b.Extension != "" {
					e.Metadata["extension"] = b.Extension
				}
				if b.Dual {
					e.Metadata["dual"] = true
				}
			}
			out = append(out, e)
		default:
			out = append(out, library.Element{Kind: library.Action, Text: b.Text})
		}
	}
	return out
}

// deriveCharacters lists the characters who speak in a script's scenes.
func deriveCharacters(s *library.Script) []*library.Character {
	seen := map[string]bool{}
	for _, sc := range s.Scenes {
		for _, e := range sc.Elements {
			if e.Kind == library.Dialogue && e.Character != "" {
				seen[e.Character] = true
			}
		}
	}
	chars := make([]*library.Character, 0, len(seen))
	for _, name := range sortedStrings(seen) {
		chars = append(chars, &library.Character{
			Meta: library.Meta{
				Address:        address.Character(s.Address, name),
				Resource:       s.Resource,
				PreventDestroy: s.PreventDestroy,
				Range:          s.Range,
			},
			Script: s.Address,
			Name:   name,
		})
	}
	return chars
}

// splitHeading reads location and time of day from a scene heading the way
// the Fountain parser does for derived scenes.
func splitHeading(heading string) (string, string) {
	sp, err := fountain.Parse([]byte(heading + "\n"))
	if err != nil || len(sp.Scenes) != 1 {
		return "", ""
	}
	return sp.Scenes[0].Location, sp.Scenes[0].TimeOfDay
}

func sortScenes(scenes []*library.Scene) {
	sort.SliceStable(scenes, func(i, j int) bool { return scenes[i].Number < scenes[j].Number })
}
