package config

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestFIFOSourceIsRefusedWithoutWaiting(t *testing.T) {
	dir := writeFiles(t, map[string]string{"main.hcl": `script "f" { source = "fifo.fountain" }`})
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.fountain"), 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	done := make(chan string, 1)
	go func() {
		_, diags := Load(Options{Dir: dir})
		done <- diags.Error()
	}()
	select {
	case msg := <-done:
		if !strings.Contains(msg, "fifo.fountain is a FIFO") {
			t.Errorf("Load: %s, want an error that names the FIFO", msg)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Load waits on a FIFO source")
	}
}

func TestSensitiveMarksFlowThroughFunctions(t *testing.T) {
	cfg := load(t, map[string]string{"main.hcl": `
variable "sec" {
  type      = string
  sensitive = true
  default   = "hunter2"
}
series "a" {
  metadata = { n = length(var.sec) }
}
series "b" {
  metadata = { ok = can(regex("h", var.sec)) }
}
series "c" {
  description = try(var.sec, "x")
}
`})
	for _, s := range cfg.Library.Series {
		if len(s.Sensitive) == 0 {
			t.Errorf("%s: no sensitive attribute, want the one derived from var.sec", s.Address)
		}
	}
}
