package lfs

import (
	"os"
	"testing"

	"scriptsync/internal/needs"
)

// TestMain prints one line naming the tests skipped for want of a tool.
func TestMain(m *testing.M) { os.Exit(needs.Run(m)) }
