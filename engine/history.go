package engine

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// HistoryRange returns the history of owner's value name (the empty name
// for a sensor's value, as History) with from <= Time <= to, oldest first
// (values of equal time in the order they were written). A zero from or
// to leaves that end open. If limit > 0 only the newest limit values of
// the range are returned; limit <= 0 returns them all (within the
// store's retention).
//
// It reads the store (with a cursor seek when the store implements
// HistoryRanger) and adds the values written but not yet committed, so a
// value is in the result as soon as the write that set it returned. When
// such values are still waiting, it waits for a commit in progress (one
// Store.Apply) and holds the next one back while it reads the store. The
// owner must be a sensor, a space or a user-defined function of the
// graph, else the error wraps ErrNotFound; a store failure is returned
// wrapped. Safe for concurrent use.
func (e *Engine) HistoryRange(owner ID, name string, from, to time.Time, limit int) ([]Value, error) {
	known := false
	_ = e.View(func(v *View) error {
		_, sensor := v.g.sensors[owner]
		_, space := v.g.spaces[owner]
		_, udf := v.g.udfs[owner]
		known = sensor || space || udf
		return nil
	})
	if !known {
		return nil, fmt.Errorf("%w: no sensor, space or function has id %s", ErrNotFound, owner)
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return nil, nil
	}
	// Nothing of this value waiting to be committed: every write that
	// returned before this call is in the store, and the read need not
	// hold the committer back (a chart of a long range reads for a while).
	pending := e.com.pendingValues(owner, name, from, to)
	var stored []Value
	var err error
	if len(pending) == 0 {
		stored, err = e.storeRange(owner, name, from, to, limit)
	} else {
		e.com.applying.RLock()
		pending = e.com.pendingValues(owner, name, from, to)
		stored, err = e.storeRange(owner, name, from, to, limit)
		e.com.applying.RUnlock()
	}
	if err != nil {
		return nil, fmt.Errorf("history of %s %q: %w", owner, name, err)
	}
	if len(pending) == 0 {
		return stored, nil
	}
	out := append(stored, pending...)
	slices.SortStableFunc(out, func(a, b Value) int { return a.Time.Compare(b.Time) })
	if limit > 0 && len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out, nil
}

// storeRange reads a range from the store, through HistoryRanger if it
// has it.
func (e *Engine) storeRange(owner ID, name string, from, to time.Time, limit int) ([]Value, error) {
	if hr, ok := e.store.(HistoryRanger); ok {
		return hr.HistoryRange(owner, name, from, to, limit)
	}
	all, err := e.store.History(owner, name, math.MaxInt32)
	if err != nil {
		return nil, err
	}
	var out []Value
	for _, v := range all {
		if inRange(v.Time, from, to) {
			out = append(out, v)
		}
	}
	if limit > 0 && len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out, nil
}
