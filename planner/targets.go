package planner

import (
	"fmt"
	"strings"

	"scriptsync/address"
	"scriptsync/providers"
)

// TargetError is a -target that matches no object, desired or managed.
type TargetError struct {
	Target string
	// Closest is the nearest address there is, "" when there is none.
	Closest string
}

func (e *TargetError) Error() string {
	msg := fmt.Sprintf("planner: -target %s matches no object in the configuration or the backends", e.Target)
	if e.Closest != "" {
		msg += fmt.Sprintf("; did you mean %s?", e.Closest)
	}
	return msg
}

// targetWarning is Terraform's warning for a plan made with -target.
const targetWarning = "Resource targeting is in effect. You are creating a plan with the -target option, " +
	"which means that the result of this plan may not represent all of the changes requested by the current " +
	"configuration. The -target option is not for routine use, and is provided only for exceptional situations " +
	"such as recovering from errors or mistakes."

// checkTargets returns a *TargetError for the first target that matches
// nothing in any input.
func checkTargets(inputs []Input, targets []string) error {
	if len(targets) == 0 {
		return nil
	}
	candidates := map[string]bool{}
	add := func(o *providers.Object) {
		candidates[o.Address] = true
		if o.Resource != "" {
			candidates[o.Resource] = true
		}
	}
	for _, in := range inputs {
		for _, o := range in.Desired {
			add(o)
		}
		if in.Actual != nil {
			for _, o := range in.Actual.Objects {
				add(o)
			}
		}
	}
	for _, t := range targets {
		found := false
		for c := range candidates {
			if address.Within(c, t) {
				found = true
				break
			}
		}
		if !found {
			return &TargetError{Target: t, Closest: closest(t, candidates)}
		}
	}
	return nil
}

// closest returns the candidate, or the prefix of one that is itself an
// address (script.episode["1"] of its scenes), nearest to t by edit
// distance; ties go to the shorter, then the smaller.
func closest(t string, candidates map[string]bool) string {
	seen := map[string]bool{}
	best, bestD := "", -1
	consider := func(c string) {
		if seen[c] {
			return
		}
		seen[c] = true
		d := editDistance(t, c)
		if bestD < 0 || d < bestD || (d == bestD && (len(c) < len(best) || (len(c) == len(best) && c < best))) {
			best, bestD = c, d
		}
	}
	for c := range candidates {
		consider(c)
		for i := 1; i < len(c); i++ {
			// A prefix is an address once it names an object (type.name).
			if (c[i] == '.' || c[i] == '[') && strings.Contains(c[:i], ".") {
				consider(c[:i])
			}
		}
	}
	// A suggestion that shares nothing with the target helps no one.
	if bestD < 0 || bestD > max(len(t), len(best))/2+1 {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
