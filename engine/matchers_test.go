package engine_test

import (
	"strings"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/jsonpath"
)

func TestMatchers(t *testing.T) {
	e, ids := navGraph(t)
	e.SetPathEvaluator(jsonpath.New())
	var sensorR2, sensorR3 *engine.Sensor
	must(t, e.Update(func(tx *engine.Tx) error {
		sensorR2 = tx.SpaceSensors(ids["R2"])[0]
		sensorR3 = tx.SpaceSensors(ids["R3"])[0]
		must(t, tx.PutPropertyKey(&engine.PropertyKey{Name: "Manufacturer", Scope: engine.ScopeDevices}))
		d, _ := tx.Device(sensorR2.DeviceID)
		c := *d
		c.Properties = []engine.Property{{Name: "Manufacturer", Value: "GoodCorp"}}
		return tx.UpdateDevice(&c)
	}))
	cond := func(target, path, cmp, value string) engine.Condition {
		return engine.Condition{Target: target, Path: path, Comparison: cmp, Value: value}
	}
	cases := []struct {
		name   string
		space  string
		conds  []engine.Condition
		sensor *engine.Sensor
		want   bool
	}{
		{"dataType equals, case-insensitive", "R", []engine.Condition{cond("Sensor", "$.dataType", "Equals", `"motion"`)}, sensorR2, true},
		{"dataType not equals", "R", []engine.Condition{cond("Sensor", "$.dataType", "NotEquals", `"Motion"`)}, sensorR2, false},
		{"hardwareId contains", "R", []engine.Condition{cond("Sensor", "$.hardwareId", "Contains", `"r2"`)}, sensorR2, true},
		{"device property filter", "R", []engine.Condition{cond("SensorDevice", "$.properties[?(@.name == 'Manufacturer')].value", "Equals", `"GoodCorp"`)}, sensorR2, true},
		{"device property other device", "R", []engine.Condition{cond("SensorDevice", "$.properties[?(@.name == 'Manufacturer')].value", "Equals", `"GoodCorp"`)}, sensorR3, false},
		{"space subtype", "R", []engine.Condition{cond("SensorSpace", "$.subtype", "Equals", `"ConferenceRoom"`)}, sensorR3, true},
		{"all conditions must hold", "R", []engine.Condition{cond("Sensor", "$.dataType", "Equals", `"Motion"`), cond("SensorSpace", "$.type", "Equals", `"Floor"`)}, sensorR3, false},
		{"outside the matcher's space", "F2", []engine.Condition{cond("Sensor", "$.dataType", "Equals", `"Motion"`)}, sensorR2, false},
		{"inside the matcher's space", "F1", []engine.Condition{cond("Sensor", "$.dataType", "Equals", `"Motion"`)}, sensorR2, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := &engine.Matcher{Name: strings.ReplaceAll(c.name, " ", "_"), SpaceID: ids[c.space], Conditions: c.conds}
			must(t, e.Update(func(tx *engine.Tx) error { return tx.PutMatcher(m) }))
			got, log, err := e.EvaluateMatcher(m.ID, c.sensor.ID)
			must(t, err)
			if got != c.want {
				t.Errorf("got %v, want %v; log:", got, c.want)
				for _, l := range log {
					t.Log(l.String())
				}
			}
			if len(log) == 0 {
				t.Error("empty log")
			}
		})
	}
	// The evaluation log reads like the preview's.
	m := &engine.Matcher{Name: "Log", SpaceID: ids["R"], Conditions: []engine.Condition{cond("Sensor", "$.dataType", "Equals", `"Motion"`)}}
	must(t, e.Update(func(tx *engine.Tx) error { return tx.PutMatcher(m) }))
	_, log, _ := e.EvaluateMatcher(m.ID, sensorR2.ID)
	if got := log[0].String(); got != `Sensor $.dataType ["Motion"] Equals "Motion" evaluates to true` {
		t.Errorf("log line %q", got)
	}
	// Matched UDFs follow matchers and are cached until topology changes.
	u := &engine.UDF{Name: "U", SpaceID: ids["F1"], MatcherIDs: []engine.ID{m.ID}, Script: "function process(){}"}
	must(t, e.Update(func(tx *engine.Tx) error { return tx.PutUDF(u) }))
	if got := e.MatchedUDFs(sensorR2.ID); len(got) != 1 || got[0].ID != u.ID {
		t.Errorf("matched %v", got)
	}
	if got := e.MatchedUDFs(sensorR3.ID); len(got) != 0 {
		t.Errorf("R3 is outside the UDF's space: %v", got)
	}
	must(t, e.Update(func(tx *engine.Tx) error {
		c := *u
		c.Disabled = true
		return tx.PutUDF(&c)
	}))
	if got := e.MatchedUDFs(sensorR2.ID); len(got) != 0 {
		t.Errorf("disabled UDF still matched: %v", got)
	}
}
