package goja_test

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	tgoja "github.com/twinstudio/twinstudio/engine/goja"
	"github.com/twinstudio/twinstudio/internal/testkit"
)

// hog keeps every core busy until the test ends.
func hog(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	for i := 0; i < 2*runtime.NumCPU(); i++ {
		go func() {
			x := 0
			for ctx.Err() == nil {
				for j := 0; j < 1e5; j++ {
					x += j
				}
			}
			_ = x
		}()
	}
}

// scriptUDF stores a UDF with script (and the quickstart UDF's role) and
// returns it with the motion sensor.
func scriptUDF(t *testing.T, a *testkit.Project, name, script string) (*engine.UDF, *engine.Sensor) {
	t.Helper()
	var u engine.UDF
	var motion *engine.Sensor
	err := a.Engine().Update(func(tx *engine.Tx) error {
		u = *tx.UDFs()[0]
		u.ID, u.Name, u.MatcherIDs, u.Script, u.Updated = engine.NewID(), name, nil, script, time.Now()
		motion, _ = tx.SensorByHardwareID("SAMPLE_SENSOR_MOTION")
		if err := tx.PutUDF(&u); err != nil {
			return err
		}
		return tx.PutRoleAssignment(&engine.RoleAssignment{RoleID: engine.RoleSpaceAdministrator, ObjectID: u.ID.String(),
			ObjectIDType: engine.ObjectUserDefinedFunctionID, Path: "/"})
	})
	if err != nil {
		t.Fatal(err)
	}
	return &u, motion
}

// TestBudgetDeterministic: a looping script stops at the same point on
// every run, with the machine busy, and the stop is a TimedOut record.
func TestBudgetDeterministic(t *testing.T) {
	a := quickstart(t)
	u, motion := scriptUDF(t, a, "loop", "function process(t, c) {\n  var n = 0;\n  while (true) {\n    n++;\n"+
		"    if (n % 1000 === 0) log(n);\n  }\n}")
	// The budget stops it; the wall-clock backstop (10 × the time limit)
	// must not, even under -race with every CPU busy: give it room.
	u.TimeLimit = 5 * time.Second
	hog(t)
	in := engine.ExecInput{Sensor: motion, Message: "1", Budget: 50_000}
	var first *engine.ExecutionRecord
	for i := 0; i < 3; i++ {
		// A fresh runtime each time, and a pooled one.
		rt := tgoja.New(tgoja.Options{})
		for j := 0; j < 2; j++ {
			rec := a.Engine().ExecuteUDF(rt, u, in)
			if rec.Outcome != engine.OutcomeTimedOut || !strings.Contains(rec.Error, "budget of 50000") {
				t.Fatalf("outcome %s %q", rec.Outcome, rec.Error)
			}
			if first == nil {
				first = rec
				if len(rec.Logs) < 40 || rec.Line != 3 {
					t.Fatalf("stopped after %d log lines at line %d", len(rec.Logs), rec.Line)
				}
				continue
			}
			if len(rec.Logs) != len(first.Logs) || rec.Line != first.Line || rec.Column != first.Column || rec.Stack != first.Stack {
				t.Errorf("run %d.%d stopped elsewhere: %d logs at %d:%d, first %d logs at %d:%d", i, j, len(rec.Logs), rec.Line,
					rec.Column, len(first.Logs), first.Line, first.Column)
			}
		}
	}
}

// TestBudgetCountsCalls: recursion without a loop, arrow functions and
// callbacks are counted too.
func TestBudgetCountsCalls(t *testing.T) {
	a := quickstart(t)
	rt := tgoja.New(tgoja.Options{})
	for name, script := range map[string]string{
		"recursion": "function f(n) { if (n > 0) { f(n - 1); f(n - 1); } }\nfunction process(t, c) { f(40); }",
		"arrow":     "const f = n => n > 0 ? (f(n - 1), f(n - 1)) : 0;\nfunction process(t, c) { f(40); }",
		"callbacks": "function process(t, c) { var a = [1,2,3,4,5,6,7,8,9,10]; function g(d) { if (d > 0) a.forEach(function () { g(d - 1); }); }\n g(12); }",
	} {
		u, motion := scriptUDF(t, a, name, script)
		rec := a.Engine().ExecuteUDF(rt, u, engine.ExecInput{Sensor: motion, Message: "1", Budget: 10_000})
		if rec.Outcome != engine.OutcomeTimedOut || !strings.Contains(rec.Error, "budget") {
			t.Errorf("%s: %s %q", name, rec.Outcome, rec.Error)
		}
	}
}

// TestBudgetCannotBeEvaded: scripts that try to reach or reset the
// counter, or catch the stop, are still stopped by the budget.
func TestBudgetCannotBeEvaded(t *testing.T) {
	a := quickstart(t)
	rt := tgoja.New(tgoja.Options{})
	cases := map[string]string{
		"shadow":       "var $budget0 = 1e12;\nfunction process(t, c) { var $budget1 = 1e12; while (true) {} }",
		"catch":        "function process(t, c) { for (;;) { try { while (true) {} } catch (e) {} finally { continue; } } }",
		"direct eval":  "function process(t, c) { eval('$budget0 = 1e12'); while (true) {} }",
		"hook":         "function process(t, c) { __budget$0 = function () { return 1e12; }; while (true) {} }",
		"hoisted hook": "function __budget$0() { return 1e12; }\nfunction process(t, c) { while (true) {} }",
		"top level":    "var i = 0; while (true) { i++; }\nfunction process(t, c) {}",
	}
	for name, script := range cases {
		u, motion := scriptUDF(t, a, strings.ReplaceAll(name, " ", "_"), script)
		start := time.Now()
		rec := a.Engine().ExecuteUDF(rt, u, engine.ExecInput{Sensor: motion, Message: "1", Budget: 10_000})
		if rec.Outcome != engine.OutcomeTimedOut || !strings.Contains(rec.Error, "budget") {
			t.Errorf("%s: %s %q", name, rec.Outcome, rec.Error)
		}
		if d := time.Since(start); d > engine.DefaultUDFLimit+limitTolerance {
			t.Errorf("%s: took %s", name, d)
		}
	}
	// A with statement's object cannot stand in for the counter, and with
	// works as usual otherwise.
	u, motion := scriptUDF(t, a, "with", "function process(t, c) {\n  var o = {x: 41, y: null};\n"+
		"  with (o) { x++; y = 'set'; }\n  log(o.x, o.y);\n"+
		"  var p = {}; p['$budget' + 0] = 1e12; p['__budget$' + 0] = function () {};\n  with ((p)) { while (true) {} }\n}")
	rec := a.Engine().ExecuteUDF(rt, u, engine.ExecInput{Sensor: motion, Message: "1", Budget: 10_000})
	if rec.Outcome != engine.OutcomeTimedOut || !strings.Contains(rec.Error, "budget") || strings.Join(rec.Logs, "") != "42 set" {
		t.Errorf("with: %s %q %q", rec.Outcome, rec.Error, rec.Logs)
	}
	// eval still works, in the global scope.
	u, motion = scriptUDF(t, a, "eval", "function process(t, c) { var x = 1; log(eval('typeof x'), eval('1+1')); }")
	rec = a.Engine().ExecuteUDF(rt, u, engine.ExecInput{Sensor: motion, Message: "1"})
	if rec.Outcome != engine.OutcomeOK || strings.Join(rec.Logs, "") != "undefined 2" {
		t.Errorf("eval: %s %q %q", rec.Outcome, rec.Error, rec.Logs)
	}
}

// TestBudgetWithTrace: a budgeted, traced execution records its steps and
// stops at the budget.
func TestBudgetWithTrace(t *testing.T) {
	a := quickstart(t)
	u, motion := scriptUDF(t, a, "traced", "function process(t, c) {\n  var i = 0;\n  while (true) {\n    i++;\n  }\n}")
	rec := a.Engine().ExecuteUDF(tgoja.New(tgoja.Options{}), u, engine.ExecInput{Sensor: motion, Message: "1", Budget: 100, Trace: true})
	if rec.Outcome != engine.OutcomeTimedOut || len(rec.Trace) < 100 || rec.Trace[0].Line != 2 || rec.Line != 3 {
		t.Errorf("%s %q line %d, %d steps", rec.Outcome, rec.Error, rec.Line, len(rec.Trace))
	}
}

// TestDeterministicMessage: a message marked Deterministic runs its UDFs
// with the budget; the stopped execution applies nothing.
func TestDeterministicMessage(t *testing.T) {
	a := quickstart(t)
	u, _ := scriptUDF(t, a, "spin", "function process(t, c) {\n  var s = getSensorMetadata(t.SensorId);\n"+
		"  setSpaceValue(s.SpaceId, 'AvailableAndFresh', 'spun');\n  for (var i = 0; ; i++) {}\n}")
	err := a.Engine().Update(func(tx *engine.Tx) error {
		c := *u
		c.MatcherIDs = tx.UDFs()[0].MatcherIDs
		return tx.PutUDF(&c)
	})
	if err != nil {
		t.Fatal(err)
	}
	before := roomValue(t, a)
	tk, err := a.Pipeline().Submit(&engine.IngressMessage{Topic: "devices/1234567890AB/sensors/SAMPLE_SENSOR_MOTION",
		Payload: []byte(`{"SensorValue":"true"}`), QoS: 1, Username: "1234567890AB", Received: time.Now(), Deterministic: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := tk.Wait(); err != nil {
		t.Fatal(err)
	}
	recs := a.Engine().Records(u.ID)
	// Under the race detector goja is too slow for 200,000 steps to end
	// before the wall-clock backstop; the non-race run checks the budget.
	stop := "budget"
	if raceEnabled {
		stop = "stopped"
	}
	if len(recs) != 1 || recs[0].Outcome != engine.OutcomeTimedOut || !strings.Contains(recs[0].Error, stop) || recs[0].Line != 4 {
		t.Fatalf("records %+v", recs)
	}
	if after := roomValue(t, a); after != before || after == "spun" {
		t.Errorf("a stopped execution's write was applied: %q", after)
	}
}

// BenchmarkExecute measures one availability-style execution without and
// with the budget, and without the memory governor.
func BenchmarkExecute(b *testing.B) {
	a := quickstart(b)
	var u *engine.UDF
	var motion *engine.Sensor
	a.Engine().View(func(v *engine.View) error {
		u = v.UDFs()[0]
		motion, _ = v.SensorByHardwareID("SAMPLE_SENSOR_MOTION")
		return nil
	})
	rt := tgoja.New(tgoja.Options{})
	for _, budget := range []int64{0, engine.DefaultUDFBudget, -1} {
		name, rt := "wallclock", rt
		switch {
		case budget > 0:
			name = "budget"
		case budget < 0: // the memory governor's cost: compare with wallclock
			name, budget, rt = "wallclock_nomemguard", 0, tgoja.New(tgoja.Options{MemoryLimit: -1})
		}
		b.Run(name, func(b *testing.B) {
			in := engine.ExecInput{Sensor: motion, Message: `{"SensorValue":"true"}`, Budget: budget}
			for i := 0; i < b.N; i++ {
				if rec := a.Engine().ExecuteUDF(rt, u, in); !rec.OK() {
					b.Fatal(rec.Error)
				}
			}
		})
	}
}

// TestBudgetedDateIsTheReadingsTime: during a budgeted (simulated)
// execution a script's Date is the reading's received time, not the
// runtime's clock, so a late worker sees the same time; without a budget
// it is the runtime's clock.
func TestBudgetedDateIsTheReadingsTime(t *testing.T) {
	a := quickstart(t)
	u, motion := scriptUDF(t, a, "clock", "function process(t, c) { log(new Date().toISOString()); }")
	at := time.Date(2026, 3, 2, 9, 41, 0, 0, time.UTC)
	rt := tgoja.New(tgoja.Options{Now: func() time.Time { return at.Add(time.Hour) }})
	for _, tc := range []struct {
		budget int64
		want   string
	}{{50_000, "2026-03-02T09:41:00.000Z"}, {0, "2026-03-02T10:41:00.000Z"}, {50_000, "2026-03-02T09:41:00.000Z"}} {
		rec := a.Engine().ExecuteUDF(rt, u, engine.ExecInput{Sensor: motion, Message: "1", Budget: tc.budget, ReceivedTime: at})
		if rec.Outcome != engine.OutcomeOK || len(rec.Logs) != 1 || rec.Logs[0] != tc.want {
			t.Errorf("budget %d: %s %q, logs %q; want %s", tc.budget, rec.Outcome, rec.Error, rec.Logs, tc.want)
		}
	}
}
