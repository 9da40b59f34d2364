// Package engine opens a workspace: it loads the configuration, builds
// every registered provider, starts warming the backends while the
// configuration is still being evaluated, runs the providers' Desired side
// by side, and then validates, plans, applies or reads state across every
// backend. The CLI parses flags, calls the engine and renders what it
// returns; the engine prints nothing.
//
// It imports no concrete provider: whoever links the program blank-imports
// scriptsync/providers/all (or, in tests, registers fakes).
package engine
