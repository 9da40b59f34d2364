package lfs

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"sync"
	"time"

	"scriptsync/library"
	"scriptsync/providers"
)

// localWorkers bounds parallel writes into the local store: hashing and
// small-file creation, which two cores and a disk run best a few at a time.
const localWorkers = 4

var _ providers.Tx = (*tx)(nil)

// tx is one apply's part in LFS. It holds no lock: every write is a
// content-addressed object that is complete before it is visible.
type tx struct {
	p       *Provider
	lock    *storeLock // shared, from Begin to the end
	timeout time.Duration
	seen    []*providers.Object // wanted objects Read found stored
	changes []*providers.Change // what Apply was given, for Finish
	// written are the oids Apply stored from their sources: Finish stamps
	// them without hashing them again.
	mu      sync.Mutex
	written map[string]bool
	// scoped is set when ReadScope read the transaction's objects.
	scoped bool
}

// Read is Provider.Read: there is no lock that could change the answer.
func (t *tx) Read(ctx context.Context, want []*providers.Object) (*providers.State, error) {
	st, seen, err := t.p.read(ctx, want)
	t.seen = seen
	return st, err
}

// job is one oid to store and upload, with the changes that want it.
type job struct {
	Object
	src     string // absolute path of the source .npy file
	address string
	source  string // as configured, for messages
	changes []*providers.Change
	// repair is set when Read found the stored object changed in place
	// (see stamp.go): it is written again although its file is there.
	repair bool
}

// Apply stores every created or updated object in the local store and then
// uploads it. It returns only when every object is in the local store and,
// with a remote, the remote has confirmed every one, so that the git commit
// applied after it never points at a missing object. Deletes need no work:
// objects stay for the history that references them.
func (t *tx) Apply(ctx context.Context, changes []*providers.Change, progress providers.Progress) error {
	t.changes = changes
	jobs, err := t.plan(changes)
	if err != nil || len(jobs) == 0 {
		return err
	}
	var mu sync.Mutex
	finished := func(j *job) {
		if progress == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		for _, c := range j.changes {
			progress(1, c.After.Size)
		}
	}

	if err := t.storeLocal(ctx, jobs); err != nil {
		return err
	}
	if t.p.remote == nil {
		for _, j := range jobs {
			finished(j)
		}
		return nil
	}

	byOID := make(map[string]*job, len(jobs))
	objs := make([]Object, len(jobs))
	for i, j := range jobs {
		byOID[j.OID] = j
		objs[i] = j.Object
	}
	open := func(o Object) (io.ReadCloser, error) { return t.p.store.Open(o.OID) }
	return t.p.remote.Upload(ctx, objs, open, func(o Object) { finished(byOID[o.OID]) })
}

// plan collects the objects to write, one job per oid, in address order.
func (t *tx) plan(changes []*providers.Change) ([]*job, error) {
	byOID := map[string]*job{}
	var jobs []*job
	for _, c := range changes {
		switch c.Action {
		case providers.Create, providers.Update, providers.Replace:
		default:
			continue
		}
		o := c.After
		if o == nil || o.Type != ObjectType {
			continue
		}
		e, ok := o.Payload.(*library.Embedding)
		if !ok || e == nil {
			return nil, fmt.Errorf("lfs: apply %s: the change carries no embedding (got %T): the plan was not joined with the configuration", o.Address, o.Payload)
		}
		// The plan's oid is the contract: the git provider commits a
		// pointer to it, so that is what must be stored.
		oid := o.Hash
		if !validOID(oid) {
			return nil, fmt.Errorf("lfs: apply %s: %q is not a sha256 object id", o.Address, oid)
		}
		repair := c.Before != nil && c.Before.ID == modifiedID
		if j, ok := byOID[oid]; ok {
			j.changes = append(j.changes, c)
			j.repair = j.repair || repair
			continue
		}
		src := o.Source
		if src == "" {
			return nil, fmt.Errorf("lfs: apply %s: the change names no source file: the plan was not joined with the configuration", o.Address)
		}
		j := &job{
			Object:  Object{OID: oid, Size: o.Size, Label: fmt.Sprintf("%s (%s)", o.Address, e.Source)},
			src:     src,
			address: o.Address,
			source:  e.Source,
			changes: []*providers.Change{c},
			repair:  repair,
		}
		byOID[oid] = j
		jobs = append(jobs, j)
	}
	sort.Slice(jobs, func(a, b int) bool { return jobs[a].address < jobs[b].address })
	return jobs, nil
}

// storeLocal writes the jobs' sources into the local store, a few at a
// time, stopping at the first error.
func (t *tx) storeLocal(ctx context.Context, jobs []*job) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	next := make(chan *job)
	for range min(localWorkers, len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				if ctx.Err() != nil {
					continue
				}
				if err := t.storeOne(ctx, j); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					cancel(err)
				}
			}
		}()
	}
	for _, j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
	if len(errs) > 0 {
		// Several files can fail at once (a directory regenerated after
		// the plan); name them all, in a stable order.
		sort.Slice(errs, func(a, b int) bool { return errs[a].Error() < errs[b].Error() })
		return errors.Join(errs...)
	}
	return context.Cause(ctx)
}

func (t *tx) storeOne(ctx context.Context, j *job) error {
	added, err := t.p.store.addFile(ctx, j.src, j.OID, j.Size, j.repair)
	if added {
		t.mu.Lock()
		if t.written == nil {
			t.written = map[string]bool{}
		}
		t.written[j.OID] = true
		t.mu.Unlock()
	}
	var mismatch *mismatchError
	var source *sourceError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &mismatch):
		return fmt.Errorf("lfs: %s: %s changed since the plan was made (%s); run plan again", j.address, j.source, mismatch.detail)
	case errors.As(err, &source) && errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("lfs: %s: %s was removed since the plan was made; run plan again", j.address, j.source)
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return err
	default:
		return fmt.Errorf("lfs: %s: store %s: %w", j.address, j.source, err)
	}
}

// Commit has nothing to do: Apply finished every upload, and the objects
// are visible to whoever has their oid, which is no one until git commits.
func (t *tx) Commit(ctx context.Context) error { return nil }

// Rollback leaves the objects this Tx stored. Removing them would gain a
// few bytes and risk a race: another apply may have planned against the
// same oid (identical vectors share objects) and be about to commit a
// pointer to it. Unreferenced objects are harmless, and the next apply
// finds them already stored. Nothing this apply unreferenced has been
// removed yet: that waits for Finish.
func (t *tx) Rollback(ctx context.Context) error {
	t.lock.unlock()
	return nil
}

// Finish runs once every provider has committed: it records the applied
// changes in the inventory and removes from the local store the objects no
// managed address names any more (a remote LFS server keeps them: the
// Batch API has no delete). It waits for other applies that hold the store
// to end, so that it never removes an object one of them found stored.
func (t *tx) Finish(ctx context.Context) error {
	t.lock.unlock()
	lock, err := lockStore(ctx, t.p.store.Dir(), true, max(t.timeout, finishWait))
	if err != nil {
		if errors.Is(err, errLocked) {
			return fmt.Errorf("lfs: another apply holds the local store; unreferenced objects stay until the next apply")
		}
		return err
	}
	defer lock.unlock()
	if t.scoped {
		t.p.mu.Lock()
		base := t.p.base
		t.p.mu.Unlock()
		sum := []byte(nil)
		if len(base) >= sha256.Size {
			sum = base[:sha256.Size]
		}
		return t.p.store.scopedFinish(t.seen, t.changes, t.written, sum)
	}
	return t.p.store.finish(t.seen, t.changes, t.written, false)
}

// finishWait is how long Finish waits for other applies at least.
const finishWait = 30 * time.Second

// errLocked is lockStore's answer when the lock stays held.
var errLocked = errors.New("lfs: the local store is locked")
