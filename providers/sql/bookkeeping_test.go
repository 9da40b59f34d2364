package sql

import (
	"context"
	"strings"
	"testing"
)

// A database whose bookkeeping tables were dropped, in part or in whole,
// is an error that says how to recover, on both engines, for a plan's
// Read and for an apply; never a plan that adds what is already there.
func TestDroppedBookkeeping(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		for _, tc := range []struct {
			name string
			drop []string
			want []string
		}{
			{"meta and objects", []string{"DROP TABLE scriptsync_meta", "DROP TABLE scriptsync_objects"},
				[]string{"already holds scripts the configuration wants", "script.pilot", "scriptsync import -generate-config-out=FILE", "empty database"}},
			{"all three", []string{"DROP TABLE scriptsync_meta", "DROP TABLE scriptsync_objects", "DROP TABLE scriptsync_drift"},
				[]string{"already holds scripts the configuration wants", "scriptsync import -generate-config-out=FILE"}},
			{"objects", []string{"DROP TABLE scriptsync_objects"},
				[]string{"scriptsync_meta table but not scriptsync_objects", "scriptsync import -generate-config-out=FILE", "empty database"}},
			{"meta", []string{"DROP TABLE scriptsync_meta"},
				[]string{"scriptsync_objects table but not scriptsync_meta", "CREATE TABLE scriptsync_meta", "scriptsync import -generate-config-out=FILE"}},
			{"drift", []string{"DROP TABLE scriptsync_drift"},
				[]string{"not scriptsync_drift", "CREATE TABLE IF NOT EXISTS scriptsync_drift"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := b.open(t)
				lib := fixture(t, t.TempDir())
				apply(t, p, lib)
				before := b.count(t, p, "scripts")
				b.exec(t, p, tc.drop...)
				desired, _ := p.Desired(lib)
				_, readErr := p.Read(context.Background(), desired)
				_, applyErr := tryApply(context.Background(), p, lib)
				for name, err := range map[string]error{"read": readErr, "apply": applyErr} {
					if err == nil {
						t.Errorf("%s succeeded", name)
						continue
					}
					for _, w := range tc.want {
						if !strings.Contains(err.Error(), w) {
							t.Errorf("%s: %v\nlacks %q", name, err, w)
						}
					}
				}
				if n := b.count(t, p, "scripts"); n != before {
					t.Errorf("%d scripts after the refused apply, want the %d that were there", n, before)
				}
			})
		}
	})
}
