package providers

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"scriptsync/library"
)

// Provider is a backend that scriptsync keeps in sync with a library.
type Provider interface {
	// Name is the provider's registry name: "sql", "git" or "lfs".
	Name() string
	// Desired returns the objects that lib wants in this backend, sorted by
	// address. It does no I/O and changes neither lib nor the provider: the
	// providers' Desired run side by side, and Apply learns everything it
	// needs from the objects (Payload, Source), not from state Desired
	// left behind.
	Desired(lib *library.Library) ([]*Object, hcl.Diagnostics)
	// Read returns the managed objects the backend holds and its version,
	// without taking a lock. A backend that does not exist yet reads as
	// empty, with version "". want is the desired objects; a
	// content-addressed backend uses it to learn which of them it already
	// holds. A backend may leave Deps unset on the objects want holds
	// unchanged (same address, type and hash), whose dependencies no plan
	// uses, and make their attributes only when asked (AttrsFunc).
	Read(ctx context.Context, want []*Object) (*State, error)
	// Begin opens a transaction and takes the backend's write lock, waiting
	// up to opts.LockTimeout for it; when it cannot, it returns a
	// *LockError.
	Begin(ctx context.Context, opts BeginOptions) (Tx, error)
	// Close releases connections. The provider is not used afterwards.
	Close() error
}

// BeginOptions tunes Begin.
type BeginOptions struct {
	// LockTimeout is how long to wait for a lock another apply holds; zero
	// means do not wait (fail at once if it is held), as Terraform's
	// -lock-timeout=0s does.
	LockTimeout time.Duration
}

// Tx is one provider's part of an apply.
type Tx interface {
	// Read is Provider.Read as seen from inside the transaction, under its
	// lock, so that the plan the applier computes from it cannot be
	// invalidated by a concurrent apply.
	Read(ctx context.Context, want []*Object) (*State, error)
	// Apply carries out the changes inside the transaction. The changes all
	// belong to this provider and are in apply order. progress, when not
	// nil, is called as objects complete.
	Apply(ctx context.Context, changes []*Change, progress Progress) error
	// Commit makes the applied changes visible.
	Commit(ctx context.Context) error
	// Rollback discards them. It is a no-op after Commit, and safe to call
	// more than once.
	Rollback(ctx context.Context) error
}

// Progress is told about completed work: objects done and bytes moved.
type Progress func(objects int, bytes int64)

// Compensator is implemented by the Tx of a provider registered with
// CommitUndoable: its Commit cannot be held open until every provider is
// ready (a git branch move) but can be undone afterwards. The applier
// commits these before the CommitLast one and calls Compensate on them
// when a later commit fails.
type Compensator interface {
	// Compensate undoes a successful Commit. It must be idempotent and must
	// not undo anyone else's later changes (a branch moves back only by
	// compare-and-swap from the commit this Tx made).
	Compensate(ctx context.Context) error
}

// VersionReporter is implemented by a Tx that can tell, after Commit, the
// version its commit produced (the new commit hash).
type VersionReporter interface {
	CommittedVersion() string
}

// Finisher is implemented by a Tx with work that may happen only once every
// provider has committed: removing what the apply unreferenced (LFS
// objects no managed pointer names any more), which a rollback must still
// find. The applier calls Finish after the last commit; an error there
// does not undo the apply, it is reported as a warning, and the next apply
// finishes the work.
type Finisher interface {
	Finish(ctx context.Context) error
}

// PeerRecorder is implemented by the Tx that commits last (sql). Just
// before its Commit the applier hands it the versions the other providers
// committed, and it stores them with its own state, so that a later Read
// returns them in State.Peers and a plan can tell that an apply stopped
// between two commits.
type PeerRecorder interface {
	RecordPeers(ctx context.Context, versions map[string]string) error
}

// Vouchable is implemented by a provider, and its Tx, that keeps the
// record of what it manages in the backend itself, where anyone who can
// write there can edit it (git's manifest is a file on the branch). After
// every Read (a plan's, state's, and the apply's under the locks) the
// applier calls Vouch with the state Read returned, the same want, and
// the version the PeerRecorder recorded for this provider at the last
// apply ("" when none is recorded). The provider drops from st what that
// version does not vouch for, so that no plan deletes or rewrites it, and
// says so in st.Warnings; a Tx then leaves it out of what it commits.
// It should cost nothing when st.Version is recorded.
type Vouchable interface {
	Vouch(ctx context.Context, st *State, want []*Object, recorded string) error
}

// OutputRecorder is implemented by the Tx that commits last (sql): just
// before its Commit, the applier hands it the configuration's output
// values as JSON (sensitive ones without their value), which it stores
// with its own state for the output command.
type OutputRecorder interface {
	RecordOutputs(ctx context.Context, outputs []byte) error
}

// MemoRecorder is implemented by the Tx that commits last (sql): just
// before its Commit the applier hands it the memo of the apply (what the
// configuration's evaluation read, and the other backends' stamps: see
// Stamper), which it keeps with its own state, valid for exactly the state
// this commit makes.
type MemoRecorder interface {
	RecordMemo(ctx context.Context, memo []byte) error
}

// MemoReader is implemented by a provider that records memos: Memo returns
// the memo recorded with the state the backend holds now, or nil when that
// state is not one a memo was recorded for (another apply or a state
// command since, changes outside scriptsync, a pending migration). It is
// much cheaper than Read.
type MemoReader interface {
	Memo(ctx context.Context) ([]byte, error)
}

// Stamper is implemented by a provider that can tell, much more cheaply
// than by Read, that its backend still holds exactly what an apply left:
// Stamp, called once every provider before the last has committed,
// describes the managed state (desired is what the apply wanted, version
// the backend's version as the apply left it); Unchanged reports whether
// the backend still matches a stamp. Either may refuse (ErrNoStamp, or
// false) when it cannot be sure, and a plan then reads the backend.
type Stamper interface {
	Stamp(ctx context.Context, desired []*Object, version string) ([]byte, error)
	Unchanged(ctx context.Context, stamp []byte) (bool, error)
}

// LockedStamper is a Stamper whose transaction's ReadScope checks again,
// under the lock, everything Unchanged checks. Before an apply, which
// reads under the lock anyway, UnchangedBeforeLock checks only what is
// cheap to (an LFS store's inventory file, not every object's stat):
// what it leaves unchecked the transaction finds, and the apply then
// takes the full path.
type LockedStamper interface {
	UnchangedBeforeLock(ctx context.Context, stamp []byte) (bool, error)
}

// ScopeStamper is a Stamper that can stamp its backend after an apply of
// part of the configuration (config.Scope): desired are the objects of
// resources, and every other object is as the apply the memo recalls
// left it.
type ScopeStamper interface {
	StampScope(ctx context.Context, desired []*Object, resources map[string]bool, version string) ([]byte, error)
}

// ErrNoStamp is a Stamper that cannot vouch for its backend as configured
// (a remote it would have to ask).
var ErrNoStamp = errors.New("backend cannot be stamped")

// ScopeReader is implemented by a provider that can read the objects of
// some resources only (Object.Resource), for a plan of what changed since
// the last apply (config.Scope): want are the desired objects of those
// resources. It is used only when the memo and every stamp held, so the
// backend holds exactly what that apply left; stamp is this provider's
// (nil for the memo's keeper, which checks its own). It returns ErrScope
// when it cannot tell what a full Read would report of those resources
// (the backend moved on since; a desired object new to it): the plan
// then reads everything.
type ScopeReader interface {
	ReadScope(ctx context.Context, want []*Object, resources map[string]bool, stamp []byte) (*State, error)
}

// ErrScope is a ScopeReader's refusal (see there).
var ErrScope = errors.New("the backend cannot be read in part")

// OutputReader is implemented by a provider that records outputs: it
// returns what the last apply recorded, nil when nothing was.
type OutputReader interface {
	RecordedOutputs(ctx context.Context) ([]byte, error)
}

// LocalObjects is implemented by a provider that keeps content-addressed
// objects on this machine (lfs): LocalObjectPath is the file holding oid,
// or "" when it is not here. A plan reads old vectors from it.
type LocalObjects interface {
	LocalObjectPath(oid string) string
}

// BlobReader is implemented by a provider that can read the content of a
// file it committed (git), by the blob id its attributes show: a plan
// diffs the text of changed agents with it.
type BlobReader interface {
	ReadBlob(id string) ([]byte, error)
}

// Import is one import block (or scriptsync import ADDR ID): the object
// the configuration declares at To is the one the backend holds under ID,
// which scriptsync does not manage yet.
type Import struct {
	To, ID string
}

// Importer is implemented by a provider, and by its Tx, that can adopt
// objects it holds without managing them. Import returns, for each
// import, the unmanaged objects the backend holds at the import's address
// and within it, as actual objects: the desired Address, Type and
// Resource, ID the backend's handle, Import the import's ID, and the
// desired object's Hash when the backend holds exactly what Apply would
// write (another Hash otherwise, with Attrs showing what it holds). An
// unmanaged object within the address that the configuration does not
// declare (a scene row its source no longer has) is returned too, at an
// address of its own, and the plan deletes it. An import whose address
// names none of this backend's objects returns nothing; an ID that names
// nothing this backend should hold, or an object scriptsync already
// manages under another address, is an error naming the import's address
// and ID. want is the provider's desired objects. Import does not take a
// lock (the Tx's does, under the transaction's).
type Importer interface {
	Import(ctx context.Context, imports []Import, want []*Object) ([]*Object, error)
}

// Warmer is implemented by a provider that can start reading its backend
// before the desired objects are known, while the configuration is still
// being evaluated. Warm returns at once and reads in the background,
// without a lock and without creating anything; the next Read, or Tx.Read,
// uses what it read where that is still current and reads afresh where it
// is not, so that the result is the same as without Warm. Close stops it.
type Warmer interface {
	Warm(ctx context.Context)
}

// Initializer is implemented by a provider that can create its backend
// ahead of the first apply (scriptsync init). Init is idempotent.
type Initializer interface {
	Init(ctx context.Context) error
}

// SchemaVersioner is implemented by a provider that stores data in a
// versioned format of its own (the SQL schema, the git manifest), for
// scriptsync version.
type SchemaVersioner interface {
	SchemaVersion() string
}

// Describer is implemented by a provider that can name its backend in one
// short line for humans ("sqlite scriptrag.db"). It never includes secrets.
type Describer interface {
	Describe() string
}

// State is what a backend holds.
type State struct {
	// Version changes whenever the managed state changes: the SQL inventory
	// serial, the git branch's commit hash. A saved plan records it, and
	// applying the plan refuses when it moved.
	Version string
	// Objects are the managed objects, in any order.
	Objects []*Object
	// Peers are the versions of the other providers that the last apply
	// committed together with this one (see PeerRecorder); nil when the
	// provider does not record them.
	Peers map[string]string
	// Warnings are things a human should know about the backend.
	Warnings []string
	// Pending are changes the next apply makes to the backend that are not
	// objects (a schema migration), one description each. A plan that has
	// them has changes.
	Pending []string
	// Drift lists the managed objects that changed outside scriptsync
	// since the last apply, as far as the backend can tell without
	// reading every object: Before is the object as Objects holds it (what
	// scriptsync recorded), After what the backend holds now, nil when it
	// was deleted outside. Objects still holds them as recorded; a plan
	// that refreshes uses Refreshed instead.
	Drift []*Change
}

// Refreshed returns Objects with Drift applied: objects changed outside
// scriptsync as the backend holds them now, and those deleted outside
// left out.
func (s *State) Refreshed() []*Object {
	if len(s.Drift) == 0 {
		return s.Objects
	}
	now := make(map[string]*Object, len(s.Drift))
	for _, d := range s.Drift {
		now[d.Before.Address] = d.After
	}
	out := make([]*Object, 0, len(s.Objects))
	for _, o := range s.Objects {
		if after, ok := now[o.Address]; ok {
			if after != nil {
				out = append(out, after)
			}
			continue
		}
		out = append(out, o)
	}
	return out
}

// Object is one thing a provider stores: a row with its children, a file, an
// LFS object. The same type describes what is desired and what is actual, so
// the planner cannot tell them apart.
type Object struct {
	// Address identifies the object within its provider; see
	// library.Meta.Address.
	Address string
	// Type is the kind of object, as shown in plans: series, script, scene,
	// character, embedding, bible, file, lfs_object.
	Type string
	// Resource is the configuration block that produced the object (see
	// library.Meta.Resource). Set on desired objects; Read may leave it
	// empty.
	Resource string
	// Hash digests everything that Apply writes for the object: equal hashes
	// mean no change.
	Hash string
	// Attrs are the object's attributes for humans and for -json before and
	// after: JSON-compatible values (string, int64, float64, bool, nil,
	// []any, map[string]any). Read them with Attributes.
	Attrs map[string]any
	// AttrsFunc, when Attrs is nil, makes them when they are asked for: a
	// provider that reads or builds many objects leaves the work to the
	// few whose attributes are shown or compared (Hash decides whether an
	// object changed).
	AttrsFunc func() map[string]any `json:"-"`
	// ForceNew names the attributes whose change replaces the object
	// (delete, then create) instead of updating it in place.
	ForceNew []string
	// Sensitive names attributes whose values are never shown or saved.
	Sensitive []string
	// Deps are the addresses of objects of the same provider that must
	// exist before this one (a scene needs its script and the characters
	// who speak in it).
	Deps []string
	// Group and MatchHash let the planner follow an object whose address
	// changed: within a Group (a script's scenes), an unmatched desired
	// object and an unmatched actual one with equal MatchHash are the same
	// object, moved; Seq orders the group.
	Group     string
	MatchHash string
	Seq       int
	// PreventDestroy makes any plan that deletes or replaces the object
	// fail.
	PreventDestroy bool
	// Size is the number of bytes Apply will write or upload for the object,
	// for progress and plan summaries.
	Size int64
	// ID is the backend's handle for an actual object (a row id). Empty on
	// desired objects.
	ID string
	// Payload is what Apply needs to write a desired object (the library
	// entity). Never serialized.
	Payload any `json:"-"`
	// Source is the absolute path of the file Apply reads to write a
	// desired object (an embedding's vector), set by Desired from
	// Library.Dir; empty when Apply reads no file.
	Source string `json:"-"`
	// Import is set on an object an Importer returned: the ID of the
	// import (block or command) that found it in the backend, unmanaged.
	// The change that takes it over is an import (Change.Importing).
	Import string `json:",omitempty"`
}

// SourcePath is the absolute path of a library source (named relative to
// Library.Dir, or absolute), for Object.Source.
func SourcePath(libDir, source string) string {
	if filepath.IsAbs(source) {
		return source
	}
	return filepath.Join(libDir, source)
}

// Attributes returns Attrs, or what AttrsFunc makes of them. What it
// makes is not kept: rendering a plan of many new objects would
// otherwise hold every object's attributes until the apply ends. A
// caller that looks more than once keeps the map.
func (o *Object) Attributes() map[string]any {
	if o.Attrs == nil && o.AttrsFunc != nil {
		return o.AttrsFunc()
	}
	return o.Attrs
}

// Action is what a change does.
type Action string

const (
	NoOp    Action = "no-op"
	Create  Action = "create"
	Update  Action = "update"
	Delete  Action = "delete"
	Replace Action = "replace" // delete, then create
	// Forget stops managing the object and leaves it in the backend
	// (removed { lifecycle { destroy = false } }, state rm): the
	// provider drops its bookkeeping of it, nothing else.
	Forget Action = "forget"
)

// Actions returns the action as the -json format spells it.
func (a Action) Actions() []string {
	switch a {
	case Replace:
		return []string{"delete", "create"}
	default:
		return []string{string(a)}
	}
}

// Change is one object's difference between desired and actual.
type Change struct {
	Provider string
	Action   Action
	Before   *Object // nil on Create
	After    *Object // nil on Delete
	// Notes are what the plan worked out for its readers (an embedding's
	// distance from the applied vector): shown and saved, never applied.
	Notes map[string]any
	// Repoint is set on an update that changes nothing of the object but
	// the row one of its dependencies is now: the scene at its scene's
	// address is another scene (renumbered, deleted or replaced), and the
	// row must follow.
	Repoint bool `json:",omitempty"`
}

// Address is the object's desired address, or its actual one when it is
// being deleted.
func (c *Change) Address() string {
	if c.After != nil {
		return c.After.Address
	}
	return c.Before.Address
}

// Object is After, or Before when the object is being deleted.
func (c *Change) Object() *Object {
	if c.After != nil {
		return c.After
	}
	return c.Before
}

// Importing is the import ID when the change takes over an object the
// backend holds but scriptsync did not manage (an import block, or
// scriptsync import): Apply records it as managed, keeping its row id,
// file or object, and with Update also makes it what the configuration
// says; with Delete it removes an unmanaged row within the imported
// object that the configuration does not declare (a scene the source no
// longer has). "" for every other change.
func (c *Change) Importing() string {
	if c.Before == nil {
		return ""
	}
	return c.Before.Import
}

// Moved reports whether the object's address changes (a renumbered scene).
func (c *Change) Moved() bool {
	return c.Before != nil && c.After != nil && c.Before.Address != c.After.Address
}

// ErrConflict is returned (wrapped) by Commit when the backend moved since
// the transaction read it and compare-and-swap refused the update.
var ErrConflict = errors.New("providers: backend changed concurrently")

// LockError is returned by Begin when another apply holds the backend's
// lock past the timeout.
type LockError struct {
	Provider string
	Lock     string // names the lock: "SQLite write lock on scriptrag.db"
	// Holder names who holds it (process, host, since when), where the
	// backend can tell; "" otherwise.
	Holder  string
	Timeout time.Duration
	Err     error
}

func (e *LockError) Error() string {
	holder := "another apply holds it"
	if e.Holder != "" {
		holder = "it is held by " + e.Holder
	}
	return fmt.Sprintf("%s: could not acquire the %s within %s: %s", e.Provider, e.Lock, e.Timeout, holder)
}

func (e *LockError) Unwrap() error { return e.Err }

// OpError is a provider's error with the step that met it ("apply",
// "commit", "init"), as the applier and the engine report it. It names the
// provider once: the provider's own message usually starts with its name
// and often with the step ("lfs: apply embedding.x: ..."), and neither is
// repeated.
type OpError struct {
	Provider string
	Op       string
	Err      error
}

func (e *OpError) Error() string {
	msg := e.Err.Error()
	rest, ok := strings.CutPrefix(msg, e.Provider+": ")
	if !ok {
		rest = msg
	}
	if e.Op != "" && !strings.HasPrefix(rest, e.Op) {
		rest = e.Op + ": " + rest
	}
	return e.Provider + ": " + rest
}

func (e *OpError) Unwrap() error { return e.Err }

// Holdings are what a backend holds that scriptsync does not manage, as
// plain data, for scriptsync import -generate-config-out: the rows of a
// ScriptRAG database, the files of a repository.
type Holdings struct {
	Series  []HeldSeries
	Scripts []HeldScript
	Bibles  []HeldBible
	// Embeddings are the unmanaged scene embeddings rows, with their
	// vectors decoded.
	Embeddings []HeldEmbedding
	// Files are the files on the repository's branch that the manifest
	// does not name, by path.
	Files map[string][]byte
}

// HeldSeries is an unmanaged series row.
type HeldSeries struct {
	ID          int64
	Title       string
	Description string
}

// HeldScript is an unmanaged scripts row.
type HeldScript struct {
	ID                     int64
	Title, Author          string
	FilePath               string // as ScriptRAG stored it: an absolute path
	SeriesID               int64  // 0 when none
	SeriesTitle            string
	Season, Episode        *int64
	ProjectTitle, Metadata string
}

// HeldBible is an unmanaged script_bibles row.
type HeldBible struct {
	ID, ScriptID int64
	FilePath     string
	Title        string
}

// HeldEmbedding is an unmanaged embeddings row of a scene.
type HeldEmbedding struct {
	ID, ScriptID, SceneNumber int64
	Model                     string
	Vector                    []float32
}

// Lister is implemented by a provider that can list what its backend
// holds unmanaged (Holdings), for scriptsync import
// -generate-config-out. It reads without a lock and changes nothing.
type Lister interface {
	Unmanaged(ctx context.Context) (*Holdings, error)
}
