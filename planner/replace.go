package planner

import (
	"fmt"

	"scriptsync/providers"
)

// ReplaceError names -replace addresses that no object of the plan has.
type ReplaceError struct {
	Address string
}

func (e *ReplaceError) Error() string {
	return fmt.Sprintf("planner: -replace=%s: no object of the configuration has this address (see scriptsync state list)", e.Address)
}

// forceReplace turns the changes of the objects named in replace (in
// every backend) into replacements, as Terraform's -replace does: an
// object that exists and would be kept or updated is deleted and created
// again. replaced records the addresses found.
func forceReplace(changes []*providers.Change, replace []string, replaced map[string]bool) {
	if len(replace) == 0 {
		return
	}
	want := make(map[string]bool, len(replace))
	for _, r := range replace {
		want[r] = true
	}
	for _, c := range changes {
		if c.After == nil || !want[c.After.Address] {
			continue
		}
		replaced[c.After.Address] = true
		if c.Before != nil && (c.Action == providers.NoOp || c.Action == providers.Update) {
			c.Action = providers.Replace
		}
	}
}
