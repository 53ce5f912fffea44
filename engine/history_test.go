package engine_test

import (
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// TestHistoryRangeMergesUncommitted holds one commit in the store's Apply
// while a second write waits in the committer: HistoryRange waits for the
// commit in progress, then returns the committed value from the store and
// the waiting one, which the store does not have yet, exactly once each.
func TestHistoryRangeMergesUncommitted(t *testing.T) {
	e, g := openGated(t)
	p := setupProject(t, e)
	pl := e.NewPipeline(engine.PipelineOptions{})
	defer pl.Close()
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	send := func(v string, at time.Time) {
		if _, err := pl.Submit(&engine.IngressMessage{Topic: engine.SensorTopic("PI-A2", "S-A2-T"), Payload: []byte(v),
			QoS: 1, Username: "PI-A2", Received: at}); err != nil {
			t.Fatal(err)
		}
	}
	current := func() string {
		var s string
		_ = e.View(func(v *engine.View) error { val, _ := v.SensorValue(p.senA2T); s = val.Value; return nil })
		return s
	}
	g.hold.Store(true)
	send("1", t0)
	<-g.entered // the first value's commit is in Apply
	send("2", t0.Add(time.Minute))
	for current() != "2" { // applied in memory, so queued in the committer
		time.Sleep(time.Millisecond)
	}
	type result struct {
		h   []engine.Value
		err error
	}
	got := make(chan result, 1)
	go func() {
		h, err := e.HistoryRange(p.senA2T, "", time.Time{}, time.Time{}, 0)
		got <- result{h, err}
	}()
	select {
	case r := <-got:
		t.Fatalf("HistoryRange returned during a commit: %v %v", r.h, r.err)
	case <-time.After(50 * time.Millisecond):
	}
	g.release <- struct{}{} // the first commit ends; the second stops in the gate again
	r := <-got
	<-g.entered
	stored, err := g.Store.HistoryRange(p.senA2T, "", time.Time{}, time.Time{}, 0)
	g.hold.Store(false)
	g.release <- struct{}{}
	if err != nil || r.err != nil {
		t.Fatal(err, r.err)
	}
	want := []engine.Value{{Value: "1", Time: t0}, {Value: "2", Time: t0.Add(time.Minute)}}
	if len(r.h) != 2 || r.h[0] != want[0] || r.h[1] != want[1] {
		t.Errorf("got %v, want %v", r.h, want)
	}
	if len(stored) != 1 {
		t.Errorf("the store held %v while the second commit waited; the test did not reach the merge", stored)
	}
	if h, err := e.HistoryRange(p.senA2T, "", t0.Add(30*time.Second), time.Time{}, 0); err != nil || len(h) != 1 || h[0].Value != "2" {
		t.Errorf("from 30 s: %v, %v", h, err)
	}
}
