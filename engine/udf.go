package engine

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// UDFRuntime runs user-defined function scripts. The goja adapter
// (engine/goja) implements it. Execute may be called from many goroutines
// at once.
type UDFRuntime interface {
	// Execute runs udf's process(telemetry, executionContext) for in
	// against v, under udf's own identity. It applies nothing: the record
	// lists the writes and notifications a successful execution wants
	// applied (none when it failed).
	Execute(v *View, udf *UDF, in ExecInput) *ExecutionRecord
}

// ExecInput is one execution's input.
type ExecInput struct {
	Sensor        *Sensor
	Message       string
	EnqueuedTime  time.Time
	ReceivedTime  time.Time
	CorrelationID string
	Trace         bool          // record a line trace
	Limit         time.Duration // CPU-time limit; 0: DefaultUDFLimit
}

// DefaultUDFLimit is the default time limit of one execution.
const DefaultUDFLimit = 100 * time.Millisecond

// Execution outcomes.
const (
	OutcomeOK            = "Succeeded"
	OutcomeFailed        = "Failed"        // threw, or a syntax error
	OutcomeTimedOut      = "TimedOut"      // hit the time limit
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

// TraceStep is one executed statement of a line trace.
type TraceStep struct {
	Line   int               `json:"line"`
	Locals map[string]string `json:"locals,omitempty"`
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
	DryRun        bool            `json:"dryRun,omitempty"`
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

// runUDFs executes the matched UDFs of one message (pipeline workers call
// it under the read lock) and merges the outputs of those that succeeded.
func (e *Engine) runUDFs(v *View, rt UDFRuntime, in *UDFInput) *UDFOutput {
	out := &UDFOutput{}
	for _, u := range in.UDFs {
		rec := rt.Execute(v, u, ExecInput{Sensor: in.Sensor, Message: in.Message, EnqueuedTime: in.EnqueuedTime,
			ReceivedTime: in.ReceivedTime, CorrelationID: in.CorrelationID})
		e.records.add(rec)
		if !rec.OK() {
			continue
		}
		appendWrites(out, rec)
	}
	return out
}

func appendWrites(out *UDFOutput, rec *ExecutionRecord) {
	for _, w := range rec.Writes {
		if w.Kind == "Sensor" {
			out.SensorValues = append(out.SensorValues, SensorWrite{Sensor: w.ID, Value: w.New})
		} else {
			out.SpaceValues = append(out.SpaceValues, SpaceWrite{Space: w.ID, Name: w.Name, Value: w.New})
		}
	}
	out.Notifications = append(out.Notifications, rec.Notifications...)
}

// RunUDF runs one UDF on a sensor and message outside the pipeline: a dry
// run (apply false) changes nothing; otherwise a successful execution's
// writes and notifications are applied and committed like a message's.
// The record is returned either way (and kept with the UDF's records).
func (e *Engine) RunUDF(udf ID, sensor ID, message string, apply, trace bool) (*ExecutionRecord, error) {
	rt := e.udfRuntime()
	if rt == nil {
		return nil, fmt.Errorf("%w: no UDF runtime installed", ErrInvalid)
	}
	now := e.opts.Now()
	rec, err := func() (*ExecutionRecord, error) {
		e.mu.RLock()
		defer e.mu.RUnlock()
		v := &View{g: e.g}
		u, ok := v.UDF(udf)
		if !ok {
			return nil, fmt.Errorf("%w: user-defined function %s", ErrNotFound, udf)
		}
		s, ok := v.Sensor(sensor)
		if !ok {
			return nil, fmt.Errorf("%w: sensor %s", ErrNotFound, sensor)
		}
		return rt.Execute(v, u, ExecInput{Sensor: s, Message: message, EnqueuedTime: now, ReceivedTime: now, Trace: trace}), nil
	}()
	if err != nil {
		return nil, err
	}
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
