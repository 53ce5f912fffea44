package engine_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
)

func src(line int) engine.Src {
	return engine.Src{Pos: engine.Pos{File: "p.yaml", Line: line}, Fields: map[string]int{"type": line + 1, "hardwareId": line + 2, "dataType": line + 3, "objectName": line + 4}}
}

func quickstartPlan() *engine.Plan {
	room := &engine.PlanSpace{Src: src(10), Name: "Focus Room A1", Type: "Room", Subtype: "FocusRoom",
		Devices: []*engine.PlanDevice{{Src: src(20), Name: "Raspberry Pi 3 A1", HardwareID: "1234567890AB",
			Sensors: []*engine.PlanSensor{
				{Src: src(30), DataType: "Motion", HardwareID: "SAMPLE_SENSOR_MOTION"},
				{Src: src(34), DataType: "CarbonDioxide", HardwareID: "SAMPLE_SENSOR_CARBONDIOXIDE"},
			}}},
		Matchers: []*engine.PlanMatcher{
			{Src: src(40), Name: "Matcher Motion A1", DataTypeValue: "Motion"},
			{Src: src(42), Name: "Matcher CarbonDioxide A1", DataTypeValue: "CarbonDioxide"},
		},
		UDFs: []*engine.PlanUDF{{Src: src(50), Name: "Motion Processor", MatcherNames: []string{"Matcher Motion A1", "Matcher CarbonDioxide A1"},
			ScriptPath: "availability.js", Script: "function process(telemetry, executionContext) {}"}},
		RoleAssignments: []*engine.PlanRoleAssignment{{Src: src(60), RoleID: "98e44ad7-28d4-4007-853b-b9968ad132d1",
			ObjectName: "Motion Processor", ObjectIDType: "UserDefinedFunctionId"}},
	}
	return &engine.Plan{File: "p.yaml", Spaces: []*engine.PlanSpace{{Src: src(1), Name: "Quickstart Building", Type: "Venue",
		Resources:  []*engine.PlanResource{{Src: src(3), Type: "IoTHub"}},
		Properties: []engine.PlanProperty{{Src: src(4), Name: "Address", Value: "1 Main St"}},
		Spaces: []*engine.PlanSpace{{Src: src(5), Name: "Floor 1", Type: "Floor", Spaces: []*engine.PlanSpace{
			{Src: src(6), Name: "Area A", Type: "Area"},
			{Src: src(7), Name: "Conference Room 11", Type: "Room", Subtype: "ConferenceRoom"},
			room,
		}}}}}}
}

func TestProvisionIdempotent(t *testing.T) {
	e, path := openEngine(t)
	sum, err := e.Provision(quickstartPlan())
	must(t, err)
	tot := sum.Total()
	// 5 spaces, 1 device, 2 sensors, 1 resource, 1 property key, 2 matchers, 1 UDF, 1 role assignment
	if tot.Created != 14 || tot.Updated != 0 || tot.Unchanged != 0 {
		t.Fatalf("first run: %+v\n%s", tot, sum)
	}
	sum, err = e.Provision(quickstartPlan())
	must(t, err)
	if tot := sum.Total(); tot.Created != 0 || tot.Updated != 0 {
		t.Fatalf("second run changed things: %+v\n%s", tot, sum)
	}
	st := e.Stats()
	if st.Spaces != 5 || st.Devices != 1 || st.Sensors != 2 || st.Matchers != 2 || st.UDFs != 1 || st.RoleAssignments != 1 {
		t.Fatalf("stats %+v", st)
	}
	// A changed script updates the UDF only.
	p := quickstartPlan()
	p.Spaces[0].Spaces[0].Spaces[2].UDFs[0].Script = "function process(t, c) { log('v2'); }"
	sum, err = e.Provision(p)
	must(t, err)
	if c := sum.Counts[engine.KindUDF]; c.Updated != 1 || sum.Total().Updated != 1 {
		t.Fatalf("script change: %s", sum)
	}
	// The role assignment names the UDF by id at the room's path.
	must(t, e.View(func(v *engine.View) error {
		room, err := v.ResolveSpace("/Quickstart Building/Floor 1/Focus Room A1")
		must(t, err)
		ra := v.RoleAssignments()[0]
		udf := v.UDFs()[0]
		if ra.ObjectID != udf.ID.String() || ra.Path != v.SpacePath(room) || ra.RoleID != engine.RoleSpaceAdministrator {
			t.Errorf("role assignment %+v", ra)
		}
		s, _ := v.SensorByHardwareID("SAMPLE_SENSOR_MOTION")
		if v.TypeName(s.DataTypeID) != "Motion" || s.SpaceID != room {
			t.Errorf("sensor %+v", s)
		}
		return nil
	}))
	must(t, e.Close())
	e2 := reopen(t, path)
	sum, err = e2.Provision(p)
	must(t, err)
	if tot := sum.Total(); tot.Created != 0 || tot.Updated != 0 {
		t.Fatalf("after reopen: %s", sum)
	}
}

func TestProvisionErrorsAreAtomicAndPositioned(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(p *engine.Plan)
		want   error
		msg    string
	}{
		{"unknown space type", func(p *engine.Plan) { p.Spaces[0].Spaces[0].Spaces[1].Type = "Spaceship" }, engine.ErrUnknownType,
			`p.yaml:8: type: engine: unknown type: SpaceType "Spaceship"`},
		{"unknown sensor data type", func(p *engine.Plan) { p.Spaces[0].Spaces[0].Spaces[2].Devices[0].Sensors[1].DataType = "Smell" }, engine.ErrUnknownType,
			`p.yaml:37: dataType: engine: unknown type: SensorDataType "Smell"`},
		{"duplicate hardwareId in file", func(p *engine.Plan) {
			r := p.Spaces[0].Spaces[0].Spaces[1]
			r.Devices = []*engine.PlanDevice{{Src: src(70), Name: "Other", HardwareID: "1234567890AB"}}
		}, engine.ErrDuplicate, `p.yaml:22: hardwareId: engine: duplicate: hardwareId "1234567890AB" is also used at line 72`},
		{"unknown matcher", func(p *engine.Plan) { p.Spaces[0].Spaces[0].Spaces[2].UDFs[0].MatcherNames = []string{"Nope"} }, engine.ErrNotFound, `p.yaml:50: matcherNames`},
		{"unknown udf in role assignment", func(p *engine.Plan) { p.Spaces[0].Spaces[0].Spaces[2].RoleAssignments[0].ObjectName = "Nope" }, engine.ErrNotFound, `p.yaml:64: objectName`},
		{"unknown role", func(p *engine.Plan) {
			ra := p.Spaces[0].Spaces[0].Spaces[2].RoleAssignments[0]
			ra.RoleID, ra.Role = "", "Overlord"
		}, engine.ErrNotFound, `role "Overlord"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, _ := openEngine(t)
			p := quickstartPlan()
			c.mutate(p)
			_, err := e.Provision(p)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if !strings.Contains(err.Error(), c.msg) || strings.Contains(err.Error(), "\n") {
				t.Errorf("message %q does not contain %q on one line", err, c.msg)
			}
			if st := e.Stats(); st.Total() != 0 {
				t.Errorf("partial provisioning left %+v", st)
			}
		})
	}
}

func TestProvisionSensorHardwareIDOwnedElsewhere(t *testing.T) {
	e, _ := openEngine(t)
	_, err := e.Provision(quickstartPlan())
	must(t, err)
	p := &engine.Plan{File: "q.yaml", Spaces: []*engine.PlanSpace{{Src: src(1), Name: "Other", Devices: []*engine.PlanDevice{
		{Src: src(2), Name: "D", HardwareID: "NEW", Sensors: []*engine.PlanSensor{{Src: src(3), HardwareID: "SAMPLE_SENSOR_MOTION"}}}}}}}
	before := e.Stats()
	if _, err := e.Provision(p); !errors.Is(err, engine.ErrDuplicate) {
		t.Fatalf("err = %v", err)
	}
	if e.Stats() != before {
		t.Fatal("partial")
	}
}
