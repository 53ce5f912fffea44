package ui

import (
	"testing"
	"time"
)

func TestTimeCursor(t *testing.T) {
	var c timeCursor
	var seen []time.Time
	c.OnChange(func(at time.Time) { seen = append(seen, at) })
	if !c.Live() {
		t.Fatal("a new cursor is not live")
	}
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	c.Set(t0)
	c.Set(t0) // no change: no call
	if at, ok := c.At(); !ok || !at.Equal(t0) || c.Live() {
		t.Fatalf("At = %v %v after Set(%v)", at, ok, t0)
	}
	c.Set(time.Time{})
	if !c.Live() || len(seen) != 2 || !seen[1].IsZero() {
		t.Fatalf("live again: Live %v, calls %v", c.Live(), seen)
	}
}
