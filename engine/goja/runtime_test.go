package goja_test

import (
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/goja"
	"github.com/twinstudio/twinstudio/internal/testkit"
)

// quickstart opens a project provisioned from examples/quickstart.
func quickstart(t testing.TB) *testkit.Project {
	t.Helper()
	return testkit.Example(t, testkit.ExampleQuickstart, testkit.Options{UDF: goja.New(goja.Options{})})
}

func send(t testing.TB, a *testkit.Project, sensor, payload string) {
	t.Helper()
	a.MustSend(t, testkit.Message{Device: testkit.QuickstartDevice, Sensor: sensor, Payload: payload})
}

func roomValue(t testing.TB, a *testkit.Project) string {
	t.Helper()
	var out string
	a.Engine().View(func(v *engine.View) error {
		id, err := v.ResolveSpace("/Quickstart Building/Floor 1/Focus Room A1")
		if err != nil {
			t.Fatal(err)
		}
		val, _ := v.SpaceValue(id, "AvailableAndFresh")
		out = val.Value
		return nil
	})
	return out
}

// TestQuickstartAvailability runs the quickstart's availability UDF
// unmodified on motion and CO2 messages.
func TestQuickstartAvailability(t *testing.T) {
	a := quickstart(t)
	sub := a.Engine().Events().Subscribe(1000, func(ev *engine.Event) bool { return ev.EventType == engine.EventUdfCustom })
	defer sub.Close()

	send(t, a, "SAMPLE_SENSOR_MOTION", `{"SensorValue":"false"}`)
	if got := roomValue(t, a); got != "" {
		t.Fatalf("before CO2: %q", got)
	}
	send(t, a, "SAMPLE_SENSOR_CARBONDIOXIDE", `{"SensorValue":"800"}`)
	if got := roomValue(t, a); got != "Room is available and air is fresh" {
		t.Fatalf("free room: %q", got)
	}
	send(t, a, "SAMPLE_SENSOR_MOTION", `{"SensorValue":"true"}`)
	if got := roomValue(t, a); got != "Room is not available or air quality is poor" {
		t.Fatalf("taken room: %q", got)
	}
	// The first message notified an error (no CO2 yet); the last one the busy room.
	var notes []*engine.UdfCustomData
	timeout := time.After(2 * time.Second)
	for len(notes) < 2 {
		select {
		case ev := <-sub.C:
			notes = append(notes, ev.Data.(*engine.UdfCustomData))
		case <-timeout:
			t.Fatalf("got %d UdfCustom events", len(notes))
		}
	}
	last := notes[len(notes)-1]
	if last.ResourceType != "Space" || last.Payload != `"Room is not available or air quality is poor"` {
		t.Errorf("notification %+v", last)
	}
	// Records: every execution is kept, with its calls and logs.
	var udf *engine.UDF
	a.Engine().View(func(v *engine.View) error { udf = v.UDFs()[0]; return nil })
	recs := a.Engine().Records(udf.ID)
	if len(recs) != 3 {
		t.Fatalf("%d records", len(recs))
	}
	r := recs[2]
	if r.Outcome != engine.OutcomeOK || len(r.Logs) == 0 || len(r.Calls) == 0 || len(r.Writes) != 2 {
		t.Errorf("record %+v", r)
	}
	if r.Writes[1].Kind != "Space" || r.Writes[1].Previous != "Room is available and air is fresh" {
		t.Errorf("writes %+v", r.Writes)
	}
}

func TestHostileScripts(t *testing.T) {
	a := quickstart(t)
	var udf *engine.UDF
	var motion *engine.Sensor
	a.Engine().View(func(v *engine.View) error {
		udf = v.UDFs()[0]
		motion, _ = v.SensorByHardwareID("SAMPLE_SENSOR_MOTION")
		return nil
	})
	cases := []struct {
		name, script, outcome, err string
		line                       int
	}{
		{"infinite loop", "function process(t, c) {\n  while (true) {}\n}", engine.OutcomeTimedOut, "time limit", -1},
		{"deep recursion", "function f(n) { return f(n + 1) + 1; }\nfunction process(t, c) { f(0); }", engine.OutcomeFailed, "call stack", 1},
		{"throw", "function process(t, c) {\n  var x = 1;\n  throw new Error('boom');\n}", engine.OutcomeFailed, "Error: boom", 3},
		{"syntax error", "function process(t, c) {\n  var = ;\n}", engine.OutcomeFailed, "SyntaxError", 2},
		{"no process", "var x = 1;", engine.OutcomeFailed, "defines no function process", 0},
		{"string bomb", "function process(t, c) { var s = 'x'; while (true) { s += s.length; } }", engine.OutcomeTimedOut, "time limit", -1},
		{"require", "function process(t, c) { require('fs'); }", engine.OutcomeFailed, "TypeError", 1},
		{"replace the library", "function process(t, c) { log = null; getSensorMetadata = function(){}; log('still here'); }", engine.OutcomeOK, "", -1},
		{"write then throw", "function process(t, c) { setSpaceValue(getSensorMetadata(t.SensorId).SpaceId, 'X', '1'); throw 'no'; }", engine.OutcomeFailed, "no", 1},
		{"climb out of the room", "function process(t, c) {\n  var floor = getSpaceParentSpace(getSensorMetadata(t.SensorId).SpaceId);\n  setSpaceValue(floor.Id, 'X', '1');\n}", engine.OutcomeFailed, "Not Authorized", 2},
		{"list the sibling rooms", "function process(t, c) {\n  var s = getSpaceChildSpaces(getSpaceParentSpace(getSensorMetadata(t.SensorId).SpaceId).Id);\n}", engine.OutcomeFailed, "Not Authorized", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := *udf
			u.ID = engine.NewID()
			u.Name = strings.ReplaceAll(c.name, " ", "_")
			u.MatcherIDs = nil
			u.Script = c.script
			u.Updated = time.Now()
			err := a.Engine().Update(func(tx *engine.Tx) error { return tx.PutUDF(&u) })
			if err != nil {
				t.Fatal(err)
			}
			// The grant is the quickstart's: its one room, not the root.
			if err := a.Engine().Update(func(tx *engine.Tx) error {
				return tx.PutRoleAssignment(&engine.RoleAssignment{RoleID: engine.RoleSpaceAdministrator, ObjectID: u.ID.String(),
					ObjectIDType: engine.ObjectUserDefinedFunctionID, Path: tx.SpacePath(motion.SpaceID)})
			}); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			rec, err := a.Engine().RunUDF(u.ID, motion.ID, `{"SensorValue":"true"}`, true, false)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Outcome != c.outcome || !strings.Contains(rec.Error, c.err) || (c.line >= 0 && rec.Line != c.line) {
				t.Errorf("outcome %s error %q line %d; want %s %q %d", rec.Outcome, rec.Error, rec.Line, c.outcome, c.err, c.line)
			}
			if len(rec.Writes) != 0 {
				t.Errorf("a failed execution kept writes: %+v", rec.Writes)
			}
			if d := time.Since(start); d > engine.DefaultUDFLimit+limitTolerance {
				t.Errorf("took %s", d)
			}
		})
	}
	// The engine carries on: the quickstart UDF still works.
	send(t, a, "SAMPLE_SENSOR_CARBONDIOXIDE", `{"SensorValue":"500"}`)
	send(t, a, "SAMPLE_SENSOR_MOTION", `{"SensorValue":"false"}`)
	if got := roomValue(t, a); got != "Room is available and air is fresh" {
		t.Errorf("after hostile scripts: %q", got)
	}
}

func TestNotAuthorized(t *testing.T) {
	a := quickstart(t)
	var udf *engine.UDF
	var motion *engine.Sensor
	a.Engine().View(func(v *engine.View) error {
		udf = v.UDFs()[0]
		motion, _ = v.SensorByHardwareID("SAMPLE_SENSOR_MOTION")
		return nil
	})
	// Remove the UDF's role assignment: every library call is refused.
	err := a.Engine().Update(func(tx *engine.Tx) error {
		for _, r := range tx.RoleAssignments() {
			if err := tx.Delete(engine.KindRoleAssignment, r.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := a.Engine().RunUDF(udf.ID, motion.ID, `{"SensorValue":"true"}`, true, false)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Outcome != engine.OutcomeNotAuthorized || len(rec.Calls) == 0 || rec.Calls[0].Err != "Not Authorized" || len(rec.Writes) != 0 {
		t.Errorf("record %+v", rec)
	}
	if !strings.Contains(strings.Join(rec.Logs, "\n"), "Not Authorized") {
		t.Errorf("logs %q", rec.Logs)
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	a := quickstart(t)
	send(t, a, "SAMPLE_SENSOR_CARBONDIOXIDE", `{"SensorValue":"500"}`)
	var udf *engine.UDF
	var motion *engine.Sensor
	a.Engine().View(func(v *engine.View) error {
		udf = v.UDFs()[0]
		motion, _ = v.SensorByHardwareID("SAMPLE_SENSOR_MOTION")
		return nil
	})
	before := roomValue(t, a)
	rec, err := a.Engine().RunUDF(udf.ID, motion.ID, `{"SensorValue":"true"}`, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if !rec.DryRun || rec.Outcome != engine.OutcomeOK || len(rec.Writes) != 2 {
		t.Fatalf("record %+v", rec)
	}
	if after := roomValue(t, a); after != before {
		t.Errorf("dry run changed the room: %q → %q", before, after)
	}
	a.Engine().View(func(v *engine.View) error {
		if val, ok := v.SensorValue(motion.ID); ok {
			t.Errorf("dry run set the motion sensor to %q", val.Value)
		}
		return nil
	})
}

// TestRecordsPersist: execution records survive a restart.
func TestRecordsPersist(t *testing.T) {
	a := quickstart(t)
	path := a.Path()
	send(t, a, "SAMPLE_SENSOR_CARBONDIOXIDE", `{"SensorValue":"700"}`)
	send(t, a, "SAMPLE_SENSOR_MOTION", `{"SensorValue":"false"}`)
	var udf engine.ID
	a.Engine().View(func(v *engine.View) error { udf = v.UDFs()[0].ID; return nil })
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	b := testkit.Open(t, path, testkit.Options{UDF: goja.New(goja.Options{})})
	recs := b.Engine().Records(udf)
	if len(recs) != 2 || recs[1].Outcome != engine.OutcomeOK || len(recs[1].Writes) != 2 || recs[0].Message != `{"SensorValue":"700"}` {
		t.Fatalf("after restart: %d records %+v", len(recs), recs)
	}
}

// TestPerUDFTimeLimit: a UDF's own TimeLimit replaces the default.
func TestPerUDFTimeLimit(t *testing.T) {
	a := quickstart(t)
	var u engine.UDF
	var motion *engine.Sensor
	err := a.Engine().Update(func(tx *engine.Tx) error {
		u = *tx.UDFs()[0]
		u.Script, u.Updated, u.TimeLimit = "function process(){ while(true){} }", time.Now(), 20*time.Millisecond
		motion, _ = tx.SensorByHardwareID("SAMPLE_SENSOR_MOTION")
		return tx.PutUDF(&u)
	})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := a.Engine().RunUDF(u.ID, motion.ID, "1", false, false)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Outcome != engine.OutcomeTimedOut || !strings.Contains(rec.Error, "time limit of 20ms") || rec.Duration > 20*time.Millisecond+limitTolerance {
		t.Errorf("%s %q after %s", rec.Outcome, rec.Error, rec.Duration)
	}
	// A limit above the default: the loop runs at least that long, which
	// the default (100 ms) would not have let it.
	err = a.Engine().Update(func(tx *engine.Tx) error {
		u.TimeLimit, u.Updated = 300*time.Millisecond, time.Now()
		return tx.PutUDF(&u)
	})
	if err != nil {
		t.Fatal(err)
	}
	rec, err = a.Engine().RunUDF(u.ID, motion.ID, "1", false, false)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Outcome != engine.OutcomeTimedOut || !strings.Contains(rec.Error, "time limit of 300ms") || rec.Duration < 300*time.Millisecond {
		t.Errorf("%s %q after %s; want stopped at 300ms", rec.Outcome, rec.Error, rec.Duration)
	}
}

// limitTolerance bounds how much later than its limit an execution that
// runs into the limit may end: a guard against a hang, generous because a
// loaded machine (the race detector, other packages' tests) starves the
// goroutines that stop a script. Which limit applied is checked by the
// record's error, which names it, and by lower bounds, which load cannot
// break.
const limitTolerance = 1400 * time.Millisecond

// checkStoppedAtDefault fails unless rec was stopped by the default time
// limit of 100 ms, and ended within limitTolerance of it.
func checkStoppedAtDefault(t *testing.T, rec *engine.ExecutionRecord) {
	t.Helper()
	if rec.Outcome != engine.OutcomeTimedOut || !strings.Contains(rec.Error, "time limit of 100ms") {
		t.Errorf("outcome %s %q, want %s after the time limit of 100ms", rec.Outcome, rec.Error, engine.OutcomeTimedOut)
	}
	if rec.Duration < engine.DefaultUDFLimit || rec.Duration > engine.DefaultUDFLimit+limitTolerance {
		t.Errorf("stopped after %s, want %s (+%s at most)", rec.Duration, engine.DefaultUDFLimit, limitTolerance)
	}
	if len(rec.Writes) != 0 || len(rec.Notifications) != 0 {
		t.Errorf("a stopped execution kept writes %+v notifications %+v", rec.Writes, rec.Notifications)
	}
}

// TestDefaultTimeLimit: the default limit is 100 ms, and it stops a loop
// in process, a loop in the script's top level, and a UDF that a matcher
// runs on live telemetry through the pipeline.
func TestDefaultTimeLimit(t *testing.T) {
	if engine.DefaultUDFLimit != 100*time.Millisecond {
		t.Fatalf("engine.DefaultUDFLimit = %s, want 100ms", engine.DefaultUDFLimit)
	}
	a := quickstart(t)
	var udf engine.UDF
	var motion *engine.Sensor
	a.Engine().View(func(v *engine.View) error {
		udf = *v.UDFs()[0]
		motion, _ = v.SensorByHardwareID("SAMPLE_SENSOR_MOTION")
		return nil
	})
	if udf.TimeLimit != 0 {
		t.Fatalf("the quickstart UDF has a time limit of its own: %s", udf.TimeLimit)
	}
	put := func(t *testing.T, script string) {
		t.Helper()
		u := udf
		u.Script, u.Updated = script, time.Now()
		if err := a.Engine().Update(func(tx *engine.Tx) error { return tx.PutUDF(&u) }); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("process", func(t *testing.T) {
		put(t, "function process(t, c) {\n  var n = 0;\n  while (true) { n++; }\n}")
		rec, err := a.Engine().RunUDF(udf.ID, motion.ID, `{"SensorValue":"true"}`, true, false)
		if err != nil {
			t.Fatal(err)
		}
		checkStoppedAtDefault(t, rec)
		if rec.Line != 3 {
			t.Errorf("stopped at line %d, want 3", rec.Line)
		}
	})
	t.Run("top level", func(t *testing.T) {
		put(t, "var n = 0;\nwhile (true) { n++; }\nfunction process(t, c) {}")
		rec, err := a.Engine().RunUDF(udf.ID, motion.ID, `{"SensorValue":"true"}`, true, false)
		if err != nil {
			t.Fatal(err)
		}
		checkStoppedAtDefault(t, rec)
		if !strings.Contains(rec.Error, "top level") {
			t.Errorf("error %q does not name the top level", rec.Error)
		}
	})
	t.Run("pipeline", func(t *testing.T) {
		put(t, "function process(t, c) {\n  setSpaceValue(getSensorMetadata(t.SensorId).SpaceId, 'Looped', 'yes');\n  while (true) {}\n}")
		before := len(a.Engine().Records(udf.ID))
		start := time.Now()
		send(t, a, "SAMPLE_SENSOR_MOTION", `{"SensorValue":"true"}`)
		if d := time.Since(start); d > engine.DefaultUDFLimit+limitTolerance {
			t.Errorf("the message took %s to commit", d)
		}
		recs := a.Engine().Records(udf.ID)
		if len(recs) != before+1 {
			t.Fatalf("%d records after the message, want %d", len(recs), before+1)
		}
		rec := recs[len(recs)-1]
		if rec.DryRun || rec.Sensor != motion.ID {
			t.Errorf("record %+v is not of the live message", rec)
		}
		checkStoppedAtDefault(t, rec)
		// The reading is kept; the stopped UDF's write is not.
		if got := a.SensorValue(t, "SAMPLE_SENSOR_MOTION"); got != "true" {
			t.Errorf("motion = %q", got)
		}
		if got := a.SpaceValue(t, "/Quickstart Building/Floor 1/Focus Room A1", "Looped"); got != "" {
			t.Errorf("the stopped UDF's write was applied: %q", got)
		}
	})
}
