package goja

import (
	"sync"
	"time"

	"github.com/dop251/goja"
)

// monoBase is the origin of limitTimer's deadlines (monotonic clock).
var monoBase = time.Now()

// limitTimer interrupts a runtime's execution at its time limit. A runtime
// has one, armed for each execution and disarmed after it, instead of a
// new timer per execution. A firing that comes late (after disarm, or
// after the next arm) interrupts nothing: the timer's function interrupts
// only while armed and past the armed deadline, under mu, so once disarm
// returns no interrupt of the execution it ended can still arrive.
type limitTimer struct {
	t        *time.Timer
	mu       sync.Mutex
	deadline time.Duration // since monoBase; 0: disarmed (under mu)
}

func (l *limitTimer) init(rt *goja.Runtime) {
	l.t = time.AfterFunc(time.Hour, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.deadline != 0 && time.Since(monoBase) >= l.deadline {
			rt.Interrupt(errTimeLimit)
		}
	})
	l.t.Stop()
}

// arm starts the limit of wall for the execution about to run.
func (l *limitTimer) arm(wall time.Duration) {
	l.mu.Lock()
	l.deadline = time.Since(monoBase) + wall
	l.mu.Unlock()
	l.t.Reset(wall)
}

// disarm ends the limit: afterwards the timer interrupts nothing until it
// is armed again.
func (l *limitTimer) disarm() {
	l.t.Stop()
	l.mu.Lock()
	l.deadline = 0
	l.mu.Unlock()
}
