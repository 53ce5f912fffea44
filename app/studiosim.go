package app

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/simulator"
)

// ErrSimRunning means StartSimulation was called while a simulation runs.
var ErrSimRunning = errors.New("a simulation is already running")

// SimRun is a simulation running on its own goroutine (StartSimulation).
// Its methods are safe for concurrent use from any goroutine.
type SimRun struct {
	name     string
	pace     *pacer
	start    time.Time
	duration time.Duration
	clock    *simulator.Clock
	cancel   context.CancelFunc
	done     chan struct{}
	stopped  atomic.Bool

	// Set before done is closed.
	rep *SimReport
	err error
}

// StartSimulation runs RunSimulation(sc, o) on a goroutine of its own and
// returns at once; the studio runs the bundled week at Speed 60, one
// simulated minute per second. SimRun.Clock reads the run's simulated
// clock, which the project's engine and UDFs follow while it runs
// (RunSimulation), so UDF scripts' Date is simulated time in the studio
// as in `twin simulate`.
//
// The scenario is bound to the project before StartSimulation returns: a
// scenario none of whose spaces match the project ("simulate: no space
// with sensors matches …"), a virtual device that cannot be created, or in
// MQTT mode a stopped broker or a refused device, is StartSimulation's
// error and nothing runs. A negative or NaN speed is an error. It also
// fails with an error wrapping ErrSimRunning while another simulation of
// the app runs (one at a time), and engine.ErrClosed after Close; Close
// stops a running simulation first.
func (a *App) StartSimulation(sc *simulator.Scenario, o SimOptions) (*SimRun, error) {
	if sc == nil {
		return nil, errors.New("simulate: no scenario")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return nil, fmt.Errorf("simulate %s on %s: %w", sc.Name, a.path, engine.ErrClosed)
	}
	if a.sim != nil && !a.sim.finished() {
		return nil, fmt.Errorf("simulate %s: %w (%s)", sc.Name, ErrSimRunning, a.sim.name)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p, err := a.planSim(ctx, sc, o)
	if err != nil {
		cancel()
		return nil, err
	}
	r := &SimRun{name: sc.Name, pace: p.pacer, start: sc.Start, duration: sc.Duration, clock: p.clock,
		cancel: cancel, done: make(chan struct{})}
	a.sim = r
	go func() {
		defer close(r.done)
		defer cancel()
		r.rep, r.err = p.run()
	}()
	return r, nil
}

// Simulation is the simulation started last, running or finished, or nil
// if none was started. Safe for concurrent use.
func (a *App) Simulation() *SimRun {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sim
}

func (r *SimRun) finished() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// Duration is the simulated time the run covers (the scenario's).
func (r *SimRun) Duration() time.Duration { return r.duration }

// Scenario is the scenario's name.
func (r *SimRun) Scenario() string { return r.name }

// Speed is the run's speed now (the one it was started with, or the last
// SetSpeed): simulated time runs Speed times real time; 0 means as fast
// as possible.
func (r *SimRun) Speed() float64 { return r.pace.getSpeed() }

// SetSpeed changes the speed from the next step on: simulated time then
// runs speed times real time, or as fast as possible for 0. A negative,
// NaN or infinite speed is an error and changes nothing. The speed never
// changes the readings the run produces, only when they come.
func (r *SimRun) SetSpeed(speed float64) error {
	if err := checkSpeed(r.name, speed); err != nil {
		return err
	}
	r.pace.setSpeed(speed)
	return nil
}

// Pause holds the run before its next step and returns once it waits
// there (at most one step's work later) or has ended; the clock stays
// at the last step simulated. Pausing a paused or finished run does
// nothing.
func (r *SimRun) Pause() { r.pace.setPaused(true, r.done) }

// Resume lets a paused run go on at its speed.
func (r *SimRun) Resume() { r.pace.setPaused(false, r.done) }

// Paused reports whether the run is paused (Pause or Step).
func (r *SimRun) Paused() bool { return r.pace.isPaused() && !r.finished() }

// Step pauses the run if it runs, lets it simulate exactly one step (the
// clock moves on by the scenario's step; the very first step is at the
// scenario's start, so stepping before it leaves the clock there) and
// returns once that step is done or the run has ended. The run stays
// paused.
func (r *SimRun) Step() { r.pace.step(r.done) }

// ETA is the wall time the run needs to finish at its current rate (the
// simulated time per wall second measured over the last second or two,
// within the time since the last speed change or resume, else its speed); ok is false when it cannot be told: paused,
// as fast as possible before a quarter of a second was measured, or
// finished.
func (r *SimRun) ETA() (eta time.Duration, ok bool) {
	rate := r.pace.rate()
	if rate <= 0 || r.finished() {
		return 0, false
	}
	left := r.start.Add(r.duration).Sub(r.clock.Now())
	return time.Duration(float64(max(0, left)) / rate), true
}

// Clock is the simulated time now: the scenario's start until the first
// step, the time of the step being simulated, then the scenario's end
// once it finished (where it stopped, if stopped).
func (r *SimRun) Clock() time.Time { return r.clock.Now() }

// Progress is the share of the scenario's duration simulated, 0 to 1.
func (r *SimRun) Progress() float64 {
	if r.duration <= 0 {
		return 1
	}
	return min(1, max(0, float64(r.clock.Now().Sub(r.start))/float64(r.duration)))
}

// Stop cancels the run and waits until it has returned; readings already
// submitted are processed by the pipeline as usual. Calling it on a
// finished or stopped run does nothing.
func (r *SimRun) Stop() {
	if !r.finished() {
		r.stopped.Store(true)
		r.cancel()
	}
	<-r.done
}

// Done is closed when the run has finished, failed or been stopped.
func (r *SimRun) Done() <-chan struct{} { return r.done }

// Err is the run's error once Done is closed: nil if it finished or was
// stopped (Stop, Close), else the simulator's or the sink's error. It is
// nil while the run goes on.
func (r *SimRun) Err() error {
	if !r.finished() {
		return nil
	}
	if r.stopped.Load() && errors.Is(r.err, context.Canceled) {
		return nil
	}
	return r.err
}

// Stopped reports whether the run was stopped before it finished.
func (r *SimRun) Stopped() bool {
	return r.finished() && r.stopped.Load() && errors.Is(r.err, context.Canceled)
}

// Result is the run's KPIs once it finished; nil while it runs, if it
// failed or if it was stopped.
func (r *SimRun) Result() *simulator.Result {
	if rep := r.Report(); rep != nil {
		return rep.Result
	}
	return nil
}

// Report is the finished run's report (KPIs, and with o.Record its
// series for the charts); nil while it runs, if it failed or if it was
// stopped.
func (r *SimRun) Report() *SimReport {
	if !r.finished() || r.err != nil {
		return nil
	}
	return r.rep
}

// StartScenarioFile reads the scenario file path (errors name its line and
// field) and starts it as StartSimulation does.
func (a *App) StartScenarioFile(path string, o SimOptions) (*SimRun, error) {
	sc, err := simulator.LoadScenario(path)
	if err != nil {
		return nil, err
	}
	return a.StartSimulation(sc, o)
}
