package sql

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
)

// The memo (providers.MemoRecorder) is kept in scriptsync_meta as three
// rows: 'memo', the bytes in base64 (the value column is text on both
// databases), 'memo_digest', their SHA-256, and 'memo_serial', the serial
// of the state it was recorded with. It holds for that state only: every apply and state command bumps
// the serial, and the drift triggers flag every change and deletion
// another writer makes to a managed row, so a memo whose serial is the
// current one, with nothing flagged, describes the database exactly.

// RecordMemo stores memo with the state this transaction commits: the
// serial after the bump, or, when the transaction changes nothing, the
// serial it read.
func (t *Tx) RecordMemo(ctx context.Context, memo []byte) error {
	if t.done {
		return errTxDone
	}
	if !t.read {
		if err := t.load(ctx); err != nil {
			return err
		}
	}
	serial := strconv.FormatInt(t.base, 10)
	if t.bumped {
		serial = strconv.FormatInt(t.serial, 10)
	}
	sum := sha256.Sum256(memo)
	digest := hex.EncodeToString(sum[:])
	// An apply with nothing to do records the memo again; at a library's
	// size it is megabytes, written only when it differs.
	same := 0
	err := scanAll(ctx, t.s, func(r rows) error {
		var key, value string
		if err := r.Scan(&key, &value); err != nil {
			return err
		}
		if (key == "memo_serial" && value == serial) || (key == "memo_digest" && value == digest) {
			same++
		}
		return nil
	}, "SELECT key, value FROM scriptsync_meta WHERE key IN ('memo_serial', 'memo_digest')")
	if err != nil {
		return wrapf(err, "record memo")
	}
	if same == 2 {
		return nil
	}
	outputs, err := outputsDigest(ctx, t.s)
	if err != nil {
		return wrapf(err, "record memo")
	}
	for _, kv := range [][2]string{{"memo", base64.StdEncoding.EncodeToString(memo)}, {"memo_digest", digest}, {"memo_serial", serial}, {"memo_outputs", outputs}} {
		if err := t.setMeta(ctx, "record memo", kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}

// outputsDigest is the SHA-256 of the outputs recorded in s, or of ""
// when there are none.
func outputsDigest(ctx context.Context, s session) (string, error) {
	value := ""
	err := scanAll(ctx, s, func(r rows) error { return r.Scan(&value) },
		"SELECT value FROM scriptsync_meta WHERE key = 'outputs'")
	sum := sha256.Sum256([]byte(value))
	return hex.EncodeToString(sum[:]), err
}

// Memo returns the memo recorded with the state the database holds now
// (providers.MemoReader): nil when there is none, when the serial moved on
// since, when a managed row is flagged as changed outside scriptsync, or
// when the schema is not this version's.
func (p *Provider) Memo(ctx context.Context) ([]byte, error) {
	s, err := p.d.read(ctx)
	if errors.Is(err, errNoDatabase) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer s.rollback(ctx)
	v, err := readSchemaVersion(ctx, s)
	if err != nil {
		return nil, err
	}
	if v != schemaVersion {
		return nil, nil
	}
	var serial, memo string
	err = scanAll(ctx, s, func(r rows) error {
		var key, value string
		if err := r.Scan(&key, &value); err != nil {
			return err
		}
		switch key {
		case "serial":
			serial = value
		case "memo":
			memo = value
		}
		return nil
	}, "SELECT key, value FROM scriptsync_meta WHERE key IN ('serial', 'memo')")
	if err != nil {
		return nil, wrapf(err, "read memo")
	}
	n, err := strconv.ParseInt(serial, 10, 64)
	if memo == "" || err != nil {
		return nil, nil
	}
	held, err := memoHolds(ctx, s, n)
	if err != nil {
		return nil, wrapf(err, "read memo")
	}
	if !held {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(memo)
	if err != nil {
		return nil, nil // damaged: the plan reads everything
	}
	return b, nil
}
