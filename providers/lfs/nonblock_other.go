//go:build !unix

package lfs

// openNonblock is nothing where there are no FIFOs to wait on.
const openNonblock = 0
