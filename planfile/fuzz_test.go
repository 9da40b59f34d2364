package planfile

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadFile reads arbitrary plan files, raw and gzipped: it must fail
// with an error, never panic.
func FuzzReadFile(f *testing.F) {
	gz := func(s string) []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte(s))
		zw.Close()
		return b.Bytes()
	}
	f.Add(gz(`{"magic":"scriptsync-plan","format_version":"1.0","plan":{}}`), true)
	f.Add(gz(`{"magic":"scriptsync-plan","format_version":"99.0"}`), true)
	f.Add(gz(`{"magic":"scriptsync-plan","plan":{"resource_changes":[{"address":"x","change":{"actions":["create"]}}]}}`), true)
	f.Add([]byte("not gzip"), false)
	f.Fuzz(func(t *testing.T, data []byte, compress bool) {
		if compress {
			data = gz(string(data))
		}
		path := filepath.Join(t.TempDir(), "f.plan")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		sp, err := ReadFile(path)
		if err == nil && sp.Plan == nil {
			t.Fatal("ReadFile accepted a plan file without a plan")
		}
	})
}
