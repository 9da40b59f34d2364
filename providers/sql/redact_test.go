package sql

import (
	"strings"
	"testing"
)

// A PostgreSQL URL whose password holds an unescaped @ leaks no part of
// it in the error that rejects the DSN.
func TestDSNErrorsLeakNoPassword(t *testing.T) {
	for _, dsn := range []string{
		"postgres://writer:pa@ss-s3cret@127.0.0.1:1/db?sslmode=bogus",
		"postgres://writer:s3cret-pw@127.0.0.1:notaport/db",
		"host=127.0.0.1 password=s3cret-pw sslmode=bogus",
	} {
		_, err := newPostgres(dsn)
		if err == nil {
			continue // accepted: nothing printed
		}
		for _, leak := range []string{"s3cret", "ss-s3cret", "pa@ss"} {
			if strings.Contains(err.Error(), leak) {
				t.Errorf("newPostgres(%q): %v leaks %q", dsn, err, leak)
			}
		}
	}
}
