package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/bbolt"
	"github.com/twinstudio/twinstudio/engine/goja"
	"github.com/twinstudio/twinstudio/engine/httpapi"
	"github.com/twinstudio/twinstudio/engine/jsonpath"
	"github.com/twinstudio/twinstudio/engine/mqtt"
	"github.com/twinstudio/twinstudio/engine/yaml"
)

// UDFOptions configure the UDF runtime (time limit, stack, clock, seed).
type UDFOptions = goja.Options

// BrokerOptions configure the embedded MQTT broker (addresses, logger).
type BrokerOptions = mqtt.Options

// Options configure Open. The zero value is valid: a project with its
// pipeline and no broker (what one-shot CLI commands need).
type Options struct {
	// Engine options (clock, history kept in memory).
	Engine engine.Options
	// Store options (lock timeout, history retention).
	Store bbolt.Options
	// Pipeline options (workers, queue size, UDF stage).
	Pipeline engine.PipelineOptions
	// UDF runtime options (time limit, stack, clock, seed).
	UDF UDFOptions
	// WrapUDF, if set, wraps the UDF runtime (the simulator counts
	// executions this way).
	WrapUDF func(engine.UDFRuntime) engine.UDFRuntime
	// Broker, if set, starts the embedded MQTT broker with these options.
	Broker *mqtt.Options
	// Logger for connections, rejections and failing UDF executions
	// (warnings, see UDFLogEvery); default discards.
	Logger *slog.Logger
	// UDFLogEvery rate-limits the log's lines about failing executions of
	// the pipeline's UDFs: at most one line per UDF per UDFLogEvery, then
	// one line counting the failures suppressed meanwhile.
	// 0: DefaultUDFLogEvery.
	UDFLogEvery time.Duration
	// CloseTimeout bounds Close: after it, messages not yet processed are
	// given up (they were never acknowledged) and workers stuck in a UDF
	// are abandoned. 0: DefaultCloseTimeout; negative: wait for
	// everything.
	CloseTimeout time.Duration
}

// DefaultCloseTimeout is how long Close waits for the broker to stop and
// the pipeline to drain before it gives up on what is left.
const DefaultCloseTimeout = 4 * time.Second

// App is an open project. Its methods are safe for concurrent use.
type App struct {
	path     string
	log      *slog.Logger
	closeTO  time.Duration
	store    *bbolt.Store
	engine   *engine.Engine
	pipeline *engine.Pipeline
	broker   atomic.Pointer[mqtt.Broker]    // nil while stopped
	http     atomic.Pointer[httpapi.Server] // nil unless StartHTTP ran
	udfLog   *udfFailureLog

	// mu serialises the broker's starts and stops, the simulation's
	// start and Close.
	mu         sync.Mutex
	brokerOpts mqtt.Options // the last broker's, with its bound addresses
	sim        *SimRun      // the last simulation started, maybe finished
	closed     bool

	runsMu sync.Mutex // serialises SaveRun and DeleteRun (runlist.go)

	simTime simTime // the clock of the simulation running, if any (simrun.go)

	span spanCache // HistorySpan's (timeat.go)
}

// Open opens (creating if absent) the project file at path and wires the
// engine, the telemetry pipeline and, if asked, the broker. A file held by
// another process fails within about a second with an error wrapping
// bbolt.ErrLocked.
func Open(path string, opts Options) (*App, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	st, err := bbolt.Open(path, opts.Store)
	if err != nil {
		return nil, err
	}
	if opts.CloseTimeout == 0 {
		opts.CloseTimeout = DefaultCloseTimeout
	}
	a := &App{path: path, log: opts.Logger, store: st, closeTO: opts.CloseTimeout}
	if err := a.loadRetention(); err != nil {
		st.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	a.simTime.install(&opts) // while a simulation runs, the engine and UDFs see its clock
	e, err := engine.New(st, opts.Engine)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	e.SetPathEvaluator(jsonpath.New())
	var rt engine.UDFRuntime = goja.New(opts.UDF)
	if opts.WrapUDF != nil {
		rt = opts.WrapUDF(rt)
	}
	e.SetUDFRuntime(a.simTime.wrap(rt))
	a.engine = e
	po := opts.Pipeline
	if po.OnReject == nil {
		log := opts.Logger
		po.OnReject = func(r engine.Rejection) {
			log.Info("rejected message", "device", r.Device, "topic", r.Topic, "reason", r.Reason, "detail", r.Detail)
		}
	}
	a.udfLog = newUDFFailureLog(opts.Logger, opts.UDFLogEvery, a.udfSpace)
	if prev := po.OnUDFRecord; prev != nil {
		po.OnUDFRecord = func(r *engine.ExecutionRecord) { a.udfLog.observe(r); prev(r) }
	} else {
		po.OnUDFRecord = a.udfLog.observe
	}
	a.pipeline = e.NewPipeline(po)
	if opts.Broker != nil {
		if err := a.StartBroker(*opts.Broker); err != nil {
			a.pipeline.Close()
			e.Close()
			return nil, err
		}
	}
	return a, nil
}

// udfSpace is the space path of UDF id, for the log.
func (a *App) udfSpace(id engine.ID) string {
	var path string
	_ = a.engine.View(func(v *engine.View) error {
		if u, ok := v.UDF(id); ok {
			path = v.FullName(u.SpaceID)
		}
		return nil
	})
	return path
}

// Path is the project file.
func (a *App) Path() string { return a.path }

// Name is the project's display name: the file name without extension.
func (a *App) Name() string {
	b := filepath.Base(a.path)
	return b[:len(b)-len(filepath.Ext(b))]
}

// Engine is the project's live graph.
func (a *App) Engine() *engine.Engine { return a.engine }

// Pipeline is the telemetry pipeline: the broker, the simulator and the
// studio's test messages all submit to it.
func (a *App) Pipeline() *engine.Pipeline { return a.pipeline }

// Broker is the embedded MQTT broker, or nil while it is stopped (or was
// never started). A broker returned may be stopped by StopBroker at any
// time: its methods stay safe to call, but it serves no more. Safe for
// concurrent use with StartBroker and StopBroker.
func (a *App) Broker() *mqtt.Broker { return a.broker.Load() }

// ReadPlan reads and checks a provisioning YAML file (docs/provisioning.md) without
// touching any project: errors name the file, line and field. Besides what
// the YAML reader checks, every matcher condition's JSONPath must parse
// and every user-defined function's script must be text and compile, and
// every floor plan's background file (read relative to the file's folder)
// must be a PNG or SVG drawing of at most MaxPlanBackground bytes.
func ReadPlan(path string) (*engine.Plan, error) {
	plan, err := yaml.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if err := engine.CheckPlan(plan, engine.PlanChecks{Paths: jsonpath.New(), Scripts: goja.ScriptChecker{}}); err != nil {
		return nil, err
	}
	if err := checkPlanBackgrounds(plan.Spaces); err != nil {
		return nil, err
	}
	return plan, nil
}

// ProvisionFile reads a provisioning YAML file (docs/provisioning.md) and applies it
// as one transaction (see Provision).
func (a *App) ProvisionFile(path string) (*engine.ProvisionSummary, error) {
	plan, err := ReadPlan(path)
	if err != nil {
		return nil, err
	}
	return a.Provision(plan)
}

// Provision applies plan (from ReadPlan) as one transaction, then keeps
// the background drawings of its floor plans in the project file
// (SavePlanBackgrounds). Safe for concurrent use.
func (a *App) Provision(plan *engine.Plan) (*engine.ProvisionSummary, error) {
	sum, err := a.engine.Provision(plan)
	if err != nil {
		return nil, err
	}
	if err := a.SavePlanBackgrounds(sum); err != nil {
		return nil, err
	}
	return sum, nil
}

// Close stops the running simulation (waiting for it), stops the broker,
// drains the pipeline, commits everything and closes the project file.
// It is bounded by Options.CloseTimeout (DefaultCloseTimeout): if the
// simulation, the broker or the pipeline has not finished by then (a UDF
// stuck in a call that cannot be interrupted, say), the messages not yet
// processed are given up — none was acknowledged — the stuck workers are
// abandoned and logged, every acknowledged message is already committed,
// and the error wraps ErrCloseTimeout. The engine is then closed with
// what was applied. Calls after the first return nil; after Close,
// StartBroker and StartSimulation fail with an error wrapping
// engine.ErrClosed.
func (a *App) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	sim := a.sim
	a.mu.Unlock()
	httpErr := a.closeHTTP()
	ctx := context.Background()
	if a.closeTO > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, a.closeTO)
		defer cancel()
	}
	var (
		errs    = []error{httpErr}
		errMu   sync.Mutex
		stopped = make(chan struct{})
	)
	// The simulation and the broker may be waiting for messages that a
	// stuck worker holds: stop them aside, and let the pipeline's
	// shutdown release them at the deadline.
	go func() {
		defer close(stopped)
		if sim != nil {
			sim.Stop()
		}
		if br := a.broker.Swap(nil); br != nil {
			err := br.Close()
			errMu.Lock()
			errs = append(errs, err)
			errMu.Unlock()
		}
	}()
	select {
	case <-stopped:
	case <-ctx.Done():
	}
	rep := a.pipeline.Shutdown(ctx)
	a.udfLog.close()
	timedOut := rep.TimedOut()
	if timedOut {
		a.log.Warn("shutdown deadline passed: gave up on unacknowledged messages",
			"timeout", a.closeTO, "unprocessed", rep.Unprocessed, "abandoned_devices", rep.Abandoned)
	}
	select {
	case <-stopped:
	case <-time.After(closeGrace):
		timedOut = true
		a.log.Warn("shutdown: the broker or the simulation did not stop in time; left behind")
	}
	if timedOut {
		errs = append(errs, fmt.Errorf("%w after %v: %d messages unprocessed, stuck devices %v", ErrCloseTimeout, a.closeTO, rep.Unprocessed, rep.Abandoned))
	}
	errs = append(errs, a.engine.Close())
	errMu.Lock()
	defer errMu.Unlock()
	return errors.Join(errs...)
}

// closeGrace is how long Close waits for the broker and the simulation
// after the pipeline has shut down.
const closeGrace = 500 * time.Millisecond

// ErrCloseTimeout is wrapped by Close's error when it gave up on work at
// its deadline (Options.CloseTimeout). Everything acknowledged was
// committed; what was given up was never acknowledged.
var ErrCloseTimeout = errors.New("close: deadline passed")
