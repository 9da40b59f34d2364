// Package config turns a directory of HCL files into scriptsync's desired
// state: a library.Library, the provider blocks, variables and outputs.
//
// It owns parsing (every *.hcl file of one directory, *.vars.hcl aside),
// variables and their precedence, the functions available to expressions,
// evaluation order (references form a graph; a cycle is a diagnostic), the
// meta-arguments for_each and lifecycle, reading the input files the
// configuration names (Fountain sources, .npy vectors, bibles, agents) and
// deriving scenes and characters from screenplays. Every problem is an
// hcl.Diagnostic with a source range.
//
// It touches no backend and imports no concrete provider: provider blocks
// are evaluated into providers.Config values and validated by the
// provider's own factory.
package config
