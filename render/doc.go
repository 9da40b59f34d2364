// Package render turns plans, managed state and diagnostics into what
// people and programs read: human text (with optional ANSI colour) and the
// versioned -json formats. It computes nothing: every decision was made by
// the planner or the engine.
package render
