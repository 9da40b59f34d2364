// Package address is the grammar of object addresses, the one place that
// writes and reads them: config names objects with it, the planner
// matches -target with it, render splits addresses for -json, and the CLI
// checks -target and state arguments with it.
//
// An address names an object the way the configuration does:
// series.night_shift, script.pilot, script.pilot.scenes["3"],
// script.pilot.characters["KIM"], scene.spinoff_open,
// embedding.pilot["3"], bible.world, agent.props_inventory.
package address

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Of formats the address of a configuration block, or of one of its
// for_each instances when key is not nil: script.pilot, embedding.pilot["3"].
func Of(typ, name string, key *string) string {
	a := typ + "." + name
	if key != nil {
		a += "[" + strconv.Quote(*key) + "]"
	}
	return a
}

// Scene is the address of the scene numbered n derived from a script's
// Fountain source: script.pilot.scenes["3"].
func Scene(script string, n int) string {
	return script + `.scenes["` + strconv.Itoa(n) + `"]`
}

// Character is the address of a script's character:
// script.pilot.characters["KIM"].
func Character(script, name string) string {
	return script + ".characters[" + strconv.Quote(name) + "]"
}

// Within reports whether addr is target or lies inside it: script.pilot
// contains script.pilot.scenes["3"], embedding.pilot contains
// embedding.pilot["3"].
func Within(addr, target string) bool {
	if !strings.HasPrefix(addr, target) {
		return false
	}
	if len(addr) == len(target) {
		return true
	}
	c := addr[len(target)]
	return c == '.' || c == '['
}

// WithinAny reports whether addr lies within any of targets; with none,
// every address does.
func WithinAny(addr string, targets []string) bool {
	if len(targets) == 0 {
		return true
	}
	for _, t := range targets {
		if Within(addr, t) {
			return true
		}
	}
	return false
}

// CheckTarget reports whether s is written as an address (-target
// script.pilot, embedding.pilot["3"]).
func CheckTarget(s string) error {
	if _, diags := hclsyntax.ParseTraversalAbs([]byte(s), "-target", hcl.InitialPos); diags.HasErrors() || strings.TrimSpace(s) == "" {
		return fmt.Errorf("%q is not an address such as script.pilot or embedding.pilot[\"3\"]", s)
	}
	return nil
}

// NameKey splits an address into the name of the block that declared the
// object and its key: embedding.pilot["3"] → pilot, 3;
// script.pilot.scenes["3"] → pilot, 3; series.x → x, "".
func NameKey(addr string) (name, key string) {
	_, rest, _ := strings.Cut(addr, ".")
	name = rest
	if i := strings.IndexAny(rest, ".["); i >= 0 {
		name = rest[:i]
	}
	if strings.HasSuffix(addr, "\"]") {
		if i := strings.LastIndex(addr, "[\""); i >= 0 {
			if s, err := strconv.Unquote(addr[i+1 : len(addr)-1]); err == nil {
				key = s
			}
		}
	}
	return name, key
}
