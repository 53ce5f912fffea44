package goja_test

import (
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// TestWriteValueChecked: a value that cannot be stored (undefined, null,
// NaN, ±Infinity, a function, an object) makes setSensorValue and
// setSpaceValue fail with an error naming the call, the value and the
// script's line; nothing is written. Strings, numbers, booleans and
// arrays are still written.
func TestWriteValueChecked(t *testing.T) {
	s := newSandbox(t)
	room := "getSensorMetadata(t.SensorId).SpaceId"
	cases := []struct {
		name, value, what string
	}{
		{"undefined", "undefined", "undefined"},
		{"missing field", "JSON.parse('{}').SensorValue", "undefined"},
		{"null", "null", "null"},
		{"NaN", "parseFloat('x')", "NaN"},
		{"Infinity", "1 / 0", "Infinity"},
		{"-Infinity", "-1 / 0", "-Infinity"},
		{"Number NaN", "new Number(NaN)", "NaN"},
		{"function", "function () { return 1; }", "a function"},
		{"object", "JSON.parse('{\"SensorValue\":\"812\"}')", "an object"},
		{"date", "new Date(0)", "an object"},
	}
	for _, c := range cases {
		for _, call := range []string{"setSpaceValue(" + room + ", 'Checked', ", "setSensorValue(t.SensorId, 'Motion', "} {
			fn := call[:strings.IndexByte(call, '(')]
			t.Run(c.name+"/"+fn, func(t *testing.T) {
				script := "function process(t, c) {\n  var v = " + c.value + ";\n  " + call + "v);\n}"
				rec, _ := s.run(t, s.put(t, "bad", script, "/", time.Second))
				want := fn + ": value is " + c.what + " (a string, number or boolean is required"
				if rec.Outcome != engine.OutcomeFailed || !strings.Contains(rec.Error, want) || rec.Line != 3 {
					t.Fatalf("%s %q at line %d; want Failed %q at line 3", rec.Outcome, rec.Error, rec.Line, want)
				}
				if len(rec.Writes) != 0 || len(rec.Calls) == 0 || !strings.Contains(rec.Calls[len(rec.Calls)-1].Err, want) {
					t.Errorf("writes %+v, calls %+v", rec.Writes, rec.Calls)
				}
			})
		}
	}
	// Caught, the failed write leaves the value alone and the run goes on.
	script := "function process(t, c) {\n  try { setSpaceValue(" + room + ", 'Checked', undefined); } catch (e) { log(e.message); }\n" +
		"  setSpaceValue(" + room + ", 'Checked', 'ok');\n}"
	rec, _ := s.run(t, s.put(t, "caught", script, "/", time.Second))
	if rec.Outcome != engine.OutcomeOK || len(rec.Writes) != 1 || rec.Writes[0].New != "ok" {
		t.Fatalf("%s %q %+v", rec.Outcome, rec.Error, rec.Writes)
	}
	// Good values are still written as before.
	for value, want := range map[string]string{"'x'": "x", "812": "812", "21.5": "21.5", "true": "true", "new String('s')": "s", "[1, 'a']": `[1,"a"]`} {
		script := "function process(t, c) {\n  setSpaceValue(" + room + ", 'Checked', " + value + ");\n}"
		rec, _ := s.run(t, s.put(t, "good", script, "/", time.Second))
		if rec.Outcome != engine.OutcomeOK || len(rec.Writes) != 1 || rec.Writes[0].New != want {
			t.Errorf("%s: %s %q %+v", value, rec.Outcome, rec.Error, rec.Writes)
		}
	}
}
