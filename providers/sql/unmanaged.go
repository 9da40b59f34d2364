package sql

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"math"

	"scriptsync/providers"
)

var _ providers.Lister = (*Provider)(nil)

// Unmanaged lists the series, scripts and bibles rows that scriptsync's
// bookkeeping does not name (all of them in a database ScriptRAG built).
func (p *Provider) Unmanaged(ctx context.Context) (*providers.Holdings, error) {
	s, err := p.d.read(ctx)
	if errors.Is(err, errNoDatabase) {
		return &providers.Holdings{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer s.rollback(ctx)
	managed := map[driftKey]bool{}
	v, err := readSchemaVersion(ctx, s)
	if err != nil {
		return nil, err
	}
	if v > 0 {
		err := scanAll(ctx, s, func(r rows) error {
			var k driftKey
			if err := r.Scan(&k.typ, &k.id); err != nil {
				return err
			}
			managed[k] = true
			return nil
		}, "SELECT type, row_id FROM scriptsync_objects")
		if err != nil {
			return nil, wrapf(err, "read scriptsync_objects")
		}
	}
	h := &providers.Holdings{}
	if c, err := s.columns(ctx, "series"); err != nil {
		return nil, wrapf(err, "inspect series")
	} else if c != nil {
		err := scanAll(ctx, s, func(r rows) error {
			var row providers.HeldSeries
			var desc sql.NullString
			if err := r.Scan(&row.ID, &row.Title, &desc); err != nil {
				return err
			}
			row.Description = desc.String
			if !managed[driftKey{typeSeries, row.ID}] {
				h.Series = append(h.Series, row)
			}
			return nil
		}, "SELECT id, title, description FROM series ORDER BY id")
		if err != nil {
			return nil, wrapf(err, "read series")
		}
	}
	cols, err := s.columns(ctx, "scripts")
	if err != nil {
		return nil, wrapf(err, "inspect scripts")
	}
	if cols == nil {
		return h, nil
	}
	seriesID := "NULL"
	if cols["series_id"] {
		seriesID = "series_id"
	}
	err = scanAll(ctx, s, func(r rows) error {
		var row providers.HeldScript
		var author, series, project, md sql.NullString
		var sid, season, episode sql.NullInt64
		if err := r.Scan(&row.ID, &row.Title, &author, &row.FilePath, &sid, &series, &season, &episode, &project, &md); err != nil {
			return err
		}
		row.Author, row.SeriesID, row.SeriesTitle, row.ProjectTitle, row.Metadata = author.String, sid.Int64, series.String, project.String, md.String
		if season.Valid {
			row.Season = &season.Int64
		}
		if episode.Valid {
			row.Episode = &episode.Int64
		}
		if !managed[driftKey{typeScript, row.ID}] {
			h.Scripts = append(h.Scripts, row)
		}
		return nil
	}, "SELECT id, title, author, file_path, "+seriesID+", series_title, season, episode, project_title, CAST(metadata AS TEXT) FROM scripts ORDER BY id")
	if err != nil {
		return nil, wrapf(err, "read scripts")
	}
	if c, err := s.columns(ctx, "script_bibles"); err != nil {
		return nil, wrapf(err, "inspect script_bibles")
	} else if c != nil {
		err := scanAll(ctx, s, func(r rows) error {
			var row providers.HeldBible
			var title sql.NullString
			if err := r.Scan(&row.ID, &row.ScriptID, &row.FilePath, &title); err != nil {
				return err
			}
			row.Title = title.String
			if !managed[driftKey{typeBible, row.ID}] {
				h.Bibles = append(h.Bibles, row)
			}
			return nil
		}, "SELECT id, script_id, file_path, title FROM script_bibles ORDER BY id")
		if err != nil {
			return nil, wrapf(err, "read script_bibles")
		}
	}
	if err := readHeldEmbeddings(ctx, s, managed, h); err != nil {
		return nil, err
	}
	return h, nil
}

// readHeldEmbeddings adds the unmanaged scene embeddings whose vectors
// decode: ScriptRAG's encoding (a little-endian uint32 count, then the
// float32s), or bare float32s.
func readHeldEmbeddings(ctx context.Context, s session, managed map[driftKey]bool, h *providers.Holdings) error {
	if c, err := s.columns(ctx, "embeddings"); err != nil {
		return wrapf(err, "inspect embeddings")
	} else if c == nil {
		return nil
	}
	err := scanAll(ctx, s, func(r rows) error {
		var e providers.HeldEmbedding
		var blob []byte
		if err := r.Scan(&e.ID, &e.ScriptID, &e.SceneNumber, &e.Model, &blob); err != nil {
			return err
		}
		if managed[driftKey{typeEmbedding, e.ID}] {
			return nil
		}
		if n := len(blob); n >= 4 && int(binary.LittleEndian.Uint32(blob))*4 == n-4 {
			blob = blob[4:]
		} else if n%4 != 0 || n == 0 {
			return nil // not a vector scriptsync can declare
		}
		e.Vector = make([]float32, len(blob)/4)
		for i := range e.Vector {
			e.Vector[i] = math.Float32frombits(binary.LittleEndian.Uint32(blob[4*i:]))
		}
		h.Embeddings = append(h.Embeddings, e)
		return nil
	}, "SELECT e.id, s.script_id, s.scene_number, e.embedding_model, e.embedding FROM embeddings e "+
		"JOIN scenes s ON s.id = e.entity_id WHERE e.entity_type = 'scene' ORDER BY e.id")
	if err != nil {
		return wrapf(err, "read embeddings")
	}
	return nil
}
