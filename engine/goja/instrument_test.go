package goja_test

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	js "github.com/dop251/goja"
	"github.com/dop251/goja/file"

	"github.com/twinstudio/twinstudio/engine"
	tgoja "github.com/twinstudio/twinstudio/engine/goja"
)

var updateGolden = flag.Bool("update", false, "rewrite the trace golden files in testdata/")

// wrap wraps a script the way the runtime does, returning main.
func wrap(src string) string {
	return "(function(){" + src + "\n;return typeof main === 'function' ? main : undefined;})()"
}

// runTraced instruments src, runs main(args...) in a bare goja runtime
// with the real __trace hook, and returns the trace.
func runTraced(t *testing.T, src string, args ...any) (*engine.ExecutionRecord, js.Value, error) {
	t.Helper()
	out, err := tgoja.Instrument(src)
	if err != nil {
		t.Fatalf("Instrument: %v", err)
	}
	if strings.Count(out, "\n") != strings.Count(src, "\n") {
		t.Fatalf("instrumenting changed the number of lines:\n%s", out)
	}
	prg, err := js.Compile("t.js", wrap(out), false)
	if err != nil {
		t.Fatalf("instrumented source does not compile: %v\n%s", err, out)
	}
	rt := js.New()
	rec := &engine.ExecutionRecord{}
	rt.Set(tgoja.TraceHook, tgoja.TraceFunc(rt, func() *engine.ExecutionRecord { return rec }))
	v, err := rt.RunProgram(prg)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	fn, ok := js.AssertFunction(v)
	if !ok {
		t.Fatalf("no main")
	}
	vals := make([]js.Value, len(args))
	for i, a := range args {
		vals[i] = rt.ToValue(a)
	}
	res, err := fn(js.Undefined(), vals...)
	return rec, res, err
}

// render prints a trace one step a line with the full locals at each step
// (rebuilt from the recorded deltas): "line N: a=1, b=\"x\"".
func render(steps []engine.TraceStep) string {
	var b strings.Builder
	for i, s := range steps {
		b.WriteString("line ")
		b.WriteString(itoa(s.Line))
		b.WriteString(":")
		writeLocals(&b, engine.TraceLocals(steps, i))
		b.WriteString("\n")
	}
	return b.String()
}

// renderDelta prints a trace as recorded, one step a line: the line,
// the locals that changed and, after "gone:", those out of scope.
func renderDelta(steps []engine.TraceStep) string {
	var b strings.Builder
	for _, s := range steps {
		b.WriteString("line " + itoa(s.Line) + ":" + itoa(s.Column) + ":")
		if s.Skip > 0 {
			b.WriteString(" (after " + itoa(s.Skip) + " steps elsewhere)")
		}
		writeLocals(&b, s.Locals)
		if len(s.Gone) > 0 {
			b.WriteString(" gone: " + strings.Join(s.Gone, ", "))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func writeLocals(b *strings.Builder, locals map[string]string) {
	names := make([]string, 0, len(locals))
	for n := range locals {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(" " + n + "=" + locals[n])
	}
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

var traceCases = []struct {
	name string
	src  string
	args []any
	want string // the rendered trace
	res  string // main's result
}{
	{
		name: "unbraced if else",
		src: `function main(x) {
  var y = 0;
  if (x > 1) y = 1; else y = 2;
  if (x > 1)
    y += 10
  else if (x > 0)
    y += 20
  else
    y += 30
  return y;
}`,
		args: []any{1},
		want: `line 2: x=1, y=undefined
line 3: x=1, y=0
line 3: x=1, y=0
line 4: x=1, y=2
line 6: x=1, y=2
line 7: x=1, y=2
line 10: x=1, y=22
`,
		res: "22",
	},
	{
		name: "loops",
		src: `function main(n) {
  var s = 0;
  for (var i = 0; i < n; i++) s += i;
  while (s > 2) s--;
  do s++; while (s < 4)
  outer: for (let j = 0; j < 2; j++) {
    for (const k of [1, 2]) {
      if (k === 2) continue outer;
      s += k;
    }
  }
  for (var key in {a: 1}) s += key.length;
  return s;
}`,
		args: []any{3},
		want: `line 2: i=undefined, key=undefined, n=3, s=undefined
line 3: i=undefined, key=undefined, n=3, s=0
line 3: i=0, key=undefined, n=3, s=0
line 3: i=1, key=undefined, n=3, s=0
line 3: i=2, key=undefined, n=3, s=1
line 4: i=3, key=undefined, n=3, s=3
line 4: i=3, key=undefined, n=3, s=3
line 5: i=3, key=undefined, n=3, s=2
line 5: i=3, key=undefined, n=3, s=2
line 5: i=3, key=undefined, n=3, s=3
line 6: i=3, key=undefined, n=3, s=4
line 7: i=3, j=0, key=undefined, n=3, s=4
line 8: i=3, j=0, k=1, key=undefined, n=3, s=4
line 9: i=3, j=0, k=1, key=undefined, n=3, s=4
line 8: i=3, j=0, k=2, key=undefined, n=3, s=5
line 8: i=3, j=0, k=2, key=undefined, n=3, s=5
line 7: i=3, j=1, key=undefined, n=3, s=5
line 8: i=3, j=1, k=1, key=undefined, n=3, s=5
line 9: i=3, j=1, k=1, key=undefined, n=3, s=5
line 8: i=3, j=1, k=2, key=undefined, n=3, s=6
line 8: i=3, j=1, k=2, key=undefined, n=3, s=6
line 12: i=3, key=undefined, n=3, s=6
line 12: i=3, key="a", n=3, s=6
line 13: i=3, key="a", n=3, s=7
`,
		res: "7",
	},
	{
		name: "switch",
		src: `function main(x) {
  var out = [];
  switch (x) {
  case 1:
    out.push("one");
  case 2: {
    out.push("two");
    break;
  }
  default:
    let d = "default";
    out.push(d);
  }
  return out.join(",");
}`,
		args: []any{1},
		want: `line 2: out=undefined, x=1
line 3: out=[], x=1
line 5: out=[], x=1
line 7: out=["one"], x=1
line 8: out=["one","two"], x=1
line 14: out=["one","two"], x=1
`,
		res: "one,two",
	},
	{
		name: "try catch finally",
		src: `function main() {
  var log = [];
  try {
    log.push("try");
    throw new Error("boom");
  } catch (e) {
    log.push(e.message);
  } finally {
    log.push("finally");
  }
  try { log.push(1) } catch { log.push(2) }
  return log.join(" ");
}`,
		want: `line 2: log=undefined
line 3: log=[]
line 4: log=[]
line 5: log=["try"]
line 7: e=Error: boom, log=["try"]
line 9: log=["try","boom"]
line 11: log=["try","boom","finally"]
line 11: log=["try","boom","finally"]
line 12: log=["try","boom","finally",1]
`,
		res: "try boom finally 1",
	},
	{
		name: "nested functions and closures",
		src: `var TOP = 1; // a script-level name: not a local
function counter(start) {
  var n = start;
  return function step(by) { n += by; return n; };
}
function main() {
  var c = counter(10);
  c(1);
  return c(2);
}`,
		want: `line 7: c=undefined
line 3: n=undefined, start=10
line 4: n=10, start=10
line 8: c=function step()
line 4: by=1, n=10, start=10
line 4: by=1, n=11, start=10
line 9: c=function step()
line 4: by=2, n=11, start=10
line 4: by=2, n=13, start=10
`,
		res: "13",
	},
	{
		name: "arrow functions",
		src: `function main(list) {
  const double = x => x * 2;
  const obj = () => ({a: 1});
  const sum = list.map(double).reduce((a, b) => {
    return a + b;
  }, 0);
  return sum + obj().a;
}`,
		args: []any{[]int{1, 2}},
		want: `line 2: list=[1,2]
line 3: double=function double(), list=[1,2]
line 4: double=function double(), list=[1,2], obj=function obj()
line 2: double=function double(), list=[1,2], obj=function obj(), x=1
line 2: double=function double(), list=[1,2], obj=function obj(), x=2
line 5: a=0, b=2, double=function double(), list=[1,2], obj=function obj()
line 5: a=2, b=4, double=function double(), list=[1,2], obj=function obj()
line 7: double=function double(), list=[1,2], obj=function obj(), sum=6
line 3: double=function double(), list=[1,2], obj=function obj(), sum=6
`,
		res: "7",
	},
	{
		name: "braces in strings comments regexps templates",
		src: `function main(a) {
  var s = "}{" + '{'; // if (a) { } else {
  /* } } */ var re = /[{}]/g, t = ` + "`{${ {v: a}.v }}`" + `;
  if (a) s = s.replace(re, "") + t; else { s = "" }
  var q = (a) / 2 / 1;
  (function () { q++ })();
  return s + q;
}`,
		args: []any{3},
		want: `line 2: a=3, q=undefined, re=undefined, s=undefined, t=undefined
line 3: a=3, q=undefined, re=undefined, s="}{{", t=undefined
line 4: a=3, q=undefined, re=/[{}]/g, s="}{{", t="{3}"
line 4: a=3, q=undefined, re=/[{}]/g, s="}{{", t="{3}"
line 5: a=3, q=undefined, re=/[{}]/g, s="{3}", t="{3}"
line 6: a=3, q=1.5, re=/[{}]/g, s="{3}", t="{3}"
line 6: a=3, q=1.5, re=/[{}]/g, s="{3}", t="{3}"
line 7: a=3, q=2.5, re=/[{}]/g, s="{3}", t="{3}"
`,
		res: "{3}2.5",
	},
	{
		name: "let before its declaration",
		src: `function main() {
  var f = function () { return late; };
  let late = 5;
  return f();
}`,
		want: `line 2: f=undefined
line 3: f=function f()
line 4: f=function f(), late=5
line 2: f=function f(), late=5
`,
		res: "5",
	},
	{
		name: "directive and ASI",
		src: `function main() {
  "use strict";
  var self = (function () { return this })()
  var x = 1
  ;[1].forEach(function (v) { x += v })
  return typeof self + x
}`,
		want: `line 3: self=undefined, x=undefined
line 3: self=undefined, x=undefined
line 4: self=undefined, x=undefined
line 5: self=undefined, x=1
line 5: self=undefined, v=1, x=1
line 6: self=undefined, x=2
`,
		res: "undefined2",
	},
	{
		name: "unicode names",
		src: `function main(ä) {
  var \u0100 = ä + 1;
  return \u{100};
}`,
		args: []any{1},
		want: `line 2: ä=1, Ā=undefined
line 3: ä=1, Ā=2
`,
		res: "2",
	},
	{
		name: "getters are not called",
		src: `function main() {
  var calls = 0;
  var o = {get x() { calls++; return calls; }, y: [1]};
  Object.defineProperty(o.y, "0", {get() { calls += 10; return 2; }});
  var v = o.x;
  return calls;
}`,
		want: `line 2: calls=undefined, o=undefined, v=undefined
line 3: calls=0, o=undefined, v=undefined
line 4: calls=0, o={"x":[Getter],"y":[1]}, v=undefined
line 5: calls=0, o={"x":[Getter],"y":[[Getter]]}, v=undefined
line 3: calls=0, o={"x":[Getter],"y":[[Getter]]}, v=undefined
line 3: calls=1, o={"x":[Getter],"y":[[Getter]]}, v=undefined
line 6: calls=1, o={"x":[Getter],"y":[[Getter]]}, v=1
`,
		res: "1",
	},
	{
		name: "classes generators getters",
		src: `class Box {
  static count = 0;
  static { Box.count = 1; }
  constructor(v) { this.v = v; }
  get double() { return this.v * 2; }
}
function* gen(n) { for (let i = 0; i < n; i++) yield i; }
function main() {
  var b = new Box(2);
  var total = 0;
  for (const x of gen(2)) total += x;
  return b.double + total + Box.count;
}`,
		// The static block runs when the script loads (the runtime records
		// nothing then).
		want: `line 3:
line 9: b=undefined, total=undefined
line 4: v=2
line 10: b={"v":2}, total=undefined
line 11: b={"v":2}, total=0
line 7: n=2
line 7: i=0, n=2
line 11: b={"v":2}, total=0, x=0
line 7: i=1, n=2
line 11: b={"v":2}, total=0, x=1
line 12: b={"v":2}, total=1
line 5:
`,
		res: "6",
	},
}

func TestInstrumentTrace(t *testing.T) {
	for _, c := range traceCases {
		t.Run(c.name, func(t *testing.T) {
			rec, res, err := runTraced(t, c.src, c.args...)
			if err != nil {
				t.Fatalf("main: %v", err)
			}
			if got := render(rec.Trace); got != c.want {
				t.Errorf("trace:\n%s\nwant:\n%s", got, c.want)
			}
			if res.String() != c.res {
				t.Errorf("main returned %s, want %s", res, c.res)
			}
		})
	}
}

// TestInstrumentSameResult: an instrumented script computes what the
// original computes.
func TestInstrumentSameResult(t *testing.T) {
	for _, c := range traceCases {
		rt := js.New()
		v, err := rt.RunString(wrap(c.src))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		fn, _ := js.AssertFunction(v)
		vals := make([]js.Value, len(c.args))
		for i, a := range c.args {
			vals[i] = rt.ToValue(a)
		}
		res, err := fn(js.Undefined(), vals...)
		if err != nil || res.String() != c.res {
			t.Errorf("%s: original returned %v, %v; want %s", c.name, res, err, c.res)
		}
	}
}

func TestInstrumentSyntaxError(t *testing.T) {
	src := "function process() {\n  var = ;\n}"
	out, err := tgoja.Instrument(src)
	if err != nil || out != src {
		t.Errorf("a script that does not parse must come back unchanged: %q, %v", out, err)
	}
}

func TestColumnMap(t *testing.T) {
	src := "function main(a) {\n  if (a) a.b.c = 1; else null.x = 2;\n}"
	errorAt := func(script string) file.Position {
		rt := js.New()
		rt.Set(tgoja.TraceHook, func(js.FunctionCall) js.Value { return js.Undefined() })
		v, err := rt.RunString(wrap(script))
		if err != nil {
			t.Fatal(err)
		}
		fn, _ := js.AssertFunction(v)
		_, err = fn(js.Undefined(), rt.ToValue(0))
		ex, ok := err.(*js.Exception)
		if !ok {
			t.Fatalf("want a TypeError, got %v", err)
		}
		return ex.Stack()[0].Position()
	}
	out, cm, err := tgoja.InstrumentMap(src)
	if err != nil {
		t.Fatal(err)
	}
	want, got := errorAt(src), errorAt(out)
	if got.Line != want.Line || got.Column == want.Column {
		t.Fatalf("original %v, instrumented %v", want, got)
	}
	if c := cm.Original(got.Line, got.Column); c != want.Column {
		t.Errorf("column %d maps to %d, want %d", got.Column, c, want.Column)
	}
	if got := cm.Original(5, 7); got != 7 {
		t.Errorf("a line without insertions: %d", got)
	}
	if got := cm.Original(2, 3); got != 3 {
		t.Errorf("text inserted at column 3 maps to %d", got)
	}
}

func TestTraceLimits(t *testing.T) {
	src := `function main() {
  var big = "x".repeat(100000);
  var list = [];
  for (var i = 0; i < 100; i++) list.push({i: i, self: null});
  list[0].self = list[0];
  var n = 0;
  while (n < 20000) n++;
  return n;
}`
	rec, _, err := runTraced(t, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Trace) != tgoja.MaxTraceSteps {
		t.Errorf("%d steps", len(rec.Trace))
	}
	if len(rec.Logs) != 1 || !strings.Contains(rec.Logs[0], "stopped recording") {
		t.Errorf("logs %q", rec.Logs)
	}
	if rec.TraceDropped == 0 {
		t.Error("the record does not say the trace was cut")
	}
	st := engine.TraceStep{Locals: engine.TraceLocals(rec.Trace, 110)}
	if v := st.Locals["big"]; len(v) > tgoja.MaxTraceValue+len("…") || !strings.HasSuffix(v, "…") {
		t.Errorf("big: %d bytes", len(v))
	}
	if v := st.Locals["list"]; !strings.Contains(v, `{"i":0,"self":[Circular]}`) || !strings.HasSuffix(v, "…]") {
		t.Errorf("list: %s", v)
	}
	total := 0
	for _, s := range rec.Trace {
		for k, v := range s.Locals {
			total += len(k) + len(v)
		}
	}
	if total > 16<<20 {
		t.Errorf("the trace holds %d bytes of locals", total)
	}
}

// TestTraceInterrupt: the default time limit stops a traced script that
// is running, even while the hook reads locals (one of them an object
// whose getter never returns).
func TestTraceInterrupt(t *testing.T) {
	a := quickstart(t)
	var udf engine.UDF
	var motion *engine.Sensor
	a.Engine().View(func(v *engine.View) error {
		udf = *v.UDFs()[0]
		motion, _ = v.SensorByHardwareID("SAMPLE_SENSOR_MOTION")
		return nil
	})
	udf.Script = "function process(t, c) {\n  var o = {get x() { while (true) {} }};\n  var n = 0;\n  while (true) {\n    n++; o;\n  }\n}"
	udf.Updated = time.Now()
	if err := a.Engine().Update(func(tx *engine.Tx) error { return tx.PutUDF(&udf) }); err != nil {
		t.Fatal(err)
	}
	rec, err := a.Engine().RunUDF(udf.ID, motion.ID, "1", false, true)
	if err != nil {
		t.Fatal(err)
	}
	checkStoppedAtDefault(t, rec)
	// It was stopped in the loop, not before it: the trace has steps of
	// the loop's body.
	inLoop := 0
	for _, st := range rec.Trace {
		if st.Line == 5 {
			inLoop++
		}
	}
	if inLoop < 2 {
		t.Errorf("%d traced steps, %d in the loop: the script was not running when stopped", len(rec.Trace), inLoop)
	}
}

func TestFormatLocal(t *testing.T) {
	rt := js.New()
	cases := map[string]string{
		`undefined`:               "undefined",
		`null`:                    "null",
		`"a\"b"`:                  `"a\"b"`,
		`1.5`:                     "1.5",
		`0/0`:                     "NaN",
		`true`:                    "true",
		`[1, "x", [null]]`:        `[1,"x",[null]]`,
		`({a: {b: {c: {d: 1}}}})`: `{"a":{"b":{"c":{…}}}}`,
		`(function named() {})`:   "function named()",
		`new TypeError("no")`:     "TypeError: no",
		`new Date(0)`:             `"1970-01-01T00:00:00Z"`,
		`/x/g`:                    "/x/g",
		`({get boom() { throw new Error("g") }})`:                                                 `{"boom":[Getter]}`,
		`(function () { var e = new RangeError("r"); e.name = "Custom"; return e })()`:            "Custom: r",
		`(function () { class E extends Error { get message() { throw 1 } }; return new E() })()`: "Error",
	}
	for src, want := range cases {
		v, err := rt.RunString(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if got := tgoja.FormatLocal(rt, v, 0); got != want {
			t.Errorf("%s: %s, want %s", src, got, want)
		}
	}
}

var timeRE = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)

// TestTraceGoldenAvailability traces the quickstart's availability UDF,
// unmodified, through the runtime.
func TestTraceGoldenAvailability(t *testing.T) {
	a := quickstart(t)
	var udf *engine.UDF
	var motion, co2 *engine.Sensor
	a.Engine().View(func(v *engine.View) error {
		udf = v.UDFs()[0]
		motion, _ = v.SensorByHardwareID("SAMPLE_SENSOR_MOTION")
		co2, _ = v.SensorByHardwareID("SAMPLE_SENSOR_CARBONDIOXIDE")
		return nil
	})
	steps := func(sensor *engine.Sensor, msg string, apply bool) string {
		t.Helper()
		rec, err := a.Engine().RunUDF(udf.ID, sensor.ID, msg, apply, true)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Outcome != engine.OutcomeOK {
			t.Fatalf("outcome %s: %s", rec.Outcome, rec.Error)
		}
		if len(rec.Trace) == 0 {
			t.Fatal("a traced execution recorded no trace")
		}
		s := renderDelta(rec.Trace)
		s = guidRE.ReplaceAllString(s, "<id>")
		return timeRE.ReplaceAllString(s, "<time>")
	}
	// First message: no CO2 value yet, the UDF notifies an error.
	goldenFile(t, "trace_availability_first", steps(motion, `{"SensorValue":"false"}`, true))
	steps(co2, `{"SensorValue":"800"}`, true)
	goldenFile(t, "trace_availability_motion", steps(motion, `{"SensorValue":"true"}`, false))
}

var guidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

func goldenFile(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./engine/goja -run Golden -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

// compiles reports whether src compiles wrapped as the runtime wraps it.
// goja's parser itself panics on some inputs (e.g. "function 08[...{"):
// those count as not compiling.
func compiles(src string) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	_, err := js.Compile("f.js", wrap(src), false)
	return err == nil
}

// FuzzInstrument: Instrument never panics, keeps the number of lines, and
// whatever compiles still compiles once instrumented.
func FuzzInstrument(f *testing.F) {
	for _, c := range traceCases {
		f.Add(c.src)
	}
	if b, err := os.ReadFile("../../examples/quickstart/userDefinedFunctions/availability.js"); err == nil {
		f.Add(string(b))
	}
	for _, s := range []string{
		"function f(){ if (a) b(); else if (c) d(); else e() }",
		"function f(){ l: while (x) { if (y) continue l; else break l } }",
		"function f(){ return (a, b) }",
		"function f(){ x = `a${ `b${ {c: 1}.c }` }`; }",
		"function f(){ var a = 1 / 2 /* / */ / 3 }",
		"function f(){ if (a) function g() {} }",
		"function f(){ do x++; while (x < 3) y() }",
		"function f(){ if (a) x\v++; else (y) /* c */ --\n}",
		"async function f(){ await (async () => 1)(); for await (const x of y) z(x) }",
		"function f(){ with (o) if (p) q() }",
		"function f(a = () => 1, {b, c: [d] = []} = {}, ...e) { return a() + b + d + e }",
		"function f(){ if (x) \\u0061 = 1; else \\u{62} = 2 }",
		"function f(){ if (x) return\n  y\n}",
		"function f(){ class A { #p = 1; m() { return this.#p } }; if (a) new A().m() }",
		"function f(){ x ? y : z; a?.b?.(); tag`t${1}` }",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		out, err := tgoja.Instrument(src)
		if !compiles(src) {
			return
		}
		if err != nil {
			t.Fatalf("Instrument(%q): %v", src, err)
		}
		if strings.Count(out, "\n") != strings.Count(src, "\n") {
			t.Fatalf("Instrument(%q) changed the number of lines:\n%s", src, out)
		}
		if _, cerr := js.Compile("f.js", wrap(out), false); cerr != nil {
			t.Fatalf("Instrument(%q) does not compile: %v\n%s", src, cerr, out)
		}
	})
}

// TestTraceRuntimeError: a traced execution that fails reports the error
// where the untraced one does (the runtime maps columns back).
func TestTraceRuntimeError(t *testing.T) {
	a := quickstart(t)
	var udf *engine.UDF
	var motion *engine.Sensor
	a.Engine().View(func(v *engine.View) error {
		udf = v.UDFs()[0]
		motion, _ = v.SensorByHardwareID("SAMPLE_SENSOR_MOTION")
		return nil
	})
	u := *udf
	u.ID = engine.NewID()
	u.Name = "Failing"
	u.MatcherIDs = nil
	u.Script = "function check(v) {\n  if (v) return v.length; else return null.length;\n}\nfunction process(telemetry, executionContext) {\n  var n = check(telemetry.Message);\n  n = check(null);\n}\n"
	u.Updated = time.Now()
	if err := a.Engine().Update(func(tx *engine.Tx) error { return tx.PutUDF(&u) }); err != nil {
		t.Fatal(err)
	}
	plain, err := a.Engine().RunUDF(u.ID, motion.ID, "x", false, false)
	if err != nil {
		t.Fatal(err)
	}
	traced, err := a.Engine().RunUDF(u.ID, motion.ID, "x", false, true)
	if err != nil {
		t.Fatal(err)
	}
	if plain.Outcome != engine.OutcomeFailed || traced.Outcome != engine.OutcomeFailed || plain.Line != 2 {
		t.Fatalf("plain %+v\ntraced %+v", plain, traced)
	}
	if len(traced.Trace) == 0 {
		t.Fatal("a traced execution recorded no trace")
	}
	if len(plain.Trace) != 0 {
		t.Errorf("an execution without tracing recorded %d steps", len(plain.Trace))
	}
	if traced.Error != plain.Error || traced.Line != plain.Line || traced.Column != plain.Column || traced.Stack != plain.Stack {
		t.Errorf("traced error %q at %d:%d\n%s\nuntraced %q at %d:%d\n%s", traced.Error, traced.Line, traced.Column, traced.Stack,
			plain.Error, plain.Line, plain.Column, plain.Stack)
	}
	var lines []string
	for i, st := range traced.Trace {
		full := engine.TraceLocals(traced.Trace, i)
		lines = append(lines, itoa(st.Line)+" v="+full["v"]+" n="+full["n"])
	}
	if got := strings.Join(lines, "; "); got != `5 v= n=undefined; 2 v="x" n=; 2 v="x" n=; 6 v= n=1; 2 v=null n=; 2 v=null n=` {
		t.Errorf("trace: %s", got)
	}
}

// TestTraceDelta: a step records only the locals that changed since its
// base step, so process's arguments are recorded once even when a helper
// is called in a loop, and the full locals are rebuilt at every step.
func TestTraceDelta(t *testing.T) {
	src := `function main(telemetry, executionContext) {
  var sum = 0;
  for (var i = 0; i < 3; i++) {
    sum = add(sum, i);
  }
  return sum;
}
function add(a, b) {
  return a + b;
}`
	type telemetry struct{ SensorId, Message string }
	rec, _, err := runTraced(t, src, telemetry{"s1", "true"}, map[string]any{"CorrelationId": "c1"})
	if err != nil {
		t.Fatal(err)
	}
	recorded := 0
	for i, st := range rec.Trace {
		if _, ok := st.Locals["telemetry"]; ok {
			recorded++
		}
		full := engine.TraceLocals(rec.Trace, i)
		_, inMain := full["sum"]
		if inMain != (full["telemetry"] == `{"SensorId":"s1","Message":"true"}`) || inMain == (full["a"] != "") {
			t.Errorf("step %d (line %d): locals %v", i, st.Line, full)
		}
	}
	if recorded != 1 {
		t.Errorf("telemetry recorded at %d steps, want 1", recorded)
	}
	want := "line 2:3: executionContext={\"CorrelationId\":\"c1\"}, i=undefined, sum=undefined, telemetry={\"SensorId\":\"s1\",\"Message\":\"true\"}\n" +
		"line 3:3: sum=0\n" +
		"line 4:5: i=0\n" +
		"line 9:3: a=0, b=0 gone: executionContext, i, sum, telemetry\n" +
		"line 4:5: (after 1 steps elsewhere) i=1\n" +
		"line 9:3: (after 1 steps elsewhere) b=1\n" +
		"line 4:5: (after 1 steps elsewhere) i=2, sum=1\n" +
		"line 9:3: (after 1 steps elsewhere) a=1, b=2\n" +
		"line 6:3: (after 1 steps elsewhere) i=3, sum=3\n"
	if got := renderDelta(rec.Trace); got != want {
		t.Errorf("trace:\n%s\nwant:\n%s", got, want)
	}
}

// TestTraceManyLocals: a step records at most MaxTraceLocals locals, and
// the record says more were in scope.
func TestTraceManyLocals(t *testing.T) {
	var b strings.Builder
	b.WriteString("function main() {\n  var ")
	for i := 0; i < tgoja.MaxTraceLocals+8; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("v" + itoa(100+i) + " = " + itoa(i))
	}
	b.WriteString(";\n  return 1;\n}")
	rec, _, err := runTraced(t, b.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Trace) != 2 {
		t.Fatalf("%d steps", len(rec.Trace))
	}
	if n := len(engine.TraceLocals(rec.Trace, 1)); n != tgoja.MaxTraceLocals {
		t.Errorf("%d locals recorded, want %d", n, tgoja.MaxTraceLocals)
	}
	if len(rec.Logs) != 1 || !strings.Contains(rec.Logs[0], "only the first 32 are recorded") {
		t.Errorf("logs %q", rec.Logs)
	}
}

// TestTraceColumns: each step has the column of its statement in the
// original source, on the first line too (after the wrapper's head).
func TestTraceColumns(t *testing.T) {
	rec, _, err := runTraced(t, "function main() { var a = 1; return a; }")
	if err != nil {
		t.Fatal(err)
	}
	if got := renderDelta(rec.Trace); got != "line 1:19: a=undefined\nline 1:30: a=1\n" {
		t.Errorf("trace:\n%s", got)
	}
}
