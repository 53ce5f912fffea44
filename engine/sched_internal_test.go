package engine

import (
	"testing"
	"time"
)

// TestSchedulerReceiveTimesFollowQueueOrder: a live message stamped
// before one queued ahead of it takes that one's time, so that queue order
// (the order values are applied) and time order agree — also after the
// device's queue went idle and was forgotten, and across devices.
// Simulated messages keep their times.
func TestSchedulerReceiveTimesFollowQueueOrder(t *testing.T) {
	s := newScheduler(100, 1000)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	msg := func(at time.Time, sim bool) *job {
		return &job{m: &IngressMessage{Received: at, Deterministic: sim}}
	}
	submit := func(key string, j *job) {
		t.Helper()
		if err := s.submit(key, j, false); err != nil {
			t.Fatal(err)
		}
	}
	// drain takes every queued message, as the workers do, so that the
	// idle queues are forgotten.
	drain := func() {
		t.Helper()
		for {
			s.mu.Lock()
			n := s.total
			s.mu.Unlock()
			if n == 0 {
				break
			}
			d, j := s.next()
			if j == nil {
				t.Fatal("next returned nothing with messages queued")
			}
			s.done(d)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if len(s.devs) != 0 {
			t.Fatalf("%d device queues left after draining", len(s.devs))
		}
	}

	later, earlier := msg(t0.Add(time.Microsecond), false), msg(t0, false)
	other := msg(t0, false)
	simulated := msg(t0.Add(-time.Hour), true)
	after := msg(t0.Add(time.Second), false)
	submit("dev", later)
	submit("dev", earlier)
	submit("other", other)
	submit("dev", simulated)
	submit("dev", after)
	drain()
	// Stamped before "after", queued once "dev" was idle and forgotten:
	// the descheduled connection of TestKill9's flake.
	late := msg(t0.Add(time.Millisecond), false)
	submit("dev", late)
	drain()
	for _, tc := range []struct {
		name string
		j    *job
		want time.Time
	}{
		{"first", later, t0.Add(time.Microsecond)},
		{"stamped earlier, queued later", earlier, t0.Add(time.Microsecond)},
		{"another device, stamped earlier", other, t0.Add(time.Microsecond)},
		{"simulated", simulated, t0.Add(-time.Hour)},
		{"stamped later", after, t0.Add(time.Second)},
		{"stamped earlier, queued after the queue was forgotten", late, t0.Add(time.Second)},
	} {
		if got := tc.j.m.Received; !got.Equal(tc.want) {
			t.Errorf("%s: received %v, want %v", tc.name, got, tc.want)
		}
	}
}
