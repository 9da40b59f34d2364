package cli

import (
	"fmt"
	"io"
	"sync"
	"time"

	"scriptsync/applier"
	"scriptsync/planner"
	"scriptsync/render"
)

// progressEvery is how often an apply without a terminal reports how far
// it got, as Terraform's "Still creating..." lines do.
const progressEvery = 5 * time.Second

// progress reports a running apply: on a terminal, one line redrawn at
// most ten times a second; otherwise (CI) a line every few seconds; in
// -json mode, apply_start/apply_progress/apply_complete messages.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	terminal bool
	stream   *render.Stream
	every    time.Duration
	plan     *planner.Plan // for each backend's change count

	start, last      time.Time
	provider         string
	providerStart    time.Time
	done, total      int
	bytes            int64
	stop             chan struct{}
	stopped          sync.WaitGroup
	printedAnyUpdate bool
	heldUntil        <-chan struct{} // see holdUntil
}

func (s *session) newProgress() *progress {
	p := &progress{w: s.env.Stdout, terminal: s.env.StdoutIsTerminal && s.ui.stream == nil, stream: s.ui.stream,
		every: progressEvery, start: time.Now(), stop: make(chan struct{})}
	if d, err := time.ParseDuration(s.env.Getenv("SCRIPTSYNC_PROGRESS_INTERVAL")); err == nil && d > 0 {
		p.every = d
	}
	if !p.terminal {
		p.stopped.Add(1)
		go p.tick()
	}
	return p
}

// tick reports every p.every while the apply runs, whether or not objects
// complete meanwhile: a backend's commit can take long.
func (p *progress) tick() {
	defer p.stopped.Done()
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			if p.provider != "" && !p.held() {
				p.report()
			}
			p.mu.Unlock()
		}
	}
}

// report writes one progress line or message; p.mu is held.
func (p *progress) report() {
	elapsed := time.Since(p.start)
	if p.stream != nil {
		p.stream.ApplyProgress(p.provider, p.done, p.total, p.bytes, elapsed)
		return
	}
	fmt.Fprintf(p.w, "Still applying... [%d/%d objects, %s, %s elapsed]\n", p.done, p.total, render.FormatBytes(p.bytes), render.FormatElapsed(elapsed))
}

func (p *progress) update(u applier.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if u.Provider != p.provider && u.Provider != "" {
		if p.provider != "" && p.stream != nil {
			p.stream.ApplyComplete(p.provider, time.Since(p.providerStart))
		}
		p.provider, p.providerStart = u.Provider, time.Now()
		if p.stream != nil {
			n := -1
			if p.plan != nil {
				n = len(p.plan.ProviderChanges(u.Provider))
			}
			p.stream.ApplyStart(u.Provider, n)
		}
	}
	p.done, p.total, p.bytes = u.Done, u.Total, u.Bytes
	if !p.terminal || p.held() {
		return
	}
	if u.Done < u.Total && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	msg := fmt.Sprintf("Applying: %d/%d objects", u.Done, u.Total)
	if u.Bytes > 0 {
		msg += ", " + render.FormatBytes(u.Bytes)
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s", msg)
	p.printedAnyUpdate = true
}

// finish stops the reports; ok tells whether the apply succeeded.
func (p *progress) finish(ok bool) {
	close(p.stop)
	p.stopped.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.terminal && p.printedAnyUpdate {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
	if p.stream != nil && p.provider != "" {
		if ok {
			p.stream.ApplyComplete(p.provider, time.Since(p.providerStart))
		} else {
			p.stream.ApplyErrored(p.provider, time.Since(p.providerStart))
		}
	}
}

// holdUntil keeps the progress reports back until done is closed: the
// plan is being shown on the same output meanwhile (planShow).
func (p *progress) holdUntil(done <-chan struct{}) {
	p.mu.Lock()
	p.heldUntil = done
	p.mu.Unlock()
}

// held reports whether a report must wait; p.mu is held.
func (p *progress) held() bool {
	if p.heldUntil == nil {
		return false
	}
	select {
	case <-p.heldUntil:
		p.heldUntil = nil
		return false
	default:
		return true
	}
}

// planShow is a plan being written while the apply it approved goes on:
// with -auto-approve nothing waits on the reader, and a large plan's text
// took a tenth of a cold apply's time before the first write began. The
// apply commits only once it is written (applier.Request.Shown).
type planShow struct {
	done chan struct{}
	err  error
}

// showPlan starts writing plan to w.
func showPlan(w io.Writer, plan *planner.Plan, opts render.Options) *planShow {
	ps := &planShow{done: make(chan struct{})}
	go func() {
		defer close(ps.done)
		// main's recover sees only its own goroutine: a bug here must fail
		// the apply, which then rolls back, rather than end the process
		// part-way through the providers' writes with a stack trace.
		defer func() {
			if r := recover(); r != nil {
				ps.err = fmt.Errorf("internal error in scriptsync while writing the plan (%T); this is a bug, please report it with the command you ran", r)
			}
		}()
		ps.err = render.Plan(w, plan, opts)
	}()
	return ps
}

// wait returns once the plan is written, with the error that stopped it;
// nil for no planShow.
func (ps *planShow) wait() error {
	if ps == nil {
		return nil
	}
	<-ps.done
	return ps.err
}
