package planfile

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"scriptsync/config"
	"scriptsync/planner"
	"scriptsync/render"
)

// FormatVersion is the version of plan files: that of the JSON plan they
// hold.
const FormatVersion = render.FormatVersion

// ErrNotPlanFile is returned (wrapped) by ReadFile for a file that is not
// a scriptsync plan, or is damaged.
var ErrNotPlanFile = errors.New("planfile: not a scriptsync plan file")

// planMagic opens every plan file's JSON, so a damaged or foreign file is
// recognised before anything else is read.
const planMagic = "scriptsync-plan"

// SavedPlan is a plan file: the plan, and what it was computed from, so
// that applying it can refuse when anything moved. It holds no secrets: no
// DSNs or tokens (they live in the configuration, which it records only as
// a digest) and no sensitive values (only their digests).
type SavedPlan struct {
	Magic             string `json:"magic"`
	FormatVersion     string `json:"format_version"`
	ScriptsyncVersion string `json:"scriptsync_version"`
	// ConfigDigest digests the configuration files; Inputs the other files
	// they read (path → hex SHA-256).
	ConfigDigest string            `json:"config_digest"`
	Inputs       map[string]string `json:"input_digests"`
	// VarArgs are the -var and -var-file arguments of the plan, in order,
	// except -var values of sensitive variables; SensitiveDigests digest
	// the final values of sensitive variables, which are never saved.
	VarArgs          []config.VarArg   `json:"var_args,omitempty"`
	SensitiveDigests map[string]string `json:"sensitive_variable_digests,omitempty"`
	Options          planner.Options   `json:"options"`
	// Versions are the backend versions the plan read.
	Versions map[string]string `json:"backend_versions"`
	// Digest is Plan.Digest of the plan.
	Digest string           `json:"changes_digest"`
	Plan   *render.JSONPlan `json:"plan"`
}

// WriteFile saves a plan file atomically.
func WriteFile(path string, sp *SavedPlan) error {
	sp.Magic = planMagic
	sp.FormatVersion = FormatVersion
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".scriptsync-plan-*")
	if err != nil {
		return fmt.Errorf("write plan file: %w", err)
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriter(tmp)
	// Most of a large plan is hex digests, which no level compresses much
	// better than the fastest.
	zw, _ := gzip.NewWriterLevel(bw, gzip.BestSpeed)
	plain := &counter{w: zw}
	enc := json.NewEncoder(plain)
	if err := enc.Encode(sp); err != nil {
		tmp.Close()
		return fmt.Errorf("write plan file: %w", err)
	}
	if err := zw.Close(); err != nil {
		tmp.Close()
		return fmt.Errorf("write plan file: %w", err)
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("write plan file: %w", err)
	}
	st, err := tmp.Stat()
	if err != nil {
		tmp.Close()
		return fmt.Errorf("write plan file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write plan file: %w", err)
	}
	// Never leave a file that show and apply would refuse as a gzip bomb.
	if limit := expansionLimit(st.Size()); plain.n > limit {
		return fmt.Errorf("write plan file: the plan is %d MiB once decompressed, more than show and apply read from a file of %d MiB (%d MiB); plan fewer changes at a time (-target)",
			plain.n>>20, st.Size()>>20, limit>>20)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write plan file: %w", err)
	}
	return nil
}

// MaxSize bounds a plan file's decompressed size, with MaxRatio: a small
// gzip file can expand to gigabytes, and a plan is read whole into memory.
// A plan of many changes (a library's first apply) is large, and its JSON
// compresses about ten-fold, so a file may expand to MaxRatio times its
// size when that is more than MaxSize.
const (
	MaxSize  = 256 << 20
	MaxRatio = 64
)

// expansionLimit is how large a plan file of size bytes may be once
// decompressed.
var expansionLimit = func(size int64) int64 {
	return max(MaxSize, size*MaxRatio)
}

// counter counts the bytes written through it.
type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// capped reads at most left bytes and then fails, noting that it did.
type capped struct {
	r    io.Reader
	left int64
	over bool
}

var errTooLarge = errors.New("plan file too large")

func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		c.over = true
		return 0, errTooLarge
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// ReadFile reads a plan file, checking that it is one and that this
// version of scriptsync can apply it.
func ReadFile(path string) (*SavedPlan, error) {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return nil, fmt.Errorf("read plan file: %s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("plan file %s does not exist", path)
		}
		return nil, fmt.Errorf("read plan file: %w", err)
	}
	defer f.Close()
	limit := int64(MaxSize)
	if st, err := f.Stat(); err == nil {
		limit = expansionLimit(st.Size())
	}
	zr, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("%w: %s (it is not a saved plan: create one with plan -out=FILE)", ErrNotPlanFile, path)
	}
	// Measure first, in constant memory, so that a small file that
	// expands to gigabytes fails before the decoder buffers any of it.
	tooLarge := fmt.Errorf("%w: %s holds more than %d MiB once decompressed, more than any plan scriptsync writes; run plan -out=FILE again", ErrNotPlanFile, path, limit>>20)
	measure := &capped{r: zr, left: limit}
	if _, err := io.Copy(io.Discard, measure); measure.over {
		return nil, tooLarge
	} else if err != nil {
		return nil, fmt.Errorf("%w: %s is damaged or truncated (%s); run plan -out=FILE again", ErrNotPlanFile, path, describeDecodeError(err))
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read plan file: %w", err)
	}
	if zr, err = gzip.NewReader(bufio.NewReader(f)); err != nil {
		return nil, fmt.Errorf("%w: %s (it is not a saved plan: create one with plan -out=FILE)", ErrNotPlanFile, path)
	}
	var sp SavedPlan
	lr := &capped{r: zr, left: limit}
	dec := json.NewDecoder(lr)
	err = dec.Decode(&sp)
	if lr.over {
		return nil, tooLarge
	}
	if err != nil || sp.Magic != planMagic {
		return nil, fmt.Errorf("%w: %s is damaged or truncated (%s); run plan -out=FILE again", ErrNotPlanFile, path, describeDecodeError(err))
	}
	if _, err := io.Copy(io.Discard, lr); lr.over {
		return nil, tooLarge
	} else if err != nil {
		return nil, fmt.Errorf("%w: %s is damaged or truncated (%s); run plan -out=FILE again", ErrNotPlanFile, path, describeDecodeError(err))
	}
	if err := Stale(&sp, Now{FormatVersion: FormatVersion}); err != nil {
		return nil, fmt.Errorf("%w: %s %s; run plan again", ErrNotPlanFile, path, err.(*StaleError).Reason)
	}
	if sp.Plan == nil {
		return nil, fmt.Errorf("%w: %s holds no plan", ErrNotPlanFile, path)
	}
	return &sp, nil
}

func describeDecodeError(err error) string {
	switch {
	case err == nil:
		return "wrong magic"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "it ends early"
	case strings.Contains(err.Error(), "gzip"), strings.Contains(err.Error(), "flate"):
		return "its compressed data is corrupt"
	default:
		return "its contents are not a plan"
	}
}
