package app

import (
	"context"
	"testing"
	"time"
)

// TestPacerFastUntil: at 1× real time, the steps of a simulated hour
// before FastUntil pass at once (an hour of them would take an hour);
// from FastUntil on, steps keep to the speed.
func TestPacerFastUntil(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	p := newPacer(context.Background(), 1)
	p.fastUntil = t0.Add(time.Hour)
	start := time.Now()
	for m := range 60 {
		if err := p.pace(t0.Add(time.Duration(m) * time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("a simulated hour before FastUntil took %v at 1×", d)
	}
	if err := p.pace(t0.Add(time.Hour)); err != nil { // the reference
		t.Fatal(err)
	}
	start = time.Now()
	if err := p.pace(t0.Add(time.Hour + 200*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("a step 200 ms after FastUntil passed after %v at 1×", d)
	}
}
