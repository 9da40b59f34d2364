// Package planfile saves plans (plan -out) and reads them back, and says
// with Stale whether a saved plan can still be applied: the one check that
// the reader (format version), the engine (configuration and inputs) and
// the applier (backend versions and changes, under the locks, through
// SavedPlan.Check) each run on what they know.
package planfile
