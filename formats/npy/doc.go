// Package npy reads and writes the NumPy .npy format
// (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html)
// as far as scriptsync needs it: one-dimensional little-endian float32
// vectors, the shape in which scene embeddings are saved with
// numpy.save(path, vector.astype("<f4")).
//
// It validates a file without loading Python objects: the magic string, the
// format version (1.0, 2.0 and 3.0), the header dictionary (parsed as the
// small Python literal it is, never evaluated), the dtype, the memory order,
// the shape, and that the data is exactly as long as the header promises.
// Every error is an *Error that says what is wrong and what is expected, and
// names the file when the caller gave one.
//
// It does not hash files, compare dimensions with a configuration, or know
// about Git LFS: callers (config, the lfs and sql providers) do that with
// the Header it returns.
package npy
