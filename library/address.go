package library

import (
	"strconv"
	"strings"
)

// Address formats the address of a configuration block, or of one of its
// for_each instances when key is not nil: script.pilot, embedding.pilot["3"].
func Address(typ, name string, key *string) string {
	a := typ + "." + name
	if key != nil {
		a += "[" + strconv.Quote(*key) + "]"
	}
	return a
}

// SceneAddress is the address of the scene numbered n derived from a
// script's Fountain source: script.pilot.scenes["3"].
func SceneAddress(script string, n int) string {
	return script + `.scenes["` + strconv.Itoa(n) + `"]`
}

// CharacterAddress is the address of a script's character:
// script.pilot.characters["KIM"].
func CharacterAddress(script, name string) string {
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
