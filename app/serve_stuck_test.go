package app_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// stuckForeverYAML adds to the ingress project a UDF on the carbon
// dioxide sensor with the longest time limit the runtime allows (10 s):
// an execution stuck in Go holds its device's worker that long before the
// runtime gives up on it, longer than the shutdown deadline.
const stuckForeverYAML = stuckYAML + "    timeLimit: 10s\n"

// TestServeSIGTERMWithStuckUDF: a real `twin serve`, built with the tag
// twinstuck, whose UDF is stuck in Go (__blockForever, which no interrupt
// stops) stops on SIGTERM within its shutdown deadline: the pipeline
// gives up on the stuck worker and says so in the log, the stuck message
// is neither acknowledged nor applied, and every value acknowledged before
// is in the durable history when the project is served again. The normal
// build of the same binary has no __blockForever.
func TestServeSIGTERMWithStuckUDF(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs twin serve")
	}
	dir := t.TempDir()
	js := `function process(telemetry, executionContext) {
    if (telemetry.Message === "999") {
        __blockForever();
    }
}
`
	if err := os.WriteFile(filepath.Join(dir, "stuck.js"), []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	yml := filepath.Join(dir, "stuck.yaml")
	if err := os.WriteFile(yml, []byte(stuckForeverYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	p := provision(t, ingressYAML, yml)
	s := serveBin(t, buildTwinTags(t, "twinstuck"), p.path)
	c, err := connect3(t, s.addr, "stuck-test", devHW, p.key, nil)
	if err != nil {
		t.Fatal(err)
	}
	topic := shorthand(devHW, co2HW)
	var acked []string
	for i := 0; i < 5; i++ {
		v := strconv.Itoa(400 + i)
		if err := publish3(t, c, topic, 1, v); err != nil {
			t.Fatal(err)
		}
		acked = append(acked, v)
	}
	// The worker is stuck: no PUBACK within well over the UDF's first
	// second (a regular expression would have timed out long before).
	if tok := c.Publish(topic, 1, false, "999"); tok.WaitTimeout(time.Second) {
		t.Fatalf("the stuck message was acknowledged (%v): the UDF is not stuck", tok.Error())
	}
	start := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code := s.wait(t)
	el := time.Since(start)
	t.Logf("twin serve exited %d, %v after SIGTERM", code, el)
	// The shutdown deadline is 4 s; the runtime would give up on the
	// execution only after 10.5 s.
	if el > 6*time.Second {
		t.Errorf("twin serve took %v to stop after SIGTERM; want within about 5 s", el)
	}
	if code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
	log := s.log.String()
	if !strings.Contains(log, "abandoned_devices=["+devHW+"]") {
		t.Errorf("the log does not name the abandoned device %s", devHW)
	}
	if !strings.Contains(log, "msg=stopped") {
		t.Errorf("no 'stopped' line in the log")
	}
	if t.Failed() {
		t.Logf("twin serve log:\n%s", log)
	}

	// Served again, the project opens and stops cleanly.
	s = serve(t, p.path)
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := s.wait(t); code != 0 {
		t.Errorf("served again: exit status %d\n%s", code, s.log.String())
	}
	hist := durableHistory(t, p.path, p.co2)
	have := map[string]bool{}
	for _, v := range hist {
		have[v] = true
	}
	for _, v := range acked {
		if !have[v] {
			t.Errorf("acknowledged value %s is not in the durable history %v", v, hist)
		}
	}
	if have["999"] {
		t.Errorf("the abandoned message was applied: history %v", hist)
	}

	// The normal build has no __blockForever.
	out, _ := exec.Command(buildTwin(t), "udf", "run", "--project", p.path, "--udf", "Stuck",
		"--sensor", co2HW, "--message", "999", "--dry-run").CombinedOutput()
	if !strings.Contains(string(out), "__blockForever is not defined") {
		t.Errorf("the normal build's UDF runtime: want a ReferenceError for __blockForever, got\n%s", out)
	}
}
