package engine

import (
	"sync"
	"time"
)

// The pipeline's fair scheduler.
//
// Every device (keyed by the user name it authenticated as) has its own
// queue. A device with queued work is in the ready list at most once, and
// not while one of its messages is being processed, so a device's messages
// are processed one at a time and in order (MQTT's per-client ordering; the
// commit order of one device is its publish order). Workers take the device
// at the head of the ready list, process one message of it and, if it has
// more, put it back at the tail: devices with pending work are served in
// turn, one message each, whichever worker is free. A device whose UDF uses
// its whole time limit on every message therefore holds at most one worker
// at a time, and another device waits for at most one of its executions per
// worker before its own message runs.

// devQueue is one device's queue. Fields are guarded by scheduler.mu.
type devQueue struct {
	key     string
	jobs    []*job
	cur     *job // the message being processed, if running
	running bool // a worker is processing one of its messages
	ready   bool // in the ready list
	waiters int  // QoS 1 submitters waiting for room
	room    *sync.Cond
}

// scheduler holds the per-device queues and the ready list.
type scheduler struct {
	mu      sync.Mutex
	work    *sync.Cond // workers wait for a ready device
	devs    map[string]*devQueue
	ready   []*devQueue
	total   int               // messages queued (not yet taken by a worker)
	perDev  int               // bound of one device's queue
	max     int               // bound of all queues together (QoS 0 only)
	dropped map[string]uint64 // QoS 0 messages dropped, by device
	closed  bool              // no more submissions
	stopped bool              // workers take no more messages
	// now stamps messages queued without a receive time (see submit).
	now func() time.Time
}

func newScheduler(perDev, max int, now func() time.Time) *scheduler {
	s := &scheduler{devs: map[string]*devQueue{}, perDev: perDev, max: max, dropped: map[string]uint64{}, now: now}
	s.work = sync.NewCond(&s.mu)
	return s
}

// submit queues j for the device key. A QoS 0 message (block false) finding
// its device's queue or all queues full is dropped: ErrQueueFull. A QoS 1
// message waits for room in its device's queue (back-pressure on that
// device alone). After close both fail with ErrClosed.
func (s *scheduler) submit(key string, j *job, block bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	d := s.devs[key]
	if d == nil {
		d = &devQueue{key: key}
		d.room = sync.NewCond(&s.mu)
		s.devs[key] = d
	}
	if !block {
		if len(d.jobs) >= s.perDev || s.total >= s.max {
			s.dropped[key]++
			s.forget(d)
			return ErrQueueFull
		}
	} else {
		for len(d.jobs) >= s.perDev {
			d.waiters++
			d.room.Wait()
			d.waiters--
			if s.closed {
				s.forget(d)
				return ErrClosed
			}
		}
	}
	// A device's messages are applied in the order they are queued, and
	// the sensor's value is the last applied. A message that arrives
	// without a receive time (a live one: the broker's) is stamped here,
	// under the lock that orders the queues, so that queue order and time
	// order agree and the value is its history's newest entry. Stamped
	// before this lock instead, a connection descheduled between the
	// stamp and the lock could queue a reading older than one already
	// applied. Messages that bring their own time keep it.
	if m := j.m; m != nil && m.Received.IsZero() {
		m.Received = s.now()
	}
	d.jobs = append(d.jobs, j)
	s.total++
	if !d.running && !d.ready {
		d.ready = true
		s.ready = append(s.ready, d)
		s.work.Signal()
	}
	return nil
}

// forget removes an idle device's queue. Called with mu held.
func (s *scheduler) forget(d *devQueue) {
	if len(d.jobs) == 0 && !d.running && !d.ready && d.waiters == 0 && s.devs[d.key] == d {
		delete(s.devs, d.key)
	}
}

// next blocks until a device is ready and takes its oldest message; it
// returns nil when the scheduler is closed and empty, or stopped.
func (s *scheduler) next() (*devQueue, *job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for !s.stopped && len(s.ready) == 0 {
		if s.closed && s.total == 0 {
			return nil, nil
		}
		s.work.Wait()
	}
	if s.stopped {
		return nil, nil
	}
	d := s.ready[0]
	s.ready[0] = nil
	s.ready = s.ready[1:]
	d.ready = false
	j := d.jobs[0]
	d.jobs[0] = nil
	d.jobs = d.jobs[1:]
	if len(d.jobs) == 0 {
		d.jobs = nil // let the backing array go
	}
	s.total--
	d.running, d.cur = true, j
	if d.waiters > 0 {
		d.room.Signal()
	}
	return d, j
}

// done ends the processing of d's current message and puts d back in turn
// if it has more.
func (s *scheduler) done(d *devQueue) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d.running, d.cur = false, nil
	if len(d.jobs) > 0 && !s.stopped {
		d.ready = true
		s.ready = append(s.ready, d)
		s.work.Signal()
	} else {
		s.forget(d)
	}
	if s.closed {
		s.work.Broadcast() // idle workers re-check whether all is done
	}
}

// close refuses further submissions and wakes every waiter.
func (s *scheduler) close() {
	s.mu.Lock()
	s.closed = true
	for _, d := range s.devs {
		d.room.Broadcast()
	}
	s.work.Broadcast()
	s.mu.Unlock()
}

// stop makes the workers take no more messages. It returns the messages
// still queued (never started) and those being processed, by device.
func (s *scheduler) stop() (queued []*job, running map[string]*job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	running = map[string]*job{}
	for _, d := range s.devs {
		queued = append(queued, d.jobs...)
		s.total -= len(d.jobs)
		d.jobs = nil
		if d.running && d.cur != nil {
			running[d.key] = d.cur
		}
	}
	s.ready = nil
	s.work.Broadcast()
	return queued, running
}

// depth is the number of queued messages.
func (s *scheduler) depth() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// droppedByDevice copies the per-device drop counts.
func (s *scheduler) droppedByDevice() map[string]uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := make(map[string]uint64, len(s.dropped))
	for k, v := range s.dropped {
		m[k] = v
	}
	return m
}
