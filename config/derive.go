package config

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"

	"scriptsync/address"
	"scriptsync/formats/fountain"
	"scriptsync/library"
)

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// fromTitlePage fills what the configuration left unset from the title
// page, as ScriptRAG's indexer reads it: title, author, season, episode and
// the series title. The whole title page is kept for the SQL backend.
func fromTitlePage(s *library.Script, sp *fountain.Screenplay) {
	s.TitlePage = sp.TitleValues
	s.TitleMetadata = sp.Metadata()
	if s.Title == "" {
		s.Title = sp.Title()
	}
	if s.Author == "" {
		s.Author = sp.Author()
	}
	// A value that is no whole number (or is negative, which the HCL
	// attributes refuse) stays in TitleMetadata only.
	if n, ok := s.TitleMetadata["season"].(int64); ok && n >= 0 && s.Season == nil {
		s.Season = &n
	}
	if n, ok := s.TitleMetadata["episode"].(int64); ok && n >= 0 && s.Episode == nil {
		s.Episode = &n
	}
	if t, ok := s.TitleMetadata["series_title"].(string); ok && s.Series == "" && s.SeriesTitle == "" {
		s.SeriesTitle = t
	}
}

// indexable reports whether a prelude holds something a reader would
// search: dialogue, or action other than the conventional opening
// "FADE IN:" (an action paragraph by fountain.io's rules, but no content).
func indexable(prelude *fountain.Scene) bool {
	for _, b := range prelude.Blocks() {
		if b.Kind == fountain.DialogueBlock {
			return true
		}
		t := strings.TrimRight(strings.ToUpper(strings.TrimSpace(b.Text)), ":.")
		if t != "FADE IN" {
			return true
		}
	}
	return false
}

// deriveScenes turns a screenplay's scenes into the scenes its script owns:
// what comes before the first heading, when it has dialogue or action, is
// scene 0. A prelude of a lone FADE IN: indexes nothing, in ScriptRAG or
// here, so it makes no scene.
func deriveScenes(s *library.Script, sp *fountain.Screenplay) []*library.Scene {
	all := sp.Scenes
	if sp.Prelude != nil && sp.Prelude.Content != "" && indexable(sp.Prelude) {
		all = append([]*fountain.Scene{sp.Prelude}, sp.Scenes...)
	}
	scenes := make([]*library.Scene, 0, len(all))
	for _, fs := range all {
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
			// Scene 0 has no heading; ScriptRAG has no scene for it.
			ScriptRAGHash: sp.ScriptRAGHash(fs),
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
