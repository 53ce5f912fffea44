package engine

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// Outcomes of an execution the pipeline did not run (see UDFThrottle).
const (
	// OutcomeThrottled: the UDF timed out too many times in a row; this
	// record marks the start of a pause during which its executions are
	// skipped (the messages are still accepted and recorded).
	OutcomeThrottled = "Throttled"
	// OutcomeSuspended: the UDF kept timing out after being throttled and
	// no longer runs until it is resumed.
	OutcomeSuspended = "Suspended"
)

// UDFThrottle configures how the pipeline limits a user-defined function
// that keeps hitting its time limit (or its memory limit: a memory breach
// is recorded as OutcomeTimedOut too), so that it cannot use more than its
// share of the workers. The zero value gives the defaults.
//
// After ThrottleAfter consecutive timed-out executions the UDF is
// throttled: its executions are skipped for Backoff, and the pause doubles
// (up to MaxBackoff) with each further consecutive timeout. After
// SuspendAfter more consecutive timeouts the UDF is suspended: it does not
// run at all. Throttling and suspension each leave an execution record
// (OutcomeThrottled, OutcomeSuspended) saying why; suspension also emits a
// UdfCustom event whose payload says which UDF and why. An execution that
// does not time out (succeeds or fails) resets the count.
//
// A suspended or throttled UDF resumes when it is changed (a new script,
// time limit or memory limit, for example by re-provisioning it with an
// edited script or editing it in the studio), when Pipeline.ResumeUDF is called, or when the
// server restarts (the state is kept in memory only).
//
// Deterministic executions (simulations) are never throttled: their
// outcome must not depend on wall time.
type UDFThrottle struct {
	ThrottleAfter int           // default 3; negative: never throttle or suspend
	SuspendAfter  int           // default 3
	Backoff       time.Duration // default 1 s
	MaxBackoff    time.Duration // default 30 s
}

func (o *UDFThrottle) defaults() {
	if o.ThrottleAfter == 0 {
		o.ThrottleAfter = 3
	}
	if o.SuspendAfter <= 0 {
		o.SuspendAfter = 3
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.MaxBackoff < o.Backoff {
		o.MaxBackoff = max(30*time.Second, o.Backoff)
	}
}

// udfHealth is the timeout state of one UDF.
type udfHealth struct {
	script    string // the version the state is about
	updated   time.Time
	limit     time.Duration
	mem       int       // MemoryLimitMiB
	timeouts  int       // consecutive
	until     time.Time // executions are skipped before this
	backoff   time.Duration
	suspended bool
	skipped   uint64
}

// udfGuard is the pipeline's UDFThrottle state. Safe for concurrent use.
type udfGuard struct {
	e    *Engine
	opts UDFThrottle
	mu   sync.Mutex
	m    map[ID]*udfHealth
}

func newUDFGuard(e *Engine, opts UDFThrottle) *udfGuard {
	opts.defaults()
	return &udfGuard{e: e, opts: opts, m: map[ID]*udfHealth{}}
}

func (h *udfHealth) sameVersion(u *UDF) bool {
	return h.script == u.Script && h.updated.Equal(u.Updated) && h.limit == u.TimeLimit && h.mem == u.MemoryLimitMiB
}

// skip reports whether u must not run now (throttled or suspended).
func (g *udfGuard) skip(u *UDF) bool {
	if g == nil || g.opts.ThrottleAfter < 0 {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	h := g.m[u.ID]
	if h == nil {
		return false
	}
	if !h.sameVersion(u) {
		delete(g.m, u.ID) // changed: resumed
		return false
	}
	if h.suspended || time.Now().Before(h.until) {
		h.skipped++
		return true
	}
	return false
}

// observe counts rec's outcome for u, throttling or suspending u when it
// keeps timing out. in is the message it ran for. It returns the record
// (OutcomeThrottled, OutcomeSuspended) it kept when it throttled or
// suspended u, else nil.
func (g *udfGuard) observe(u *UDF, in *UDFInput, rec *ExecutionRecord) *ExecutionRecord {
	if g == nil || g.opts.ThrottleAfter < 0 {
		return nil
	}
	g.mu.Lock()
	h := g.m[u.ID]
	if rec.Outcome != OutcomeTimedOut {
		if h != nil && !h.suspended {
			delete(g.m, u.ID)
		}
		g.mu.Unlock()
		return nil
	}
	if h == nil || !h.sameVersion(u) {
		h = &udfHealth{script: u.Script, updated: u.Updated, limit: u.TimeLimit, mem: u.MemoryLimitMiB}
		g.m[u.ID] = h
	}
	if h.suspended {
		g.mu.Unlock()
		return nil
	}
	h.timeouts++
	now := time.Now()
	var outcome, why string
	switch {
	case h.timeouts >= g.opts.ThrottleAfter+g.opts.SuspendAfter:
		h.suspended = true
		outcome = OutcomeSuspended
		why = fmt.Sprintf("suspended: %d consecutive executions hit the time limit (%d after it was throttled); it no longer runs. "+
			"Change its script or time limit (re-provision or edit it), or restart the server, to resume it", h.timeouts, g.opts.SuspendAfter)
	case h.timeouts >= g.opts.ThrottleAfter:
		if h.backoff == 0 {
			h.backoff = g.opts.Backoff
		} else {
			h.backoff = min(2*h.backoff, g.opts.MaxBackoff)
		}
		h.until = now.Add(h.backoff)
		outcome = OutcomeThrottled
		why = fmt.Sprintf("throttled: %d consecutive executions hit the time limit; executions are skipped for %v "+
			"(suspended after %d more timeouts in a row)", h.timeouts, h.backoff, g.opts.ThrottleAfter+g.opts.SuspendAfter-h.timeouts)
	}
	skipped := h.skipped
	g.mu.Unlock()
	if outcome == "" {
		return nil
	}
	r := &ExecutionRecord{ID: NewID(), UDF: u.ID, UDFName: u.Name, Message: rec.Message, Start: now, Outcome: outcome,
		Error: why, Sensor: rec.Sensor, SensorHW: rec.SensorHW}
	if skipped > 0 {
		r.Logs = []string{fmt.Sprintf("%d executions skipped so far", skipped)}
	}
	g.e.records.add(r)
	if outcome == OutcomeSuspended && g.e.bus.Wants(EventUdfCustom) {
		payload, _ := json.Marshal(map[string]string{"udfId": u.ID.String(), "udfName": u.Name, "state": OutcomeSuspended, "reason": why})
		data := &UdfCustomData{TopologyObjectID: u.ID.String(), ResourceType: "UserDefinedFunction", Payload: string(payload),
			CorrelationID: in.CorrelationID}
		g.e.bus.Publish(newEvent(EventUdfCustom, u.ID, EventUdfCustom, data, now, "1.0"))
	}
	return r
}

// resume forgets u's timeouts.
func (g *udfGuard) resume(id ID) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, ok := g.m[id]
	delete(g.m, id)
	return ok
}

// state reports u's state: "" (runs), OutcomeThrottled or OutcomeSuspended.
func (g *udfGuard) state(id ID) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	h := g.m[id]
	switch {
	case h == nil:
		return ""
	case h.suspended:
		return OutcomeSuspended
	case time.Now().Before(h.until):
		return OutcomeThrottled
	}
	return ""
}
