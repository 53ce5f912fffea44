package goja_test

import (
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/goja"
)

// sweepScript calls every function reachable from globalThis (own
// properties, Symbol-keyed ones and accessors included, walked through
// constructors and prototypes) with hostile receivers and arguments. The
// message {"from": i, "full": b} says where to start; each execution runs
// cases from there for sweepSlice of its own time, logging "i name" before
// case i, so the test knows which case an execution that ran out of time
// or grew the heap was in.
const sweepScript = `var MAXS = %d, MAXA = %d, MAXB = %d;
var FNS = null, Q = null, NEW = -1;
var RA = Reflect.apply, RC = Reflect.construct;
var W = null;
// walk goes on walking for up to 40 ms; it returns the functions when done.
function walk() {
	if (W === null) { W = {seen: new Set(), out: [], queue: [[globalThis, 'globalThis']], at: 0}; }
	var seen = W.seen, out = W.out, queue = W.queue, start = Date.now();
	while (W.at < queue.length) {
		if (Date.now() - start > 20) { return null; }
		var item = queue[W.at++], o = item[0], path = item[1];
		if (seen.has(o)) { continue; }
		seen.add(o);
		var ks = Reflect.ownKeys(o);
		for (var i = 0; i < ks.length; i++) {
			var k = ks[i], name = typeof k === 'symbol' ? path + '[' + String(k) + ']' : path + '.' + k;
			if (path === 'globalThis' && k === 'process') { continue; }
			var d = Reflect.getOwnPropertyDescriptor(o, k);
			// The client library (read-only globals) has output limits of its own.
			if (path === 'globalThis' && k !== 'eval' && !d.writable && !d.configurable) { continue; }
			var vs = [['', d.value], [' get', d.get], [' set', d.set]];
			for (var j = 0; j < vs.length; j++) {
				var v = vs[j][1];
				if (typeof v === 'function' && !seen.has(v)) { out.push([name + vs[j][0], v]); }
				if ((typeof v === 'function' || (typeof v === 'object' && v !== null)) && !seen.has(v)) { queue.push([v, name + vs[j][0]]); }
			}
		}
	}
	return out;
}
var BIG = [];
// bigs makes the large values one per call, for up to 40 ms; it
// returns them when done.
function bigs() {
	var makers = [
		function () { return 'x'.repeat(MAXS); },
		function () { return 'ß'.repeat(MAXS); },
		function () { var a = []; a.length = MAXA; return a; },
		function () { return new Array(1 << 16).fill(0); },
		function () { return new Array(1 << 12).fill(BIG[2]); },
		function () { return new Array(1024).fill(BIG[0]); },
		function () { return new Uint8Array(MAXB); },
	];
	var start = Date.now();
	while (BIG.length < makers.length) {
		if (Date.now() - start > 20) { return null; }
		BIG.push(makers[BIG.length]());
	}
	return BIG;
}
function pool() {
	var big = BIG[0], sz = BIG[1], re = /x/g, reAll = /(?:)/g;
	var sparseMax = BIG[2];
	var sparse32 = []; sparse32.length = 2 ** 32 - 1;
	var dense = BIG[3];
	var arrays = BIG[4];
	var strings = BIG[5];
	var ta = BIG[6];
	var lying = function () { var n = 0; return {get length() { return n++ === 0 ? 0 : 2 ** 53 - 1; }}; };
	var lyingValue = function () { var n = 0; return {length: {valueOf: function () { return n++ === 0 ? 0 : 2 ** 53 - 1; }}}; };
	var lyingProto = function () { return Object.create(lying()); };
	var c = function (v) { return function () { return v; }; };
	return [
		c(big), c(re), c(big), c(reAll), c(sz),
		c(Math.max), c(null), c({length: 2 ** 32 - 1}),
		c(String.fromCharCode), c(undefined), c({length: 2 ** 53 - 1}),
		lying, lyingValue, lyingProto,
		function () { return new Proxy(lying(), {}); },
		function () { var n = 0; return new Proxy({}, {get: function (t, k) { return k === 'length' ? (n++ === 0 ? 0 : 2 ** 53 - 1) : undefined; }}); },
		c(new Proxy(sparse32, {})),
		c(sparse32), c(sparseMax), c(dense), c(arrays), c(strings),
		c({length: 2 ** 53 - 1, [Symbol.isConcatSpreadable]: true}),
		c({raw: {length: 2 ** 53 - 1}}), c({raw: strings}),
		c(2 ** 31), c(2 ** 32 - 1), c(2 ** 53 - 1), c(1e10), c(Infinity), c(-1),
		c(ta), c(ta.buffer), c(new Map([[1, 2]])), c(new Set([1])), c(new Date(0)), c({}),
		c(function () {}), c(Symbol.iterator), c(10n ** 30n),
	];
}
function describe(f, r, p) {
	return FNS[f][0] + (r === NEW ? ' new' : ' this=' + r) + ' args=' + p;
}
// DEF are the default cases of every function: [receiver, arguments]
// (indexes into the pool; NEW: called with new).
var DEF = [
	[0, [1, 0]], [0, [3, 2, 4]], [4, [0, 1]], [5, [6, 7]], [8, [9, 10]], [5, [6, 17]],
	[11, [11, 12]], [12, [13, 14]], [14, [15, 16]], [17, [18, 19]], [19, [20, 21]],
	[20, [22, 23]], [21, [24, 25]], [23, [26, 27]], [31, [28, 10]], [32, [29, 30]],
	[NEW, [27]], [NEW, [7]], [NEW, [16, 0]], [NEW, [20, 13]], [NEW, [31, 32]],
];
function caseOf(i, full) {
	// Default: 4 of the cases per function, in turn; full: all of them.
	var per = full ? DEF.length : 4;
	var f = Math.floor(i / per), rest = i %% per;
	if (f >= FNS.length) { return null; }
	var d = DEF[full ? rest : (f * per + rest) %% DEF.length];
	return [f, d[0], d[1]];
}
function process(t, c) {
	var m = JSON.parse(t.Message), start = Date.now();
	if (FNS === null) { FNS = walk(); log('NEXT ' + m.from + ' walk ' + (Date.now() - start)); return; }
	if (Q === null) { if (bigs() !== null) { Q = pool(); } log('NEXT ' + m.from + ' pool ' + (Date.now() - start)); return; }
	for (var i = m.from; i - m.from < 190 && Date.now() - start < %d; i++) {
		var cs = caseOf(i, m.full);
		if (cs === null) { log('END ' + i); return; }
		log(i + ' ' + describe(cs[0], cs[1], cs[2].join(',')));
		var fn = FNS[cs[0]][1], args = [];
		for (var j = 0; j < cs[2].length; j++) { args.push(Q[cs[2][j]]()); }
		try {
			if (cs[1] === NEW) { RC(fn, args); } else { RA(fn, Q[cs[1]](), args); }
		} catch (e) {}
	}
	log('NEXT ' + i);
}`

// Bounds of the sweep.
const (
	sweepLimit = 100 * time.Millisecond // the UDF's time limit
	sweepSlice = 30                     // ms of cases per execution
	// sweepGrace is how much longer than its limit an execution may take:
	// interrupted calls unwind, and the race detector slows everything.
	sweepGrace = time.Second
	// sweepHeap bounds the heap's growth during one execution.
	sweepHeap = 256 << 20
)

// heapPeak samples the process's heap every 5 ms (a read of the heap's
// statistics visits every P, so not more often).
type heapPeak struct {
	peak atomic.Uint64
	stop chan struct{}
	wg   sync.WaitGroup
}

func heapNow() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func startHeapPeak() *heapPeak {
	h := &heapPeak{stop: make(chan struct{})}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		tk := time.NewTicker(5 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-tk.C:
				if n := heapNow(); n > h.peak.Load() {
					h.peak.Store(n)
				}
			}
		}
	}()
	return h
}

// reset starts a new measurement and returns the heap now.
func (h *heapPeak) reset() uint64 {
	n := heapNow()
	h.peak.Store(n)
	return n
}

func (h *heapPeak) close() { close(h.stop); h.wg.Wait() }

// TestBuiltinSweep calls every built-in reachable from globalThis with
// hostile receivers and arguments (array-likes of length 2**32-1 and
// 2**53-1, lying length getters and proxies, the longest string the
// built-ins make, huge numbers, arrays of arrays, typed arrays at their
// cap), each through a UDF execution: no execution may outlast its time
// limit by more than sweepGrace, none may be given up on (stuck in a
// built-in), and the heap may not grow by more than sweepHeap during one.
// By default every function gets 4 of the 21 cases of DEF in turn (each
// case is used on a quarter of the functions); TWIN_SWEEP_FULL=1 gives
// every function all 21.
func TestBuiltinSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("the sweep takes seconds")
	}
	if raceEnabled {
		t.Skip("the race detector slows built-ins past the sweep's time bounds")
	}
	full := os.Getenv("TWIN_SWEEP_FULL") != ""
	s := newSandbox(t)
	id := s.put(t, "sweep", fmt.Sprintf(sweepScript, goja.MaxStringLength, goja.MaxArrayLength, goja.MaxBufferBytes, sweepSlice), "/", sweepLimit)
	hp := startHeapPeak()
	defer hp.close()
	from, execs, cases, timedOut, setupSteps := 0, 0, 0, 0, 0
	retried := -1 // the slice (its first case) run again after too much growth
	var maxGrew uint64
	began := time.Now()
	for {
		base := hp.reset()
		start := time.Now()
		rec, err := s.a.Engine().RunUDF(id, s.motion.ID, fmt.Sprintf(`{"from":%d,"full":%v}`, from, full), false, false)
		if err != nil {
			t.Fatal(err)
		}
		d := time.Since(start)
		execs++
		grew := hp.peak.Load() - base
		if hp.peak.Load() < base {
			grew = 0
		}
		last, next, end := lastCase(rec.Logs)
		if testing.Verbose() && execs < 12 {
			t.Logf("%s %s %q", rec.Outcome, d, rec.Logs)
		}
		where := fmt.Sprintf("cases %d..%s", from, last)
		if ab, _ := s.rt.Abandoned(); ab != 0 {
			waited := time.Now()
			for _, stuck := s.rt.Abandoned(); stuck != 0 && time.Since(waited) < 5*time.Second; _, stuck = s.rt.Abandoned() {
				time.Sleep(10 * time.Millisecond)
			}
			t.Fatalf("%s: the execution was given up on (stuck in a built-in for %s more): %s %q", where, time.Since(waited), rec.Outcome, rec.Error)
		}
		if d > sweepLimit+sweepGrace {
			t.Errorf("%s: took %s (limit %s)", where, d, sweepLimit)
		}
		if grew > sweepHeap && retried != from {
			// Once per slice: garbage the GC has not caught up with (a
			// loaded machine) counts as growth. A built-in that allocates
			// that much does it again.
			t.Logf("%s: the heap grew by %d MiB; collecting and running these cases again", where, grew>>20)
			retried = from
			runtime.GC()
			continue
		}
		if grew > maxGrew {
			maxGrew = grew
		}
		if grew > sweepHeap {
			t.Errorf("%s: the heap grew by %d MiB", where, grew>>20)
		}
		switch {
		case rec.Outcome == engine.OutcomeOK && end >= 0:
			cases += end - from
			t.Logf("%d cases in %d executions (%d timed out) in %s; the heap grew by at most %d MiB during one", cases, execs, timedOut, time.Since(began).Round(time.Millisecond), maxGrew>>20)
			if cases < 1500 {
				t.Errorf("only %d cases: the sweep did not walk the built-ins", cases)
			}
			if _, stuck := s.rt.Abandoned(); stuck != 0 {
				t.Errorf("%d executions still running", stuck)
			}
			return
		case rec.Outcome == engine.OutcomeOK && next >= 0:
			cases += next - from
			from = next
		case rec.Outcome == engine.OutcomeFailed && strings.Contains(rec.Error, "internal error"):
			t.Errorf("%s: a built-in panicked in Go: %q", where, rec.Error)
			fallthrough
		case (rec.Outcome == engine.OutcomeTimedOut || rec.Outcome == engine.OutcomeFailed) && last != "":
			// A case that loops in JavaScript (interruptible) used the
			// whole limit, or failed the execution (an output limit):
			// go on after it.
			timedOut++
			n, _ := strconv.Atoi(strings.Fields(last)[0])
			cases += n + 1 - from
			from = n + 1
		case rec.Outcome == engine.OutcomeTimedOut && setupSteps < 20:
			// The walk and the pool are made a slice at a time; a
			// slice that ran out of time (a loaded machine) is retried.
			setupSteps++
		default:
			t.Fatalf("%s: %s %q logs %q", where, rec.Outcome, rec.Error, rec.Logs)
		}
	}
}

// lastCase returns the last case line of an execution's logs and the
// number after NEXT or END (-1 if absent).
func lastCase(logs []string) (last string, next, end int) {
	next, end = -1, -1
	for _, l := range logs {
		switch {
		case strings.HasPrefix(l, "NEXT "):
			next, _ = strconv.Atoi(strings.Fields(l)[1])
		case strings.HasPrefix(l, "END "):
			end, _ = strconv.Atoi(l[4:])
		default:
			last = l
		}
	}
	return
}
