//go:build !unix

package lfs

import (
	"context"
	"time"
)

// storeLock is a no-op where flock is missing: removal of unreferenced
// objects is then not serialized against concurrent applies.
type storeLock struct{}

func lockStore(ctx context.Context, dir string, exclusive bool, timeout time.Duration) (*storeLock, error) {
	return &storeLock{}, ctx.Err()
}

func (l *storeLock) unlock() {}
