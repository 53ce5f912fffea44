package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine/httpapi"
	"github.com/twinstudio/twinstudio/simulator"
)

type serveCmd struct {
	projectFlag
	MQTT          string        `name:"mqtt" default:"127.0.0.1:1883" placeholder:"ADDR" help:"MQTT listen address."`
	MQTTWS        string        `name:"mqtt-ws" placeholder:"ADDR" help:"Also listen for MQTT over WebSocket on ADDR."`
	HTTP          string        `name:"http" placeholder:"ADDR" help:"Serve the REST Management API (/api/v1.0/) on ADDR, e.g. 127.0.0.1:8080; callers send a bearer token from twin token create."`
	TLSCert       string        `name:"tls-cert" placeholder:"FILE" help:"With --http: serve HTTPS with this certificate (PEM); needs --tls-key."`
	TLSKey        string        `name:"tls-key" placeholder:"FILE" help:"With --http: the private key (PEM) of --tls-cert."`
	TLSSelfSigned bool          `name:"tls-self-signed" help:"With --http: serve HTTPS with a certificate made for the project, and print its fingerprint."`
	Simulate      string        `placeholder:"SCENARIO" help:"Run a simulation scenario in real time x --speed against the live broker, then stop (docs/simulation.md)."`
	Speed         *float64      `placeholder:"N" help:"With --simulate: simulated time runs N times real time (default 60: a simulated minute per second)."`
	Variant       string        `placeholder:"NAME" help:"With --simulate: run the scenario's variant NAME."`
	Duration      time.Duration `placeholder:"24h" help:"With --simulate: stop after this much simulated time (default: the scenario's duration)."`
	SimMode       string        `name:"sim-mode" default:"" enum:"mqtt,in-process," placeholder:"mqtt|in-process" help:"With --simulate: virtual devices as MQTT clients of the broker (mqtt, the default) or readings straight into the pipeline (in-process)."`
	Create        bool          `help:"Create the project file if it does not exist, as an empty project (without it a missing file is refused, so that a mistyped name does not serve an empty project)."`
	Quiet         bool          `help:"Hide routine lines (listening, connections, progress); refusals, warnings, failures and the final stats are still logged."`
}

// defaultSpeed is --speed's default.
const defaultSpeed = 60.0

// check refuses contradicting or incomplete flags (usage errors).
func (c *serveCmd) check() error {
	switch {
	case c.TLSCert != "" && c.TLSKey == "", c.TLSKey != "" && c.TLSCert == "":
		return usageError{errors.New("--tls-cert and --tls-key go together")}
	case c.TLSSelfSigned && c.TLSCert != "":
		return usageError{errors.New("--tls-self-signed makes its own certificate: not with --tls-cert")}
	case (c.TLSCert != "" || c.TLSSelfSigned) && c.HTTP == "":
		return usageError{errors.New("--tls-cert and --tls-self-signed are for the REST API: give --http ADDR")}
	case c.Simulate == "" && (c.Speed != nil || c.Variant != "" || c.Duration != 0 || c.SimMode != ""):
		return usageError{errors.New("--speed, --variant, --duration and --sim-mode need --simulate")}
	case c.Speed != nil && !(*c.Speed > 0):
		return usageError{fmt.Errorf("--speed must be positive, got %v", *c.Speed)}
	case c.Duration < 0:
		return usageError{fmt.Errorf("--duration must be positive, got %v", c.Duration)}
	}
	return nil
}

func (c *serveCmd) Run(e *env) error {
	if err := c.check(); err != nil {
		return err
	}
	var sc *simulator.Scenario
	if c.Simulate != "" {
		var err error
		if sc, err = simulator.LoadScenario(c.Simulate); err != nil {
			return err
		}
		if c.Variant != "" {
			if sc, err = sc.Variant(c.Variant); err != nil {
				return err
			}
		}
		if c.Duration > 0 {
			sc.Duration = c.Duration
		}
	}
	log := newLogger(e.stderr, c.Quiet)
	// Signals are caught before the project opens, so a SIGTERM that comes
	// as soon as "serving" is logged (or while opening) stops the server
	// cleanly instead of killing it.
	ctx, stop := serveContext()
	defer stop()
	if !c.Create {
		if _, err := os.Stat(c.Project); errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("project %s does not exist: create it with 'twin provision --project %s FILE.yaml', or serve an empty one with --create", c.Project, c.Project)
		}
	}
	a, err := c.open(e, true, app.Options{Logger: log, Broker: &app.BrokerOptions{Addr: c.MQTT, WSAddr: c.MQTTWS}})
	if err != nil {
		return err
	}
	stopControl := c.serveControl(a.App, log)
	defer stopControl()
	stopRetention := a.WatchRetention(0)
	defer stopRetention()
	if err := c.serveHTTP(a.App, log); err != nil {
		a.Close()
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
		speed := defaultSpeed
		if c.Speed != nil {
			speed = *c.Speed
		}
		log.Info("simulating", "scenario", sc.Name, "start", sc.Start, "duration", sc.Duration, "speed", speed, "mode", mode.String())
		prog := &serveProgress{log: log, sc: sc, every: serveProgressEvery}
		res, simErr = a.RunSimulation(ctx, sc, app.SimOptions{Mode: mode, Speed: speed, Progress: prog.step,
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
	stopControl()
	stopRetention()
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

// serveControl lets the CLI reach the served project (app.ControlPath):
// twin get, query, udf … run inside this process. It returns the stop
// function; a socket it cannot make is logged, and serving goes on.
func (c *serveCmd) serveControl(a *app.App, log *slog.Logger) func() {
	path := app.ControlPath(c.Project)
	stop, err := a.ServeControl(path, func(ctx context.Context, a *app.App, args []string, stdout, stderr io.Writer) int {
		code := serveRun(ctx, a, args, stdout, stderr)
		log.Info("ran a command for the CLI", "args", strings.Join(args, " "), "exit", code)
		return code
	})
	if err != nil {
		log.Warn("the CLI cannot reach this server (twin get, query … need the project file until it stops)", "error", err)
		return func() {}
	}
	log.Info("the CLI reaches this server", "socket", path)
	return stop
}

// serveHTTP starts the REST API when --http is given: HTTPS with
// --tls-cert/--tls-key, or with a certificate made once for the project
// and kept beside it in FILE.tls/ (--tls-self-signed).
func (c *serveCmd) serveHTTP(a *app.App, log *slog.Logger) error {
	if c.HTTP == "" {
		return nil
	}
	o := httpapi.Options{Addr: c.HTTP, TLSCert: c.TLSCert, TLSKey: c.TLSKey, Logger: log}
	if c.TLSSelfSigned {
		o.SelfSigned = c.Project + ".tls"
	}
	s, err := a.StartHTTP(o)
	if err != nil {
		return fmt.Errorf("--http %s: %w", c.HTTP, err)
	}
	if fp := s.Fingerprint(); fp != "" {
		log.Info("REST API certificate", "sha256", fp)
	}
	log.Info("REST API routes", "docs", s.URL()+httpapi.Base+"/docs", "openapi", s.URL()+httpapi.Base+"/openapi.json")
	return nil
}

// quietLines are the messages --quiet keeps although they are not
// warnings: refusals and the final stats.
var quietLines = []string{"rejected message", "refused connection", "simulation finished", "stopped", "history retention dropped"}

// quietHandler passes warnings and the lines of quietLines.
type quietHandler struct{ slog.Handler }

func (h quietHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn || slices.ContainsFunc(quietLines, func(s string) bool { return strings.Contains(r.Message, s) }) {
		return h.Handler.Handle(ctx, r)
	}
	return nil
}

func (h quietHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return quietHandler{h.Handler.WithAttrs(as)}
}
func (h quietHandler) WithGroup(g string) slog.Handler { return quietHandler{h.Handler.WithGroup(g)} }

// newLogger logs text lines to w; quiet keeps only warnings, refusals and
// the final stats.
func newLogger(w io.Writer, quiet bool) *slog.Logger {
	var h slog.Handler = slog.NewTextHandler(w, nil)
	if quiet {
		h = quietHandler{h}
	}
	return slog.New(h)
}

// serveContext is the context twin serve runs in: until SIGINT or
// SIGTERM (tests stop it otherwise).
var serveContext = func() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
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
