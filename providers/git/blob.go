package git

import (
	"errors"

	"github.com/go-git/go-git/v5/plumbing"
)

// ReadBlob implements providers.BlobReader: the content of blob id from
// the local repository (what the last apply committed there).
func (p *Provider) ReadBlob(id string) ([]byte, error) {
	r, err := openRepo(p.dir, p.branch, false)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, errors.New("git: no repository")
	}
	defer r.close()
	return r.readTyped(plumbing.NewHash(id), plumbing.BlobObject)
}
