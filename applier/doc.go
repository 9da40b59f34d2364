// Package applier carries out a plan across every backend as one unit.
//
// It opens a transaction on each provider (taking their locks), reads the
// actual state inside them, computes the plan with package planner (and,
// for a saved plan, calls the check it is given, which makes sure nothing
// moved since it was made), applies each provider's changes in apply
// order (the object store's beside the others', progress still in apply
// order), then commits by the class each provider registered: first
// those whose writes no one sees until referenced (LFS uploads) and
// those that can be undone afterwards (the git branch move,
// providers.Compensator), last the one that cannot (the SQL
// transaction). When any step fails, uncommitted
// transactions roll back and undoable committed ones are compensated in
// reverse order, so that a reader sees every backend either before or
// after the apply.
//
// It knows nothing of HCL, of the CLI or of any concrete provider.
package applier
