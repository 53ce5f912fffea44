package app_test

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// loopScript has a loop and a call, so that its trace goes round a line
// several times and leaves process's scope and comes back.
const loopScript = `function process(telemetry, executionContext) {
  var total = 0;
  for (var i = 0; i < 3; i++) {
    total += i;
  }
  var label = twice(total);
  return label;
}
function twice(n) {
  var r = n * 2;
  return r;
}
`

// tracedRun runs script as the project's UDF, dry and traced, for the
// motion sensor, with real goja; limit, if not 0, is the UDF's time limit.
func tracedRun(t *testing.T, script string, limit time.Duration) *engine.ExecutionRecord {
	t.Helper()
	p := provision(t, "../examples/quickstart/provision.yaml")
	a, err := app.Open(p.path, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var udf engine.ID
	a.Engine().View(func(v *engine.View) error {
		udf = v.UDFs()[0].ID
		return nil
	})
	if _, err := a.SetUDFScript(udf, "loop.js", script); err != nil {
		t.Fatal(err)
	}
	err = a.Engine().Update(func(tx *engine.Tx) error {
		u, _ := tx.View.UDF(udf)
		c := *u
		c.TimeLimit = limit
		return tx.PutUDF(&c)
	})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := a.Engine().RunUDF(udf, p.motion, "true", false, true)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Outcome != engine.OutcomeOK {
		t.Fatalf("%s: %s", rec.Outcome, rec.Error)
	}
	return rec
}

// show renders a step's position and its locals other than process's
// arguments (whose presence is shown as "+args").
func show(st app.Step) string {
	names := make([]string, 0, len(st.Locals))
	for n := range st.Locals {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "#%d %d:%d", st.Index, st.Line, st.Column)
	for _, n := range names {
		if n == "telemetry" || n == "executionContext" {
			continue
		}
		b.WriteString(" " + n + "=" + st.Locals[n])
	}
	if st.Locals["telemetry"] != "" && st.Locals["executionContext"] != "" {
		b.WriteString(" +args")
	}
	return b.String()
}

// TestStepper steps through a real traced execution of a script with a
// loop and a call: forward and back with the locals at each step, run to
// line, breakpoints both ways, and the ends.
func TestStepper(t *testing.T) {
	rec := tracedRun(t, loopScript, 0)
	steps := []string{
		"#0 2:3 i=undefined label=undefined total=undefined +args",
		"#1 3:3 i=undefined label=undefined total=0 +args",
		"#2 4:5 i=0 label=undefined total=0 +args",
		"#3 4:5 i=1 label=undefined total=0 +args",
		"#4 4:5 i=2 label=undefined total=1 +args",
		"#5 6:3 i=3 label=undefined total=3 +args",
		"#6 10:3 n=3 r=undefined",
		"#7 11:3 n=3 r=6",
		"#8 7:3 i=3 label=6 total=3 +args",
	}
	s := app.NewStepper(rec)
	if s.Len() != len(steps) {
		t.Fatalf("%d steps, want %d", s.Len(), len(steps))
	}
	cur := func() string {
		t.Helper()
		st, ok := s.Current()
		if !ok {
			t.Fatal("no current step")
		}
		return show(st)
	}
	for i, want := range steps {
		if got := cur(); got != want {
			t.Errorf("forward, step %d: %s, want %s", i, got, want)
		}
		if ok := s.Forward(); ok != (i < len(steps)-1) {
			t.Errorf("forward from step %d: %v", i, ok)
		}
	}
	for i := len(steps) - 1; i >= 0; i-- {
		if got := cur(); got != steps[i] {
			t.Errorf("back, step %d: %s, want %s", i, got, steps[i])
		}
		if ok := s.Back(); ok != (i > 0) {
			t.Errorf("back from step %d: %v", i, ok)
		}
	}
	if st, _ := s.Current(); !reflect.DeepEqual(st.Changed, []string{"executionContext", "i", "label", "telemetry", "total"}) {
		t.Errorf("changed at the first step: %q", st.Changed)
	}

	ops := []struct {
		name string
		op   func() bool
		ok   bool
		at   int
	}{
		{"run to line 4", func() bool { return s.RunToLine(4) }, true, 2},
		{"run to line 4 again", func() bool { return s.RunToLine(4) }, true, 3},
		{"run to line 10", func() bool { return s.RunToLine(10) }, true, 6},
		{"run to line 4, none later", func() bool { return s.RunToLine(4) }, false, 6},
		{"run to line 99", func() bool { return s.RunToLine(99) }, false, 6},
		{"last", func() bool { s.Last(); return true }, true, 8},
		{"forward at the end", s.Forward, false, 8},
		{"continue without breakpoints", func() bool { return s.ContinueBack() }, false, 8},
		{"toggle 4 on", func() bool { return s.Toggle(4) }, true, 8},
		{"toggle 11 on", func() bool { return s.Toggle(11) }, true, 8},
		{"continue back to 11", s.ContinueBack, true, 7},
		{"continue back to the last 4", s.ContinueBack, true, 4},
		{"continue back to 4", s.ContinueBack, true, 3},
		{"continue back to the first 4", s.ContinueBack, true, 2},
		{"continue back, none before", s.ContinueBack, false, 2},
		{"continue to 4", s.Continue, true, 3},
		{"toggle 4 off", func() bool { return s.Toggle(4) }, false, 3},
		{"continue to 11", s.Continue, true, 7},
		{"continue, none after", s.Continue, false, 7},
		{"first", func() bool { s.First(); return true }, true, 0},
		{"back at the start", s.Back, false, 0},
	}
	for _, o := range ops {
		if ok := o.op(); ok != o.ok {
			t.Errorf("%s: %v, want %v", o.name, ok, o.ok)
		}
		if st, _ := s.Current(); st.Index != o.at || show(st) != steps[o.at] {
			t.Errorf("%s: at %s, want %s", o.name, show(st), steps[o.at])
		}
	}
	if got := s.Breakpoints(); !reflect.DeepEqual(got, []int{11}) {
		t.Errorf("breakpoints %v", got)
	}
	if cut, n := s.Cut(); cut || n != 0 || s.CutNote() != "" {
		t.Errorf("a short trace is cut: %v %d %q", cut, n, s.CutNote())
	}
}

// TestStepperCut: a loop longer than the trace's limit is cut; the
// Stepper says so and still steps to the last recorded step.
func TestStepperCut(t *testing.T) {
	rec := tracedRun(t, `function process(telemetry, executionContext) {
  var n = 0;
  while (n < 20000) n++;
  return n;
}
`, app.TraceTimeLimit)
	s := app.NewStepper(rec)
	cut, dropped := s.Cut()
	if !cut || dropped == 0 || s.Len() != 10000 {
		t.Fatalf("cut %v, %d dropped, %d steps", cut, dropped, s.Len())
	}
	if note := s.CutNote(); !strings.Contains(note, "cut after 10000 steps") {
		t.Errorf("note %q", note)
	}
	s.Last()
	if st, ok := s.Current(); !ok || st.Index != 9999 || st.Line != 3 || st.Locals["n"] != "9997" || st.Locals["telemetry"] == "" {
		t.Errorf("last step %s", show(st))
	}
	if s.RunToLine(2) {
		t.Error("ran to a line only before the current step")
	}
}

func TestStepperEmpty(t *testing.T) {
	s := app.NewStepper(&engine.ExecutionRecord{})
	if _, ok := s.Current(); ok || s.Forward() || s.Back() || s.Continue() || s.RunToLine(1) {
		t.Error("an empty trace has a step")
	}
	s.Last()
	if _, ok := s.Current(); ok {
		t.Error("an empty trace has a last step")
	}
}
