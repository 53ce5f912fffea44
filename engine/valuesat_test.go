package engine_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// TestValuesAt writes a sensor's and two space values at three moments
// into a real project file and asks the state between and around them.
func TestValuesAt(t *testing.T) {
	e, _ := openEngine(t)
	p := setupProject(t, e)
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	must(t, e.Update(func(tx *engine.Tx) error {
		for m, v := range []string{"20", "21", "22"} {
			if _, _, err := tx.SetSensorValue(p.senA2T, engine.Value{Value: v, Time: at(10 * m)}); err != nil {
				return err
			}
			if _, _, err := tx.SetSpaceValue(p.roomA2, "Temperature", engine.Value{Value: v + ".5", Time: at(10 * m)}); err != nil {
				return err
			}
		}
		_, _, err := tx.SetSpaceValue(p.roomA2, "Occupied", engine.Value{Value: "true", Time: at(15)})
		return err
	}))
	must(t, e.SyncCommit())
	owners := []engine.ID{p.senA2T, p.roomA2, p.roomB1, engine.NewID()}
	tests := []struct {
		at   time.Time
		want string
	}{
		{at(-1), ""},
		{at(0), `S:20 R/Temperature:20.5`},
		{at(9), `S:20 R/Temperature:20.5`},
		{at(15), `S:21 R/Occupied:true R/Temperature:21.5`},
		{at(25), `S:22 R/Occupied:true R/Temperature:22.5`},
	}
	for _, tc := range tests {
		got, err := e.ValuesAt(owners, tc.at)
		must(t, err)
		if s := valuesAtText(got, p); s != tc.want {
			t.Errorf("at %s: got %q, want %q", tc.at.Format(time.TimeOnly), s, tc.want)
		}
	}
}

// valuesAtText renders ValuesAt's result in its order: S for the sensor
// S-A2-T, R for Room A2; times are checked to be at or before the moment
// by the caller's expectations (each value has its own moment).
func valuesAtText(vs []engine.ValueAt, p *proj) string {
	s := ""
	for _, v := range vs {
		if s != "" {
			s += " "
		}
		switch v.Owner {
		case p.senA2T:
			s += "S:" + v.Value.Value
		case p.roomA2:
			s += fmt.Sprintf("R/%s:%s", v.Name, v.Value.Value)
		default:
			s += "?" + v.Owner.String()
		}
	}
	return s
}

// TestValuesAtMergesUncommitted holds a commit in the store's Apply: a
// value written meanwhile, not yet in the store, is in ValuesAt's answer
// as soon as the write returned.
func TestValuesAtMergesUncommitted(t *testing.T) {
	e, g := openGated(t)
	p := setupProject(t, e)
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	pl := e.NewPipeline(engine.PipelineOptions{})
	defer pl.Close()
	set := func(v string, at time.Time) {
		if _, err := pl.Submit(&engine.IngressMessage{Topic: engine.SensorTopic("PI-A2", "S-A2-T"), Payload: []byte(v),
			QoS: 1, Username: "PI-A2", Received: at}); err != nil {
			t.Error(err)
		}
	}
	current := func() string {
		var s string
		_ = e.View(func(v *engine.View) error { val, _ := v.SensorValue(p.senA2T); s = val.Value; return nil })
		return s
	}
	g.hold.Store(true)
	set("1", t0)
	<-g.entered // the first value's commit is in Apply
	set("2", t0.Add(time.Minute))
	for current() != "2" { // applied in memory, so queued in the committer
		time.Sleep(time.Millisecond)
	}
	got := make(chan []engine.ValueAt, 1)
	go func() {
		vs, err := e.ValuesAt([]engine.ID{p.senA2T}, t0.Add(2*time.Minute))
		if err != nil {
			t.Error(err)
		}
		got <- vs
	}()
	select {
	case vs := <-got:
		t.Fatalf("ValuesAt returned during a commit: %v", vs)
	case <-time.After(50 * time.Millisecond):
	}
	g.release <- struct{}{} // the first commit ends; the second stops in the gate again
	vs := <-got
	<-g.entered
	stored, err := g.Store.HistoryRange(p.senA2T, "", time.Time{}, time.Time{}, 0)
	g.hold.Store(false)
	g.release <- struct{}{}
	must(t, err)
	if len(stored) != 1 {
		t.Fatalf("the store held %v while the second commit waited; the test did not reach the merge", stored)
	}
	if len(vs) != 1 || vs[0].Value.Value != "2" || !vs[0].Value.Time.Equal(t0.Add(time.Minute)) {
		t.Errorf("got %v, want the value 2", vs)
	}
	must(t, e.SyncCommit())
	if vs, _ := e.ValuesAt([]engine.ID{p.senA2T}, t0.Add(30*time.Second)); len(vs) != 1 || vs[0].Value.Value != "1" {
		t.Errorf("at 30 s: %v, want 1", vs)
	}
}
