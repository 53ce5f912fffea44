package goja_test

import (
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/goja"
	"github.com/twinstudio/twinstudio/internal/testkit"
)

// fuzzSeeds stress built-ins: the attacks of the sandbox tests, regular
// expressions, JSON, strings, arrays, Proxy, Reflect, getters, recursion,
// try/finally and generators. Each is the body of process(t, c).
var fuzzSeeds = []string{
	`JSON.parse("[".repeat(5e6) + "]".repeat(5e6))`,
	`var a = []; for (var i = 0; i < 1e6; i++) a = [a]; String(a)`,
	`var a = []; for (var i = 0; i < 1e6; i++) a = [a]; JSON.stringify(a)`,
	`var a = []; for (var i = 0; i < 1e6; i++) a = [a]; a.flat(Infinity)`,
	`var a = []; for (var i = 0; i < 1e6; i++) a = [a]; a.toLocaleString()`,
	`var p = {}; for (var i = 0; i < 1e6; i++) p = new Proxy(p, {}); p.x`,
	`eval("[".repeat(1e6) + "]".repeat(1e6))`,
	`Function("(".repeat(1e6) + ")".repeat(1e6))`,
	`/^(?!x)(a+)+$/.test("a".repeat(34) + "!")`,
	`"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!".replace(/^(?!x)(a+)+$/, "b")`,
	`"x".repeat(1 << 30)`,
	`"x".padStart(1 << 30)`,
	`new Array(5e7).fill(1.5)`,
	`var a = [1]; a.length = 5e7; a.indexOf(2)`,
	`Array.from({length: 5e7})`,
	`var s = "x"; while (true) s += s`,
	`var a = []; while (true) a.push(new Array(1000).fill(1.5))`,
	`var a = [1]; while (true) a = a.concat(a.map(function (x) { return {x: x} }))`,
	`var m = new Map(); for (var i = 0; ; i++) m.set(i, {i: i, s: "v" + i})`,
	`globalThis.keep = globalThis.keep || []; keep.push("k".repeat(1 << 20) + keep.length)`,
	`JSON.parse = function (s) { return s }; Array.prototype.push = null; globalThis.stash = t`,
	`Object.defineProperty(Object.prototype, "Id", {get: function () { return "x" }})`,
	`Reflect.apply(Array.prototype.join, [[1, [2, [3]]]], [","])`,
	`var o = {get a() { return this }}; JSON.stringify(o)`,
	`function f(n) { try { return f(n + 1) } finally { f(n + 1) } } f(0)`,
	`function* g() { while (true) yield [g]; } var it = g(); for (var x of it) JSON.stringify(x)`,
	`var r = Proxy.revocable({}, {}); r.revoke(); JSON.stringify([r.proxy])`,
	`log(JSON.stringify({a: [1, 2, {b: "c"}]}, null, 2))`,
	`setSpaceValue(getSensorMetadata(t.SensorId).SpaceId, "X", "x".repeat(5000))`,
	`sendNotification(t.SensorId, "Sensor", "x".repeat(70000))`,
	`for (var i = 0; i < 300; i++) log(i)`,
	`new Float64Array(1e6).join()`,
	`[1, 2, 3].map(String).join("-")`,
	`new RegExp("(".repeat(1e5) + ")".repeat(1e5))`,
	`Object.getPrototypeOf(Uint8Array.prototype).toString.call([[[]]])`,
	`(function () {}).constructor("return 1")()`,
	`Array.prototype.concat.apply([], new Array(1e5).fill([1]))`,
	`var n = 0; Array.prototype.indexOf.call({get length() { return n++ === 0 ? 0 : 2 ** 53 - 1 }}, 1)`,
	`var n = 0; Array.prototype.fill.call({length: {valueOf() { return n++ === 0 ? 0 : 2 ** 53 - 1 }}}, 1)`,
	`var n = 0; [].concat.call(new Proxy({get length() { return n++ === 0 ? 0 : 2 ** 53 - 1 }}, {}))`,
	`Math.max.apply(null, {length: 4e9})`,
	`String.fromCharCode.apply(null, {length: 2 ** 32 - 1})`,
	`Reflect.construct(Array, {length: 2 ** 53 - 1})`,
	`var a = []; a.length = 2 ** 32 - 1; Math.max(...a)`,
	`var a = []; a.length = 2 ** 32 - 1; new Set(a)`,
	`new ArrayBuffer(2 ** 40)`,
	`new Float64Array(2 ** 31)`,
	`new Uint8Array({length: 1e10})`,
	`Uint8Array.from({length: 1e10})`,
	`new Uint8Array(16).set({length: 1e10})`,
	`new DataView(new ArrayBuffer(8)).getFloat64(0)`,
	`var s = "x".repeat(1 << 20); s.replace(/x/g, s)`,
	`"x".repeat(1 << 16).replace(/x/g, "$` + "`" + `")`,
	`"x".repeat(1 << 20).replaceAll("x", "yy")`,
	`"x".repeat(1 << 20).split("")`,
	`String.raw({raw: {length: 2 ** 53 - 1}})`,
	`"".concat.apply("", new Array(1024).fill("x".repeat(1 << 20)))`,
	`[].concat({length: 2 ** 53 - 1, [Symbol.isConcatSpreadable]: true})`,
	`var a = []; a.length = 1 << 16; new Array(4096).fill(a).flat()`,
	`Object.keys("x".repeat(1 << 20))`,
	`Object.fromEntries([[, ]])`,
	`RegExp.prototype[Symbol.replace].call({}, "a", "b")`,
	`new RegExp("x".repeat(1 << 20))`,
	`"ß".repeat(1 << 16).toUpperCase().normalize("NFD")`,
	`JSON.stringify(new Array(1 << 16).fill("x"), null, "          ")`,
	`var s = "x".repeat(1 << 20); [...s + s]`,
}

// FuzzUDFBuiltins runs random JavaScript through a UDF execution: nothing
// may crash the process, and every execution ends within its time limit
// plus the abandon grace.
func FuzzUDFBuiltins(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	// One project per fuzzing process (f's cleanup closes it).
	fuzzProject := testkit.Example(f, testkit.ExampleQuickstart, testkit.Options{UDF: goja.New(goja.Options{})})
	var fuzzUDF engine.UDF
	var fuzzSensor engine.ID
	fuzzProject.Engine().View(func(v *engine.View) error {
		fuzzUDF = *v.UDFs()[0]
		s, _ := v.SensorByHardwareID("SAMPLE_SENSOR_MOTION")
		fuzzSensor = s.ID
		return nil
	})
	f.Fuzz(func(t *testing.T, body string) {
		u := fuzzUDF
		u.Script = "function process(t, c) {\n" + body + "\n}"
		u.Updated = time.Now()
		u.TimeLimit = 50 * time.Millisecond
		if err := fuzzProject.Engine().Update(func(tx *engine.Tx) error { return tx.PutUDF(&u) }); err != nil {
			if strings.Contains(err.Error(), "script") {
				return // refused at provisioning: fine
			}
			t.Fatal(err)
		}
		start := time.Now()
		rec, err := fuzzProject.Engine().RunUDF(u.ID, fuzzSensor, `{"SensorValue":"true"}`, false, false)
		if err != nil {
			t.Fatal(err)
		}
		if testing.Verbose() {
			t.Logf("%.60q: %s %.200s after %s", body, rec.Outcome, rec.Error, time.Since(start))
		}
		if d := time.Since(start); d > u.TimeLimit+goja.AbandonGrace+2*time.Second {
			t.Fatalf("took %s: %+v", d, rec)
		}
		if rec.Outcome == "" {
			t.Fatalf("no outcome: %+v", rec)
		}
	})
}
