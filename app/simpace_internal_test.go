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

// TestPacerRateForgetsASlowStart: the rate the ETA uses is that of the
// last second or two, not of the whole run: after a slow start (a
// simulated minute in 2 s) and 2 s at half an hour each 50 ms (36,000×),
// it is near the fast rate. Since the start it could not exceed
// 20 h / 4 s = 18,000×.
func TestPacerRateForgetsASlowStart(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	p := newPacer(context.Background(), 0) // as fast as possible: pace never waits
	step := func(at time.Time) {
		if err := p.pace(at); err != nil {
			t.Fatal(err)
		}
	}
	step(t0)
	time.Sleep(2 * time.Second)
	c := t0.Add(time.Minute)
	step(c)
	for range 40 {
		time.Sleep(50 * time.Millisecond)
		c = c.Add(30 * time.Minute)
		step(c)
	}
	if r := p.rate(); r < 25000 {
		t.Errorf("rate %.0f× after a slow start and 2 s at 36,000×; want the recent rate", r)
	}
}

// TestPacerRateNotAboveSpeed: a run catching up after a stall passes its
// steps faster than its speed for a moment (the rate window can start at
// a step that passed late); the rate the ETA uses stays at the speed.
func TestPacerRateNotAboveSpeed(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	p := newPacer(context.Background(), 60)
	if err := p.pace(t0); err != nil {
		t.Fatal(err)
	}
	// The window starts at a late step, one wall second ago, and the
	// steps after it caught up ten simulated minutes.
	p.mu.Lock()
	p.rateT0, p.rateWall0 = t0, time.Now().Add(-time.Second)
	p.last = t0.Add(10 * time.Minute)
	p.mu.Unlock()
	if r := p.rate(); r > 60 {
		t.Errorf("rate %.1f× while catching up at 60×; want at most the speed", r)
	}
	p.setSpeed(0) // as fast as possible: the measured rate
	p.mu.Lock()
	p.rateT0, p.rateWall0 = t0, time.Now().Add(-time.Second)
	p.mu.Unlock()
	if r := p.rate(); r < 500 {
		t.Errorf("rate %.1f× as fast as possible after 10 simulated minutes in a second; want about 600", r)
	}
}

// TestPacerRateCountsPacedSteps: steps that wait for their time count for
// the rate like steps that pass at once. (They did not: after a stall the
// rate stayed on the steps that caught up, and the ETA grew while the run
// kept its speed.)
func TestPacerRateCountsPacedSteps(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	p := newPacer(context.Background(), 60)
	step := func(at time.Time) {
		t.Helper()
		if err := p.pace(at); err != nil {
			t.Fatal(err)
		}
	}
	step(t0)
	time.Sleep(300 * time.Millisecond) // a stall: 18 simulated seconds are due
	c := t0
	for range 18 { // due already: pass at once
		c = c.Add(time.Second)
		step(c)
	}
	for range 60 { // a simulated minute at 60×: each waits for its time
		c = c.Add(time.Second)
		step(c)
	}
	if r := p.rate(); r < 45 {
		t.Errorf("rate %.1f× after a simulated minute paced at 60×; want about 60", r)
	}
}
