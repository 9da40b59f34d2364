// Package planner compares desired and actual objects and produces a Plan:
// plain data listing, per provider and in apply order, what to create,
// update in place, delete or replace. Rendering a plan lives in package
// render, saving it in package planfile.
//
// The diff is one generic engine for every provider: it matches objects by
// address, follows objects whose address changed within an ordered group
// (a script's scenes, renumbered because one was inserted) by their
// MatchHash, and compares Hashes and ForceNew attributes. It does no I/O and
// imports no concrete provider.
package planner
