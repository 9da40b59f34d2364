package netlimit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// A Budget is the overall limit (Limits.Total, SCRIPTSYNC_NET_TIMEOUT) for
// every network exchange of one command together: a server that answers
// each request just inside its deadlines, many times over, must not hold
// an apply (and the locks it holds) for hours. It counts the time during
// which at least one exchange is in flight, so that a prompt, local work
// and backoff sleeps between requests do not use it up, and requests in
// parallel count once. When it runs out, the exchanges in flight fail with
// ErrBudget, and so does every later one of the command.
//
// A command puts one in its context with WithBudget; Client, Wrap and
// Bound find it there. Without one, Total bounds each exchange on its own.
type Budget struct {
	mu     sync.Mutex
	total  time.Duration // set by the first exchange, from its Limits
	used   time.Duration // by exchanges that ended, while none was in flight
	since  time.Time     // when the current busy stretch began
	active map[int]context.CancelCauseFunc
	next   int
	timer  *time.Timer
	err    error // set once it ran out
}

// ErrBudget is the failure of an exchange once its command's budget ran
// out; errors.Is finds ErrTotal in it too.
var ErrBudget = errors.New("the command's network exchanges took longer in all than allowed")

// budgetError is ErrBudget with the limit, for users.
type budgetError struct{ total time.Duration }

func (e *budgetError) Error() string {
	return fmt.Sprintf("the network exchanges of this command took longer in all than %s allows (%s): the server is too slow or stalling; raise %s to give it more time",
		EnvTotal, e.total, EnvTotal)
}

func (e *budgetError) Is(target error) bool { return target == ErrBudget || target == ErrTotal }

type budgetKey struct{}

// WithBudget returns ctx with a new Budget, unless it has one already.
func WithBudget(ctx context.Context) context.Context {
	if budgetOf(ctx) != nil {
		return ctx
	}
	return context.WithValue(ctx, budgetKey{}, &Budget{active: map[int]context.CancelCauseFunc{}})
}

func budgetOf(ctx context.Context) *Budget {
	b, _ := ctx.Value(budgetKey{}).(*Budget)
	return b
}

// start counts an exchange in; cancel is how expiry stops it. It returns
// the id to end it with, or the error when the budget is spent.
func (b *Budget) start(total time.Duration, cancel context.CancelCauseFunc) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return 0, b.err
	}
	if b.total == 0 {
		b.total = total
	}
	if len(b.active) == 0 {
		b.since = time.Now()
		b.timer = time.AfterFunc(b.total-b.used, b.expire)
	}
	b.next++
	b.active[b.next] = cancel
	return b.next, nil
}

// end counts the exchange id out.
func (b *Budget) end(id int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.active[id]; !ok {
		return
	}
	delete(b.active, id)
	if len(b.active) == 0 && b.err == nil {
		b.timer.Stop()
		b.used += time.Since(b.since)
	}
}

func (b *Budget) expire() {
	b.mu.Lock()
	defer b.mu.Unlock()
	// A timer of an earlier busy stretch may fire just as that stretch
	// ended and a new one began, which has a timer of its own.
	if b.err != nil || len(b.active) == 0 || b.used+time.Since(b.since) < b.total {
		return
	}
	b.err = &budgetError{b.total}
	for _, cancel := range b.active {
		cancel(b.err)
	}
}

// Bound returns ctx limited as one exchange of l: by the command's Budget
// when ctx has one, else by l.Total alone. done must be called when the
// exchange ends. For transports without deadlines of their own (ssh,
// git://); Client and Wrap do the same for each HTTP request.
func Bound(ctx context.Context, l Limits) (context.Context, func(), error) {
	l = l.withDefaults()
	if b := budgetOf(ctx); b != nil {
		ctx, cancel := context.WithCancelCause(ctx)
		id, err := b.start(l.Total, cancel)
		if err != nil {
			cancel(err)
			return ctx, func() {}, err
		}
		return ctx, func() { b.end(id); cancel(nil) }, nil
	}
	ctx, cancel := context.WithTimeoutCause(ctx, l.Total, fmt.Errorf("%w (%s, %s)", ErrTotal, l.Total, EnvTotal))
	return ctx, cancel, nil
}

// IsBudget reports whether err is the end of a command's budget.
func IsBudget(err error) bool { return errors.Is(err, ErrBudget) }
