// Package cli is scriptsync's command line: flags, commands, human and
// JSON output, prompts and exit codes. It wires config, the providers,
// planner and applier together and holds no logic of theirs.
//
// Run takes its whole environment (arguments, directory, streams,
// environment variables, terminal facts) as a value, so the testscripts run
// it in-process and in parallel.
package cli
