package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"

	"scriptsync/config"
	"scriptsync/planner"
	"scriptsync/providers"
)

// The memo is how a plan costs what changed rather than what exists. Every
// full apply leaves one in the backend that commits last (sql), valid for
// exactly the state that commit makes: what the configuration's evaluation
// read (config.Fingerprint: files, variables, environment, every input's
// digest), and a stamp from each other backend (the branch's commit; the
// LFS store's inventory and the stat of every object). A plan that finds
// the memo valid, every stamp unchanged and every input as the fingerprint
// records it knows the answer a full evaluation would give: the apply made
// the backends match that configuration, nothing has changed either side
// since, so there is nothing to do. It then parses no screenplay, derives
// no object and reads no bookkeeping row. Anything else (a changed input,
// a backend touched outside scriptsync, another scriptsync version) takes
// the full path, which is always right.

// memoFormat is the memo's layout; another one is ignored.
const memoFormat = 2

// memo is encoded as a JSON header line (everything but the
// fingerprint) followed by the fingerprint's binary form: most of a memo
// is digests, which neither JSON nor compression does well.
type memo struct {
	Format int `json:"format"`
	// Binary digests the scriptsync executable that wrote the memo: another
	// build may derive other objects from the same inputs.
	Binary string `json:"binary"`
	// Stamps are the other providers' stamps, by name.
	Stamps map[string][]byte   `json:"stamps"`
	Config *config.Fingerprint `json:"-"`
}

func (m *memo) encode() []byte {
	head, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	fp, err := m.Config.MarshalBinary()
	if err != nil {
		return nil
	}
	return append(append(head, '\n'), fp...)
}

// decodeMemo returns nil for anything that is not a memo this build wrote.
func decodeMemo(b []byte) *memo {
	head, rest, ok := bytes.Cut(b, []byte("\n"))
	if !ok {
		return nil
	}
	var m memo
	if err := json.Unmarshal(head, &m); err != nil {
		return nil
	}
	if m.Format != memoFormat || m.Binary == "" || m.Binary != binaryDigest() {
		return nil
	}
	m.Config = &config.Fingerprint{}
	if err := m.Config.UnmarshalBinary(rest); err != nil {
		return nil
	}
	return &m
}

var binaryOnce = sync.OnceValue(func() string {
	// The running image, even when its file was replaced since.
	if runtime.GOOS == "linux" {
		if id := binaryIdentity("/proc/self/exe"); id != "" {
			return id
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	return binaryIdentity(exe)
})

// binaryDigest names the running executable's build, "" when it cannot be
// read (then no memo is written or trusted).
func binaryDigest() string { return binaryOnce() }

// binaryIdentity names the build in the file at path: the Go build ID
// when the file is an ELF executable that carries one, else the SHA-256
// of its bytes; "" when it cannot be read. The build ID's last part is
// the toolchain's hash of the linked program, so it tells builds apart
// as well as the SHA-256 does, and reading it costs a few small reads
// where hashing a 36 MB executable cost 0.05 CPU-seconds a command.
func binaryIdentity(path string) string {
	if id := goBuildID(path); id != "" {
		return "go-buildid:" + id
	}
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// goBuildID returns the build ID in an ELF file's .note.go.buildid, ""
// when there is none (another format, or a build linked with an empty
// -buildid).
func goBuildID(path string) string {
	f, err := elf.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sec := f.Section(".note.go.buildid")
	if sec == nil || sec.Type != elf.SHT_NOTE || sec.Size > 1<<10 {
		return ""
	}
	note, err := sec.Data()
	if err != nil || len(note) < 16 {
		return ""
	}
	// One note: name size, description size, type (4, the Go build ID),
	// the name "Go" padded to four bytes, then the ID.
	bo := f.ByteOrder
	nameSize, descSize, typ := bo.Uint32(note[0:]), bo.Uint32(note[4:]), bo.Uint32(note[8:])
	if nameSize != 4 || typ != 4 || string(note[12:16]) != "Go\x00\x00" || uint64(descSize) > uint64(len(note)-16) {
		return ""
	}
	id := string(note[16 : 16+descSize])
	if !goBuildIDShape(id) {
		return "" // a fixed -buildid= (Bazel's "redacted"): not a build's own
	}
	return id
}

// goBuildIDShape reports whether id is shaped as the go command makes
// build IDs: two to four parts separated by slashes, each a base64url
// hash of at least 20 characters.
func goBuildIDShape(id string) bool {
	parts := strings.Split(id, "/")
	if len(parts) < 2 || len(parts) > 4 {
		return false
	}
	for _, p := range parts {
		if len(p) < 20 {
			return false
		}
		for _, c := range p {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// memoKeeper returns the backend that keeps memos: the only one that
// commits last, if it reads memos. -1 when there is none.
func (w *Workspace) memoKeeper() int {
	keeper := -1
	for i, b := range w.Backends {
		if b.Commit != providers.CommitLast {
			continue
		}
		if keeper >= 0 {
			return -1
		}
		keeper = i
	}
	if keeper >= 0 {
		if _, ok := w.Backends[keeper].Provider.(providers.MemoReader); !ok {
			return -1
		}
	}
	return keeper
}

// recall is Options.Recall for config.Load: it reads the memo and checks
// every stamp, side by side with holds checking the fingerprint (for an
// apply, only a LockedStamper's part before the lock). It
// returns whether the memo held, and whether the backends at least hold
// what the memo's apply left (the memo is kept for a scoped plan then).
// Any error means no: the full plan reads the backends and reports it.
func (w *Workspace) recall(ctx context.Context, holds func(*config.Fingerprint) bool) (held, backends bool) {
	keeper := w.memoKeeper()
	if keeper < 0 || binaryDigest() == "" {
		return false, false
	}
	raw, err := w.Backends[keeper].Provider.(providers.MemoReader).Memo(ctx)
	if err != nil || raw == nil {
		return false, false
	}
	m := decodeMemo(raw)
	if m == nil || len(m.Stamps) != len(w.Backends)-1 {
		return false, false
	}
	results := make(chan bool, len(w.Backends))
	checks := 0
	for i, b := range w.Backends {
		if i == keeper {
			continue
		}
		st, ok := b.Provider.(providers.Stamper)
		stamp, stamped := m.Stamps[b.Provider.Name()]
		if !ok || !stamped {
			return false, false
		}
		checks++
		check := st.Unchanged
		if ls, ok := b.Provider.(providers.LockedStamper); ok && w.opts.Scope && !w.opts.Recall && !w.opts.Saving {
			// An apply: its transactions check the rest under the locks.
			check = ls.UnchangedBeforeLock
		}
		go func() {
			same, err := check(ctx, stamp)
			results <- err == nil && same
		}()
	}
	ok := holds(m.Config)
	backends = true
	for range checks {
		backends = <-results && backends
	}
	if backends {
		sum := sha256.Sum256(raw)
		w.memo, w.memoDigest = m, hex.EncodeToString(sum[:])
	}
	return ok && backends, backends
}

// Recallable reports whether a plan with opts can be answered by a memo
// (Options.Recall).
func Recallable(opts planner.Options) bool { return plainPlan(opts) }

// RecordsOutputs reports whether an apply with opts records the
// outputs: a plain apply or a destroy, not a -target, -refresh-only or
// state-only one (Terraform keeps the old values of the outputs a
// targeted apply may not have brought up to date).
func RecordsOutputs(opts planner.Options) bool {
	return len(opts.Targets) == 0 && !opts.RefreshOnly && !opts.ForgetOnly && !opts.ImportOnly
}

// plainPlan reports whether a plan made with opts is the configuration's
// own (no -target, -replace, -destroy, -refresh-only, state command or
// scriptsync import ADDR ID): the plans a memo answers, and the applies
// that leave one.
func plainPlan(opts planner.Options) bool {
	return !opts.Destroy && len(opts.Targets) == 0 && len(opts.Replace) == 0 &&
		!opts.RefreshOnly && !opts.ForgetOnly && !opts.ImportOnly
}

// memoFor returns the applier's Request.Memo for an apply of this
// workspace with opts, nil when the apply leaves none.
func (w *Workspace) memoFor(opts planner.Options) func(*planner.Plan, map[string][]byte) []byte {
	// A replacement leaves the backends matching the configuration too.
	opts.Replace = nil
	if w.Config == nil || w.Config.Fingerprint == nil || w.Config.Unchanged || len(w.Warnings) > 0 ||
		!plainPlan(opts) || opts.NoRefresh || binaryDigest() == "" {
		return nil
	}
	return w.memoOf(opts, w.Config.Fingerprint)
}

// memoOf is memoFor with the fingerprint fp.
func (w *Workspace) memoOf(opts planner.Options, fp *config.Fingerprint) func(*planner.Plan, map[string][]byte) []byte {
	opts.Replace = nil
	if fp == nil || len(w.Warnings) > 0 || !plainPlan(opts) || opts.NoRefresh || binaryDigest() == "" {
		return nil
	}
	return func(p *planner.Plan, stamps map[string][]byte) []byte {
		if len(p.Warnings) > 0 {
			return nil
		}
		return (&memo{Format: memoFormat, Binary: binaryDigest(), Config: fp, Stamps: stamps}).encode()
	}
}
