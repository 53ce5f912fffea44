package app_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/simulator"
)

// openInstalled installs the smart-office example, opens its project and
// loads its week.yaml.
func openInstalled(t *testing.T) (*app.App, *simulator.Scenario) {
	t.Helper()
	dir, project := installOffice(t)
	a, err := app.Open(project, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := closeWithin(a, 30*time.Second); err != nil {
			t.Error(err)
		}
	})
	sc, err := simulator.LoadScenario(filepath.Join(dir, "week.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return a, sc
}

// TestStartSimulation: the studio's live run of the bundled week. The
// simulated clock advances, readings stamped with it are accepted and the
// availability UDF runs on them; Stop returns promptly and a second run
// may start after it.
func TestStartSimulation(t *testing.T) {
	a, sc := openInstalled(t)
	before := a.Pipeline().Stats()
	// 36000×: ten simulated hours per second, paced like the studio's 60×.
	run, err := a.StartSimulation(sc, app.SimOptions{Speed: 36000})
	if err != nil {
		t.Fatal(err)
	}
	if run.Scenario() != sc.Name || run.Speed() != 36000 || a.Simulation() != run {
		t.Errorf("run: scenario %q speed %v", run.Scenario(), run.Speed())
	}
	if _, err := a.StartSimulation(sc, app.SimOptions{}); !errors.Is(err, app.ErrSimRunning) {
		t.Errorf("second StartSimulation: %v, want ErrSimRunning", err)
	}
	c0 := run.Clock()
	time.Sleep(time.Second)
	c1 := run.Clock()
	if !c1.After(c0) || c0.Before(sc.Start) {
		t.Errorf("clock went from %v to %v, want it to advance from %v", c0, c1, sc.Start)
	}
	// At most ten hours; at least two report intervals even under -race.
	if d := c1.Sub(sc.Start); d < 10*time.Minute || d > 11*time.Hour {
		t.Errorf("after 1 s at 36000× the clock is %v past the start, want ≤ 10h", d)
	}
	if p := run.Progress(); p <= 0 || p >= 1 {
		t.Errorf("progress %v", p)
	}
	select {
	case <-run.Done():
		t.Fatal("the run ended early")
	default:
	}
	eventually(t, 5*time.Second, func() bool { return a.Pipeline().Stats().Accepted > before.Accepted+100 },
		func() string { return "no readings accepted" })
	if st := a.Pipeline().Stats(); st.Rejected != before.Rejected {
		t.Errorf("%d readings rejected: %v", st.Rejected-before.Rejected, a.Pipeline().Rejections())
	}
	// Values carry the simulated time, and the UDF wrote the rooms'
	// AvailableAndFresh with it (on a loaded machine its first runs may
	// come later than the first readings).
	var sensorAt, udfAt time.Time
	newest := func() {
		a.Engine().View(func(v *engine.View) error {
			var walk func([]*engine.Space)
			walk = func(list []*engine.Space) {
				for _, sp := range list {
					if val, ok := v.SpaceValue(sp.ID, "AvailableAndFresh"); ok && val.Time.After(udfAt) {
						udfAt = val.Time
					}
					for _, s := range v.SpaceSensors(sp.ID) {
						if val, ok := v.SensorValue(s.ID); ok && val.Time.After(sensorAt) {
							sensorAt = val.Time
						}
					}
					walk(v.ChildSpaces(sp.ID))
				}
			}
			walk(v.Roots())
			return nil
		})
	}
	eventually(t, 30*time.Second, func() bool { newest(); return !udfAt.IsZero() },
		func() string {
			var last []string
			for _, u := range a.UDFs(engine.NilID) {
				if u.Last != nil {
					last = append(last, u.UDF.Name+": "+u.Last.Outcome+" "+u.Last.Error)
				}
			}
			return fmt.Sprintf("no AvailableAndFresh written; last UDF runs %q", last)
		})
	end := sc.Start.Add(sc.Duration)
	if sensorAt.Before(sc.Start) || sensorAt.After(end) {
		t.Errorf("newest sensor value at %v, want simulated time in [%v, %v]", sensorAt, sc.Start, end)
	}
	if udfAt.Before(sc.Start) || udfAt.After(end) {
		t.Errorf("newest AvailableAndFresh at %v, want simulated time (the UDF ran on the readings)", udfAt)
	}

	start := time.Now()
	run.Stop()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Stop took %v", d)
	}
	if err := run.Err(); err != nil || !run.Stopped() || run.Result() != nil {
		t.Errorf("stopped run: err %v, stopped %v, result %v", err, run.Stopped(), run.Result())
	}
	stopped := run.Clock()
	time.Sleep(50 * time.Millisecond)
	if !run.Clock().Equal(stopped) {
		t.Error("the clock moves after Stop")
	}
	run.Stop() // again: nothing

	// A short run to its end: a result, no error.
	sc.Duration = 2 * time.Hour
	run, err = a.StartSimulation(sc, app.SimOptions{})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-run.Done():
	case <-time.After(90 * time.Second): // about 1 s alone; 20–40 s under the race detector on a busy machine
		t.Fatal("a 2 h run at full speed did not finish")
	}
	if err := run.Err(); err != nil || run.Stopped() {
		t.Fatalf("finished run: err %v, stopped %v", err, run.Stopped())
	}
	res := run.Result()
	if res == nil || res.Readings == 0 || res.Rejected != 0 {
		t.Fatalf("result %+v", res)
	}
	if want := sc.Start.Add(sc.Duration); !run.Clock().Equal(want) {
		t.Errorf("clock at the end %v, want %v", run.Clock(), want)
	}
	if p := run.Progress(); p != 1 {
		t.Errorf("progress at the end %v", p)
	}
}

// TestStartSimulationErrors: a scenario that matches nothing in the project
// fails at once with the simulator's error; a bad speed too; MQTT mode
// needs the broker.
func TestStartSimulationErrors(t *testing.T) {
	a, err := app.Open(filepath.Join(t.TempDir(), "empty.twin"), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	_, sc := openInstalled(t)
	_, err = a.StartSimulation(sc, app.SimOptions{Speed: 60})
	if err == nil || !strings.Contains(err.Error(), "no space with sensors matches") {
		t.Errorf("StartSimulation on an empty project: %v, want the simulator's error", err)
	}
	if a.Simulation() != nil {
		t.Error("a failed start left a simulation")
	}
	b, sc := openInstalled(t)
	if _, err := b.StartSimulation(sc, app.SimOptions{Speed: -1}); err == nil {
		t.Error("StartSimulation with speed -1: no error")
	}
	if _, err := b.StartSimulation(sc, app.SimOptions{Mode: app.SimMQTT, Speed: 60}); err == nil || !strings.Contains(err.Error(), "broker") {
		t.Errorf("MQTT mode without a broker: %v", err)
	}
	if _, err := b.StartSimulation(nil, app.SimOptions{}); err == nil {
		t.Error("StartSimulation(nil): no error")
	}
}

// TestCloseWhileSimulating: Close stops the run first, then commits; the
// project reopens with what was accepted.
func TestCloseWhileSimulating(t *testing.T) {
	a, sc := openInstalled(t)
	run, err := a.StartSimulation(sc, app.SimOptions{Speed: 60})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, func() bool { return a.Pipeline().Stats().Accepted > 0 },
		func() string { return "no readings accepted" })
	if err := closeWithin(a, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	select {
	case <-run.Done():
	default:
		t.Fatal("Close returned before the run stopped")
	}
	if err := run.Err(); err != nil {
		t.Errorf("run stopped by Close: %v", err)
	}
	if _, err := a.StartSimulation(sc, app.SimOptions{}); !errors.Is(err, engine.ErrClosed) {
		t.Errorf("StartSimulation after Close: %v, want engine.ErrClosed", err)
	}
	b, err := app.Open(a.Path(), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	found := false
	b.Engine().View(func(v *engine.View) error {
		var walk func([]*engine.Space)
		walk = func(list []*engine.Space) {
			for _, sp := range list {
				for _, s := range v.SpaceSensors(sp.ID) {
					if val, ok := v.SensorValue(s.ID); ok && val.Time.Equal(sc.Start) {
						found = true
					}
				}
				walk(v.ChildSpaces(sp.ID))
			}
		}
		walk(v.Roots())
		return nil
	})
	if !found {
		t.Error("no reading of the run's first step survived Close")
	}
}
