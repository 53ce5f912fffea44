package app_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// failingYAML adds to the ingress project a UDF on the carbon dioxide
// sensor whose script is fail.js.
const failingYAML = `- name: Quickstart Building
  type: Venue
  matchers:
  - name: CO2
    dataTypeValue: CarbonDioxide
  userdefinedfunctions:
  - name: Thrower
    matcherNames: [CO2]
    script: fail.js
`

// failingProject provisions the ingress project with Thrower running
// script.
func failingProject(t *testing.T, script string) project {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "fail.js"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	yml := filepath.Join(dir, "fail.yaml")
	if err := os.WriteFile(yml, []byte(failingYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	return provision(t, ingressYAML, yml)
}

const throwJS = "function process(telemetry, executionContext) {\n  var v = JSON.parse(telemetry.Message);\n  throw new Error(\"bad reading \" + v);\n}\n"

func submitCO2(t *testing.T, a *app.App, payload string) {
	t.Helper()
	tk, err := a.Pipeline().Submit(&engine.IngressMessage{Topic: engine.SensorTopic(devHW, co2HW), Payload: []byte(payload),
		QoS: 1, Username: devHW, Received: time.Now()})
	if err == nil {
		err = tk.Wait()
	}
	if err != nil {
		t.Fatalf("message %s: %v", payload, err)
	}
}

func logLines(buf *syncBuffer, msg string) []string {
	var out []string
	for _, l := range strings.Split(buf.String(), "\n") {
		if strings.Contains(l, "msg="+strconv.Quote(msg)) || strings.Contains(l, "msg="+msg+" ") {
			out = append(out, l)
		}
	}
	return out
}

// TestUDFFailuresLogged: each failing execution of the pipeline's UDFs is
// a warning naming the UDF, its space, the outcome, the line and the
// message; a storm gives one line per window and one line counting what
// was suppressed; UDFFailures counts them all.
func TestUDFFailuresLogged(t *testing.T) {
	p := failingProject(t, throwJS)
	buf := &syncBuffer{}
	const every = 400 * time.Millisecond
	a, err := app.Open(p.path, app.Options{Logger: slog.New(slog.NewTextHandler(buf, nil)), UDFLogEvery: every})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	start := time.Now()
	for i := 0; i < 10; i++ {
		submitCO2(t, a, strconv.Itoa(400+i))
	}
	if time.Since(start) > every/2 {
		t.Skipf("10 messages took %v: too slow a machine for the window", time.Since(start))
	}
	failed := logLines(buf, "udf failed")
	if len(failed) != 1 {
		t.Fatalf("%d 'udf failed' lines for a storm of 10, want 1:\n%s", len(failed), buf.String())
	}
	for _, want := range []string{"level=WARN", "udf=Thrower", `space="/Quickstart Building"`, "outcome=Failed", "line=3", "column=",
		`error="Error: bad reading 400"`, "sensor=" + co2HW} {
		if !strings.Contains(failed[0], want) {
			t.Errorf("the line %q does not contain %q", failed[0], want)
		}
	}
	deadline := time.Now().Add(3 * every)
	for len(logLines(buf, "udf failures suppressed")) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	sup := logLines(buf, "udf failures suppressed")
	if len(sup) != 1 || !strings.Contains(sup[0], "udf=Thrower") || !strings.Contains(sup[0], "suppressed=9") {
		t.Fatalf("suppressed lines %q", sup)
	}
	// After the window, the next failure is a line again.
	time.Sleep(every + 50*time.Millisecond)
	submitCO2(t, a, "500")
	if failed := logLines(buf, "udf failed"); len(failed) != 2 || !strings.Contains(failed[1], "bad reading 500") {
		t.Errorf("after the window: %q", failed)
	}
	if got := a.UDFFailures(); !reflect.DeepEqual(got, []string{"Thrower=11"}) {
		t.Errorf("UDFFailures %q", got)
	}
}

// TestUDFTimeoutsLogged: timeouts and the Throttled and Suspended
// transitions are logged too (no rate limit here).
func TestUDFTimeoutsLogged(t *testing.T) {
	p := failingProject(t, "function process(telemetry, executionContext) {\n  while (true) {}\n}\n")
	buf := &syncBuffer{}
	a, err := app.Open(p.path, app.Options{Logger: slog.New(slog.NewTextHandler(buf, nil)), UDFLogEvery: time.Nanosecond,
		Pipeline: engine.PipelineOptions{Throttle: engine.UDFThrottle{ThrottleAfter: 2, SuspendAfter: 1, Backoff: time.Millisecond}}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for i := 0; i < 3; i++ {
		submitCO2(t, a, "1")
		time.Sleep(5 * time.Millisecond) // past the backoff
	}
	var outcomes []string
	for _, l := range logLines(buf, "udf failed") {
		i := strings.Index(l, "outcome=")
		outcomes = append(outcomes, strings.Fields(l[i+len("outcome="):])[0])
		if !strings.Contains(l, "udf=Thrower") {
			t.Errorf("line %q", l)
		}
	}
	want := []string{engine.OutcomeTimedOut, engine.OutcomeTimedOut, engine.OutcomeThrottled, engine.OutcomeTimedOut, engine.OutcomeSuspended}
	if !reflect.DeepEqual(outcomes, want) {
		t.Errorf("logged outcomes %v, want %v\n%s", outcomes, want, buf.String())
	}
	if got := a.UDFFailures(); !reflect.DeepEqual(got, []string{"Thrower=5"}) {
		t.Errorf("UDFFailures %q", got)
	}
}

// TestServeLogsUDFFailures: a real `twin serve` logs a failing UDF's
// executions and counts them in its shutdown line.
func TestServeLogsUDFFailures(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs twin serve")
	}
	p := failingProject(t, throwJS)
	s := serve(t, p.path)
	c, err := connect3(t, s.addr, "fail-test", devHW, p.key, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := publish3(t, c, shorthand(devHW, co2HW), 1, strconv.Itoa(700+i)); err != nil {
			t.Fatal(err)
		}
	}
	// A message for a sensor without UDFs does not count.
	if err := publish3(t, c, shorthand(devHW, motionHW), 1, "true"); err != nil {
		t.Fatal(err)
	}
	c.Disconnect(100)
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := s.wait(t); code != 0 {
		t.Fatalf("exit %d", code)
	}
	log := s.log.String()
	if n := strings.Count(log, `msg="udf failed" udf=Thrower space="/Quickstart Building" outcome=Failed line=3`); n != 1 {
		t.Errorf("%d 'udf failed' lines, want 1 (the others suppressed)", n)
	}
	if !strings.Contains(log, `msg="udf failures suppressed" udf=Thrower space="/Quickstart Building" suppressed=2`) {
		t.Errorf("no line counting the 2 suppressed failures")
	}
	if !strings.Contains(log, `udf_failures=Thrower=3`) && !strings.Contains(log, `udf_failures="Thrower=3"`) {
		t.Errorf("the shutdown line does not count 3 failures of Thrower")
	}
	if t.Failed() {
		t.Logf("twin serve log:\n%s", log)
	}
}
