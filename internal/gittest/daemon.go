package gittest

import (
	"bytes"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"scriptsync/internal/loopback"
)

// Daemon is a `git daemon` serving the repositories under Root over git://
// on loopback, with push (receive-pack) enabled.
type Daemon struct {
	// URL is the base URL; a repository Root/x.git is at URL + "/x.git".
	URL  string
	Root string

	cmd    *exec.Cmd
	stderr *lockedBuffer
	done   chan struct{}
}

// StartDaemon starts git daemon for the repositories under root and waits
// until it accepts connections. It is stopped when the test ends.
func StartDaemon(t testing.TB, root string) *Daemon {
	t.Helper()
	git := GitPath(t)
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		d, err := startDaemon(t, git, root)
		if err == nil {
			t.Cleanup(d.stop)
			return d
		}
		lastErr = err
	}
	t.Fatalf("gittest: start git daemon: %v", lastErr)
	return nil
}

func startDaemon(t testing.TB, git, root string) (*Daemon, error) {
	port, err := loopback.FreePort()
	if err != nil {
		return nil, err
	}
	d := &Daemon{
		URL:    "git://127.0.0.1:" + strconv.Itoa(port),
		Root:   root,
		stderr: &lockedBuffer{},
		done:   make(chan struct{}),
	}
	d.cmd = exec.Command(git, "daemon",
		"--listen=127.0.0.1", "--port="+strconv.Itoa(port), "--reuseaddr",
		"--export-all", "--enable=receive-pack", "--informative-errors",
		"--base-path="+root, root)
	d.cmd.Env = Env(t)
	d.cmd.Stderr = d.stderr
	// Its own process group, so that stop also ends the per-connection
	// children it forks.
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = d.cmd.Wait(); close(d.done) }()

	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-d.done:
			return nil, fmt.Errorf("git daemon exited: %s", d.stderr.String())
		default:
		}
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 200*time.Millisecond)
		if err == nil {
			_ = c.Close()
			return d, nil
		}
		if time.Now().After(deadline) {
			d.stop()
			return nil, fmt.Errorf("git daemon did not listen on port %d within 10s: %s", port, d.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// RepoURL returns the URL of the repository Root/name.
func (d *Daemon) RepoURL(name string) string { return d.URL + "/" + name }

func (d *Daemon) stop() {
	select {
	case <-d.done:
		return
	default:
	}
	_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
		<-d.done
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
