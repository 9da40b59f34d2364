package planner

import (
	"container/heap"

	"scriptsync/providers"
)

// order sorts one provider's changes into apply order: a created or updated
// object after the created or updated objects it depends on; a deleted
// object after every change to the objects that depended on it. Among
// changes that are free to go, deletes go first (freeing unique keys), then
// replacements, updates and creates, each by address. No-ops keep their
// address order at the end. A dependency cycle (possible only with
// replacements) is broken at the earliest change in that order.
func order(changes []*providers.Change) []*providers.Change {
	var active, noops []*providers.Change
	for _, c := range changes {
		if c.Action == providers.NoOp {
			noops = append(noops, c)
		} else {
			active = append(active, c)
		}
	}
	n := len(active)
	if n == 0 {
		return noops
	}
	creating := make(map[string]int, n) // address → change that creates or updates it
	deleting := make(map[string]int, n) // address → change that deletes it
	for i, c := range active {
		if c.After != nil {
			creating[c.After.Address] = i
		}
		if c.Before != nil && (c.Action == providers.Delete || c.Action == providers.Replace) {
			deleting[c.Before.Address] = i
		}
	}
	after := make([][]int, n) // after[i]: changes that must wait for i
	indeg := make([]int, n)
	edge := func(first, then int) {
		if first != then {
			after[first] = append(after[first], then)
			indeg[then]++
		}
	}
	for i, c := range active {
		if c.After != nil {
			for _, dep := range c.After.Deps {
				if j, ok := creating[dep]; ok {
					edge(j, i)
				}
			}
		}
		if c.Before != nil {
			for _, dep := range c.Before.Deps {
				if j, ok := deleting[dep]; ok {
					edge(i, j)
				}
			}
		}
	}
	h := &changeHeap{changes: active}
	for i := range active {
		if indeg[i] == 0 {
			h.idx = append(h.idx, i)
		}
	}
	heap.Init(h)
	done := make([]bool, n)
	out := make([]*providers.Change, 0, len(changes))
	for len(out) < n {
		if h.Len() == 0 {
			// A cycle: release the first change still waiting.
			best := -1
			for i := range active {
				if !done[i] && (best < 0 || h.less(i, best)) {
					best = i
				}
			}
			indeg[best] = 0
			heap.Push(h, best)
		}
		i := heap.Pop(h).(int)
		if done[i] {
			continue
		}
		done[i] = true
		out = append(out, active[i])
		for _, j := range after[i] {
			indeg[j]--
			if indeg[j] == 0 && !done[j] {
				heap.Push(h, j)
			}
		}
	}
	return append(out, noops...)
}

var actionRank = map[providers.Action]int{
	providers.Delete: 0, providers.Replace: 1, providers.Update: 2, providers.Create: 3,
}

type changeHeap struct {
	changes []*providers.Change
	idx     []int
}

func (h *changeHeap) less(i, j int) bool {
	a, b := h.changes[i], h.changes[j]
	if ra, rb := actionRank[a.Action], actionRank[b.Action]; ra != rb {
		return ra < rb
	}
	return a.Address() < b.Address()
}

func (h *changeHeap) Len() int           { return len(h.idx) }
func (h *changeHeap) Less(i, j int) bool { return h.less(h.idx[i], h.idx[j]) }
func (h *changeHeap) Swap(i, j int)      { h.idx[i], h.idx[j] = h.idx[j], h.idx[i] }
func (h *changeHeap) Push(x any)         { h.idx = append(h.idx, x.(int)) }
func (h *changeHeap) Pop() any {
	old := h.idx
	x := old[len(old)-1]
	h.idx = old[:len(old)-1]
	return x
}
