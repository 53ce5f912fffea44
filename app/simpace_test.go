package app_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/simulator"
)

// shortWeek is the smart office's week.yaml shortened to d.
func shortWeek(t *testing.T, d time.Duration) (*app.App, *simulator.Scenario) {
	t.Helper()
	a, sc := openInstalled(t)
	sc.Duration = d
	return a, sc
}

// TestSimRunPauseStepSpeed: a run paused, stepped, resumed and sped up
// while it goes produces the very readings and KPIs of a run as fast as
// possible with the same seed; Step moves the clock by one step; the ETA
// is known while it runs and not while paused.
func TestSimRunPauseStepSpeed(t *testing.T) {
	a, sc := shortWeek(t, 6*time.Hour)
	want, err := a.RunSimulation(t.Context(), sc, app.SimOptions{Record: true})
	if err != nil {
		t.Fatal(err)
	}
	b, sc2 := shortWeek(t, 6*time.Hour)
	run, err := b.StartSimulation(sc2, app.SimOptions{Speed: 3600, Record: true})
	if err != nil {
		t.Fatal(err)
	}
	// The ETA comes from the rate of the last second or two: read it once
	// the first steps (compiling the UDF, connecting) are behind it.
	for deadline := time.Now().Add(10 * time.Second); run.Progress() < 0.05 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	// The ETA is the time left at the rate the run really goes: never
	// sooner than the pace allows, and in line with the rate this test
	// sees itself (a loaded machine may not keep 3600×, so the bound is
	// the observed rate, not the nominal one). The test's half second and
	// the ETA's window are not the same span: a stall of the machine in
	// one and not the other can put them apart, so the test tries up to
	// four half seconds (the 6 h take 6 s at 3600×), and the ETA must
	// agree with one of them.
	var misses []string
	for try := 0; try < 4; try++ {
		c1, w1 := run.Clock(), time.Now()
		time.Sleep(500 * time.Millisecond)
		eta, ok := run.ETA()
		c2, w2 := run.Clock(), time.Now()
		left := sc2.Start.Add(sc2.Duration).Sub(c2)
		if !ok || eta <= 0 {
			t.Fatalf("ETA at 3600× while running = %v, %v", eta, ok)
		}
		if floor := time.Duration(float64(left) / 3600 * 0.9); eta < floor {
			t.Fatalf("ETA %v sooner than 3600× allows for %v left (%v)", eta, left, floor)
		}
		observed := float64(c2.Sub(c1)) / float64(w2.Sub(w1))
		if ceil := time.Duration(4 * float64(left) / observed); observed > 0 && eta <= ceil+time.Second {
			misses = nil
			break
		}
		misses = append(misses, fmt.Sprintf("ETA %v for %v left at an observed %.0f×", eta, left, observed))
	}
	if misses != nil {
		t.Errorf("the ETA never agreed with the observed rate (at most 4× its time left, +1 s): %s", strings.Join(misses, "; "))
	}
	run.Pause()
	if !run.Paused() {
		t.Fatal("not paused after Pause")
	}
	c0 := run.Clock()
	time.Sleep(100 * time.Millisecond)
	if c := run.Clock(); !c.Equal(c0) {
		t.Fatalf("the clock moved while paused: %v to %v", c0, c)
	}
	if _, ok := run.ETA(); ok {
		t.Error("an ETA while paused")
	}
	for i := 1; i <= 3; i++ {
		run.Step()
		if got := run.Clock(); !got.Equal(c0.Add(time.Duration(i) * sc2.Step)) {
			t.Fatalf("after %d steps the clock is %v, want %v", i, got, c0.Add(time.Duration(i)*sc2.Step))
		}
	}
	if err := run.SetSpeed(-1); err == nil || run.Speed() != 3600 {
		t.Errorf("SetSpeed(-1) = %v, speed %v", err, run.Speed())
	}
	if err := run.SetSpeed(60); err != nil {
		t.Fatal(err)
	}
	run.Resume()
	time.Sleep(200 * time.Millisecond)
	if d := run.Clock().Sub(c0); d > 15*time.Minute {
		t.Errorf("at 60× the clock went %v in 0.2 s", d)
	}
	if err := run.SetSpeed(0); err != nil {
		t.Fatal(err)
	}
	select {
	case <-run.Done():
	case <-time.After(60 * time.Second):
		t.Fatal("the run did not finish as fast as possible")
	}
	got := run.Report()
	if got == nil {
		t.Fatalf("no report: %v", run.Err())
	}
	if !bytes.Equal(got.Series, want.Series) || !bytes.Equal(got.Spaces, want.Spaces) || !bytes.Equal(got.KPIs(), want.KPIs()) {
		t.Errorf("paused, stepped and sped up the run differs: %d/%d series bytes, kpis\n%s\nwant\n%s",
			len(got.Series), len(want.Series), got.KPIs(), want.KPIs())
	}
	if run.Paused() {
		t.Error("a finished run is paused")
	}
	run.Step() // returns at once on a finished run
	run.Pause()
}
