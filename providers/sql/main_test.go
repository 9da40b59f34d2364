package sql

import (
	"os"
	"testing"

	"scriptsync/internal/pgtest"
)

// TestMain stops the PostgreSQL cluster that the PostgreSQL half of the
// conformance suite starts on first use.
func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }
