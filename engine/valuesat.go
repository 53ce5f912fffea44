package engine

import (
	"fmt"
	"sort"
	"time"
)

// ValueAt is one value of an owner as it was at some moment: Owner is a
// sensor or a space, Name the space value's name (the empty name for a
// sensor's value, as in HistoryRange).
type ValueAt struct {
	Owner ID
	Name  string
	Value Value
}

// ValuesAt returns, for each owner (a sensor or a space) and each of its
// value names, the newest recorded value with Time <= t; a value that had
// no entry yet at t is left out. The result follows the order of owners,
// then value names in byte order. Owners that are neither sensor nor
// space (or no object at all) are skipped.
//
// It never scans whole histories: per value it seeks once in the store's
// time-ordered history (HistoryRanger with to = t and limit 1, or a
// HistoryAter), and adds the values written but not yet committed, as
// HistoryRange does. A value whose entries before t were all dropped by
// the store's retention is left out. A store failure is returned wrapped.
// Safe for concurrent use.
func (e *Engine) ValuesAt(owners []ID, t time.Time) ([]ValueAt, error) {
	keys := e.valueKeys(owners)
	if len(keys) == 0 {
		return nil, nil
	}
	var out []ValueAt
	var has []bool
	var err error
	if !e.com.hasPending() {
		out, has, err = e.storeValuesAt(keys, t)
	} else {
		e.com.applying.RLock()
		out, has, err = e.storeValuesAt(keys, t)
		if err == nil {
			e.com.mergePendingAt(out, has, t)
		}
		e.com.applying.RUnlock()
	}
	if err != nil {
		return nil, err
	}
	n := 0
	for i := range out {
		if has[i] {
			out[n] = out[i]
			n++
		}
	}
	return out[:n], nil
}

// valueKeys lists the (owner, name) pairs of the owners' values, in owner
// order then name order; each result has a zero Value.
func (e *Engine) valueKeys(owners []ID) []ValueAt {
	var keys []ValueAt
	_ = e.View(func(v *View) error {
		for _, id := range owners {
			if s := v.g.sensors[id]; s != nil {
				if s.value != nil {
					keys = append(keys, ValueAt{Owner: id})
				}
				continue
			}
			sp := v.g.spaces[id]
			if sp == nil {
				continue
			}
			n := len(keys)
			for name := range sp.values {
				keys = append(keys, ValueAt{Owner: id, Name: name})
			}
			added := keys[n:]
			sort.Slice(added, func(i, j int) bool { return added[i].Name < added[j].Name })
		}
		return nil
	})
	return keys
}

// HistoryAter is an optional Store interface: the newest stored history
// entry at or before a moment of many values at once (one seek each, one
// read transaction). Engine.ValuesAt uses it; without it, it calls
// HistoryRange (or History) per value.
type HistoryAter interface {
	// HistoryAt calls fn for each key i whose value has a stored entry
	// with Time <= t, with the newest such entry.
	HistoryAt(owners []ID, names []string, t time.Time, fn func(i int, v Value)) error
}

// storeValuesAt returns keys with their Value filled from the store, and
// which of them the store has an entry at or before t for.
func (e *Engine) storeValuesAt(keys []ValueAt, t time.Time) ([]ValueAt, []bool, error) {
	out := make([]ValueAt, len(keys))
	copy(out, keys)
	has := make([]bool, len(keys))
	if ha, ok := e.store.(HistoryAter); ok {
		owners := make([]ID, len(keys))
		names := make([]string, len(keys))
		for i, k := range keys {
			owners[i], names[i] = k.Owner, k.Name
		}
		err := ha.HistoryAt(owners, names, t, func(i int, v Value) { out[i].Value, has[i] = v, true })
		if err != nil {
			return nil, nil, fmt.Errorf("values at %s: %w", t.Format(time.RFC3339), err)
		}
		return out, has, nil
	}
	for i, k := range keys {
		h, err := e.storeRange(k.Owner, k.Name, time.Time{}, t, 1)
		if err != nil {
			return nil, nil, fmt.Errorf("values at %s: %s %q: %w", t.Format(time.RFC3339), k.Owner, k.Name, err)
		}
		if len(h) > 0 {
			out[i].Value, has[i] = h[len(h)-1], true
		}
	}
	return out, has, nil
}

// hasPending reports whether any value op waits to be committed.
func (c *committer) hasPending() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.inflight) > 0 {
		return true
	}
	for _, p := range c.queue {
		if len(p.ops) > 0 {
			return true
		}
	}
	return false
}

// mergePendingAt replaces out's values by newer ones written but not yet
// committed with Time <= t (at equal times the later write wins). The
// caller holds applying for reading across the store read and this call.
func (c *committer) mergePendingAt(out []ValueAt, has []bool, t time.Time) {
	type key struct {
		owner ID
		name  string
	}
	idx := make(map[key]int, len(out))
	for i, k := range out {
		idx[key{k.Owner, k.Name}] = i
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	add := func(ops []Op) {
		for j := range ops {
			op := &ops[j]
			if op.Type != OpValue || op.Value.Time.After(t) {
				continue
			}
			i, ok := idx[key{op.Key, op.Name}]
			if ok && (!has[i] || !op.Value.Time.Before(out[i].Value.Time)) {
				out[i].Value = Value{Value: op.Value.Value, Time: op.Value.Time.UTC()}
				has[i] = true
			}
		}
	}
	add(c.inflight)
	for _, p := range c.queue {
		add(p.ops)
	}
}
