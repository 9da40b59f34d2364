package git

import (
	"context"

	"scriptsync/providers"
)

// Stamp implements providers.Stamper: a branch is what its commit holds,
// so the stamp is the commit the apply left it at. With a remote, the
// remote's branch is what counts, and only a fetch can tell.
func (p *Provider) Stamp(_ context.Context, _ []*providers.Object, version string) ([]byte, error) {
	if p.remote != nil {
		return nil, providers.ErrNoStamp
	}
	return []byte(version), nil
}

// Unchanged implements providers.Stamper.
func (p *Provider) Unchanged(_ context.Context, stamp []byte) (bool, error) {
	if p.remote != nil {
		return false, nil
	}
	r, err := openRepo(p.dir, p.branch, false)
	if err != nil || r == nil {
		return false, err
	}
	defer r.close()
	head, err := readRef(r.gitDir, p.ref)
	if err != nil {
		return false, err
	}
	now := ""
	if !head.IsZero() {
		now = head.String()
	}
	return now == string(stamp), nil
}

// StampScope implements providers.ScopeStamper: a commit stamps the
// branch whatever part of it an apply wrote.
func (p *Provider) StampScope(ctx context.Context, desired []*providers.Object, _ map[string]bool, version string) ([]byte, error) {
	return p.Stamp(ctx, desired, version)
}
