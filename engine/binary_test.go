package engine

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The memo names the build that wrote it by the Go build ID, which the go
// command reads the same way.
func TestBinaryIdentityIsTheGoBuildID(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the build ID is read from ELF executables only")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "tool", "buildid", exe).Output()
	if err != nil {
		t.Fatalf("go tool buildid: %v", err)
	}
	want := "go-buildid:" + strings.TrimSpace(string(out))
	if got := binaryIdentity(exe); got != want {
		t.Fatalf("binaryIdentity = %q, want %q", got, want)
	}
	if got := binaryDigest(); got != want {
		t.Fatalf("binaryDigest = %q, want %q", got, want)
	}
}

// An executable whose build ID differs is another build; one without a
// Go build ID, or any other file, is named by its SHA-256.
func TestBinaryIdentityWithoutABuildID(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "script.sh")
	if err := os.WriteFile(text, []byte("#!/bin/sh\necho hello\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("#!/bin/sh\necho hello\n"))
	if got, want := binaryIdentity(text), "sha256:"+hex.EncodeToString(sum[:]); got != want {
		t.Fatalf("binaryIdentity(text) = %q, want %q", got, want)
	}
	if got := binaryIdentity(filepath.Join(dir, "missing")); got != "" {
		t.Fatalf("binaryIdentity(missing) = %q, want \"\"", got)
	}

	if runtime.GOOS != "linux" {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	sec := f.Section(".note.go.buildid")
	f.Close()
	if sec == nil {
		t.Fatal("the test executable has no .note.go.buildid")
	}
	name := int(sec.Offset) + 12 // the note's name, "Go\x00\x00"
	if !bytes.Equal(data[name:name+4], []byte("Go\x00\x00")) {
		t.Fatalf("note name %q", data[name:name+4])
	}

	// Another build ID: another identity, still read from the note. The
	// first character changes to another one a build ID may hold (a bit
	// flip could make it one it may not, such as 'a' to '`').
	other := bytes.Clone(data)
	if other[name+4] == 'a' {
		other[name+4] = 'b'
	} else {
		other[name+4] = 'a'
	}
	otherPath := filepath.Join(dir, "other")
	if err := os.WriteFile(otherPath, other, 0o755); err != nil {
		t.Fatal(err)
	}
	if got, mine := binaryIdentity(otherPath), binaryIdentity(exe); !strings.HasPrefix(got, "go-buildid:") || got == mine {
		t.Fatalf("a changed build ID gave %q (this build: %q)", got, mine)
	}

	// A fixed build ID (-ldflags=-buildid=redacted) names no build: the
	// file's digest.
	for _, fixed := range []string{"redacted", "x/y", strings.Repeat("a", 20)} {
		if goBuildIDShape(fixed) {
			t.Errorf("%q is taken for a go build ID", fixed)
		}
	}
	if id := goBuildID(exe); !goBuildIDShape(id) {
		t.Errorf("this build's ID %q is not shaped as one", id)
	}

	// No Go note: the file's digest.
	noID := bytes.Clone(data)
	noID[name+1] = 'x'
	noIDPath := filepath.Join(dir, "noid")
	if err := os.WriteFile(noIDPath, noID, 0o755); err != nil {
		t.Fatal(err)
	}
	sum = sha256.Sum256(noID)
	if got, want := binaryIdentity(noIDPath), "sha256:"+hex.EncodeToString(sum[:]); got != want {
		t.Fatalf("without a Go build ID: %q, want %q", got, want)
	}
}
