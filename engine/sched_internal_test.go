package engine

import (
	"sync"
	"testing"
	"time"
)

// TestSchedulerStampsLiveMessagesInQueueOrder: a message queued without a
// receive time is stamped with the scheduler's clock as it is queued, so
// that the queue order (the order values are applied) and the time order
// agree however the submitters are scheduled; a message with a time of its
// own keeps it.
func TestSchedulerStampsLiveMessagesInQueueOrder(t *testing.T) {
	t.Run("stamps", func(t *testing.T) {
		t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		tick := 0
		s := newScheduler(100, 1000, func() time.Time { tick++; return t0.Add(time.Duration(tick) * time.Second) })
		live1 := &job{m: &IngressMessage{}}
		own := &job{m: &IngressMessage{Received: t0.Add(-time.Hour)}}
		sim := &job{m: &IngressMessage{Received: t0.Add(-2 * time.Hour), Deterministic: true}}
		live2 := &job{m: &IngressMessage{}}
		for _, j := range []*job{live1, own, sim, live2} {
			if err := s.submit("dev", j, true); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			name string
			j    *job
			want time.Time
		}{
			{"first live", live1, t0.Add(time.Second)},
			{"its own time", own, t0.Add(-time.Hour)},
			{"simulated", sim, t0.Add(-2 * time.Hour)},
			{"second live", live2, t0.Add(2 * time.Second)},
		} {
			if got := tc.j.m.Received; !got.Equal(tc.want) {
				t.Errorf("%s: received %v, want %v", tc.name, got, tc.want)
			}
		}
	})

	t.Run("concurrent submitters", func(t *testing.T) {
		// Eight connections of one device (and a gateway's, on another
		// queue) submit at once through a queue of 4, while a worker takes
		// messages, and the device's queue goes idle and is forgotten now
		// and then. Taken in queue order, the times never go back.
		s := newScheduler(4, 1000, time.Now)
		var (
			mu    sync.Mutex
			taken []stamp
			wg    sync.WaitGroup
		)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				d, j := s.next()
				if j == nil {
					return
				}
				mu.Lock()
				taken = append(taken, stamp{d.key, j.m.Received})
				mu.Unlock()
				s.done(d)
			}
		}()
		for c := 0; c < 9; c++ {
			key := "dev"
			if c == 8 {
				key = "gateway"
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 500; i++ {
					if err := s.submit(key, &job{m: &IngressMessage{}}, true); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		s.close()
		<-done
		if len(taken) != 9*500 {
			t.Fatalf("%d messages taken, want %d", len(taken), 9*500)
		}
		// A device's messages are taken in its queue order: their times
		// never go back.
		last := map[string]time.Time{}
		for i, m := range taken {
			if m.at.Before(last[m.key]) {
				t.Fatalf("message %d of %s stamped %v, before the one taken ahead of it at %v", i, m.key, m.at, last[m.key])
			}
			last[m.key] = m.at
		}
	})
}

type stamp struct {
	key string
	at  time.Time
}
