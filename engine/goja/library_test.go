package goja_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/internal/testkit"
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
		// The quickstart grants the room only; the script walks up to the
		// building, so this test widens the grant (TestLibraryScope checks
		// the narrow one).
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

// scopedUDF is a UDF of the quickstart's room "Focus Room A1" whose only
// role assignment is SpaceAdministrator on that room, and the ids a
// scope test needs: the room, its sibling "Conference Room 11" (which gets
// a device and sensor of its own), the floor, the building, the room's
// motion and CO2 sensors, and the sibling's device and sensor.
type scopedUDF struct {
	a                                     *testkit.Project
	udf                                   engine.UDF
	room, sibling, floor, building        engine.ID
	motion, co2, otherDevice, otherSensor engine.ID
}

func newScopedUDF(t *testing.T) *scopedUDF {
	t.Helper()
	s := &scopedUDF{a: quickstart(t)}
	err := s.a.Engine().Update(func(tx *engine.Tx) error {
		var err error
		if s.room, err = tx.ResolveSpace("/Quickstart Building/Floor 1/Focus Room A1"); err != nil {
			return err
		}
		if s.sibling, err = tx.ResolveSpace("/Quickstart Building/Floor 1/Conference Room 11"); err != nil {
			return err
		}
		if s.floor, err = tx.ResolveSpace("/Quickstart Building/Floor 1"); err != nil {
			return err
		}
		s.building = tx.Roots()[0].ID
		m, _ := tx.SensorByHardwareID("SAMPLE_SENSOR_MOTION")
		c, _ := tx.SensorByHardwareID("SAMPLE_SENSOR_CARBONDIOXIDE")
		s.motion, s.co2 = m.ID, c.ID
		d := &engine.Device{Name: "Pi C11", HardwareID: "C11C11C11C11", SpaceID: s.sibling}
		if err := tx.CreateDevice(d); err != nil {
			return err
		}
		sen := &engine.Sensor{HardwareID: "C11_TEMPERATURE", DeviceID: d.ID}
		if err := tx.CreateSensor(sen); err != nil {
			return err
		}
		s.otherDevice, s.otherSensor = d.ID, sen.ID
		s.udf = *tx.UDFs()[0]
		s.udf.ID, s.udf.Name, s.udf.MatcherIDs = engine.NewID(), "Scoped", nil
		s.udf.Updated = time.Now()
		if err := tx.PutUDF(&s.udf); err != nil {
			return err
		}
		return tx.PutRoleAssignment(&engine.RoleAssignment{RoleID: engine.RoleSpaceAdministrator, ObjectID: s.udf.ID.String(),
			ObjectIDType: engine.ObjectUserDefinedFunctionID, Path: tx.SpacePath(s.room)})
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// run runs body as the UDF's process function on the motion sensor,
// applied, with the ids ROOM, SIBLING, FLOOR, BUILDING, MOTION, CO2,
// OTHER_DEVICE and OTHER_SENSOR replaced by quoted ids.
func (s *scopedUDF) run(t *testing.T, body string) *engine.ExecutionRecord {
	t.Helper()
	for name, id := range map[string]engine.ID{"ROOM": s.room, "SIBLING": s.sibling, "FLOOR": s.floor, "BUILDING": s.building,
		"MOTION": s.motion, "CO2": s.co2, "OTHER_DEVICE": s.otherDevice, "OTHER_SENSOR": s.otherSensor} {
		body = strings.ReplaceAll(body, name, `"`+id.String()+`"`)
	}
	u := s.udf
	u.Script = "function process(telemetry, executionContext) {\n" + body + "\n}"
	u.Updated = time.Now()
	if err := s.a.Engine().Update(func(tx *engine.Tx) error { return tx.PutUDF(&u) }); err != nil {
		t.Fatal(err)
	}
	rec, err := s.a.Engine().RunUDF(u.ID, s.motion, `{"SensorValue":"true"}`, true, false)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// TestLibraryScope: a UDF whose role is on one room reads and writes that
// room, its devices and sensors, and is refused ("Not Authorized")
// everything outside it: the sibling room, the parent floor, the
// building, another room's device and sensor. Refused writes and
// notifications are not applied.
func TestLibraryScope(t *testing.T) {
	s := newScopedUDF(t)
	inside := []struct{ name, body string }{
		{"read the room", `if (getSpaceMetadata(ROOM).Name !== "Focus Room A1") throw new Error("room");`},
		{"write the room", `setSpaceValue(ROOM, "Scoped", "in");`},
		{"read the room's other sensor", `if (getSensorMetadata(CO2).DataType !== "CarbonDioxide") throw new Error("co2");`},
		{"write the own sensor", `setSensorValue(MOTION, "Motion", "true");`},
		{"read the room's device", `if (getSensorParentDevice(MOTION).Name !== "Raspberry Pi 3 A1") throw new Error("device");`},
		{"notify the room", `sendNotification(ROOM, "Space", "in");`},
	}
	for _, c := range inside {
		t.Run(c.name, func(t *testing.T) {
			rec := s.run(t, c.body)
			if rec.Outcome != engine.OutcomeOK {
				t.Fatalf("%s: %s (line %d); calls %+v", rec.Outcome, rec.Error, rec.Line, rec.Calls)
			}
			for _, call := range rec.Calls {
				if call.Err != "" {
					t.Errorf("call %s refused: %s", call.Name, call.Err)
				}
			}
		})
	}
	if got := s.a.SpaceValue(t, "/Quickstart Building/Floor 1/Focus Room A1", "Scoped"); got != "in" {
		t.Errorf("the room's value is %q after the write inside the grant", got)
	}
	outside := []struct{ name, body string }{
		{"read the sibling room", `getSpaceMetadata(SIBLING);`},
		{"write the sibling room", `setSpaceValue(SIBLING, "Scoped", "out");`},
		{"list the sibling's sensors", `getSpaceChildSensors(SIBLING);`},
		{"notify the sibling room", `sendNotification(SIBLING, "Space", "out");`},
		{"read the parent floor", `getSpaceMetadata(FLOOR);`},
		{"walk up to the floor", `getSpaceParentSpace(ROOM);`},
		{"write the parent floor", `setSpaceValue(FLOOR, "Scoped", "out");`},
		{"list the floor's rooms", `getSpaceChildSpaces(FLOOR);`},
		{"read the building", `getSpaceMetadata(BUILDING);`},
		{"write the building", `setSpaceValue(BUILDING, "Scoped", "out");`},
		{"read another device", `getDeviceMetadata(OTHER_DEVICE);`},
		{"read another device's sensor", `getSensorMetadata(OTHER_SENSOR);`},
		{"read another sensor's value", `getSensorValue(OTHER_SENSOR, "Temperature");`},
		{"write another device's sensor", `setSensorValue(OTHER_SENSOR, "Temperature", "99");`},
		{"notify another device's sensor", `sendNotification(OTHER_SENSOR, "Sensor", "out");`},
	}
	for _, c := range outside {
		t.Run(c.name, func(t *testing.T) {
			// The script catches the refusal so that the outcome is the
			// library's verdict, not the script's failure.
			rec := s.run(t, "try {\n"+c.body+"\n} catch (e) { log('refused: ' + e); }")
			if rec.Outcome != engine.OutcomeNotAuthorized {
				t.Errorf("outcome %s %q, want %s; calls %+v", rec.Outcome, rec.Error, engine.OutcomeNotAuthorized, rec.Calls)
			}
			if len(rec.Calls) == 0 || rec.Calls[len(rec.Calls)-1].Err != "Not Authorized" {
				t.Errorf("calls %+v, want the last refused with \"Not Authorized\"", rec.Calls)
			}
			if len(rec.Writes) != 0 || len(rec.Notifications) != 0 {
				t.Errorf("a refused call was applied: writes %+v notifications %+v", rec.Writes, rec.Notifications)
			}
		})
	}
	for _, p := range []string{"/Quickstart Building/Floor 1/Conference Room 11", "/Quickstart Building/Floor 1", "/Quickstart Building"} {
		if got := s.a.SpaceValue(t, p, "Scoped"); got != "" {
			t.Errorf("%s was written from outside its grant: %q", p, got)
		}
	}
	if got := s.a.SensorValue(t, "C11_TEMPERATURE"); got != "" {
		t.Errorf("another device's sensor was written: %q", got)
	}
}
