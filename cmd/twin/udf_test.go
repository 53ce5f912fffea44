package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

var (
	durationRE = regexp.MustCompile(`(duration:\s+)\S+`)
	durationNs = regexp.MustCompile(`("durationNs": )\d+`)
	timeRE     = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)`)
)

// normaliseRun also hides durations and times.
func normaliseRun(s, dir string) string {
	s = normalise(s, dir)
	s = durationRE.ReplaceAllString(s, "${1}<d>")
	s = durationNs.ReplaceAllString(s, "${1}0")
	return timeRE.ReplaceAllString(s, "<time>")
}

func udfRun(project string, extra ...string) []string {
	return append([]string{"udf", "run", "--project", project, "--udf", "Motion Processor"}, extra...)
}

func TestUDFRun(t *testing.T) {
	dir, project := provisioned(t)
	// A real run on the CO2 sensor: no motion value yet, so the UDF only
	// keeps the reading and notifies an error.
	out, stderr, code := twin(t, udfRun(project, "--sensor", "SAMPLE_SENSOR_CARBONDIOXIDE", "--message", `{"SensorValue":"800"}`)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	golden(t, "udf_run_co2", normaliseRun(out, dir))
	sensorAfter, _, _ := twin(t, "get", "--project", project, "SAMPLE_SENSOR_CARBONDIOXIDE")
	if !strings.Contains(sensorAfter, "800") {
		t.Errorf("the run did not apply the CO2 value:\n%s", sensorAfter)
	}

	// A dry run on the motion sensor changes nothing.
	room := "/Quickstart Building/Floor 1/Focus Room A1"
	roomBefore, _, _ := twin(t, "get", "--project", project, room)
	motionBefore, _, _ := twin(t, "get", "--project", project, "SAMPLE_SENSOR_MOTION")
	args := []string{"udf", "run", "--project", project, "--udf", "motion processor", "--sensor", "SAMPLE_SENSOR_MOTION",
		"--message", `{"SensorValue":"true"}`, "--dry-run"}
	out, stderr, code = twin(t, args...)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	golden(t, "udf_run_dry", normaliseRun(out, dir))
	roomAfter, _, _ := twin(t, "get", "--project", project, room)
	motionAfter, _, _ := twin(t, "get", "--project", project, "SAMPLE_SENSOR_MOTION")
	if roomAfter != roomBefore || motionAfter != motionBefore {
		t.Errorf("the dry run changed the graph:\n%s\n%s\n→\n%s\n%s", roomBefore, motionBefore, roomAfter, motionAfter)
	}
	if strings.Contains(roomAfter, "AvailableAndFresh") {
		t.Errorf("the dry run set the room's value:\n%s", roomAfter)
	}

	// JSON.
	out, stderr, code = twin(t, append(args, "-o", "json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rec engine.ExecutionRecord
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if rec.Outcome != engine.OutcomeOK || !rec.DryRun || len(rec.Writes) != 2 || len(rec.Notifications) != 1 || rec.SensorHW != "SAMPLE_SENSOR_MOTION" {
		t.Errorf("record %+v", rec)
	}
	golden(t, "udf_run_json", normaliseRun(out, dir))

	// The line trace.
	out, stderr, code = twin(t, append(args, "--trace")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(out, "\ntrace:\n  (none)\n") || !strings.Contains(out, "\ntrace:\n") {
		t.Fatalf("--trace printed no trace:\n%s", out)
	}
	golden(t, "udf_run_trace", normaliseRun(out, dir))
	if roomAgain, _, _ := twin(t, "get", "--project", project, room); roomAgain != roomBefore {
		t.Errorf("the traced dry run changed the room:\n%s", roomAgain)
	}
}

// labVenue is the start of a provisioning file: the venue Lab with one
// temperature sensor T1 and the matcher Temp, up to its UDFs.
const labVenue = `- name: Lab
  type: Venue
  devices:
  - name: Box
    hardwareId: BOX1
    sensors:
    - dataType: Temperature
      hardwareId: T1
  matchers:
  - name: Temp
    dataTypeValue: Temperature
  userdefinedfunctions:
`

const labYAML = labVenue + `  - name: Thrower
    matcherNames: [Temp]
    script: udf_throw.js
  - name: Nosy
    matcherNames: [Temp]
    script: udf_nosy.js
  roleassignments:
  - role: SpaceAdministrator
    objectName: Thrower
    objectIdType: UserDefinedFunctionId
- name: Annex
  type: Venue
  userdefinedfunctions:
  - name: NOSY
    script: udf_nosy.js
`

const throwJS = `function process(telemetry, executionContext) {
  var t = parseFloat(telemetry.Message);
  if (t > 30) throw new Error("too hot: " + t);
  log("fine");
}
`

const nosyJS = `function process(telemetry, executionContext) {
  try {
    getSensorMetadata(telemetry.SensorId);
  } catch (e) {
    log("refused: " + e);
  }
}
`

func lab(t *testing.T) (dir, project string) {
	t.Helper()
	dir = t.TempDir()
	for name, text := range map[string]string{"lab.yaml": labYAML, "udf_throw.js": throwJS, "udf_nosy.js": nosyJS} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	project = filepath.Join(dir, "lab.twin")
	if _, stderr, code := twin(t, "provision", "--project", project, filepath.Join(dir, "lab.yaml")); code != 0 {
		t.Fatalf("provision: %d %s", code, stderr)
	}
	return dir, project
}

func TestUDFRunFailures(t *testing.T) {
	dir, project := lab(t)
	run := func(udf, msg string, extra ...string) (string, string, int) {
		return twin(t, append([]string{"udf", "run", "--project", project, "--udf", udf, "--sensor", "T1", "--message", msg}, extra...)...)
	}

	// A UDF that succeeds.
	if out, stderr, code := run("thrower", "21"); code != 0 || !strings.Contains(out, "Succeeded") {
		t.Fatalf("exit %d: %s%s", code, out, stderr)
	}

	// A UDF that throws: the record on stdout, one line on stderr, exit 1.
	out, stderr, code := run("Thrower", "35")
	if code != 1 {
		t.Fatalf("exit %d: %s%s", code, out, stderr)
	}
	if want := "twin: udf Thrower failed: Error: too hot: 35 (line 3:21)\n"; stderr != want {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
	golden(t, "udf_run_fail", normaliseRun(out, dir))

	// The same, traced: the trace stops at the throw, and the error keeps
	// its line.
	out, stderr, code = run("Thrower", "35", "--trace", "-o", "json")
	if code != 1 || !strings.HasPrefix(stderr, "twin: udf Thrower failed: Error: too hot: 35 (line 3:") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rec engine.ExecutionRecord
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Outcome != engine.OutcomeFailed || rec.Line != 3 {
		t.Errorf("record %+v", rec)
	}
	if len(rec.Trace) == 0 {
		t.Fatal("--trace recorded no trace")
	}
	if last, locals := rec.Trace[len(rec.Trace)-1], engine.TraceLocals(rec.Trace, len(rec.Trace)-1); last.Line != 3 || locals["t"] != "35" || len(last.Locals) != 0 {
		t.Errorf("trace %+v", rec.Trace)
	}

	// A UDF without a role assignment is refused, as in the preview.
	// Two UDFs are named "Nosy" (in either case): the name is ambiguous.
	_, stderr, code = run("nosy", "21")
	if code != 1 || !strings.Contains(stderr, `2 user-defined functions are named "nosy"`) || !strings.Contains(stderr, "in /Lab (id") || !strings.Contains(stderr, "in /Annex (id") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("ambiguous name: exit %d: %q", code, stderr)
	}
	var nosy string
	a, err := app.Open(project, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a.Engine().View(func(v *engine.View) error {
		for _, u := range v.UDFs() {
			if u.Name == "Nosy" {
				nosy = u.ID.String()
			}
		}
		return nil
	})
	a.Close()
	out, stderr, code = run(nosy, "21")
	stderr = normalise(stderr, dir)
	if code != 1 || stderr != "twin: udf Nosy failed: Not Authorized: getSensorMetadata(<id>)\n" || strings.Count(stderr, "\n") != 1 {
		t.Errorf("not authorized: exit %d: %q", code, stderr)
	}
	golden(t, "udf_run_not_authorized", normaliseRun(out, dir))

	// Bad references: one line, nothing on stdout.
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--udf", "Nope", "--sensor", "T1"}, `twin: no user-defined function is named "Nope"`},
		{[]string{"--udf", "Thrower", "--sensor", "NOPE"}, `twin: no sensor has hardwareId "NOPE"`},
	} {
		out, stderr, code := twin(t, append(append([]string{"udf", "run", "--project", project}, c.args...), "--message", "1")...)
		if code != 1 || out != "" || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, c.msg) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", c.args, code, out, stderr)
		}
	}
	// Usage.
	if _, stderr, code := twin(t, "udf", "run", "--project", project, "--udf", "Thrower", "--sensor", "T1"); code != 2 || !strings.Contains(stderr, "--message") {
		t.Errorf("missing --message: exit %d: %s", code, stderr)
	}
}

// TestUDFRunTraceCut: a loop longer than the trace's limit prints the
// steps kept and says the trace was cut.
func TestUDFRunTraceCut(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"spin.yaml": labVenue + `  - name: Spin
    matcherNames: [Temp]
    script: spin.js
    timeLimit: 10s
`,
		"spin.js": "function process(telemetry, executionContext) {\n  spin();\n}\nfunction spin() {\n  var n = 0;\n  while (n < 10100) n++;\n}\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	project := filepath.Join(dir, "spin.twin")
	if _, stderr, code := twin(t, "provision", "--project", project, filepath.Join(dir, "spin.yaml")); code != 0 {
		t.Fatalf("provision: %d %s", code, stderr)
	}
	out, stderr, code := twin(t, "udf", "run", "--project", project, "--udf", "Spin", "--sensor", "T1", "--message", "1", "--dry-run", "--trace")
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out[max(0, len(out)-300):], stderr)
	}
	if n := strings.Count(out, "\n  line "); n != 10000 {
		t.Errorf("%d steps printed", n)
	}
	if !strings.HasSuffix(out, "  (the trace was cut after 10000 steps; 103 more were not recorded)\n") {
		t.Errorf("the output does not end with the cut:\n%s", out[max(0, len(out)-300):])
	}
	if strings.Count(out, "telemetry=") != 1 {
		t.Errorf("telemetry printed %d times", strings.Count(out, "telemetry="))
	}
}
