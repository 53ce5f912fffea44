package ui

import (
	"strings"
	"testing"
	"time"
)

// TestPlanStats: off, nothing is recorded; on, an update counts from the
// recolour to the view's refresh, a refresh without a recolour does not
// count, paints count, and the line says the rates and percentiles.
func TestPlanStats(t *testing.T) {
	var off strings.Builder
	s := newPlanStats(false, &off)
	s.updating()
	s.refreshed(0)
	s.painted(time.Millisecond)
	if len(s.updates)+len(s.paints) != 0 {
		t.Fatalf("off: recorded %d updates, %d paints", len(s.updates), len(s.paints))
	}

	var out strings.Builder
	s = newPlanStats(true, &out)
	s.start.Do(func() {}) // no probe goroutine: the test writes itself
	s.since = time.Now().Add(-2 * time.Second)
	s.updating()
	s.refreshed(0)
	s.refreshed(0) // a refresh of its own (an edit, a hover): not an update
	for _, ms := range []int{1, 2, 3, 40} {
		s.painted(time.Duration(ms) * time.Millisecond)
	}
	s.write(time.Now())
	got := out.String()
	for _, want := range []string{"plan updates 0.5/s", "room paints 2.0/s (p50 2.00 ms p99 3.00 ms max 40.00 ms)", "main loop wait none"} {
		if !strings.Contains(got, want) {
			t.Errorf("line %q lacks %q", got, want)
		}
	}
	if len(s.updates)+len(s.paints) != 0 {
		t.Error("write did not start afresh")
	}
}
