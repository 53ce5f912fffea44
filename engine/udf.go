package engine

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// UDFRuntime runs user-defined functions. The goja adapter (engine/goja)
// runs JavaScript; FuncRuntime runs Go functions. Execute may be called
// from many goroutines at once, each with its own UDFContext.
type UDFRuntime interface {
	// Execute runs x.UDF() for x.Input(): the script's
	// process(telemetry, executionContext), whose library calls go to x's
	// methods. It sets x.Record()'s outcome (OutcomeOK, OutcomeFailed or
	// OutcomeTimedOut), error and position, and returns x.Finish(). It
	// applies nothing and must not call the Engine (x's methods are the
	// only way in).
	Execute(x *UDFContext) *ExecutionRecord
}

// ExecInput is one execution's input.
type ExecInput struct {
	Sensor        *Sensor
	Message       string
	EnqueuedTime  time.Time
	ReceivedTime  time.Time
	CorrelationID string
	Trace         bool          // record a line trace
	Limit         time.Duration // wall-clock limit; 0: the UDF's TimeLimit, else the runtime's default (DefaultUDFLimit)
	// Budget, if positive, is a deterministic limit: the number of loop
	// iterations and function calls the execution may make. Exhausting it
	// stops the execution with OutcomeTimedOut at the same point on every
	// run, however busy the machine. With a budget the wall-clock limit is
	// only a backstop against work the budget does not count (a long
	// native call such as a huge string repeat): the runtime stops the
	// execution after UDFBackstopFactor × the limit. Simulations set it
	// (IngressMessage.Deterministic, PipelineOptions.Deterministic).
	Budget int64
}

// DefaultUDFLimit is the default time limit of one execution.
const DefaultUDFLimit = 100 * time.Millisecond

// DefaultUDFMemoryMiB is the memory, in MiB, one execution of a UDF may
// build up when the UDF has no MemoryLimitMiB of its own.
const DefaultUDFMemoryMiB = 64

// MaxUDFMemoryMiB is the ceiling of a UDF's own memory limit
// (UDF.MemoryLimitMiB): provisioning and PutUDF refuse a larger one.
const MaxUDFMemoryMiB = 512

// checkMemoryLimit refuses a memory limit outside 0..MaxUDFMemoryMiB.
func checkMemoryLimit(mib int) error {
	if mib < 0 || mib > MaxUDFMemoryMiB {
		return fmt.Errorf("%w: %d MiB is outside 1..%d (0 or absent: the default of %d MiB)", ErrInvalid, mib, MaxUDFMemoryMiB, DefaultUDFMemoryMiB)
	}
	return nil
}

// MaxUDFLimit is the ceiling of a UDF's own time limit (UDF.TimeLimit,
// ExecInput.Limit): a longer one is cut to it.
const MaxUDFLimit = 10 * time.Second

// DefaultUDFBudget is the budget (loop iterations and function calls) of a
// deterministic execution of a UDF with the default time limit; see
// UDFBudget. A tight loop of this many iterations takes a few
// milliseconds, far below the limit.
const DefaultUDFBudget = 200_000

// UDFBackstopFactor multiplies the wall-clock limit of an execution that
// has a Budget.
const UDFBackstopFactor = 10

// UDFBudget is the deterministic budget of u: DefaultUDFBudget, scaled by
// u's own TimeLimit relative to DefaultUDFLimit when it has one (at least
// 1000).
func UDFBudget(u *UDF) int64 {
	if u == nil || u.TimeLimit <= 0 {
		return DefaultUDFBudget
	}
	b := int64(float64(DefaultUDFBudget) * float64(u.TimeLimit) / float64(DefaultUDFLimit))
	return max(b, 1000)
}

// Execution outcomes.
const (
	OutcomeOK            = "Succeeded"
	OutcomeFailed        = "Failed"        // threw, or a syntax error
	OutcomeTimedOut      = "TimedOut"      // stopped: the time limit, the budget or the memory limit
	OutcomeNotAuthorized = "NotAuthorized" // a library call was refused (the execution goes on; see Calls)
)

// LibCall is one client-library call made by a UDF.
type LibCall struct {
	Name   string   `json:"name"`
	Args   []string `json:"args"`
	Result string   `json:"result,omitempty"`
	Err    string   `json:"error,omitempty"`
}

// WriteRecord is a value write made by a UDF.
type WriteRecord struct {
	Kind     string `json:"kind"` // "Sensor" or "Space"
	ID       ID     `json:"id"`
	Name     string `json:"name"` // data type (sensor) or value name (space)
	Previous string `json:"previous"`
	New      string `json:"new"`
}

// TraceStep is one executed statement of a line trace: its position in
// the script and the local variables that changed (a delta). The delta of
// step i applies to the full locals of its base step, i-1-Skip: the
// previous step (Skip 0), or, when the previous step was in another
// function (a call just returned), the last step in the same scope as this
// one. Locals holds each local that is new or whose rendered value differs
// from the base's; Gone names the base's locals that are not in scope any
// more. The first step holds every local in scope. The arguments of
// process (telemetry, executionContext) are therefore recorded once, not
// at every step. TraceLocals rebuilds the full locals at any step.
type TraceStep struct {
	Line   int               `json:"line"`
	Column int               `json:"column,omitempty"`
	Skip   int               `json:"skip,omitempty"`
	Locals map[string]string `json:"locals,omitempty"`
	Gone   []string          `json:"gone,omitempty"`
}

// TraceLocals returns the full locals in scope at step i of trace (a new
// map the caller owns): the deltas from step 0 along the chain of base
// steps up to i, applied in order. It returns nil when i is out of range.
// It costs O(i) at worst.
func TraceLocals(trace []TraceStep, i int) map[string]string {
	if i < 0 || i >= len(trace) {
		return nil
	}
	var chain []int
	for j := i; j >= 0; j = j - 1 - max(trace[j].Skip, 0) {
		chain = append(chain, j)
	}
	m := map[string]string{}
	for k := len(chain) - 1; k >= 0; k-- {
		st := trace[chain[k]]
		for _, n := range st.Gone {
			delete(m, n)
		}
		for n, v := range st.Locals {
			m[n] = v
		}
	}
	return m
}

// ExecutionRecord is what one UDF execution did: the debugger's view.
type ExecutionRecord struct {
	ID            ID              `json:"id"`
	UDF           ID              `json:"udfId"`
	UDFName       string          `json:"udfName"`
	Sensor        ID              `json:"sensorId"`
	SensorHW      string          `json:"sensorHardwareId"`
	Message       string          `json:"message"`
	Start         time.Time       `json:"start"`
	Duration      time.Duration   `json:"durationNs"`
	Calls         []LibCall       `json:"calls,omitempty"`
	Logs          []string        `json:"logs,omitempty"`
	Writes        []WriteRecord   `json:"writes,omitempty"`
	Notifications []UdfCustomData `json:"notifications,omitempty"`
	Outcome       string          `json:"outcome"`
	Error         string          `json:"error,omitempty"`
	Line          int             `json:"line,omitempty"`
	Column        int             `json:"column,omitempty"`
	Stack         string          `json:"stack,omitempty"`
	Trace         []TraceStep     `json:"trace,omitempty"`
	// TraceDropped counts the steps executed after the trace reached its
	// limit (the runtime's maximum number of steps) and not recorded: a
	// positive count means the trace was cut after len(Trace) steps.
	TraceDropped int  `json:"traceDropped,omitempty"`
	DryRun       bool `json:"dryRun,omitempty"`
}

// OK reports whether the execution's writes may be applied.
func (r *ExecutionRecord) OK() bool {
	return r.Outcome == OutcomeOK || r.Outcome == OutcomeNotAuthorized
}

// SetUDFRuntime installs the runtime the pipeline runs UDFs with.
func (e *Engine) SetUDFRuntime(rt UDFRuntime) {
	e.udfMu.Lock()
	e.udfRT = rt
	e.udfMu.Unlock()
}

func (e *Engine) udfRuntime() UDFRuntime {
	e.udfMu.RLock()
	defer e.udfMu.RUnlock()
	return e.udfRT
}

// RecordsKept is how many execution records each UDF keeps.
const RecordsKept = 200

// recordsName is the value name under which a UDF's execution records are
// persisted (one history entry each; the newest RecordsKept are read back).
const recordsName = "$records"

// udfRecords keeps the recent execution records of every UDF, and those
// not yet persisted.
type udfRecords struct {
	mu      sync.Mutex
	rings   map[ID]*ring[*ExecutionRecord]
	pending []*ExecutionRecord
	loaded  map[ID]bool
}

func (r *udfRecords) add(rec *ExecutionRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rings == nil {
		r.rings = map[ID]*ring[*ExecutionRecord]{}
	}
	if len(r.pending) < 4*RecordsKept {
		r.pending = append(r.pending, rec)
	}
	rg := r.rings[rec.UDF]
	if rg == nil {
		rg = &ring[*ExecutionRecord]{}
		r.rings[rec.UDF] = rg
	}
	rg.add(rec, RecordsKept)
}

// Records returns the recent execution records of UDF id (at most
// RecordsKept), oldest first. After a restart they are read back from the
// project file.
func (e *Engine) Records(udf ID) []*ExecutionRecord {
	r := &e.records
	r.mu.Lock()
	loaded := r.loaded[udf]
	r.mu.Unlock()
	if !loaded {
		var stored []*ExecutionRecord
		if h, err := e.store.History(udf, recordsName, RecordsKept); err == nil {
			for _, v := range h {
				var rec ExecutionRecord
				if json.Unmarshal([]byte(v.Value), &rec) == nil {
					stored = append(stored, &rec)
				}
			}
		}
		r.mu.Lock()
		if !r.loaded[udf] {
			if r.loaded == nil {
				r.loaded = map[ID]bool{}
			}
			r.loaded[udf] = true
			var newer []*ExecutionRecord
			if rg := r.rings[udf]; rg != nil {
				newer = rg.items()
			}
			rg := &ring[*ExecutionRecord]{}
			if r.rings == nil {
				r.rings = map[ID]*ring[*ExecutionRecord]{}
			}
			r.rings[udf] = rg
			for _, x := range stored {
				if !containsRecord(newer, x.ID) {
					rg.add(x, RecordsKept)
				}
			}
			for _, x := range newer {
				rg.add(x, RecordsKept)
			}
		}
		r.mu.Unlock()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if rg := r.rings[udf]; rg != nil {
		return rg.items()
	}
	return nil
}

func containsRecord(list []*ExecutionRecord, id ID) bool {
	for _, x := range list {
		if x.ID == id {
			return true
		}
	}
	return false
}

// flushRecords hands the records made since the last flush to the
// committer. The engine calls it every second and at Close.
func (e *Engine) flushRecords() {
	r := &e.records
	r.mu.Lock()
	pending := r.pending
	r.pending = nil
	r.mu.Unlock()
	if len(pending) == 0 {
		return
	}
	ops := make([]Op, 0, len(pending))
	for _, rec := range pending {
		b, err := json.Marshal(rec)
		if err != nil {
			continue
		}
		ops = append(ops, Op{Type: OpValue, Key: rec.UDF, Name: recordsName, Value: Value{Value: string(b), Time: rec.Start}})
	}
	e.com.submit(ops)
}

// udfAttemptsUnlocked is how many times an execution runs without the
// engine's lock before, the topology having moved under it each time, it
// runs once more under the read lock.
const udfAttemptsUnlocked = 2

// execute runs u once with the client library and returns its settled
// record. gen is the topology generation the caller's snapshots (the
// sensor, the UDF) were taken at. The execution runs without the engine's
// lock; if the topology moved meanwhile it runs again, and the last try
// holds the read lock, so that the record is of an execution that saw one
// topology. The caller must not hold the engine's lock.
func (e *Engine) execute(rt UDFRuntime, u *UDF, in ExecInput, gen uint64) *ExecutionRecord {
	for attempt := 0; ; attempt++ {
		if attempt == udfAttemptsUnlocked {
			e.mu.RLock()
			x := e.newUDFContext(u, in, e.gen.Load(), true)
			func() {
				defer e.mu.RUnlock()
				rt.Execute(x)
			}()
			return x.Finish()
		}
		x := e.newUDFContext(u, in, gen, false)
		rt.Execute(x)
		if !x.stale {
			return x.Finish()
		}
		gen = e.gen.Load()
	}
}

// ExecuteUDF runs u once on in with rt and returns the record. It applies
// nothing and keeps no record (RunUDF does both). Safe for concurrent use;
// the caller must not hold a View.
func (e *Engine) ExecuteUDF(rt UDFRuntime, u *UDF, in ExecInput) *ExecutionRecord {
	return e.execute(rt, u, in, e.gen.Load())
}

// runUDFs executes the matched UDFs of one message (pipeline workers call
// it without the lock) and merges the outputs of those that succeeded.
// guard, if not nil, skips the UDFs it throttles and sees every outcome;
// onRec, if not nil, sees every record kept.
func (e *Engine) runUDFs(rt UDFRuntime, in *UDFInput, gen uint64, guard *udfGuard, onRec func(*ExecutionRecord)) *UDFOutput {
	out := &UDFOutput{}
	for _, u := range in.UDFs {
		if guard.skip(u) {
			continue
		}
		ei := ExecInput{Sensor: in.Sensor, Message: in.Message, EnqueuedTime: in.EnqueuedTime,
			ReceivedTime: in.ReceivedTime, CorrelationID: in.CorrelationID}
		if in.Deterministic {
			ei.Budget = UDFBudget(u)
		}
		rec := e.execute(rt, u, ei, gen)
		e.records.add(rec)
		state := guard.observe(u, in, rec)
		if onRec != nil {
			onRec(rec)
			if state != nil {
				onRec(state)
			}
		}
		if !rec.OK() {
			continue
		}
		appendWrites(out, rec)
	}
	return out
}

func appendWrites(out *UDFOutput, rec *ExecutionRecord) {
	out.Writes = append(out.Writes, rec.Writes...)
	out.Notifications = append(out.Notifications, rec.Notifications...)
}

// RunUDF runs one UDF on a sensor and message outside the pipeline: a dry
// run (apply false) changes nothing; otherwise a successful execution's
// writes and notifications are applied and committed like a message's.
// The record is returned either way (and kept with the UDF's records).
// It is RunUDFWith with RunOptions{Apply: apply, Trace: trace}.
func (e *Engine) RunUDF(udf ID, sensor ID, message string, apply, trace bool) (*ExecutionRecord, error) {
	return e.RunUDFWith(udf, sensor, message, RunOptions{Apply: apply, Trace: trace})
}

// RunOptions configure RunUDFWith.
type RunOptions struct {
	Apply bool // apply a successful execution's writes and notifications; false: a dry run
	Trace bool // record a line trace
	// Limit is the execution's wall-clock limit (ExecInput.Limit, at most
	// MaxUDFLimit); 0: the UDF's TimeLimit, else the runtime's default.
	Limit time.Duration
}

// RunUDFWith runs one UDF on a sensor and message outside the pipeline,
// as RunUDF does, with the options o. Errors wrap ErrNotFound (no such UDF
// or sensor), ErrInvalid (no runtime installed) or are the commit's.
// Safe for concurrent use; the caller must not hold a View.
func (e *Engine) RunUDFWith(udf ID, sensor ID, message string, o RunOptions) (*ExecutionRecord, error) {
	apply := o.Apply
	rt := e.udfRuntime()
	if rt == nil {
		return nil, fmt.Errorf("%w: no UDF runtime installed", ErrInvalid)
	}
	now := e.opts.Now()
	e.mu.RLock()
	v := &View{g: e.g}
	gen := e.gen.Load()
	u, uok := v.UDF(udf)
	s, sok := v.Sensor(sensor)
	e.mu.RUnlock()
	if !uok {
		return nil, fmt.Errorf("%w: user-defined function %s", ErrNotFound, udf)
	}
	if !sok {
		return nil, fmt.Errorf("%w: sensor %s", ErrNotFound, sensor)
	}
	rec := e.execute(rt, u, ExecInput{Sensor: s, Message: message, EnqueuedTime: now, ReceivedTime: now, Trace: o.Trace, Limit: o.Limit}, gen)
	rec.DryRun = !apply
	e.records.add(rec)
	if !apply || !rec.OK() {
		return rec, nil
	}
	out := &UDFOutput{}
	appendWrites(out, rec)
	c, evs := e.applyOutput(out, now, "")
	if err := c.Wait(); err != nil {
		return rec, err
	}
	e.bus.Publish(evs...) // after the commit, as the pipeline does
	return rec, nil
}
