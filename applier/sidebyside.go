package applier

import (
	"context"
	"sync"

	"scriptsync/providers"
)

// applyAll runs the Applies of the providers whose writes no one sees
// until another provider's commit refers to them (CommitUnreferenced: the
// LFS store) side by side with the others', which run one after the
// other in apply order. Nothing an Apply writes is visible before the
// commits, and no provider's Apply reads what another's writes, so apply
// order only has to hold at the commits and in what the user is told:
// progress is reported in apply order (see sequencer). On a cold apply of
// a large library, storing every vector as an LFS object file waits on
// the file system about as long as the SQL rows take, on the other core;
// the object store holds no more than a file at a time per worker, while
// SQL and git, each holding much of the library, stay one at a time.
//
// The first Apply to fail cancels the others; its error, named by its
// provider, is the one returned.
func (r *run) applyAll(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := len(r.req.Backends)
	seq := newSequencer(n)
	progress := make([]providers.Progress, n)
	for i := range r.req.Backends {
		progress[i] = seq.progress(i, r.progress(r.name(i)))
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	apply := func(i int) error {
		name := r.name(i)
		err := r.txs[i].Apply(ctx, r.plan.ProviderChanges(name), progress[i])
		seq.finished(i)
		if err != nil {
			mu.Lock()
			if first == nil {
				first = &providers.OpError{Provider: name, Op: "apply", Err: err}
				cancel()
			}
			mu.Unlock()
		}
		return err
	}
	var inOrder []int
	for i, b := range r.req.Backends {
		if b.Commit != providers.CommitUnreferenced {
			inOrder = append(inOrder, i)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			apply(i)
		}()
	}
	for _, i := range inOrder {
		apply(i)
		mu.Lock()
		failed := first != nil
		mu.Unlock()
		if failed {
			break
		}
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	return first
}

// sequencer passes on the progress of side-by-side Applies in apply
// order: a provider's reports go through once every provider before it
// has finished, and what it reported before that is held and passed on
// as one report then. A reader (the -json stream) sees one provider's
// apply start, progress and complete before the next one's, as when
// they ran one after the other.
type sequencer struct {
	mu      sync.Mutex
	current int // the first provider whose Apply has not returned
	done    []bool
	sinks   []providers.Progress
	held    []heldProgress
}

type heldProgress struct {
	objects int
	bytes   int64
}

func newSequencer(n int) *sequencer {
	return &sequencer{done: make([]bool, n), sinks: make([]providers.Progress, n), held: make([]heldProgress, n)}
}

// progress wraps provider i's progress sink (nil when there is none).
func (s *sequencer) progress(i int, sink providers.Progress) providers.Progress {
	if sink == nil {
		return nil
	}
	s.sinks[i] = sink
	return func(objects int, bytes int64) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if i > s.current {
			s.held[i].objects += objects
			s.held[i].bytes += bytes
			return
		}
		sink(objects, bytes)
	}
}

// finished records that provider i's Apply returned, and passes on what
// the providers after it reported meanwhile, in order, as far as the
// next one still running.
func (s *sequencer) finished(i int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.done[i] = true
	for s.current < len(s.done) && s.done[s.current] {
		s.current++
		if s.current < len(s.done) {
			s.release(s.current)
		}
	}
}

func (s *sequencer) release(i int) {
	h := s.held[i]
	s.held[i] = heldProgress{}
	if s.sinks[i] != nil && (h.objects > 0 || h.bytes > 0) {
		s.sinks[i](h.objects, h.bytes)
	}
}
