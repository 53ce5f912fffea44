package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	mqtt3 "github.com/eclipse/paho.mqtt.golang"

	"github.com/twinstudio/twinstudio/app/chart"
	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/simulator"
)

// SimMode is how a simulation's readings reach the pipeline.
type SimMode int

const (
	// SimInProcess submits readings straight to the pipeline, received at
	// the simulated time: deterministic.
	SimInProcess SimMode = iota
	// SimMQTT makes each virtual device a real MQTT client that connects
	// to the app's broker with its hardwareId and device key and
	// publishes its readings (QoS 1) on devices/{hw}/sensors/{sensorHw}:
	// the whole path a real device takes. Readings are received at the
	// wall time they arrive.
	SimMQTT
)

func (m SimMode) String() string {
	if m == SimMQTT {
		return "mqtt"
	}
	return "in-process"
}

// SimOptions configure a simulation run (RunSimulation, StartSimulation,
// SimulateFile): its clock, its sink and its outputs.
type SimOptions struct {
	// Mode is the sink: the pipeline in process (default) or the broker.
	Mode SimMode
	// Speed is the clock: 0 steps the simulated clock as fast as
	// possible; Speed > 0 runs it at Speed × wall time (60: one simulated
	// minute per real second).
	Speed float64
	// FastUntil, if set, runs the steps before it as fast as possible and
	// the rest at Speed: a run can skip a night nobody watches. Like
	// Speed, it changes when steps run, never what they do.
	FastUntil time.Time
	// Record keeps series.csv and spaces.csv in the report
	// (SimReport.Series, SimReport.Spaces), which its files and charts
	// need. Out implies it.
	Record bool
	// Out, if set, is a folder (created if absent) the finished run
	// writes kpis.csv, series.csv, spaces.csv, summary.txt and its PNG
	// charts to (SimReport.Files lists them).
	Out string
	// Formats are the chart image formats written to Out ("png", "svg";
	// nil: png).
	Formats []string
	// Series, if set, also receives series.csv as the run goes.
	Series io.Writer
	// Progress, if set, is called before each step with its simulated
	// time, on the run's goroutine; it must return quickly.
	Progress func(t time.Time)
	// OnConnected, if set, is called in MQTT mode once every virtual
	// device is connected, before the first reading.
	OnConnected func(devices []string)
}

// deterministic reports whether a run with o gives the same outputs for
// the same scenario, seed and project: in process, simulated as fast as
// possible.
func (o SimOptions) deterministic() bool { return o.Mode == SimInProcess && o.Speed == 0 }

// SimReport is a finished run: its KPIs (the embedded Result) and what
// its outputs and charts need.
type SimReport struct {
	*simulator.Result
	// Scenario is the scenario run (its KPI groups choose kpis.csv's).
	Scenario *simulator.Scenario
	// Series and Spaces are series.csv and spaces.csv, if recorded.
	Series, Spaces []byte
	// Sensors are the simulated spaces' sensors by hardwareId: their
	// space and data type (for the charts).
	Sensors map[string]chart.Sensor
	// Created lists the virtual devices the scenario's create lists added.
	Created simulator.Created
	// Files are the files written to SimOptions.Out, charts last.
	Files []string
}

// KPIs is kpis.csv: the scenario's KPI groups.
func (r *SimReport) KPIs() []byte {
	var b bytes.Buffer
	r.Result.WriteKPIs(&b, r.Scenario.KPIs) // a bytes.Buffer does not fail
	return b.Bytes()
}

// Summary is summary.txt.
func (r *SimReport) Summary() []byte {
	var b bytes.Buffer
	r.Result.WriteSummary(&b)
	return b.Bytes()
}

// ChartRun is the run's data for the chart package.
func (r *SimReport) ChartRun() chart.Run {
	cr := chart.Run{Series: r.Series, Sensors: r.Sensors, Start: r.Start, Duration: r.Duration}
	for _, s := range r.Result.Spaces {
		cr.Spaces = append(cr.Spaces, chart.Space{Name: s.Name, Floor: s.Floor, PersonHours: s.PersonHours})
	}
	for _, e := range r.EV {
		cr.EV = append(cr.EV, chart.EVPark{Name: e.Name, GridLimitKW: e.GridLimitKW, ArrivedAt: e.ArrivedAt, TurnedAwayAt: e.TurnedAwayAt})
	}
	for _, g := range r.Gardens {
		w := make([]chart.Water, len(g.Water))
		for i, s := range g.Water {
			w[i] = chart.Water{T: s.T, RainMM: s.RainMM, IrrigationMM: s.IrrigationMM}
		}
		cr.Gardens = append(cr.Gardens, chart.Garden{Name: g.Name, ThresholdPct: g.ThresholdPct, Water: w})
	}
	return cr
}

// Figures are the run's charts (chart.RunFigures).
func (r *SimReport) Figures() []chart.Figure { return chart.RunFigures([]chart.Run{r.ChartRun()}) }

// outputs are the run's files but the charts.
func (r *SimReport) outputs() map[string][]byte {
	return map[string][]byte{"series.csv": r.Series, "spaces.csv": r.Spaces, "kpis.csv": r.KPIs(), "summary.txt": r.Summary()}
}

// WriteOutputs writes kpis.csv, series.csv, spaces.csv, summary.txt and
// the PNG charts into dir (created if absent) and returns the paths
// written, charts last.
func (r *SimReport) WriteOutputs(dir string) ([]string, error) { return r.WriteOutputsAs(dir, nil) }

// WriteOutputsAs is WriteOutputs with the charts in the given image
// formats (chart.WriteFigures: "png", "svg"; nil: png).
func (r *SimReport) WriteOutputsAs(dir string, formats []string) ([]string, error) {
	return writeWithCharts(dir, r.outputs(), r.Figures(), formats)
}

// WriteFiles writes each named file into dir (created if absent), in name
// order, and returns the paths written.
func WriteFiles(dir string, files map[string][]byte) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []string
	for _, name := range names {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return out, fmt.Errorf("simulate: %w", err)
		}
		out = append(out, p)
	}
	return out, nil
}

// RunSimulation runs sc over the project until it ends or ctx is done
// (then it returns ctx's error): the one simulation path, which `twin
// simulate` (through SimulateFile), `twin serve --simulate`, the studio
// (through StartSimulation) and `twin bench` take.
//
// While it runs, the project's clock is the simulated clock: the engine
// (value and history timestamps, readings the broker stamps) and the UDF
// runtime (scripts' Date, execution records) see simulated time. In
// process, each reading is received at its step's simulated time. In MQTT
// mode the app must have a broker. One simulation runs at a time per app:
// a second fails with an error wrapping ErrSimRunning.
//
// In process and as fast as possible (Speed 0) the run is deterministic
// (docs/simulation.md): the same scenario, seed and project give the same
// outputs byte for byte whatever the machine's load. Every in-process
// reading is marked Deterministic, so the UDFs it runs are limited by a
// count of loop iterations and calls (engine.UDFBudget), not by the wall
// clock, which stays only as a backstop.
func (a *App) RunSimulation(ctx context.Context, sc *simulator.Scenario, o SimOptions) (*SimReport, error) {
	p, err := a.planSim(ctx, sc, o)
	if err != nil {
		return nil, err
	}
	return p.run()
}

// simPlan is a simulation bound to the project, its sink connected and
// its clock installed.
type simPlan struct {
	a      *App
	sim    *simulator.Sim
	sc     *simulator.Scenario
	sink   simulator.Sink
	opts   simulator.Options
	o      SimOptions
	clock  *simulator.Clock
	pacer  *pacer
	report *SimReport
	series bytes.Buffer
	spaces bytes.Buffer
	close  func() // disconnects an MQTT sink
}

// run runs the plan and releases what it holds: the sink, the clock.
func (p *simPlan) run() (*SimReport, error) {
	defer p.release()
	res, err := p.sim.Run(p.sink, p.opts)
	if err != nil {
		return nil, err
	}
	r := p.report
	r.Result = res
	if p.o.Record || p.o.Out != "" {
		r.Series, r.Spaces = p.series.Bytes(), p.spaces.Bytes()
	}
	if p.o.Out != "" {
		if r.Files, err = r.WriteOutputsAs(p.o.Out, p.o.Formats); err != nil {
			return r, err
		}
	}
	return r, nil
}

func (p *simPlan) release() {
	if p.pacer != nil {
		p.pacer.end()
	}
	p.close()
	if p.a.simTime.clock.CompareAndSwap(p.clock, nil) {
		p.a.simTime.last.Store(&[2]time.Time{p.clock.Start(), p.clock.Now()})
	}
}

// planSim checks o, binds sc to the project (creating the virtual devices
// its create lists ask for), installs the simulated clock and, in MQTT
// mode, connects the virtual devices; ctx stops the run. On error nothing
// is left installed or connected.
func (a *App) planSim(ctx context.Context, sc *simulator.Scenario, o SimOptions) (*simPlan, error) {
	if sc == nil {
		return nil, errors.New("simulate: no scenario")
	}
	if err := checkSpeed(sc.Name, o.Speed); err != nil {
		return nil, err
	}
	clock := simulator.NewClock(sc.Start, sc.Step)
	if !a.simTime.clock.CompareAndSwap(nil, clock) {
		return nil, fmt.Errorf("simulate %s: %w", sc.Name, ErrSimRunning)
	}
	p := &simPlan{a: a, sc: sc, o: o, clock: clock, close: func() {}}
	ok := false
	defer func() {
		if !ok {
			p.release()
		}
	}()
	sim, err := simulator.New(a.engine, sc)
	if err != nil {
		return nil, err
	}
	p.sim, p.sink = sim, a.pipeline
	p.report = &SimReport{Scenario: sc, Created: sim.Created(), Sensors: sensorsOf(a.engine, sim.Spaces())}
	p.opts = simulator.Options{Series: o.Series, Clock: clock, UDFs: a.simTime.udfs}
	if o.Record || o.Out != "" {
		p.opts.SpaceSeries = &p.spaces
		if o.Series != nil {
			p.opts.Series = io.MultiWriter(&p.series, o.Series)
		} else {
			p.opts.Series = &p.series
		}
	}
	p.pacer = newPacer(ctx, o.Speed)
	p.pacer.fastUntil = o.FastUntil
	p.opts.Pace = p.pacer.pace
	if o.Progress != nil {
		p.opts.Pace = func(t time.Time) error {
			o.Progress(t)
			return p.pacer.pace(t)
		}
	}
	if o.Mode == SimMQTT {
		ms, err := a.NewMQTTSink(sim.Devices())
		if err != nil {
			return nil, err
		}
		if o.OnConnected != nil {
			o.OnConnected(sim.Devices())
		}
		p.sink, p.close = ms, ms.Close
	}
	ok = true
	return p, nil
}

// checkSpeed refuses a negative, NaN or infinite speed of scenario name.
func checkSpeed(name string, speed float64) error {
	if speed < 0 || math.IsNaN(speed) || math.IsInf(speed, 0) {
		return fmt.Errorf("simulate %s: speed must be positive (or 0: as fast as possible), got %v", name, speed)
	}
	return nil
}

// sensorsOf maps the simulated spaces' sensors to their space and data type.
func sensorsOf(e *engine.Engine, spaces []string) map[string]chart.Sensor {
	want := map[string]bool{}
	for _, s := range spaces {
		want[s] = true
	}
	out := map[string]chart.Sensor{}
	e.View(func(v *engine.View) error {
		return v.WalkSpaces(func(sp *engine.Space) error {
			if name := v.FullName(sp.ID); want[name] {
				for _, sn := range v.SpaceSensors(sp.ID) {
					dev := ""
					if d, ok := v.Device(sn.DeviceID); ok {
						dev = d.HardwareID
					}
					out[sn.HardwareID] = chart.Sensor{Space: name, Kind: v.TypeName(sn.DataTypeID), Device: dev}
				}
			}
			return nil
		}, nil)
	})
	return out
}

// simTime is an app's time while a simulation runs: its engine and UDF
// runtime read the simulated clock then, the wall clock (or the clock
// the app was opened with) otherwise. It also counts UDF executions for
// the udf KPIs.
// Safe for concurrent use.
type simTime struct {
	clock atomic.Pointer[simulator.Clock]
	// last is the simulated span [start, end] of the last run that
	// ended in this process (HistorySpan shows it once the run is over).
	last atomic.Pointer[[2]time.Time]
	udfs *simulator.UDFCounter
}

// install makes the engine's and the UDF runtime's clocks in o follow
// the running simulation's.
func (s *simTime) install(o *Options) {
	follow := func(base func() time.Time) func() time.Time {
		if base == nil {
			base = time.Now
		}
		return func() time.Time {
			if c := s.clock.Load(); c != nil {
				return c.Now()
			}
			return base()
		}
	}
	o.Engine.Now = follow(o.Engine.Now)
	o.UDF.Now = follow(o.UDF.Now)
}

// wrap wraps the app's UDF runtime to count its executions.
func (s *simTime) wrap(rt engine.UDFRuntime) engine.UDFRuntime {
	s.udfs = &simulator.UDFCounter{RT: rt}
	return s.udfs
}

// MQTTSink is a simulator.Sink whose virtual devices are paho MQTT 3.1.1
// clients connected to the app's broker, one per device, each with its
// own hardwareId (username) and device key (password). Submit publishes a
// reading with QoS 1 from the reading's device; the broker acknowledges
// it once the pipeline has committed it, so after Flush the pipeline's
// counts include every reading published.
type MQTTSink struct {
	p       *engine.Pipeline
	clients map[string]mqtt3.Client
	order   []string

	mu      sync.Mutex
	pending []mqtt3.Token
	sent    atomic.Uint64
}

// mqttWindow is how many publishes may be in flight before Submit waits.
const mqttWindow = 512

// mqttTimeout bounds a connect or a publish acknowledgement.
const mqttTimeout = 30 * time.Second

// NewMQTTSink connects one MQTT client per device (hardware ids) to the
// app's broker. It fails if the app has no broker, or if a device is
// unknown, has no key or is refused; clients already connected are then
// disconnected.
func (a *App) NewMQTTSink(devices []string) (*MQTTSink, error) {
	br := a.Broker()
	if br == nil {
		return nil, errors.New("simulate: MQTT mode needs the broker")
	}
	keys := map[string]string{}
	err := a.engine.View(func(v *engine.View) error {
		for _, hw := range devices {
			d, ok := v.DeviceByHardwareID(hw)
			if !ok {
				return fmt.Errorf("simulate: device %s does not exist", hw)
			}
			if d.Key == "" {
				return fmt.Errorf("simulate: device %s has no key", hw)
			}
			keys[hw] = d.Key
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s := &MQTTSink{p: a.pipeline, clients: map[string]mqtt3.Client{}}
	addr := br.Addr()
	for _, hw := range devices {
		o := mqtt3.NewClientOptions().AddBroker("tcp://" + addr).SetClientID(hw + "/twin-sim").
			SetProtocolVersion(4).SetCleanSession(true).SetAutoReconnect(false).SetConnectRetry(false).
			SetConnectTimeout(10 * time.Second).SetKeepAlive(30 * time.Second).SetWriteTimeout(10 * time.Second).
			SetUsername(hw).SetPassword(keys[hw])
		c := mqtt3.NewClient(o)
		tok := c.Connect()
		if !tok.WaitTimeout(mqttTimeout) {
			s.Close()
			return nil, fmt.Errorf("simulate: device %s: MQTT connect timed out", hw)
		}
		if err := tok.Error(); err != nil {
			s.Close()
			return nil, fmt.Errorf("simulate: device %s: MQTT connect: %w", hw, err)
		}
		s.clients[hw] = c
		s.order = append(s.order, hw)
	}
	// The broker records a session after its CONNACK: wait until every
	// virtual device is recorded Connected, so the run sees them so.
	if err := a.waitConnected(devices, 10*time.Second); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// waitConnected waits until every device is recorded Connected.
func (a *App) waitConnected(devices []string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		var missing string
		_ = a.engine.View(func(v *engine.View) error {
			for _, hw := range devices {
				if d, ok := v.DeviceByHardwareID(hw); !ok || d.ConnectionState != engine.Connected {
					missing = hw
					return nil
				}
			}
			return nil
		})
		if missing == "" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("simulate: device %s: not recorded Connected %v after its MQTT connection", missing, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Submit publishes m from its device (m.Username) on m.Topic with QoS 1.
// It returns a nil ticket: Flush waits for the acknowledgements. Received
// and the other fields of m are not sent: the pipeline stamps the reading
// when it queues it.
func (s *MQTTSink) Submit(m *engine.IngressMessage) (*engine.Ticket, error) {
	c, ok := s.clients[m.Username]
	if !ok {
		return nil, fmt.Errorf("device %s is not connected", m.Username)
	}
	tok := c.Publish(m.Topic, 1, false, m.Payload)
	s.sent.Add(1)
	s.mu.Lock()
	s.pending = append(s.pending, tok)
	full := len(s.pending) >= mqttWindow
	s.mu.Unlock()
	if full {
		return nil, s.Flush()
	}
	return nil, nil
}

// Flush waits until every reading published has been acknowledged.
func (s *MQTTSink) Flush() error {
	s.mu.Lock()
	pending := s.pending
	s.pending = nil
	s.mu.Unlock()
	var errs []error
	for _, tok := range pending {
		if !tok.WaitTimeout(mqttTimeout) {
			errs = append(errs, errors.New("MQTT publish not acknowledged in time"))
			continue
		}
		if err := tok.Error(); err != nil {
			errs = append(errs, fmt.Errorf("MQTT publish: %w", err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d of %d publishes failed: %w", len(errs), len(pending), errs[0])
	}
	return nil
}

// Stats are the pipeline's counts (simulator.StatsSource).
func (s *MQTTSink) Stats() engine.IngressStats { return s.p.Stats() }

// Sent is the number of readings published.
func (s *MQTTSink) Sent() uint64 { return s.sent.Load() }

// Devices are the connected virtual devices' hardware ids.
func (s *MQTTSink) Devices() []string { return append([]string(nil), s.order...) }

// Close disconnects every client.
func (s *MQTTSink) Close() {
	for _, hw := range s.order {
		s.clients[hw].Disconnect(250)
	}
	s.order = nil
}
