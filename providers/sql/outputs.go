package sql

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// RecordOutputs stores the configuration's output values, as JSON, with
// the bookkeeping, inside the transaction (providers.OutputRecorder).
func (t *Tx) RecordOutputs(ctx context.Context, outputs []byte) error {
	if t.done {
		return errTxDone
	}
	if !json.Valid(outputs) {
		return errors.New("sql: record outputs: not JSON")
	}
	// An apply with nothing to do records them too (an output's
	// expression may be all that changed), and bumps the serial only
	// when they differ.
	same := false
	err := scanAll(ctx, t.s, func(r rows) error {
		var value string
		if err := r.Scan(&value); err != nil {
			return err
		}
		same = value == string(outputs)
		return nil
	}, "SELECT value FROM scriptsync_meta WHERE key = 'outputs'")
	if err != nil {
		return wrapf(err, "record outputs")
	}
	if same {
		return nil
	}
	if err := t.bump(ctx); err != nil {
		return err
	}
	return t.setMeta(ctx, "record outputs", "outputs", string(outputs))
}

// RecordedOutputs returns the outputs the last apply recorded, nil when
// none (providers.OutputReader).
func (p *Provider) RecordedOutputs(ctx context.Context) ([]byte, error) {
	s, err := p.d.read(ctx)
	if errors.Is(err, errNoDatabase) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer s.rollback(ctx)
	inv, err := readMeta(ctx, s)
	if err != nil {
		return nil, fmt.Errorf("sql: read outputs: %w", err)
	}
	if inv.outputs == "" {
		return nil, nil
	}
	return []byte(inv.outputs), nil
}
