package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

var (
	durationCol = regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|ms|s)\b`)
	spaces      = regexp.MustCompile(` {2,}`)
)

// normaliseTable hides times and durations in a table and squeezes the
// columns' padding, which depends on their widths.
func normaliseTable(s, dir string) string {
	s = normaliseRun(s, dir)
	s = durationCol.ReplaceAllString(s, "<d>")
	return spaces.ReplaceAllString(s, "  ")
}

func TestUDFAndMatcherList(t *testing.T) {
	dir, project := provisioned(t)
	room := "/Quickstart Building/Floor 1/Focus Room A1"
	cases := []struct {
		name string
		args []string
	}{
		{"udf_list", []string{"udf", "list", "--project", project}},
		{"udf_list_building", []string{"udf", "list", "--project", project, "--space", "/Quickstart Building"}},
		{"matcher_list", []string{"matcher", "list", "--project", project, "--space", room}},
		{"matcher_list_json", []string{"matcher", "list", "--project", project, "-o", "json"}},
	}
	for _, c := range cases {
		out, stderr, code := twin(t, c.args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.name, code, stderr)
		}
		golden(t, c.name, normalise(out, dir))
	}

	// After two runs the list shows the last outcome, the records list
	// them newest first.
	for _, m := range []string{`{"SensorValue":"800"}`, `{"SensorValue":"true"}`} {
		sensor := "SAMPLE_SENSOR_CARBONDIOXIDE"
		if strings.Contains(m, "true") {
			sensor = "SAMPLE_SENSOR_MOTION"
		}
		if _, stderr, code := twin(t, udfRun(project, "--sensor", sensor, "--message", m)...); code != 0 {
			t.Fatal(stderr)
		}
	}
	out, _, code := twin(t, "udf", "list", "--project", project, "--space", room)
	if code != 0 {
		t.Fatal(out)
	}
	golden(t, "udf_list_ran", normaliseTable(out, dir))
	out, stderr, code := twin(t, "udf", "records", "--project", project, "motion processor")
	if code != 0 {
		t.Fatal(stderr)
	}
	golden(t, "udf_records", normaliseTable(out, dir))
	if i, j := strings.Index(out, "SAMPLE_SENSOR_MOTION"), strings.Index(out, "SAMPLE_SENSOR_CARBONDIOXIDE"); i < 0 || j < 0 || i > j {
		t.Errorf("records are not newest first:\n%s", out)
	}
	out, _, _ = twin(t, "udf", "records", "--project", project, "motion processor", "-n", "1", "-o", "json")
	var recs []engine.ExecutionRecord
	if err := json.Unmarshal([]byte(out), &recs); err != nil || len(recs) != 1 || recs[0].SensorHW != "SAMPLE_SENSOR_MOTION" {
		t.Errorf("records -n 1 -o json: %v %s", err, out)
	}
}

func TestUDFRecordsFailedAndNames(t *testing.T) {
	dir, project := lab(t)
	run := func(msg string) {
		t.Helper()
		twin(t, "udf", "run", "--project", project, "--udf", "thrower", "--sensor", "T1", "--message", msg)
	}
	run("21")
	run("35")
	run("22")
	out, stderr, code := twin(t, "udf", "records", "--project", project, "thrower", "--failed")
	if code != 0 {
		t.Fatal(stderr)
	}
	golden(t, "udf_records_failed", normaliseTable(out, dir))
	if !strings.Contains(out, "  ✗ Error: too hot: 35 (line 3:21)\n") || strings.Contains(out, " 21\n") {
		t.Errorf("--failed:\n%s", out)
	}

	out, _, _ = twin(t, "udf", "list", "--project", project, "-o", "json")
	var items []udfListItem
	if err := json.Unmarshal([]byte(out), &items); err != nil {
		t.Fatal(err)
	}
	var thrower *udfListItem
	for i := range items {
		if items[i].Name == "Thrower" {
			thrower = &items[i]
		}
	}
	if len(items) != 3 || thrower == nil || thrower.State != "enabled" || thrower.LastOutcome != engine.OutcomeOK || thrower.Failures != 1 ||
		thrower.LastRun == nil || time.Since(*thrower.LastRun) > time.Minute || thrower.Space != "/Lab" || len(thrower.Matchers) != 1 {
		t.Errorf("udf list: %s", out)
	}

	// An ambiguous name: one line listing the candidates; the space path
	// qualifies it.
	_, stderr, code = twin(t, "udf", "records", "--project", project, "nosy")
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "Nosy in /Lab (id ") || !strings.Contains(stderr, "NOSY in /Annex (id ") ||
		!strings.Contains(stderr, "qualify the name with its space's path") {
		t.Errorf("ambiguous: exit %d %q", code, stderr)
	}
	out, stderr, code = twin(t, "udf", "records", "--project", project, "/Annex/nosy")
	if code != 0 || !strings.Contains(stderr, "(0 records of NOSY in /Annex; 0 kept)") {
		t.Errorf("qualified: exit %d %q %q", code, out, stderr)
	}
	_, stderr, code = twin(t, "udf", "records", "--project", project, "/Annex/Thrower")
	if code != 1 || !strings.Contains(stderr, `no user-defined function is named "Thrower" in /Annex`) {
		t.Errorf("wrong space: exit %d %q", code, stderr)
	}
}

func TestUDFReplay(t *testing.T) {
	dir, project := lab(t)
	replay := func(extra ...string) (string, string, int) {
		return twin(t, append([]string{"udf", "run", "--project", project, "--udf", "Thrower"}, extra...)...)
	}
	if _, stderr, code := replay("--replay", "T1"); code != 1 || !strings.Contains(stderr, "sensor T1 has no recorded message") {
		t.Errorf("nothing recorded: exit %d %q", code, stderr)
	}
	twin(t, "udf", "run", "--project", project, "--udf", "thrower", "--sensor", "T1", "--message", "21")
	time.Sleep(1100 * time.Millisecond) // the next message is in a later second
	twin(t, "udf", "run", "--project", project, "--udf", "thrower", "--sensor", "T1", "--message", "35")

	// A dry run's message is not one the sensor sent: not replayed.
	twin(t, "udf", "run", "--project", project, "--udf", "thrower", "--sensor", "T1", "--message", "99", "--dry-run")

	// The latest: 35, which fails; a replay is a dry run.
	out, stderr, code := replay("--replay", "T1")
	if code != 1 || !strings.HasPrefix(stderr, "twin: udf Thrower failed: Error: too hot: 35") {
		t.Fatalf("exit %d %q", code, stderr)
	}
	golden(t, "udf_replay", normaliseRun(out, dir))
	if !strings.Contains(out, "Failed (dry run: nothing applied)") {
		t.Errorf("not a dry run:\n%s", out)
	}

	// At the time of the first one (to the second, as 'udf records'
	// could print it): 21, which succeeds.
	var first time.Time
	out, _, _ = twin(t, "udf", "records", "--project", project, "thrower", "-o", "json")
	var recs []engine.ExecutionRecord
	if err := json.Unmarshal([]byte(out), &recs); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Message == "21" && !r.DryRun {
			first = r.Start
		}
	}
	at := first.UTC().Truncate(time.Second).Format(time.RFC3339)
	out, stderr, code = replay("--replay", "T1@"+at, "-o", "json")
	var rec engine.ExecutionRecord
	if code != 0 || json.Unmarshal([]byte(out), &rec) != nil || rec.Message != "21" || !rec.DryRun || rec.Outcome != engine.OutcomeOK {
		t.Errorf("replay at %s: exit %d %q %s", at, code, stderr, out)
	}
	// --apply applies (the Thrower only logs).
	if out, stderr, code = replay("--replay", "T1@"+at, "--apply"); code != 0 || !strings.Contains(out, "Succeeded (applied)") {
		t.Errorf("--apply: exit %d %q %s", code, stderr, out)
	}

	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--replay", "T1@yesterday"}, 2, `"yesterday" is not an RFC 3339 time`},
		{[]string{"--replay", "T1@2000-01-01T00:00:00Z"}, 1, "sensor T1 has no recorded message at or before 2000-01-01T00:00:00Z"},
		{[]string{"--replay", "T1", "--message", "1"}, 2, "leave out --sensor and --message"},
		{[]string{"--sensor", "T1", "--message", "1", "--apply"}, 2, "--apply goes with --replay"},
		{[]string{"--replay", "NOPE"}, 1, `no sensor has hardwareId "NOPE"`},
	} {
		out, stderr, code := replay(c.args...)
		if code != c.code || out != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", c.args, code, out, stderr)
		}
	}
}

func TestUDFSet(t *testing.T) {
	dir, project := lab(t)
	write := func(name, text string) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	run := func() string {
		out, _, _ := twin(t, "udf", "run", "--project", project, "--udf", "Thrower", "--sensor", "T1", "--message", "35", "--dry-run")
		return out
	}
	before := run()

	// A script that does not compile is refused with its line and column;
	// nothing changes.
	bad := write("bad.js", "function process(telemetry, executionContext) {\n  var x = ;\n}\n")
	out, stderr, code := twin(t, "udf", "set", "--project", project, "thrower", bad)
	if code != 1 || out != "" || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "twin: "+bad+":2:11: SyntaxError: Unexpected token ;") {
		t.Errorf("bad script: exit %d %q %q", code, out, stderr)
	}
	if after := run(); normaliseRun(after, dir) != normaliseRun(before, dir) {
		t.Errorf("the refused script changed the UDF:\n%s", after)
	}
	binary := write("bin.js", "function process() {}\x00")
	if _, stderr, code := twin(t, "udf", "set", "--project", project, "thrower", binary); code != 1 || !strings.Contains(stderr, "NUL byte") {
		t.Errorf("binary: exit %d %q", code, stderr)
	}
	if _, stderr, code := twin(t, "udf", "set", "--project", project, "thrower", filepath.Join(dir, "none.js")); code != 1 || !strings.Contains(stderr, "none.js") {
		t.Errorf("missing file: exit %d %q", code, stderr)
	}

	// A good one is live for the next run.
	good := write("good.js", "function process(telemetry, executionContext) {\n  log(\"v2 got \" + telemetry.Message);\n}\n")
	out, stderr, code = twin(t, "udf", "set", "--project", project, "/Lab/Thrower", good)
	if code != 0 || out != "udf Thrower: script replaced with "+good+" (3 lines)\n" {
		t.Fatalf("set: exit %d %q %q", code, out, stderr)
	}
	if after := run(); !strings.Contains(after, "v2 got 35") || !strings.Contains(after, "Succeeded") {
		t.Errorf("the new script did not run:\n%s", after)
	}
	out, _, code = twin(t, "udf", "set", "--project", project, "thrower", good)
	if code != 0 || !strings.Contains(out, "nothing changed") {
		t.Errorf("same script again: %d %q", code, out)
	}
}

// TestDocsPayloadForms: the UDF docs/udf.md shows for reading every
// payload form works: each form sets the sensor's value.
func TestDocsPayloadForms(t *testing.T) {
	dir, project := provisioned(t)
	doc, err := os.ReadFile("../../docs/udf.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	i := strings.Index(text, "## Payload forms")
	j := strings.Index(text[i:], "```js\n")
	k := strings.Index(text[i+j+6:], "```")
	if i < 0 || j < 0 || k < 0 {
		t.Fatal("docs/udf.md has no js block under ## Payload forms")
	}
	script := filepath.Join(dir, "forms.js")
	if err := os.WriteFile(script, []byte(text[i+j+6:i+j+6+k]), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := twin(t, "udf", "set", "--project", project, "Motion Processor", script); code != 0 {
		t.Fatal(stderr)
	}
	for _, c := range []struct{ sensor, msg, want string }{
		{"SAMPLE_SENSOR_CARBONDIOXIDE", `{"SensorValue":"812"}`, "812"},
		{"SAMPLE_SENSOR_CARBONDIOXIDE", `812`, "812"},
		{"SAMPLE_SENSOR_CARBONDIOXIDE", `{"value": 900}`, "900"},
		{"SAMPLE_SENSOR_MOTION", `true`, "true"},
		{"SAMPLE_SENSOR_MOTION", `{"SensorValue":"false"}`, "false"},
		{"SAMPLE_SENSOR_MOTION", `occupied`, "occupied"},
		{"SAMPLE_SENSOR_MOTION", `{"other": 1}`, ""},
	} {
		out, stderr, code := twin(t, "udf", "run", "--project", project, "--udf", "Motion Processor", "--sensor", c.sensor, "--message", c.msg, "--dry-run", "-o", "json")
		var rec engine.ExecutionRecord
		if code != 0 || json.Unmarshal([]byte(out), &rec) != nil {
			t.Fatalf("%s: exit %d %s %s", c.msg, code, stderr, out)
		}
		got := ""
		if len(rec.Writes) > 0 {
			got = rec.Writes[0].New
		}
		if got != c.want || (c.want == "" && (len(rec.Logs) != 1 || !strings.HasPrefix(rec.Logs[0], "no value in"))) {
			t.Errorf("%s: wrote %q, want %q (logs %q)", c.msg, got, c.want, rec.Logs)
		}
	}
}

// TestUDFVersionsAndRestore: 'udf set' keeps the replaced script as a
// version; 'udf versions' lists them newest first and diffs one against
// the current script; 'udf restore' makes one current again.
func TestUDFVersionsAndRestore(t *testing.T) {
	dir, project := lab(t)
	good := filepath.Join(dir, "good.js")
	if err := os.WriteFile(good, []byte("function process(telemetry, executionContext) {\n  log(\"v2\");\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := twin(t, "udf", "set", "--project", project, "thrower", good); code != 0 {
		t.Fatal(stderr)
	}
	out, stderr, code := twin(t, "udf", "versions", "--project", project, "thrower")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "VERSION") || !strings.HasPrefix(lines[1], "2 (current)") ||
		!strings.HasPrefix(lines[2], "1 ") || stderr != "(2 versions of Thrower in /Lab; at most 50 previous ones are kept)\n" {
		t.Fatalf("versions: exit %d %q %q", code, out, stderr)
	}
	out, _, code = twin(t, "udf", "versions", "--project", project, "thrower", "--diff", "1")
	if code != 0 || !strings.HasPrefix(out, "--- version 1\n+++ version 2 (current)\n@@ ") || !strings.Contains(out, "\n+  log(\"v2\");\n") ||
		!strings.Contains(out, "\n-  log(\"fine\");\n") {
		t.Errorf("diff: exit %d\n%s", code, out)
	}
	out, stderr, code = twin(t, "udf", "restore", "--project", project, "thrower", "1")
	if code != 0 || out != "udf Thrower: version 1 restored as version 3\n" {
		t.Fatalf("restore: exit %d %q %q", code, out, stderr)
	}
	out, _, _ = twin(t, "udf", "run", "--project", project, "--udf", "Thrower", "--sensor", "T1", "--message", "35", "--dry-run")
	if !strings.Contains(out, "too hot: 35") {
		t.Errorf("the restored script did not run:\n%s", out)
	}
	for _, args := range [][]string{{"restore", "--project", project, "thrower", "9"}, {"versions", "--project", project, "thrower", "--diff", "9"}} {
		out, stderr, code := twin(t, append([]string{"udf"}, args...)...)
		if code != 1 || out != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, `"Thrower" has no version 9`) {
			t.Errorf("%v: exit %d %q %q", args, code, out, stderr)
		}
	}
}
