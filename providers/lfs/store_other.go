//go:build !linux

package lfs

func (s *Store) create(dir string) (pending, error) { return s.createNamed() }
