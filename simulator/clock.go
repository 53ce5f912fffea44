package simulator

import (
	"sync/atomic"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// Clock is the simulated clock. Its Now may be read from any goroutine
// (the engine's and the UDF runtime's time source during a run).
type Clock struct {
	start time.Time
	step  time.Duration
	now   atomic.Int64 // unix nanoseconds
}

// NewClock returns a clock at start that advances by step.
func NewClock(start time.Time, step time.Duration) *Clock {
	c := &Clock{start: start, step: step}
	c.now.Store(start.UnixNano())
	return c
}

// Now is the simulated time.
func (c *Clock) Now() time.Time { return time.Unix(0, c.now.Load()).UTC() }

// Start is when the run begins.
func (c *Clock) Start() time.Time { return c.start }

// Step is the clock's step.
func (c *Clock) Step() time.Duration { return c.step }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.now.Store(t.UnixNano()) }

// Advance moves the clock on by one step and returns the new time.
func (c *Clock) Advance() time.Time { return time.Unix(0, c.now.Add(int64(c.step))).UTC() }

// UDFCounter wraps a UDF runtime and counts executions by outcome; install
// it with engine.SetUDFRuntime to get the udf KPIs.
type UDFCounter struct {
	RT                                 engine.UDFRuntime
	executions, failed, timedOut, deny atomic.Uint64
	notifications                      atomic.Uint64 // sent by executions that succeeded
}

// Execute implements engine.UDFRuntime.
func (u *UDFCounter) Execute(x *engine.UDFContext) *engine.ExecutionRecord {
	rec := u.RT.Execute(x)
	u.executions.Add(1)
	if rec != nil {
		switch rec.Outcome {
		case engine.OutcomeFailed:
			u.failed.Add(1)
		case engine.OutcomeTimedOut:
			u.timedOut.Add(1)
		case engine.OutcomeNotAuthorized:
			u.deny.Add(1)
		}
		if rec.Outcome != engine.OutcomeFailed && rec.Outcome != engine.OutcomeTimedOut {
			u.notifications.Add(uint64(len(rec.Notifications)))
		}
	}
	return rec
}

// UDFCounts are a UDFCounter's counts.
type UDFCounts struct {
	Executions    uint64
	Failures      uint64 // failed or timed out
	Notifications uint64 // sent by executions that succeeded
}

// Counts are the executions counted so far. Safe for concurrent use.
func (u *UDFCounter) Counts() UDFCounts {
	return UDFCounts{Executions: u.executions.Load(), Failures: u.failed.Load() + u.timedOut.Load(), Notifications: u.notifications.Load()}
}
