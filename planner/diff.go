package planner

import (
	"sort"

	"scriptsync/providers"
)

// diff pairs desired with actual objects of one provider and returns a
// change per pair (no-ops included), per unmatched desired object (create)
// and per unmatched actual object (delete), sorted by address.
func diff(provider string, desired, actual []*providers.Object) []*providers.Change {
	pairs := match(desired, actual)
	changes := make([]*providers.Change, 0, len(pairs))
	for _, p := range pairs {
		c := &providers.Change{Provider: provider, Before: p.before, After: p.after}
		switch {
		case p.before == nil:
			c.Action = providers.Create
		case p.after == nil:
			c.Action = providers.Delete
		case p.before.Hash == p.after.Hash && p.before.Address == p.after.Address && p.before.Type == p.after.Type:
			c.Action = providers.NoOp
		case ForcesNew(p.before, p.after) != nil || p.before.Type != p.after.Type:
			c.Action = providers.Replace
		default:
			c.Action = providers.Update
		}
		changes = append(changes, c)
	}
	sort.SliceStable(changes, func(i, j int) bool { return changes[i].Address() < changes[j].Address() })
	return changes
}

// ForcesNew returns the ForceNew attributes whose value differs: the
// reasons a change replaces the object.
func ForcesNew(before, after *providers.Object) []string {
	if len(after.ForceNew) == 0 {
		return nil
	}
	var out []string
	b, a := before.Attributes(), after.Attributes()
	for _, name := range after.ForceNew {
		if !EqualValue(b[name], a[name]) {
			out = append(out, name)
		}
	}
	return out
}

type pair struct{ before, after *providers.Object }

// match pairs objects. Ungrouped objects pair by address. Within a group,
// objects pair first by address when their content is unchanged, then by
// content (MatchHash: the object moved), then by position between the
// pairs already made (the object moved and changed), then by address.
func match(desired, actual []*providers.Object) []pair {
	var pairs []pair
	actualByAddr := make(map[string]*providers.Object, len(actual))
	for _, a := range actual {
		actualByAddr[a.Address] = a
	}
	used := make(map[*providers.Object]bool, len(actual))

	groups := map[string]*group{}
	var groupNames []string
	grp := func(name string) *group {
		g := groups[name]
		if g == nil {
			g = &group{}
			groups[name] = g
			groupNames = append(groupNames, name)
		}
		return g
	}
	for _, d := range desired {
		if d.Group != "" {
			g := grp(d.Group)
			g.desired = append(g.desired, d)
			continue
		}
		a := actualByAddr[d.Address]
		if a != nil && a.Group == "" && !used[a] {
			used[a] = true
			pairs = append(pairs, pair{a, d})
		} else {
			pairs = append(pairs, pair{nil, d})
		}
	}
	for _, a := range actual {
		if a.Group != "" {
			g := grp(a.Group)
			g.actual = append(g.actual, a)
		}
	}
	sort.Strings(groupNames)
	for _, name := range groupNames {
		pairs = append(pairs, groups[name].match(used)...)
	}
	for _, a := range actual {
		if !used[a] && a.Group == "" {
			used[a] = true
			pairs = append(pairs, pair{a, nil})
		}
	}
	return pairs
}

type group struct {
	desired, actual []*providers.Object
}

func (g *group) match(used map[*providers.Object]bool) []pair {
	sort.SliceStable(g.desired, func(i, j int) bool { return g.desired[i].Seq < g.desired[j].Seq })
	sort.SliceStable(g.actual, func(i, j int) bool { return g.actual[i].Seq < g.actual[j].Seq })
	partner := make(map[*providers.Object]*providers.Object) // desired → actual

	// 1. Same address, same content.
	byAddr := make(map[string]*providers.Object, len(g.actual))
	for _, a := range g.actual {
		byAddr[a.Address] = a
	}
	for _, d := range g.desired {
		if a := byAddr[d.Address]; a != nil && !used[a] && a.MatchHash == d.MatchHash {
			used[a] = true
			partner[d] = a
		}
	}
	// 2. Same content elsewhere: the object moved.
	byContent := map[string][]*providers.Object{}
	for _, a := range g.actual {
		if !used[a] {
			byContent[a.MatchHash] = append(byContent[a.MatchHash], a)
		}
	}
	for _, d := range g.desired {
		if partner[d] != nil {
			continue
		}
		if q := byContent[d.MatchHash]; len(q) > 0 {
			a := q[0]
			byContent[d.MatchHash] = q[1:]
			used[a] = true
			partner[d] = a
		}
	}
	// 3. Between consecutive anchors (pairs whose order agrees in both
	// sequences), the unmatched objects on either side are the same objects,
	// moved and edited: pair them in order.
	anchors := longestOrderedAnchors(g.desired, partner)
	di, ai := 0, 0
	flushGap := func(dEnd, aSeq int) {
		var ds, as []*providers.Object
		for ; di < dEnd; di++ {
			if partner[g.desired[di]] == nil {
				ds = append(ds, g.desired[di])
			}
		}
		for ; ai < len(g.actual) && (aSeq < 0 || g.actual[ai].Seq < aSeq); ai++ {
			if !used[g.actual[ai]] {
				as = append(as, g.actual[ai])
			}
		}
		for k := 0; k < len(ds) && k < len(as); k++ {
			used[as[k]] = true
			partner[ds[k]] = as[k]
		}
	}
	for _, idx := range anchors {
		flushGap(idx, partner[g.desired[idx]].Seq)
		di = idx + 1
		for ai < len(g.actual) && g.actual[ai].Seq <= partner[g.desired[idx]].Seq {
			ai++
		}
	}
	flushGap(len(g.desired), -1)

	// 4. What is left pairs by address, or not at all.
	for _, d := range g.desired {
		if partner[d] != nil {
			continue
		}
		if a := byAddr[d.Address]; a != nil && !used[a] {
			used[a] = true
			partner[d] = a
		}
	}
	var pairs []pair
	for _, d := range g.desired {
		pairs = append(pairs, pair{partner[d], d})
	}
	for _, a := range g.actual {
		if !used[a] {
			used[a] = true
			pairs = append(pairs, pair{a, nil})
		}
	}
	return pairs
}

// longestOrderedAnchors returns the indexes (into desired, ascending) of the
// largest set of pairs whose actual Seqs also ascend: the pairs that did not
// cross one another.
func longestOrderedAnchors(desired []*providers.Object, partner map[*providers.Object]*providers.Object) []int {
	var idx []int
	for i, d := range desired {
		if partner[d] != nil {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return nil
	}
	// Patience sorting: O(n log n) longest increasing subsequence.
	tails := []int{} // tails[k] = position in idx of the smallest tail of a run of length k+1
	prev := make([]int, len(idx))
	for p, i := range idx {
		seq := partner[desired[i]].Seq
		lo, hi := 0, len(tails)
		for lo < hi {
			mid := (lo + hi) / 2
			if partner[desired[idx[tails[mid]]]].Seq < seq {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		if lo > 0 {
			prev[p] = tails[lo-1]
		} else {
			prev[p] = -1
		}
		if lo == len(tails) {
			tails = append(tails, p)
		} else {
			tails[lo] = p
		}
	}
	out := make([]int, len(tails))
	for k, p := len(tails)-1, tails[len(tails)-1]; k >= 0; k, p = k-1, prev[p] {
		out[k] = idx[p]
	}
	return out
}
