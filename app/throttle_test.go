package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// TestUDFThrottledThenSuspended: a goja UDF that loops forever hits its
// 100 ms limit on every message. After ThrottleAfter timeouts in a row it
// is throttled (its executions skipped for the backoff: the messages are
// still committed, quickly), after SuspendAfter more it is suspended, with
// a record and a UdfCustom event saying why; changing its script resumes
// it.
func TestUDFThrottledThenSuspended(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	write("stuck.js", "function process(telemetry, executionContext) { while (true) {} }\n")
	yml := write("stuck.yaml", stuckYAML)
	p := provision(t, ingressYAML, yml)
	a, err := app.Open(p.path, app.Options{Pipeline: engine.PipelineOptions{Workers: 2,
		Throttle: engine.UDFThrottle{ThrottleAfter: 2, SuspendAfter: 2, Backoff: 300 * time.Millisecond}}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	e := a.Engine()
	sub := e.Events().Subscribe(64, func(ev *engine.Event) bool { return ev.EventType == engine.EventUdfCustom })
	defer sub.Close()
	var udf engine.ID
	e.View(func(v *engine.View) error {
		for _, u := range v.UDFs() {
			if u.Name == "Stuck" {
				udf = u.ID
			}
		}
		return nil
	})
	send := func(v string) time.Duration {
		t.Helper()
		start := time.Now()
		tk, err := a.Pipeline().Submit(&engine.IngressMessage{Topic: engine.SensorTopic(devHW, co2HW), Payload: []byte(v),
			QoS: 1, Username: devHW, Received: time.Now()})
		if err == nil {
			err = tk.Wait()
		}
		if err != nil {
			t.Fatalf("message %s: %v", v, err)
		}
		return time.Since(start)
	}
	outcomes := func() []string {
		var out []string
		for _, r := range e.Records(udf) {
			out = append(out, r.Outcome)
		}
		return out
	}
	send("1")
	send("2") // second timeout: throttled
	if st := a.Pipeline().UDFState(udf); st != engine.OutcomeThrottled {
		t.Fatalf("after 2 timeouts the UDF's state is %q, want Throttled; records %v", st, outcomes())
	}
	// Skipped, not run: a run would leave a TimedOut record. Time is only
	// logged: a commit on a busy disk can take longer than the limit.
	before := outcomes()
	d := send("3")
	t.Logf("a message for the throttled UDF took %v", d)
	if got := outcomes(); len(got) != len(before) {
		t.Errorf("records %v after a message for the throttled UDF, were %v; want its execution skipped", got, before)
	}
	if v := p2value(t, a, co2HW); v != "3" {
		t.Errorf("sensor value %q while throttled, want 3 (the message is still applied)", v)
	}
	time.Sleep(350 * time.Millisecond)
	send("4") // runs, times out: throttled again (600 ms)
	time.Sleep(650 * time.Millisecond)
	send("5") // runs, times out: suspended
	if st := a.Pipeline().UDFState(udf); st != engine.OutcomeSuspended {
		t.Fatalf("state %q after 4 timeouts, want Suspended; records %v", st, outcomes())
	}
	got := strings.Join(outcomes(), ",")
	want := "TimedOut,TimedOut,Throttled,TimedOut,Throttled,TimedOut,Suspended"
	if got != want {
		t.Errorf("records %s, want %s", got, want)
	}
	recs := e.Records(udf)
	if last := recs[len(recs)-1]; !strings.Contains(last.Error, "suspended") || !strings.Contains(last.Error, "resume") {
		t.Errorf("suspension record's error %q does not say why and how to resume", last.Error)
	}
	select {
	case ev := <-sub.C:
		d, _ := ev.Data.(*engine.UdfCustomData)
		if d == nil || !strings.Contains(d.Payload, "Suspended") || d.TopologyObjectID != udf.String() {
			t.Errorf("UdfCustom event %+v, want the UDF's suspension", ev.Data)
		}
	case <-time.After(2 * time.Second):
		t.Error("no UdfCustom event for the suspension")
	}
	time.Sleep(700 * time.Millisecond) // past any backoff: still suspended
	d = send("6")
	t.Logf("a message for the suspended UDF took %v", d)
	if n := len(e.Records(udf)); n != len(recs) {
		t.Errorf("a suspended UDF ran: %d records, had %d", n, len(recs))
	}
	// A new script resumes it.
	write("stuck.js", "function process(telemetry, executionContext) { log('fixed'); }\n")
	if _, err := a.ProvisionFile(yml); err != nil {
		t.Fatal(err)
	}
	send("7")
	recs = e.Records(udf)
	if last := recs[len(recs)-1]; last.Outcome != engine.OutcomeOK {
		t.Errorf("after its script changed the UDF's last record is %s (%s), want Succeeded", last.Outcome, last.Error)
	}
	if st := a.Pipeline().UDFState(udf); st != "" {
		t.Errorf("state %q after the script changed, want running", st)
	}
}

func p2value(t *testing.T, a *app.App, hw string) string {
	t.Helper()
	var v string
	a.Engine().View(func(vw *engine.View) error {
		s, ok := vw.SensorByHardwareID(hw)
		if ok {
			val, _ := vw.SensorValue(s.ID)
			v = val.Value
		}
		return nil
	})
	return v
}

// TestUDFMemoryHogThrottled: a UDF stopped for memory (a string doubled
// in a loop, under a 10 s time limit it never reaches) counts toward
// throttling like a timeout, through provisioning, the pipeline and the
// goja runtime.
func TestUDFMemoryHogThrottled(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "stuck.js"), []byte(`function process(t, c) { var s = "x"; while (true) s += s; }`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	yml := filepath.Join(dir, "stuck.yaml")
	if err := os.WriteFile(yml, []byte(stuckYAML+"    timeLimit: 10s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := provision(t, ingressYAML, yml)
	a, err := app.Open(p.path, app.Options{Pipeline: engine.PipelineOptions{Workers: 2,
		Throttle: engine.UDFThrottle{ThrottleAfter: 2, SuspendAfter: 2, Backoff: time.Minute}}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	e := a.Engine()
	var udf engine.ID
	e.View(func(v *engine.View) error {
		for _, u := range v.UDFs() {
			if u.Name == "Stuck" {
				udf = u.ID
			}
		}
		return nil
	})
	for _, v := range []string{"1", "2"} {
		tk, err := a.Pipeline().Submit(&engine.IngressMessage{Topic: engine.SensorTopic(devHW, co2HW), Payload: []byte(v),
			QoS: 1, Username: devHW, Received: time.Now()})
		if err == nil {
			err = tk.Wait()
		}
		if err != nil {
			t.Fatalf("message %s: %v", v, err)
		}
	}
	var got []string
	for _, r := range e.Records(udf) {
		got = append(got, r.Outcome+": "+r.Error)
	}
	// The first hog is stopped for memory. The second starts in the heap
	// the first left (its bound is reckoned from it, garbage included):
	// on a loaded machine its 10 s time limit, or the grace after it, may
	// stop it first (seen in CI). Either way it timed out, and the memory
	// stop before it counted toward the throttle.
	if len(got) != 3 || got[0] != "TimedOut: stopped: used more than 64 MiB of memory" || !strings.HasPrefix(got[1], "TimedOut: ") ||
		!strings.HasPrefix(got[2], "Throttled: ") {
		t.Errorf("records %q; want a memory stop, a second timeout, then Throttled", got)
	}
	if len(got) > 1 && got[1] != got[0] {
		t.Logf("the second hog: %s", got[1])
	}
	if st := a.Pipeline().UDFState(udf); st != engine.OutcomeThrottled {
		t.Errorf("state %q, want Throttled", st)
	}
}
