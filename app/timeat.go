package app

import (
	"sync"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// ValuesAt returns the values of the owners (sensors and spaces) as they
// were at t: per owner, per value name (the empty name for a sensor's
// value), the newest value recorded at or before t. Owners without a
// value at t are absent from the map. It seeks once per value in the
// project's history (engine.ValuesAt). A store failure is returned
// wrapped. Safe for concurrent use.
func (a *App) ValuesAt(owners []engine.ID, t time.Time) (map[engine.ID]map[string]engine.Value, error) {
	vs, err := a.engine.ValuesAt(owners, t)
	if err != nil {
		return nil, err
	}
	out := make(map[engine.ID]map[string]engine.Value, len(owners))
	for _, v := range vs {
		m := out[v.Owner]
		if m == nil {
			m = map[string]engine.Value{}
			out[v.Owner] = m
		}
		m[v.Name] = v.Value
	}
	return out, nil
}

// spanTTL is how long HistorySpan reuses the span it read from the store.
const spanTTL = time.Second

// spanCache holds the history span read last (HistorySpan).
type spanCache struct {
	mu       sync.Mutex
	read     time.Time     // when, on the wall clock; zero: never
	ttl      time.Duration // how long the span read is reused
	from, to time.Time
	ok       bool
}

// HistorySpan returns the time slider's range: while a simulation runs,
// from its start to its clock; after a run ended in this process, that
// run's simulated span (a simulated week in March and device states
// recorded on today's wall clock would otherwise share one range, the
// week a sliver of it); otherwise the times of the oldest and the newest
// value recorded in the project. ok is false while nothing was recorded.
// The store's span (two seeks per value) is read at most once a second
// (less often on projects where that read takes more than 20 ms), so a
// value just written may widen it a second later. Safe for concurrent use.
func (a *App) HistorySpan() (from, to time.Time, ok bool) {
	if clk := a.simTime.clock.Load(); clk != nil {
		return clk.Start(), clk.Now(), true
	}
	if last := a.simTime.last.Load(); last != nil {
		return last[0], last[1], true
	}
	c := &a.span
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.read.IsZero() || time.Since(c.read) >= c.ttl {
		t0 := time.Now()
		f, l, found, err := a.store.HistorySpan()
		c.ttl = max(spanTTL, 50*time.Since(t0)) // at most 2% of the time on big projects
		if err != nil {
			a.log.Warn("history span", "err", err)
		} else {
			c.from, c.to, c.ok = f, l, found
		}
		c.read = time.Now()
	}
	return c.from, c.to, c.ok
}
