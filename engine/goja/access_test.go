package goja_test

import (
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/goja"
	"github.com/twinstudio/twinstudio/internal/testkit"
)

// limitsYAML: a flat whose UDF holds the custom role Occupant and an
// office whose UDF holds FacilityManager; each UDF copies its
// thermostat's reading into its room's TemperatureSetpoint.
const limitsYAML = `- name: Home
  type: Venue
  spaces:
  - name: Flat
    type: Room
    devices:
    - {name: Flat Thermostat, hardwareId: FLAT, sensors: [{dataType: Temperature, hardwareId: FLAT_T}]}
    matchers:
    - {name: Temps, dataTypeValue: Temperature}
    userdefinedfunctions:
    - {name: Occupant Setpoint, matcherNames: [Temps], script: set.js}
    roleassignments:
    - {role: Occupant, objectIdType: UserDefinedFunctionId, objectName: Occupant Setpoint}
  - name: Office
    type: Room
    devices:
    - {name: Office Thermostat, hardwareId: OFFICE, sensors: [{dataType: Temperature, hardwareId: OFFICE_T}]}
    matchers:
    - {name: Temps, dataTypeValue: Temperature}
    userdefinedfunctions:
    - {name: Manager Setpoint, matcherNames: [Temps], script: set.js}
    roleassignments:
    - {role: Facility Manager, objectIdType: UserDefinedFunctionId, objectName: Manager Setpoint}
`

const setJS = `function process(t, c) {
  var s = getSensorMetadata(t.SensorId);
  setSpaceValue(s.SpaceId, "TemperatureSetpoint", Number(JSON.parse(t.Message).SensorValue));
}
`

// TestUDFValueLimits: the Occupant and FacilityManager example through
// real goja UDFs: the occupant's UDF may set 20..24 only, and a refused
// write names the role and the limit; the manager's sets anything.
func TestUDFValueLimits(t *testing.T) {
	recs := make(chan *engine.ExecutionRecord, 16)
	a := testkit.Open(t, "", testkit.Options{UDF: goja.New(goja.Options{}),
		Pipeline: engine.PipelineOptions{OnUDFRecord: func(r *engine.ExecutionRecord) { recs <- r }}})
	lo, hi := 20.0, 24.0
	perm := []engine.Permission{{Actions: []engine.Action{engine.ActionRead, engine.ActionUpdate},
		ResourceTypes: []string{engine.ResSpace, engine.ResSpaceExtendedProperty, engine.ResSensor, engine.ResDevice}}}
	if err := a.Engine().Update(func(tx *engine.Tx) error {
		if err := tx.PutRole(&engine.Role{Name: "Occupant", Permissions: perm,
			Limits: []engine.ValueLimit{{Name: "TemperatureSetpoint", Min: &lo, Max: &hi}}}); err != nil {
			return err
		}
		return tx.PutRole(&engine.Role{Name: "FacilityManager", FriendlyName: "Facility Manager", Permissions: perm})
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ProvisionYAML(t, limitsYAML, map[string]string{"set.js": setJS}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		device, value string
		flat, office  string // TemperatureSetpoint after the message
		refusal       string // a piece of the refused call's error, "" if none
	}{
		{"FLAT", "22", "22", "", ""},
		{"FLAT", "30", "22", "", "role Occupant may set TemperatureSetpoint only between 20 and 24 (not 30)"},
		{"FLAT", "19", "22", "", "only between 20 and 24 (not 19)"},
		{"FLAT", "24", "24", "", ""},
		{"OFFICE", "30", "24", "30", ""},
		{"OFFICE", "5", "24", "5", ""},
	}
	for _, st := range steps {
		a.MustSend(t, testkit.Message{Device: st.device, Sensor: st.device + "_T", Payload: `{"SensorValue":"` + st.value + `"}`})
		var rec *engine.ExecutionRecord
		select {
		case rec = <-recs:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s %s: no execution record", st.device, st.value)
		}
		if got := a.SpaceValue(t, "/Home/Flat", "TemperatureSetpoint"); got != st.flat {
			t.Errorf("%s %s: flat setpoint %q, want %q", st.device, st.value, got, st.flat)
		}
		if got := a.SpaceValue(t, "/Home/Office", "TemperatureSetpoint"); got != st.office {
			t.Errorf("%s %s: office setpoint %q, want %q", st.device, st.value, got, st.office)
		}
		var errs []string
		for _, c := range rec.Calls {
			if c.Err != "" {
				errs = append(errs, c.Err)
			}
		}
		got := strings.Join(errs, "; ")
		if st.refusal == "" && (got != "" || !rec.OK()) {
			t.Errorf("%s %s: %s %q, refused calls %q; want OK", st.device, st.value, rec.Outcome, rec.Error, got)
		}
		if st.refusal != "" && (!strings.Contains(got, st.refusal) || len(rec.Writes) != 0) {
			t.Errorf("%s %s: refused calls %q, writes %+v; want a refusal with %q", st.device, st.value, got, rec.Writes, st.refusal)
		}
	}
}
