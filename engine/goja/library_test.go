package goja_test

import (
	"os"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// TestLibraryInJS runs testdata/library.js, which calls every client
// library function and method and checks what they return.
func TestLibraryInJS(t *testing.T) {
	a := quickstart(t)
	send(t, a, "SAMPLE_SENSOR_CARBONDIOXIDE", `{"SensorValue":"800"}`)
	src, err := os.ReadFile("testdata/library.js")
	if err != nil {
		t.Fatal(err)
	}
	var udf engine.UDF
	var motion *engine.Sensor
	err = a.Engine().Update(func(tx *engine.Tx) error {
		u := *tx.UDFs()[0]
		u.Script, u.Updated, u.MatcherIDs = string(src), time.Now(), nil
		udf = u
		motion, _ = tx.SensorByHardwareID("SAMPLE_SENSOR_MOTION")
		if err := tx.PutUDF(&u); err != nil {
			return err
		}
		// The quickstart grants the room only; the script walks up to the floor.
		return tx.PutRoleAssignment(&engine.RoleAssignment{RoleID: engine.RoleSpaceAdministrator, ObjectID: u.ID.String(),
			ObjectIDType: engine.ObjectUserDefinedFunctionID, Path: tx.SpacePath(tx.Roots()[0].ID)})
	})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := a.Engine().RunUDF(udf.ID, motion.ID, `{"SensorValue":"true"}`, true, false)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Outcome != engine.OutcomeOK {
		t.Fatalf("%s: %s at line %d\n%s", rec.Outcome, rec.Error, rec.Line, rec.Stack)
	}
	if len(rec.Notifications) != 4 {
		t.Errorf("notifications %+v", rec.Notifications)
	}
	if len(rec.Logs) != 1 || rec.Logs[0] != "library checks passed 42" {
		t.Errorf("logs %q", rec.Logs)
	}
	seen := map[string]bool{}
	for _, c := range rec.Calls {
		seen[c.Name] = true
	}
	for _, fn := range []string{"getSpaceMetadata", "getSensorMetadata", "getDeviceMetadata", "getSensorValue", "getSpaceValue",
		"getSensorHistoryValues", "getSpaceHistoryValues", "getSpaceChildSpaces", "getSpaceChildSensors", "getSpaceChildDevices",
		"getDeviceChildSensors", "getSpaceParentSpace", "getSensorParentSpace", "getDeviceParentSpace", "getSensorParentDevice",
		"getSpaceExtendedProperty", "getSensorExtendedProperty", "getDeviceExtendedProperty", "setSensorValue", "setSpaceValue",
		"sendNotification", "Notify"} {
		if !seen[fn] {
			t.Errorf("%s was not recorded", fn)
		}
	}
	// Applied: the writes are in the graph.
	a.Engine().View(func(v *engine.View) error {
		if val, _ := v.SensorValue(motion.ID); val.Value != "true" {
			t.Errorf("motion = %q", val.Value)
		}
		if val, _ := v.SpaceValue(motion.SpaceID, "Occupied"); val.Value != "true" {
			t.Errorf("Occupied = %q", val.Value)
		}
		return nil
	})
}

// FuzzExecute runs arbitrary script text as a UDF: the host never crashes
// and every execution ends with an outcome.
func FuzzExecute(f *testing.F) {
	for _, s := range []string{"function process(t,c){ log(t.Message); }", "function process(){ while(true){} }",
		"function process(t,c){ setSpaceValue(getSensorMetadata(t.SensorId).SpaceId, 'x', {a:[1,2]}); }",
		"function f(){f()} function process(){f()}", "}{", "function process(t,c){ getSpaceMetadata(null).Parent().Parent(); }"} {
		f.Add(s)
	}
	a := quickstart(f)
	var udf engine.UDF
	var motion *engine.Sensor
	a.Engine().View(func(v *engine.View) error {
		udf = *v.UDFs()[0]
		motion, _ = v.SensorByHardwareID("SAMPLE_SENSOR_MOTION")
		return nil
	})
	rt := a.Engine()
	f.Fuzz(func(t *testing.T, script string) {
		u := udf
		u.Script, u.Updated = script, time.Now()
		if err := rt.Update(func(tx *engine.Tx) error { return tx.PutUDF(&u) }); err != nil {
			return
		}
		rec, err := rt.RunUDF(u.ID, motion.ID, `{"SensorValue":"true"}`, false, false)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Outcome == "" {
			t.Fatal("no outcome")
		}
	})
}
