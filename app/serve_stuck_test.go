package app_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeSIGTERMWithStuckUDF: a real `twin serve` whose UDF is stuck in
// a built-in that ignores the time limit (a backtracking regular
// expression) stops on SIGTERM within its shutdown bound, with a log line
// saying what it gave up, and every value acknowledged before is in the
// durable history.
func TestServeSIGTERMWithStuckUDF(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs twin serve")
	}
	dir := t.TempDir()
	js := `function process(telemetry, executionContext) {
    if (telemetry.Message === "999") {
        /^(?!x)(a+)+$/.test("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!");
    }
}
`
	if err := os.WriteFile(filepath.Join(dir, "stuck.js"), []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	yml := filepath.Join(dir, "stuck.yaml")
	if err := os.WriteFile(yml, []byte(stuckYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	p := provision(t, ingressYAML, yml)
	s := serve(t, p.path)
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
	c.Publish(topic, 1, false, "999") // its PUBACK never comes: the UDF is stuck
	time.Sleep(500 * time.Millisecond)
	start := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code := s.wait(t)
	el := time.Since(start)
	t.Logf("twin serve exited %d, %v after SIGTERM", code, el)
	if el > 6*time.Second {
		t.Errorf("twin serve took %v to stop after SIGTERM; want within about 5 s", el)
	}
	if code != 0 {
		t.Errorf("exit status %d, want 0\n%s", code, s.log.String())
	}
	if !strings.Contains(s.log.String(), "msg=stopped") {
		t.Errorf("no 'stopped' line in the log:\n%s", s.log.String())
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
}
