package engine

import (
	"fmt"
	"sync"
	"time"
)

// Telemetry is the message a UDF runs for, as a Go UDF sees it (the
// script's telemetry argument).
type Telemetry struct {
	SensorID string
	Message  string
}

// UDFFunc is a user-defined function written in Go. It reads and writes
// through x (the same client library a script has) and returns an error to
// fail the execution, which then applies nothing.
type UDFFunc func(x *UDFContext, t Telemetry) error

// FuncRuntime is a UDFRuntime that runs Go functions registered by UDF
// name instead of scripts: the engine's own tests use it, and another
// embedder could. It has no time limit or budget (a Go function cannot be
// stopped from outside); a panic fails the execution. Safe for concurrent
// use.
type FuncRuntime struct {
	mu    sync.RWMutex
	funcs map[string]UDFFunc
}

var _ UDFRuntime = (*FuncRuntime)(nil)

// NewFuncRuntime returns an empty FuncRuntime.
func NewFuncRuntime() *FuncRuntime { return &FuncRuntime{funcs: map[string]UDFFunc{}} }

// Register makes f the function of the UDFs named name (replacing any).
func (r *FuncRuntime) Register(name string, f UDFFunc) {
	r.mu.Lock()
	r.funcs[name] = f
	r.mu.Unlock()
}

// Execute implements UDFRuntime: it runs the function registered under
// the UDF's name; an unregistered name fails the execution.
func (r *FuncRuntime) Execute(x *UDFContext) *ExecutionRecord {
	rec := x.Record()
	r.mu.RLock()
	f := r.funcs[x.UDF().Name]
	r.mu.RUnlock()
	if f == nil {
		rec.Outcome, rec.Error = OutcomeFailed, fmt.Sprintf("no Go function is registered for UDF %q", x.UDF().Name)
		return x.Finish()
	}
	t := Telemetry{Message: x.Input().Message}
	if s := x.Input().Sensor; s != nil {
		t.SensorID = s.ID.String()
	}
	func() {
		defer func() {
			if p := recover(); p != nil {
				rec.Outcome, rec.Error = OutcomeFailed, fmt.Sprintf("panic: %v", p)
			}
		}()
		if err := f(x, t); err != nil {
			rec.Outcome, rec.Error = OutcomeFailed, err.Error()
			return
		}
		rec.Outcome = OutcomeOK
	}()
	rec.Duration = time.Since(rec.Start)
	return x.Finish()
}
