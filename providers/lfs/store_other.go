//go:build !linux

package lfs

import "scriptsync/providers"

func (s *Store) create(dir string) (pending, error) { return s.createNamed() }

// prober is Store.Has where there is no cheaper way to stat.
type prober struct{ s *Store }

func (s *Store) prober() (prober, error) { return prober{s}, nil }

func (p prober) has(oid string, size int64) (bool, error) { return p.s.Has(oid, size) }

func (p prober) close() {}

// stamp is not available without Linux's stat: Stamper refuses.
func (p prober) stamp(string) ([5]int64, bool, error) { return [5]int64{}, false, providers.ErrNoStamp }
