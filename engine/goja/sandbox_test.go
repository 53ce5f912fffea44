package goja_test

import (
	"fmt"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/goja"
	"github.com/twinstudio/twinstudio/internal/testkit"
)

// sandbox is a quickstart project and a way to run one-off UDFs on it.
type sandbox struct {
	a      *testkit.Project
	rt     *goja.Runtime
	udf    engine.UDF // the quickstart's availability UDF
	motion *engine.Sensor
	room   engine.ID
	n      int
	memMiB int // memoryLimitMiB of the UDFs put makes
}

func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	rt := goja.New(goja.Options{})
	s := &sandbox{rt: rt, a: testkit.Example(t, testkit.ExampleQuickstart, testkit.Options{UDF: rt})}
	s.a.Engine().View(func(v *engine.View) error {
		s.udf = *v.UDFs()[0]
		s.motion, _ = v.SensorByHardwareID("SAMPLE_SENSOR_MOTION")
		id, err := v.ResolveSpace("/Quickstart Building/Floor 1/Focus Room A1")
		if err != nil {
			t.Fatal(err)
		}
		s.room = id
		return nil
	})
	return s
}

// put stores a new UDF with script and no matchers; role "/" gives it
// SpaceAdministrator on the root, "" no role at all.
func (s *sandbox) put(t *testing.T, name, script, role string, limit time.Duration) engine.ID {
	t.Helper()
	u := s.udf
	s.n++
	u.ID, u.Name, u.MatcherIDs, u.Script, u.Updated, u.TimeLimit = engine.NewID(), fmt.Sprintf("%s%d", name, s.n), nil, script, time.Now(), limit
	u.MemoryLimitMiB = s.memMiB
	if err := s.a.Engine().Update(func(tx *engine.Tx) error { return tx.PutUDF(&u) }); err != nil {
		t.Fatal(err)
	}
	if role != "" {
		ra := &engine.RoleAssignment{RoleID: engine.RoleSpaceAdministrator, ObjectID: u.ID.String(), ObjectIDType: engine.ObjectUserDefinedFunctionID, Path: role}
		if err := s.a.Engine().Update(func(tx *engine.Tx) error { return tx.PutRoleAssignment(ra) }); err != nil {
			t.Fatal(err)
		}
	}
	return u.ID
}

// run runs UDF id once on the motion sensor (applying its output) and
// returns the record and how long it took.
func (s *sandbox) run(t *testing.T, id engine.ID) (*engine.ExecutionRecord, time.Duration) {
	t.Helper()
	start := time.Now()
	rec, err := s.a.Engine().RunUDF(id, s.motion.ID, `{"SensorValue":"true"}`, true, false)
	if err != nil {
		t.Fatal(err)
	}
	return rec, time.Since(start)
}

// healthy checks that the quickstart UDF still works on the same engine
// and runtime.
func (s *sandbox) healthy(t *testing.T) {
	t.Helper()
	send(t, s.a, "SAMPLE_SENSOR_CARBONDIOXIDE", `{"SensorValue":"500"}`)
	send(t, s.a, "SAMPLE_SENSOR_MOTION", `{"SensorValue":"false"}`)
	if got := roomValue(t, s.a); got != "Room is available and air is fresh" {
		t.Fatalf("the quickstart UDF no longer works: room %q", got)
	}
}

const nested = "var a = []; for (var i = 0; i < 300000; i++) { a = [a]; }\n"

// TestNoStackOverflow: built-ins that recurse in Go on the script's data
// fail with a clear error instead of overflowing Go's stack (which kills
// the process). The test lowers the process's stack limit to 64 MB so that
// the nesting a script builds within its time limit would overflow it.
func TestNoStackOverflow(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(64 << 20))
	s := newSandbox(t)
	// The nesting takes more than the default memory limit: the ceiling
	// lets the built-ins' own bounds be what stops it.
	s.memMiB = engine.MaxUDFMemoryMiB
	cases := []struct{ name, body, err string }{
		{"JSON.parse", `JSON.parse("[".repeat(500000) + "]".repeat(500000));`, "JSON.parse: nesting deeper than 256"},
		{"JSON.parse object", `JSON.parse('{"a":'.repeat(200000) + '1' + '}'.repeat(200000));`, "JSON.parse: nesting deeper than 256"},
		{"String", nested + "String(a);", "maximum call stack size exceeded"},
		{"template", nested + "var x = `${a}`;", "maximum call stack size exceeded"},
		{"concatenation", nested + "var x = '' + a;", "maximum call stack size exceeded"},
		{"join", nested + "a.join();", "maximum call stack size exceeded"},
		{"toString", nested + "a.toString();", "maximum call stack size exceeded"},
		{"toLocaleString", nested + "a.toLocaleString();", "maximum call stack size exceeded"},
		{"typed array toString", nested + "Object.getPrototypeOf(Int8Array.prototype).toString.call(a);", "maximum call stack size exceeded"},
		{"JSON.stringify", nested + "JSON.stringify(a);", "maximum call stack size exceeded"},
		{"JSON.stringify objects", "var o = {}; for (var i = 0; i < 300000; i++) { o = {a: o}; }\nJSON.stringify(o);", "maximum call stack size exceeded"},
		{"flat", strings.ReplaceAll(nested, "300000", "1000000") + "if (a.flat(Infinity).length === 0) throw new Error('flat went deeper');\nthrow new RangeError('flat stopped at its depth');", "flat stopped at its depth"},
		{"proxy chain", "var p = {}; for (var i = 0; i < 300000; i++) { p = new Proxy(p, {}); }\np.x;", "chain of more than 64 proxies"},
		{"revocable chain", "var p = {}; for (var i = 0; i < 300000; i++) { p = Proxy.revocable(p, {}).proxy; }\np.x;", "chain of more than 64 proxies"},
		{"eval", `eval("[".repeat(300000) + "]".repeat(300000));`, "source text of 600000 bytes"},
		{"eval nesting", `eval("[".repeat(5000) + "]".repeat(5000));`, "nesting deeper than 256"},
		{"Function", `Function("return " + "(".repeat(5000) + "1" + ")".repeat(5000));`, "nesting deeper than 256"},
		{"function constructor", `(function(){}).constructor("return " + "[".repeat(5000) + "]".repeat(5000));`, "nesting deeper than 256"},
		{"generator constructor", `(function*(){}).constructor("return " + "[".repeat(5000) + "]".repeat(5000));`, "nesting deeper than 256"},
		{"async constructor", `(async function(){}).constructor("return " + "[".repeat(5000) + "]".repeat(5000));`, "nesting deeper than 256"},
		{"written value", nested + "setSpaceValue(getSensorMetadata(t.SensorId).SpaceId, 'X', a);", "maximum call stack size exceeded"},
		{"logged value", nested + "log(a);", "maximum call stack size exceeded"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := s.put(t, "deep", "function process(t, c) {\n"+c.body+"\n}", "/", 5*time.Second)
			rec, d := s.run(t, id)
			if raceEnabled && rec.Outcome == engine.OutcomeTimedOut {
				// Too slow to reach the bound under the race detector;
				// the process survived, which is what matters here.
				return
			}
			if rec.Outcome != engine.OutcomeFailed || !strings.Contains(rec.Error, c.err) {
				t.Errorf("%s %q; want Failed %q", rec.Outcome, rec.Error, c.err)
			}
			if d > 5*time.Second+limitTolerance {
				t.Errorf("took %s", d)
			}
		})
	}
	// A script that nests its own source too deeply is refused before it
	// is compiled.
	id := s.put(t, "deepsource", "function process(t, c) { var x = "+strings.Repeat("[", 5000)+strings.Repeat("]", 5000)+"; }", "/", 0)
	if rec, _ := s.run(t, id); rec.Outcome != engine.OutcomeFailed || !strings.Contains(rec.Error, "nesting deeper than 256") {
		t.Errorf("deep script: %s %q", rec.Outcome, rec.Error)
	}
	id = s.put(t, "bigsource", "function process(t, c) {}\n//"+strings.Repeat("x", goja.MaxScriptSize), "/", 0)
	if rec, _ := s.run(t, id); rec.Outcome != engine.OutcomeFailed || !strings.Contains(rec.Error, "more than 262144") {
		t.Errorf("big script: %s %q", rec.Outcome, rec.Error)
	}
	s.healthy(t)
}

// TestBuiltinsStillWork: the replacements keep the built-ins' meaning.
func TestBuiltinsStillWork(t *testing.T) {
	s := newSandbox(t)
	script := `function process(t, c) {
	var checks = [
		[JSON.stringify({b: [1, "x", null, true, {c: undefined}], a: new Date(0)}), '{"b":[1,"x",null,true,{}],"a":"1970-01-01T00:00:00.000Z"}'],
		[JSON.stringify([1, [2, 3]], null, 2), '[\n  1,\n  [\n    2,\n    3\n  ]\n]'],
		[JSON.stringify({a: 1, b: 2, c: 3}, ["c", "a"]), '{"c":3,"a":1}'],
		[JSON.stringify({a: 1, b: "2"}, function (k, v) { return typeof v === "number" ? v * 10 : v; }), '{"a":10,"b":"2"}'],
		[JSON.stringify("a\"b\n"), '"a\\"b\\n"'],
		[JSON.stringify(NaN), 'null'],
		[String(JSON.stringify(undefined)), 'undefined'],
		[JSON.stringify(new Number(3)), '3'],
		[JSON.stringify({toJSON: function () { return [1]; }}), '[1]'],
		[JSON.parse('{"a":[1,{"b":2}]}').a[1].b, 2],
		[JSON.parse('[1,2]', function (k, v) { return typeof v === "number" ? v + 1 : v; })[1], 3],
		[[1, [2, [3, null]], undefined].join(";"), '1;2,3,;'],
		[String([1, [2, 3]]), '1,2,3'],
		[[1, 2].toString(), '1,2'],
		[Array.prototype.join.call({length: 2, 0: "a", 1: "b"}, "+"), 'a+b'],
		[[1, [2, [3, [4]]]].flat(Infinity).length, 4],
		[[1, [2, [3]]].flat().length, 3],
		["ab".repeat(3), 'ababab'],
		["5".padStart(3, "0") + "5".padEnd(3, "-"), '0055--'],
		[new Array(3).length, 3],
		[Array(2, 3).join(), '2,3'],
		[Array.from({length: 2}, function (_, i) { return i; }).join(), '0,1'],
		[Array.from("ab").join(), 'a,b'],
		[[] instanceof Array, true],
		[Array.isArray(new Array(1)), true],
		[[3, 1, 2].sort().join(), '1,2,3'],
		[new Proxy({a: 1}, {}).a, 1],
		[eval("1 + 2"), 3],
		[Function("a", "return a * 2")(4), 8],
		[(function () {}) instanceof Function, true],
		[/a+/.exec("caab")[0], 'aa'],
		["a1b2".replace(/\d/g, "#"), 'a#b#'],
		["a,b".split(/,/).length, 2],
	];
	for (var i = 0; i < checks.length; i++) {
		if (checks[i][0] !== checks[i][1]) {
			throw new Error("check " + i + ": got " + JSON.stringify(checks[i][0]) + ", want " + JSON.stringify(checks[i][1]));
		}
	}
	setSpaceValue(getSensorMetadata(t.SensorId).SpaceId, "Obj", JSON.stringify({b: [1, 2], a: "x"}));
}`
	id := s.put(t, "builtins", script, "/", time.Second)
	rec, _ := s.run(t, id)
	if rec.Outcome != engine.OutcomeOK {
		t.Fatalf("%s %q (line %d)", rec.Outcome, rec.Error, rec.Line)
	}
	if len(rec.Writes) != 1 || rec.Writes[0].New != `{"b":[1,2],"a":"x"}` {
		t.Errorf("written object: %+v", rec.Writes)
	}
}

// TestNoPoisoning: a UDF with no role assignment replaces built-ins,
// prototypes and globals; the quickstart's availability UDF, which holds
// SpaceAdministrator, then runs on the same engine and runtime. Nothing of
// the attacker runs in it: the room gets the right value, not "Hacked",
// and the attacker never sees the victim's telemetry.
func TestNoPoisoning(t *testing.T) {
	s := newSandbox(t)
	attack := fmt.Sprintf(`var room = %q;
function hack() { try { setSpaceValue(room, "AvailableAndFresh", "Hacked"); } catch (e) {} }
function process(t, c) {
	if (globalThis.stash) { log("LEAK " + globalThis.stash.join("|")); }
	globalThis.stash = globalThis.stash || [];
	var parse = JSON.parse;
	JSON.parse = function (s) { globalThis.stash.push(s); hack(); return parse(s); };
	var stringify = JSON.stringify;
	JSON.stringify = function (v) { hack(); return stringify(v); };
	var push = Array.prototype.push;
	Array.prototype.push = function () { hack(); return push.apply(this, arguments); };
	Object.defineProperty(Object.prototype, "SensorValue", {configurable: true, get: function () { hack(); return "false"; }, set: function (v) {}});
	Object.defineProperty(Object.prototype, "DataType", {configurable: true, get: function () { hack(); return "Motion"; }});
	Array.prototype.filter = function () { hack(); return []; };
	String.prototype.toLowerCase = function () { hack(); return "motion"; };
	globalThis.setSpaceValue = function () { hack(); };
	globalThis.getSensorMetadata = function () { hack(); return null; };
	Math.max = function () { hack(); return 0; };
	Object.freeze(Object.prototype);
}`, s.room.String())
	attacker := s.put(t, "attacker", attack, "", 0)
	rec, _ := s.run(t, attacker)
	if rec.Outcome == engine.OutcomeFailed || rec.Outcome == engine.OutcomeTimedOut {
		t.Fatalf("the attack itself failed: %s %q", rec.Outcome, rec.Error)
	}
	if got := roomValue(t, s.a); got == "Hacked" {
		t.Fatal("the attacker wrote the room with its own rights")
	}
	// The victim runs on distinctive telemetry.
	send(t, s.a, "SAMPLE_SENSOR_CARBONDIOXIDE", `{"SensorValue":"777"}`)
	send(t, s.a, "SAMPLE_SENSOR_MOTION", `{"SensorValue":"false"}`)
	if got := roomValue(t, s.a); got != "Room is available and air is fresh" {
		t.Errorf("room after the victim ran: %q (want the victim's own result)", got)
	}
	recs := s.a.Engine().Records(s.udf.ID)
	if len(recs) == 0 || recs[len(recs)-1].Outcome != engine.OutcomeOK {
		t.Fatalf("victim records %+v", recs)
	}
	// The attacker runs again: its stash holds only its own telemetry.
	rec, _ = s.run(t, attacker)
	if strings.Contains(strings.Join(rec.Logs, "\n"), "777") {
		t.Errorf("the attacker read the victim's telemetry: %q", rec.Logs)
	}
	if len(rec.Logs) == 0 || !strings.HasPrefix(rec.Logs[0], "LEAK ") {
		t.Errorf("the attacker's own state did not persist between its executions (logs %q): the test would not see a leak", rec.Logs)
	}
	if got := roomValue(t, s.a); got == "Hacked" {
		t.Error("the room was hacked")
	}
	s.healthy(t)
}

// TestBuiltinsBounded: built-ins that loop or allocate without looking at
// the time limit fail fast with a clear error.
func TestBuiltinsBounded(t *testing.T) {
	s := newSandbox(t)
	cases := []struct{ name, body, outcome, err string }{
		{"backtracking regexp test", `/^(?!x)(a+)+$/.test("a".repeat(34) + "!");`, engine.OutcomeTimedOut, "stopped"},
		{"backtracking regexp replace", `"a".repeat(34).concat("!").replace(/^(?!x)(a+)+$/, "b");`, engine.OutcomeTimedOut, "stopped"},
		{"backtracking regexp caught", `try { /^(?!x)(a+)+$/.exec("a".repeat(34) + "!"); } catch (e) {} setSpaceValue(getSensorMetadata(t.SensorId).SpaceId, 'X', 'y');`, engine.OutcomeTimedOut, "stopped"},
		{"repeat", `"x".repeat(1 << 30);`, engine.OutcomeFailed, "String.prototype.repeat would be longer than 1048576"},
		{"padStart", `"x".padStart(1 << 30);`, engine.OutcomeFailed, "String.prototype.padStart would be longer than 1048576"},
		{"padEnd", `"x".padEnd(1 << 30, "ab");`, engine.OutcomeFailed, "String.prototype.padEnd would be longer"},
		{"new Array fill", `new Array(5e7).fill(1.5);`, engine.OutcomeFailed, "Array of 50000000 elements: more than 65536"},
		{"Array()", `Array(5e7);`, engine.OutcomeFailed, "Array of 50000000 elements"},
		{"length fill", `var a = []; a.length = 5e7; a.fill(1.5);`, engine.OutcomeFailed, "Array.prototype.fill on 50000000 elements"},
		{"length indexOf", `var a = [1]; a.length = 5e7; a.indexOf(2);`, engine.OutcomeFailed, "Array.prototype.indexOf on 50000000 elements"},
		{"Array.from", `Array.from({length: 5e7});`, engine.OutcomeFailed, "Array.from on 50000000 elements"},
		{"array-like", `Array.prototype.lastIndexOf.call({length: 1e15}, 1);`, engine.OutcomeFailed, "Array.prototype.lastIndexOf on 1000000000000000 elements"},
		{"join", `new Array(1000).fill("x".repeat(2000)).join();`, engine.OutcomeFailed, "Array.prototype.join would be longer than 1048576"},
		{"stringify", `JSON.stringify(new Array(1000).fill("x".repeat(2000)));`, engine.OutcomeFailed, "JSON.stringify would be longer than 1048576"},
		{"lying length", `var n = 0; Array.prototype.indexOf.call({get length() { return n++ === 0 ? 0 : 2 ** 53 - 1; }}, 1);`, engine.OutcomeFailed, "TypeError: Array.prototype.indexOf: the length of an object with a length getter, a proxy or an object as its length is not supported"},
		{"lying length object", `var n = 0; Array.prototype.lastIndexOf.call({length: {valueOf: function () { return n++ === 0 ? 0 : 2 ** 53 - 1; }}}, 1);`, engine.OutcomeFailed, "Array.prototype.lastIndexOf: the length of an object with a length getter"},
		{"lying length proxy", `var n = 0; Array.prototype.includes.call(new Proxy({get length() { return n++ === 0 ? 0 : 2 ** 53 - 1; }}, {}), 1);`, engine.OutcomeFailed, "Array.prototype.includes: the length of an object with a length getter"},
		{"lying length prototype", `var n = 0; Array.from(Object.create({get length() { return n++ === 0 ? 0 : 2 ** 53 - 1; }}));`, engine.OutcomeFailed, "Array.from: the length of an object with a length getter"},
		{"apply", `Math.max.apply(null, {length: 4e9});`, engine.OutcomeFailed, "RangeError: Function.prototype.apply on 4000000000 elements: more than 65536"},
		{"apply arguments", `String.fromCharCode.apply(null, {length: 100000});`, engine.OutcomeFailed, "RangeError: Function.prototype.apply on 100000 elements: more than 65536"},
		{"Reflect.apply", `Reflect.apply(Math.max, null, {length: 2 ** 32 - 1});`, engine.OutcomeFailed, "RangeError: Reflect.apply on 4294967295 elements"},
		{"Reflect.construct", `Reflect.construct(Array, {length: 2 ** 53 - 1});`, engine.OutcomeFailed, "RangeError: Reflect.construct on 9007199254740991 elements"},
		{"spread", `var a = []; a.length = 2 ** 32 - 1; Math.max(...a);`, engine.OutcomeTimedOut, "stopped"}, // by the time or the memory limit
		{"spread string", `var s = "x".repeat(1 << 20); s += s; s += s; new Set(s + s).size;`, engine.OutcomeTimedOut, "stopped after the time limit"},
		{"ArrayBuffer", `new ArrayBuffer(2 ** 40);`, engine.OutcomeFailed, "RangeError: ArrayBuffer of 1099511627776 bytes: more than 65536"},
		{"Float64Array", `new Float64Array(2 ** 31);`, engine.OutcomeFailed, "RangeError: Float64Array of 17179869184 bytes: more than 65536"},
		{"Uint8Array array-like", `new Uint8Array({length: 1e10});`, engine.OutcomeFailed, "RangeError: Uint8Array on 10000000000 elements"},
		{"TypedArray.from", `Float64Array.from({length: 10000});`, engine.OutcomeFailed, "RangeError: TypedArray.from of 80000 bytes: more than 65536"},
		{"TypedArray set", `new Uint8Array(16).set({length: 1e10});`, engine.OutcomeFailed, "RangeError: %TypedArray%.prototype.set on 10000000000 elements"},
		{"replace", `"x".repeat(1 << 10).replace(/x/g, "y".repeat(1 << 11));`, engine.OutcomeFailed, "RangeError: String.prototype.replace: the replacements would be longer than 1048576 characters"},
		{"replace pattern", `("y".repeat(1 << 16) + "x".repeat(32)).replace(/x/g, "$\x60");`, engine.OutcomeFailed, "RangeError: String.prototype.replace: the replacements would be longer than 1048576"},
		{"replace many matches", `var s = "x".repeat(1 << 20); s += s; s.replace(/x/g, "");`, engine.OutcomeTimedOut, "stopped"}, // by the time or the memory limit
		{"replaceAll", `"x".repeat(1 << 12).replaceAll("x", "y".repeat(1024));`, engine.OutcomeFailed, "String.prototype.replaceAll: the replacements would be longer"},
		{"split", `"x".repeat(1 << 20).split("");`, engine.OutcomeFailed, "RangeError: String.prototype.split would make more than 65536 pieces"},
		{"split string", `"x,".repeat(1 << 19).split(",");`, engine.OutcomeFailed, "RangeError: String.prototype.split would make more than 65536 pieces"},
		{"Object.keys string", `Object.keys("x".repeat(1 << 20));`, engine.OutcomeFailed, "RangeError: Object.keys on a string of 1048576 characters: more than 65536 properties"},
		{"Object.assign string", `Object.assign({}, "x".repeat(1 << 20));`, engine.OutcomeFailed, "RangeError: Object.assign on a string of 1048576 characters"},
		{"String.raw", `String.raw({raw: {length: 2 ** 53 - 1}});`, engine.OutcomeFailed, "RangeError: String.raw on 9007199254740991 elements"},
		{"String.raw long", `String.raw({raw: new Array(1024).fill("x".repeat(1 << 20))});`, engine.OutcomeFailed, "RangeError: String.raw would be longer than 1048576"},
		{"concat strings", `"".concat.apply("", new Array(1024).fill("x".repeat(1 << 20)));`, engine.OutcomeFailed, "RangeError: String.prototype.concat would be longer than 1048576"},
		{"concat spreadable", `[].concat({length: 2 ** 53 - 1, [Symbol.isConcatSpreadable]: true});`, engine.OutcomeFailed, "RangeError: Array.prototype.concat on 9007199254740991 elements"},
		{"concat many", `var a = []; a.length = 1 << 16; [].concat(a, a, a, a, a);`, engine.OutcomeFailed, "RangeError: Array.prototype.concat would make more than 65536 elements"},
		{"flat", `var b = new Array(1 << 15).fill(0); [b, b, b].flat();`, engine.OutcomeFailed, "RangeError: Array.prototype.flat would make more than 65536 elements"},
		{"flatMap", `var b = new Array(1 << 15).fill(0); [0, 1, 2].flatMap(function () { return b; });`, engine.OutcomeFailed, "RangeError: Array.prototype.flatMap would make more than 65536 elements"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := s.put(t, "big", "function process(t, c) {\n"+c.body+"\n}", "/", time.Second)
			rec, d := s.run(t, id)
			if raceEnabled && rec.Outcome == engine.OutcomeTimedOut {
				return // too slow to reach the bound under the race detector
			}
			if c.outcome == engine.OutcomeFailed && rec.Outcome == engine.OutcomeTimedOut && strings.Contains(rec.Error, "of memory") {
				// The memory governor samples the whole process's heap: on a
				// loaded machine garbage left by an earlier case (or an
				// abandoned execution) can be charged to this one. Once.
				t.Logf("memory stop charged to a refusal (%s); running it again", rec.Error)
				rec, d = s.run(t, id)
			}
			if rec.Outcome != c.outcome || !strings.Contains(rec.Error, c.err) {
				t.Errorf("%s %q; want %s %q", rec.Outcome, rec.Error, c.outcome, c.err)
			}
			if len(rec.Writes) != 0 {
				t.Errorf("writes kept: %+v", rec.Writes)
			}
			if d > time.Second+limitTolerance {
				t.Errorf("took %s", d)
			}
		})
	}
	s.healthy(t)
}

// TestStuckExecutionAbandoned: an execution stuck in a native function
// that never looks at the interrupt (a stand-in that sleeps for 3 s: the
// built-ins themselves no longer do that, see TestBuiltinSweep) is given
// up on shortly after its time limit; the worker goes on.
func TestStuckExecutionAbandoned(t *testing.T) {
	defer goja.InstallSlowNative("slowNative", 3*time.Second)()
	s := newSandbox(t)
	id := s.put(t, "stuck", `function process(t, c) {
	slowNative();
}`, "/", 50*time.Millisecond)
	rec, d := s.run(t, id)
	if rec.Outcome != engine.OutcomeTimedOut || !strings.Contains(rec.Error, "did not stop within") {
		t.Errorf("%s %q", rec.Outcome, rec.Error)
	}
	if d > 50*time.Millisecond+goja.AbandonGrace+time.Second {
		t.Errorf("took %s", d)
	}
	if ab, _ := s.rt.Abandoned(); ab != 1 {
		t.Errorf("abandoned %d", ab)
	}
	s.healthy(t)
}

// TestOutputLimits: a write, log line or notification over its limit, or
// too many of them, fail the execution with an error naming the call and
// the limit, even if the script catches the error; nothing is applied.
func TestOutputLimits(t *testing.T) {
	s := newSandbox(t)
	before := roomValue(t, s.a)
	set := "setSpaceValue(getSensorMetadata(t.SensorId).SpaceId, 'AvailableAndFresh', "
	cases := []struct{ name, body, err string }{
		{"big value", set + "'x'.repeat(1 << 20));", "setSpaceValue: value size in bytes (1048576) is over the limit of 4096"},
		{"big value caught", "try { " + set + "'x'.repeat(5000)); } catch (e) {}\n" + set + "'small');", "setSpaceValue: value size in bytes (5000) is over the limit of 4096"},
		{"big sensor value", "setSensorValue(t.SensorId, 'Motion', 'x'.repeat(5000));", "setSensorValue: value size in bytes (5000) is over the limit of 4096"},
		{"many writes", "for (var i = 0; i < 101; i++) { " + set + "'v' + i); }", "setSpaceValue: number of writes (101) is over the limit of 100"},
		{"big notification", "sendNotification(t.SensorId, 'Sensor', 'x'.repeat(70000));", "sendNotification: payload size in bytes (70000) is over the limit of 65536"},
		{"many notifications", "for (var i = 0; i < 21; i++) { sendNotification(t.SensorId, 'Sensor', 'n'); }", "sendNotification: number of notifications (21) is over the limit of 20"},
		{"long log line", "log('x'.repeat(5000));", "log: line size in bytes (5000) is over the limit of 4096"},
		{"many log lines", "for (var i = 0; i < 201; i++) { try { log(i); } catch (e) {} }", "log: number of log lines (201) is over the limit of 200"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := s.put(t, "out", "function process(t, c) {\n"+c.body+"\n}", "/", time.Second)
			rec, _ := s.run(t, id)
			if rec.Outcome != engine.OutcomeFailed || rec.Error != c.err {
				t.Errorf("%s %q; want Failed %q", rec.Outcome, rec.Error, c.err)
			}
			if len(rec.Writes) != 0 || len(rec.Notifications) != 0 {
				t.Errorf("output kept: %d writes %d notifications", len(rec.Writes), len(rec.Notifications))
			}
			if got := roomValue(t, s.a); got != before {
				t.Errorf("room changed to %.40q", got)
			}
		})
	}
	// At the limits everything is applied.
	id := s.put(t, "max", "function process(t, c) {\n"+set+"'x'.repeat(4096));\nfor (var i = 0; i < 200; i++) log('y'.repeat(4096));\nsendNotification(t.SensorId, 'Sensor', 'z'.repeat(65536));\n}", "/", time.Second)
	rec, _ := s.run(t, id)
	if rec.Outcome != engine.OutcomeOK || len(rec.Writes) != 1 || len(rec.Logs) != 200 || len(rec.Notifications) != 1 {
		t.Errorf("at the limits: %s %q", rec.Outcome, rec.Error)
	}
}

// TestOutputLimitOverrides: a UDF's own output limit replaces the default
// (output up to it is applied, one more fails the execution naming it),
// and one above its ceiling (a project file written by hand) is cut to
// the ceiling. TestOutputLimits checks the defaults of a UDF without.
func TestOutputLimitOverrides(t *testing.T) {
	s := newSandbox(t)
	set := "setSpaceValue(getSensorMetadata(t.SensorId).SpaceId, 'AvailableAndFresh', "
	note := "sendNotification(t.SensorId, 'Sensor', "
	cases := []struct {
		name     string
		own      func(u *engine.UDF)
		at, past string // bodies at the UDF's own limit and one past it
		err      string
	}{
		{"value size", func(u *engine.UDF) { u.ValueSizeLimit = 10000 },
			set + "'x'.repeat(10000));", set + "'x'.repeat(10001));",
			"setSpaceValue: value size in bytes (10001) is over the limit of 10000"},
		{"writes", func(u *engine.UDF) { u.WriteLimit = 150 },
			"for (var i = 0; i < 150; i++) { " + set + "'v' + i); }", "for (var i = 0; i < 151; i++) { " + set + "'v' + i); }",
			"setSpaceValue: number of writes (151) is over the limit of 150"},
		{"notification size", func(u *engine.UDF) { u.NotificationSizeLimit = 100000 },
			note + "'x'.repeat(100000));", note + "'x'.repeat(100001));",
			"sendNotification: payload size in bytes (100001) is over the limit of 100000"},
		{"notifications", func(u *engine.UDF) { u.NotificationLimit = 30 },
			"for (var i = 0; i < 30; i++) { " + note + "'n'); }", "for (var i = 0; i < 31; i++) { " + note + "'n'); }",
			"sendNotification: number of notifications (31) is over the limit of 30"},
		{"log line size", func(u *engine.UDF) { u.LogLineSizeLimit = 8000 },
			"log('x'.repeat(8000));", "log('x'.repeat(8001));",
			"log: line size in bytes (8001) is over the limit of 8000"},
		{"log lines", func(u *engine.UDF) { u.LogLineLimit = 300 },
			"for (var i = 0; i < 300; i++) log(i);", "for (var i = 0; i < 301; i++) { try { log(i); } catch (e) {} }",
			"log: number of log lines (301) is over the limit of 300"},
		{"value size over the ceiling", func(u *engine.UDF) { u.ValueSizeLimit = 1 << 30 },
			set + "'x'.repeat(65536));", set + "'x'.repeat(65537));",
			"setSpaceValue: value size in bytes (65537) is over the limit of 65536"},
		{"writes over the ceiling", func(u *engine.UDF) { u.WriteLimit = 1 << 30 },
			"for (var i = 0; i < 1000; i++) { " + set + "'v' + i); }", "for (var i = 0; i < 1001; i++) { " + set + "'v' + i); }",
			"setSpaceValue: number of writes (1001) is over the limit of 1000"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := s.udf
			defer func() { s.udf = base }()
			c.own(&s.udf)
			at := s.put(t, "at", "function process(t, c) {\n"+c.at+"\n}", "/", engine.MaxUDFLimit)
			past := s.put(t, "past", "function process(t, c) {\n"+c.past+"\n}", "/", engine.MaxUDFLimit)
			before := roomValue(t, s.a)
			rec, _ := s.run(t, past)
			if rec.Outcome != engine.OutcomeFailed || rec.Error != c.err {
				t.Errorf("past the limit: %s %q; want Failed %q", rec.Outcome, rec.Error, c.err)
			}
			if got := roomValue(t, s.a); got != before {
				t.Errorf("past the limit: room changed to %.40q", got)
			}
			rec, _ = s.run(t, at)
			if rec.Outcome != engine.OutcomeOK {
				t.Fatalf("at the limit: %s %q", rec.Outcome, rec.Error)
			}
			if n := len(rec.Writes); n > 0 {
				want := rec.Writes[n-1].New
				if got := roomValue(t, s.a); got != want {
					t.Errorf("at the limit: room %.40q (%d bytes), want the last write %.40q (%d bytes)", got, len(got), want, len(want))
				}
			}
		})
	}
	s.healthy(t)
}
