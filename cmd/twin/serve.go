package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/simulator"
)

type serveCmd struct {
	projectFlag
	MQTT     string        `name:"mqtt" default:"127.0.0.1:1883" placeholder:"ADDR" help:"MQTT listen address."`
	MQTTWS   string        `name:"mqtt-ws" placeholder:"ADDR" help:"Also listen for MQTT over WebSocket on ADDR."`
	HTTP     string        `name:"http" placeholder:"ADDR" help:"REST API listen address (not available yet)."`
	Simulate string        `placeholder:"SCENARIO" help:"Run a simulation scenario in real time x --speed against the live broker, then stop (docs/simulation.md)."`
	Speed    float64       `default:"60" placeholder:"N" help:"With --simulate: simulated time runs N times real time (60: a simulated minute per second)."`
	Variant  string        `placeholder:"NAME" help:"With --simulate: run the scenario's variant NAME."`
	Duration time.Duration `placeholder:"24h" help:"With --simulate: stop after this much simulated time (default: the scenario's duration)."`
	SimMode  string        `name:"sim-mode" default:"mqtt" enum:"mqtt,in-process" help:"With --simulate: virtual devices as MQTT clients of the broker (mqtt) or readings straight into the pipeline (in-process)."`
	Create   bool          `help:"Create the project file if it does not exist, as an empty project (without it a missing file is refused, so that a mistyped name does not serve an empty project)."`
	Quiet    bool          `help:"Log warnings only."`
}

func (c *serveCmd) Run(e *env) error {
	if c.HTTP != "" {
		return usageError{fmt.Errorf("--http: the REST API is not available in this version")}
	}
	var sc *simulator.Scenario
	if c.Simulate != "" {
		if !(c.Speed > 0) {
			return usageError{fmt.Errorf("--speed must be positive, got %v", c.Speed)}
		}
		var err error
		if sc, err = simulator.LoadScenario(c.Simulate); err != nil {
			return err
		}
		if c.Variant != "" {
			if sc, err = sc.Variant(c.Variant); err != nil {
				return err
			}
		}
		if c.Duration < 0 {
			return usageError{fmt.Errorf("--duration must be positive, got %v", c.Duration)}
		}
		if c.Duration > 0 {
			sc.Duration = c.Duration
		}
	} else if c.Variant != "" || c.Duration != 0 {
		return usageError{fmt.Errorf("--variant and --duration need --simulate")}
	}
	level := slog.LevelInfo
	if c.Quiet {
		level = slog.LevelWarn
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	// Signals are caught before the project opens, so a SIGTERM that comes
	// as soon as "serving" is logged (or while opening) stops the server
	// cleanly instead of killing it.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if !c.Create {
		if _, err := os.Stat(c.Project); errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("project %s does not exist: create it with 'twin provision --project %s FILE.yaml', or serve an empty one with --create", c.Project, c.Project)
		}
	}
	a, err := c.open(true, app.Options{Logger: log, Broker: &app.BrokerOptions{Addr: c.MQTT, WSAddr: c.MQTTWS}})
	if err != nil {
		return err
	}
	st := a.Engine().Stats()
	log.Info("serving", "project", c.Project, "spaces", st.Spaces, "devices", st.Devices, "sensors", st.Sensors, "mqtt", a.Broker().Addr())
	var (
		res    *app.SimReport
		simErr error
	)
	if sc != nil {
		mode := app.SimMQTT
		if c.SimMode == "in-process" {
			mode = app.SimInProcess
		}
		log.Info("simulating", "scenario", sc.Name, "start", sc.Start, "duration", sc.Duration, "speed", c.Speed, "mode", mode.String())
		prog := &serveProgress{log: log, sc: sc, every: serveProgressEvery}
		res, simErr = a.RunSimulation(ctx, sc, app.SimOptions{Mode: mode, Speed: c.Speed, Progress: prog.step,
			OnConnected: func(devs []string) { log.Info("virtual devices connected", "devices", len(devs)) }})
		switch {
		case simErr == nil:
			log.Info("simulation finished", "readings", res.Readings, "rejected", res.Rejected, "wall", res.Wall)
		case errors.Is(simErr, context.Canceled):
			log.Info("simulation stopped by signal")
			simErr = nil
		}
	} else {
		<-ctx.Done()
	}
	stop() // a second signal ends the process at once
	log.Info("shutting down: draining the pipeline and committing", "timeout", app.DefaultCloseTimeout)
	s := a.Pipeline().Stats()
	closed := make(chan error, 1)
	go func() { closed <- a.Close() }()
	select {
	case err := <-closed:
		if errors.Is(err, app.ErrCloseTimeout) {
			// Acknowledged messages were committed; the rest was never acknowledged.
			log.Warn("stopped after the shutdown deadline: unacknowledged messages given up", "error", err)
		} else if err != nil {
			return errors.Join(simErr, err)
		}
	case <-time.After(app.DefaultCloseTimeout + serveCloseBackstop):
		log.Error("shutdown did not finish in time; exiting anyway (acknowledged messages were committed)")
		return errors.Join(simErr, fmt.Errorf("shutdown did not finish within %v", app.DefaultCloseTimeout+serveCloseBackstop))
	}
	failures := a.UDFFailures()
	if len(failures) == 0 {
		failures = []string{"none"}
	}
	log.Info("stopped", "accepted", s.Accepted, "rejected", s.Rejected, "dropped", s.Dropped, "udf_failures", strings.Join(failures, " "))
	if simErr != nil {
		return simErr
	}
	if res != nil {
		return res.WriteSummary(e.stdout)
	}
	return nil
}

// serveCloseBackstop is how long after app.DefaultCloseTimeout twin serve
// stops waiting for Close (a closing step that hangs past the pipeline's
// deadline) and exits.
const serveCloseBackstop = time.Second

// serveProgressEvery is how often (wall time) twin serve --simulate logs
// its progress.
var serveProgressEvery = 5 * time.Second

// serveProgress logs a simulation's progress every so often: the
// simulated clock, the share of the simulated duration done and the wall
// time left at the pace so far.
type serveProgress struct {
	log   *slog.Logger
	sc    *simulator.Scenario
	every time.Duration
	start time.Time // wall time of the first step
	last  time.Time // wall time of the last line
}

// step is SimOptions.Progress: called before each step on the run's
// goroutine.
func (p *serveProgress) step(t time.Time) {
	now := time.Now()
	if p.start.IsZero() {
		p.start, p.last = now, now
		return
	}
	if now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	done := float64(t.Sub(p.sc.Start)) / float64(p.sc.Duration)
	eta := "unknown"
	if done > 0 {
		left := time.Duration(float64(now.Sub(p.start)) * (1 - done) / done)
		eta = left.Round(time.Second).String()
	}
	p.log.Info("simulation progress", "clock", t.UTC().Format(time.RFC3339), "done", fmt.Sprintf("%.0f%%", 100*done), "eta", eta)
}
