// Package applier carries out a plan across every backend as one unit.
//
// It opens a transaction on each provider (taking their locks), reads the
// actual state inside them, computes the plan with package planner (and,
// for a saved plan, checks with planfile.Stale that nothing moved since it
// was made), applies
// each provider's changes in provider order, then commits: first the
// providers whose commit can be undone afterwards (providers.Compensator:
// LFS uploads, the git branch move), last the one that cannot (the SQL
// transaction). When any step fails, uncommitted transactions roll back and
// committed ones are compensated in reverse order, so that a reader sees
// every backend either before or after the apply.
//
// It knows nothing of HCL, of the CLI or of any concrete provider.
package applier
