package engine

import (
	"testing"
	"time"
)

// TestSchedulerReceiveTimesFollowQueueOrder: a live message stamped
// before the one queued ahead of it on the same device takes that one's
// time, so that queue order (the order values are applied) and time order
// agree; other devices and simulated messages keep their times.
func TestSchedulerReceiveTimesFollowQueueOrder(t *testing.T) {
	s := newScheduler(100, 1000)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	msg := func(at time.Time, sim bool) *job {
		return &job{m: &IngressMessage{Received: at, Deterministic: sim}}
	}
	later, earlier := msg(t0.Add(time.Microsecond), false), msg(t0, false)
	other := msg(t0, false)
	simulated := msg(t0.Add(-time.Hour), true)
	after := msg(t0.Add(time.Second), false)
	for _, q := range []struct {
		key string
		j   *job
	}{{"dev", later}, {"dev", earlier}, {"other", other}, {"dev", simulated}, {"dev", after}} {
		if err := s.submit(q.key, q.j, false); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		j    *job
		want time.Time
	}{
		{"first", later, t0.Add(time.Microsecond)},
		{"stamped earlier, queued later", earlier, t0.Add(time.Microsecond)},
		{"another device", other, t0},
		{"simulated", simulated, t0.Add(-time.Hour)},
		{"stamped later", after, t0.Add(time.Second)},
	} {
		if got := tc.j.m.Received; !got.Equal(tc.want) {
			t.Errorf("%s: received %v, want %v", tc.name, got, tc.want)
		}
	}
}
