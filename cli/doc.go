// Package cli is scriptsync's command line: flags, prompts, human and JSON
// output, hints and exit codes. It parses the command, calls the engine
// (which loads the configuration, builds the providers and plans, applies
// or reads across them) and renders what comes back; it holds no logic of
// theirs.
//
// Run takes its whole environment (arguments, directory, streams,
// environment variables, terminal facts) as a value, so the testscripts run
// it in-process and in parallel.
package cli
