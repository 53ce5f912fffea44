package app

import (
	"context"
	"sync"
	"time"
)

// pacer is a simulation's Options.Pace: it runs the simulated clock at a
// speed that may change while the run goes on (0: as fast as possible),
// and pauses, resumes and single-steps it. It only decides when each step
// starts, never what the step does, so a run's readings do not depend on
// it. Its methods are safe for concurrent use; pace is called by the run's
// goroutine only.
type pacer struct {
	ctx context.Context

	mu     sync.Mutex
	wake   chan struct{} // closed and replaced on every change
	speed  float64
	paused bool
	steps  int  // steps granted while paused
	parked bool // pace waits because the run is paused
	calls  uint64
	last   time.Time // the last step's simulated time let through
	ended  bool      // the run has returned
	// fastUntil: steps before it run as fast as possible (SimOptions).
	fastUntil time.Time

	// Real-time reference: step t is due at wall0 + (t − t0) / speed.
	ref       bool
	t0, wall0 time.Time
	// Rate sample for the ETA: from rateT0 at rateWall0 to the last step,
	// a window of the last one to two seconds (a slow start, or a busy
	// second, is soon forgotten), restarted by every change. ck is the
	// window's next start.
	rateT0, rateWall0 time.Time
	ckT, ckWall       time.Time
}

func newPacer(ctx context.Context, speed float64) *pacer {
	return &pacer{ctx: ctx, speed: speed, wake: make(chan struct{})}
}

// notify wakes every waiter; p.mu is held.
func (p *pacer) notify() {
	close(p.wake)
	p.wake = make(chan struct{})
}

// rebase restarts the real-time reference and the rate sample at the last
// step, now; p.mu is held.
func (p *pacer) rebase() {
	now := time.Now()
	p.ref = !p.last.IsZero()
	p.t0, p.wall0 = p.last, now
	p.rateT0, p.rateWall0 = time.Time{}, time.Time{}
	p.ckT, p.ckWall = time.Time{}, time.Time{}
}

// pace is Options.Pace: it returns when the step at simulated time t may
// run, or ctx's error once ctx is done.
func (p *pacer) pace(t time.Time) error {
	p.mu.Lock()
	p.calls++
	p.mu.Unlock()
	for {
		if err := p.ctx.Err(); err != nil {
			return err
		}
		// Whatever woke it (its time came, or a change), decide again: a
		// step whose time came passes there, and so counts for the rate.
		wait, d := p.decide(t)
		if wait == nil {
			return nil
		}
		p.sleep(wait, d)
	}
}

// sleep waits for a change, or for d > 0 to pass, or until ctx is done
// (pace then returns its error).
func (p *pacer) sleep(wait chan struct{}, d time.Duration) {
	var timer <-chan time.Time
	if d > 0 {
		tm := time.NewTimer(d)
		defer tm.Stop()
		timer = tm.C
	}
	select {
	case <-p.ctx.Done():
	case <-wait:
	case <-timer:
	}
}

// decide says whether step t may run now (nil) or what to wait for: a
// change, and with d > 0 at most d.
func (p *pacer) decide(t time.Time) (wait chan struct{}, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.paused && p.steps == 0 {
		if !p.parked {
			p.parked = true
			p.notify()
		}
		return p.wake, 0
	}
	now := time.Now()
	if p.paused { // a granted step
		p.steps--
		p.parked = false
		p.pass(t, now)
		p.notify()
		return nil, 0
	}
	if t.Before(p.fastUntil) {
		// The real-time reference and the rate sample start at the
		// first step after.
		p.last, p.ref = t, false
		return nil, 0
	}
	if p.speed > 0 && p.ref {
		if d := p.wall0.Add(time.Duration(float64(t.Sub(p.t0)) / p.speed)).Sub(now); d > 0 {
			return p.wake, d
		}
	}
	if !p.ref {
		p.ref, p.t0, p.wall0 = true, t, now
	}
	p.pass(t, now)
	return nil, 0
}

// pass lets step t through at wall time now; p.mu is held.
func (p *pacer) pass(t, now time.Time) {
	p.last = t
	switch {
	case p.rateWall0.IsZero():
		p.rateT0, p.rateWall0 = t, now
		p.ckT, p.ckWall = t, now
	case now.Sub(p.ckWall) >= rateWindow:
		p.rateT0, p.rateWall0 = p.ckT, p.ckWall
		p.ckT, p.ckWall = t, now
	}
}

// setSpeed changes the speed (0: as fast as possible) from the next step.
func (p *pacer) setSpeed(speed float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.speed = speed
	p.rebase()
	p.notify()
}

func (p *pacer) getSpeed() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.speed
}

// setPaused pauses or resumes the run. Pausing returns once the run waits
// before its next step (or has ended, or done is closed).
func (p *pacer) setPaused(paused bool, done <-chan struct{}) {
	p.mu.Lock()
	p.paused = paused
	if !paused {
		p.steps = 0
		p.rebase()
	}
	p.notify()
	p.mu.Unlock()
	if paused {
		p.waitUntil(done, func() bool { return p.parked })
	}
}

func (p *pacer) isPaused() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.paused
}

// step pauses the run, lets it simulate one step and returns once it has
// (waits before the next one), or the run has ended.
func (p *pacer) step(done <-chan struct{}) {
	p.setPaused(true, done)
	p.mu.Lock()
	n := p.calls
	p.steps++
	p.notify()
	p.mu.Unlock()
	p.waitUntil(done, func() bool { return p.calls > n && p.parked })
}

// waitUntil waits until cond (read under p.mu) holds or done is closed.
func (p *pacer) waitUntil(done <-chan struct{}, cond func() bool) {
	for {
		p.mu.Lock()
		ok, wake := cond() || p.ended, p.wake
		p.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-done:
			return
		case <-wake:
		}
	}
}

// end marks the run returned and wakes the waiters.
func (p *pacer) end() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ended = true
	p.notify()
}

// rateWindow is how often the rate sample's start moves up: the rate is
// measured over the last one to two windows.
const rateWindow = time.Second

// rate is the simulated time per wall second over the last second or two
// since the last change, once measured over at least a quarter of a
// second; else the speed, or 0 when unknown (as fast as possible, or
// paused). It is never above the speed: a run that catches up after a
// stall goes faster for a moment, but not for the rest of the run.
func (p *pacer) rate() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.paused {
		return 0
	}
	if !p.rateWall0.IsZero() {
		if wall := time.Since(p.rateWall0); wall >= 250*time.Millisecond && p.last.After(p.rateT0) {
			r := float64(p.last.Sub(p.rateT0)) / float64(wall)
			if p.speed > 0 {
				r = min(r, p.speed)
			}
			return r
		}
	}
	return p.speed
}
