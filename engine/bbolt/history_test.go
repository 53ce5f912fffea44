package bbolt

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// TestHistoryRange reads ranges of one value's history straight from the
// store, before and after reopening, with neighbours in the key space (a
// longer name with the same start, another owner) that must not leak in.
func TestHistoryRange(t *testing.T) {
	path := tempProject(t)
	s := open(t, path, Options{NoSync: true})
	owner := engine.MustParseID("01900000-0000-7000-8000-0000000000a1")
	other := engine.MustParseID("01900000-0000-7000-8000-0000000000a2")
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.FixedZone("X", 3600))
	var ops []engine.Op
	for i := range 10 { // values "0" … "9" a minute apart; "4" twice at the same time
		v := engine.Value{Value: fmt.Sprint(i), Time: t0.Add(time.Duration(i) * time.Minute)}
		ops = append(ops, engine.Op{Type: engine.OpValue, Key: owner, Name: "CO2", Value: v})
		if i == 4 {
			ops = append(ops, engine.Op{Type: engine.OpValue, Key: owner, Name: "CO2", Value: engine.Value{Value: "4b", Time: v.Time}})
		}
		ops = append(ops,
			engine.Op{Type: engine.OpValue, Key: owner, Name: "CO2x", Value: v},
			engine.Op{Type: engine.OpValue, Key: other, Name: "CO2", Value: v},
			engine.Op{Type: engine.OpValue, Key: owner, Value: v})
	}
	if err := s.Apply(ops); err != nil {
		t.Fatal(err)
	}
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Minute) }
	tests := []struct {
		name     string
		from, to time.Time
		limit    int
		want     string
	}{
		{"all", time.Time{}, time.Time{}, 0, "0 1 2 3 4 4b 5 6 7 8 9"},
		{"inclusive", at(2), at(5), 0, "2 3 4 4b 5"},
		{"open start", time.Time{}, at(1), 0, "0 1"},
		{"open end", at(8), time.Time{}, 0, "8 9"},
		{"between entries", at(2).Add(time.Second), at(3).Add(-time.Second), 0, ""},
		{"one instant", at(4), at(4), 0, "4 4b"},
		{"limit keeps the newest", at(1), at(6), 3, "4b 5 6"},
		{"limit open", time.Time{}, time.Time{}, 2, "8 9"},
		{"before everything", time.Time{}, at(-1), 0, ""},
		{"after everything", at(10), time.Time{}, 0, ""},
		{"reversed", at(5), at(2), 0, ""},
	}
	check := func(t *testing.T, s *Store) {
		for _, tc := range tests {
			h, err := s.HistoryRange(owner, "CO2", tc.from, tc.to, tc.limit)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			got := ""
			for i, v := range h {
				if i > 0 {
					got += " "
				}
				got += v.Value
				if v.Time.Location() != time.UTC {
					t.Errorf("%s: time %v not in UTC", tc.name, v.Time)
				}
			}
			if got != tc.want {
				t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
			}
		}
	}
	check(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	check(t, open(t, path, Options{NoSync: true}))
}

// TestEngineHistoryRange writes more values than the engine keeps in
// memory and reads them all back through Engine.HistoryRange, before and
// after reopening; an unknown owner is ErrNotFound.
func TestEngineHistoryRange(t *testing.T) {
	path := tempProject(t)
	e, err := engine.New(open(t, path, Options{NoSync: true}), engine.Options{HistoryInMemory: 4})
	if err != nil {
		t.Fatal(err)
	}
	sh := buildProject(t, e, 8, 100, false)
	sensor := sh.SensorIDs[0]
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	const n = 100
	for i := range n {
		err := e.Update(func(tx *engine.Tx) error {
			_, _, err := tx.SetSensorValue(sensor, engine.Value{Value: fmt.Sprint(i), Time: t0.Add(time.Duration(i) * time.Second)})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var ring []engine.Value
	_ = e.View(func(v *engine.View) error { ring = v.SensorHistory(sensor); return nil })
	if len(ring) != 4 {
		t.Fatalf("the in-memory ring holds %d values, want 4", len(ring))
	}
	check := func(e *engine.Engine) {
		t.Helper()
		h, err := e.HistoryRange(sensor, "", time.Time{}, time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != n {
			t.Fatalf("got %d values, want %d", len(h), n)
		}
		for i, v := range h {
			if want := (engine.Value{Value: fmt.Sprint(i), Time: t0.Add(time.Duration(i) * time.Second)}); !reflect.DeepEqual(v, want) {
				t.Fatalf("value %d = %v, want %v", i, v, want)
			}
		}
		h, err = e.HistoryRange(sensor, "", t0.Add(10*time.Second), t0.Add(20*time.Second), 5)
		if err != nil || len(h) != 5 || h[0].Value != "16" || h[4].Value != "20" {
			t.Errorf("range 10–20 s, limit 5: %v, %v", h, err)
		}
		if _, err := e.HistoryRange(engine.NewID(), "", time.Time{}, time.Time{}, 0); !errors.Is(err, engine.ErrNotFound) {
			t.Errorf("unknown owner: %v, want ErrNotFound", err)
		}
	}
	check(e)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e, err = engine.New(open(t, path, Options{NoSync: true}), engine.Options{HistoryInMemory: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	check(e)
}

// TestEngineHistoryRangeConcurrent reads ranges while values are written:
// every read is a gap-free prefix of what was written (no value is seen
// twice or skipped while it moves from the committer's queue to the
// store).
func TestEngineHistoryRangeConcurrent(t *testing.T) {
	e, err := engine.New(open(t, tempProject(t), Options{NoSync: true}), engine.Options{HistoryInMemory: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	sensor := buildProject(t, e, 8, 100, false).SensorIDs[0]
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	const n = 300
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range n {
			_ = e.Update(func(tx *engine.Tx) error {
				_, _, err := tx.SetSensorValue(sensor, engine.Value{Value: fmt.Sprint(i), Time: t0.Add(time.Duration(i) * time.Second)})
				return err
			})
		}
	}()
	for done := false; !done; {
		h, err := e.HistoryRange(sensor, "", time.Time{}, time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range h {
			if v.Value != fmt.Sprint(i) {
				t.Fatalf("read %d values; value %d is %q", len(h), i, v.Value)
			}
		}
		done = len(h) == n
	}
	wg.Wait()
}
