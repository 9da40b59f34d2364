package netlimit

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// slowServer answers every request after delay, on 127.0.0.1.
func slowServer(t *testing.T, delay time.Duration) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func get(ctx context.Context, c *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.ReadAll(resp.Body)
	return err
}

// A server that answers each request inside every per-request deadline
// cannot stretch a command past the overall limit: the budget covers all
// its requests together, and once it is spent no request starts.
func TestBudgetCoversEveryRequestOfACommand(t *testing.T) {
	url := slowServer(t, 150*time.Millisecond)
	l := Limits{Connect: time.Second, Header: time.Second, Idle: time.Second, Total: 500 * time.Millisecond}
	c := Client(l, 2)

	// Without a budget, Total bounds each request alone: ten succeed.
	for i := range 10 {
		if err := get(context.Background(), c, url); err != nil {
			t.Fatalf("request %d without a budget: %v", i, err)
		}
	}

	ctx := WithBudget(context.Background())
	start := time.Now()
	var err error
	n := 0
	for ; n < 10 && err == nil; n++ {
		err = get(ctx, c, url)
	}
	took := time.Since(start)
	if err == nil {
		t.Fatal("ten requests of 150ms each fit in a budget of 500ms")
	}
	if n > 4 {
		t.Errorf("the budget ran out at request %d, want by the 4th", n)
	}
	if took > time.Second {
		t.Errorf("the budget of 500ms ended the command after %s", took)
	}
	if !errors.Is(err, ErrBudget) || !errors.Is(err, ErrTotal) || !strings.Contains(err.Error(), EnvTotal) || !strings.Contains(err.Error(), "500ms") {
		t.Errorf("error %v: want ErrBudget, naming %s and the limit", err, EnvTotal)
	}
	// Spent: the next request fails before it is sent.
	start = time.Now()
	if err := get(ctx, c, url); !errors.Is(err, ErrBudget) || time.Since(start) > 50*time.Millisecond {
		t.Errorf("after the budget: %v after %s", err, time.Since(start))
	}
}

// The budget counts only time with a request in flight: waiting between
// requests (a prompt, local work) does not use it up, and requests in
// parallel count once.
func TestBudgetCountsOnlyNetworkTime(t *testing.T) {
	url := slowServer(t, 100*time.Millisecond)
	c := Client(Limits{Header: time.Second, Idle: time.Second, Total: 700 * time.Millisecond}, 8)
	ctx := WithBudget(context.Background())
	for i := range 3 {
		if err := get(ctx, c, url); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	errs := make(chan error, 6)
	for range 6 {
		go func() { errs <- get(ctx, c, url) }()
	}
	for range 6 {
		if err := <-errs; err != nil {
			t.Errorf("parallel request: %v", err)
		}
	}
}

// Bound applies the budget to exchanges that are not HTTP requests.
func TestBoundSharesTheBudget(t *testing.T) {
	ctx := WithBudget(context.Background())
	l := Limits{Total: 200 * time.Millisecond}
	xctx, done, err := Bound(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-xctx.Done():
		if !errors.Is(context.Cause(xctx), ErrBudget) {
			t.Errorf("cause %v", context.Cause(xctx))
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the exchange outlived its budget")
	}
	done()
	if _, _, err := Bound(ctx, l); !errors.Is(err, ErrBudget) {
		t.Errorf("Bound after the budget: %v", err)
	}
}
