package goja

// The memory governor bounds the memory a UDF execution can build up in
// JavaScript (a string doubled in a loop, an array pushed to, a Map grown,
// globals kept between executions).
//
// goja has no allocation hooks and Go counts allocations per process, not
// per goroutine, so the governor samples: while at least one execution is
// in flight, one goroutine reads the Go heap (runtime/metrics: the bytes
// of heap objects, the heap goal, the live heap and the GC cycle count)
// every SampleInterval and compares it with each in-flight execution's
// bound, then exits when no execution is in flight.
//
// Per execution: an execution's base is the heap goal when it started (the
// heap size at which the next GC finishes, about twice the live heap), so
// that ordinary GC cycles and whatever the rest of the server holds never
// count against it; it is stopped when the heap's objects exceed base +
// its memory limit (the UDF's memoryLimitMiB, else Options.MemoryLimit,
// default DefaultMemoryLimit, at most MaxMemoryLimit), or when a GC that
// ended after it started finds more live heap than the heap's objects at
// its start (which include all that was live then) plus its limit; this
// catches it sooner in a large heap, whose goal is far above.
//
// Attribution: when several in-flight executions are over their bounds,
// the one that has run longest is stopped (one per sample); no other is stopped until it has
// ended and a GC has collected its runtime, and the next sample decides
// again. A stopped execution is recorded as timed out ("stopped: used more
// than 64 MiB of memory"), which counts toward throttling and suspension
// like a timeout, and its runtime is discarded, not pooled, so its memory
// is freed.
//
// Per runtime (state kept in globals between executions): a runtime
// remembers the lowest live heap seen at the start of its executions;
// after an execution, when the live heap (as of the last GC) exceeds that
// by more than its limit, the runtime is discarded (its globals with it)
// and the next execution gets a fresh one. The execution itself is not
// failed, because growth between executions cannot be told apart from the
// rest of the server's growth. The live heap is known only when a GC
// ends, and a GC runs when the heap has about doubled, so a runtime can
// keep up to about twice its limit before it goes. An execution stopped
// by its time limit or budget has its runtime discarded too: goja's value
// stack can keep what it built.
//
// Process-wide: when the heap's objects exceed the process ceiling
// (SetProcessMemoryLimit, else 3/4 of the smallest of the Go memory
// limit set with debug.SetMemoryLimit, the cgroup's memory.max and the
// physical memory, else 4 GiB), the governor asks for a GC (at most once a
// second, without waiting for it); when a GC finds the live heap over the
// ceiling, every in-flight execution is stopped and every idle pooled
// runtime of every Runtime is dropped (once per GC cycle).
//
// Limits, honestly: the bound is a sampled one. Between two samples a
// script can allocate more (one string concatenation doubles a string), so
// the heap can pass the bound by about one step of the script's growth
// (up to twice the bound for a doubling string) plus what it allocates in
// SampleInterval, or more when the machine is so loaded that the sampler
// is not scheduled every interval. Memory allocated by anything else in the process while
// an execution runs (another execution, a large provisioning) counts
// against it too, so a long execution can be stopped for another's
// allocations when it has run longer. A single built-in call that
// allocates a lot at once cannot be interrupted: those are bounded by the
// hardened built-ins (harden.go). An execution that starts right after
// another was stopped, before a GC collected the stopped one's memory, is
// bounded from the heap it starts in, garbage included: it can grow about
// as far as the stopped one did, and on a loaded machine its time limit
// may stop it first. With a deterministic budget
// (simulations) the memory bound still applies, and where it stops an
// execution depends on timing.

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"github.com/twinstudio/twinstudio/engine"
)

// DefaultMemoryLimit is the memory one execution may build up when its
// UDF has no memoryLimitMiB of its own.
const DefaultMemoryLimit = int64(engine.DefaultUDFMemoryMiB) << 20

// MaxMemoryLimit is the ceiling of an execution's memory limit.
const MaxMemoryLimit = int64(engine.MaxUDFMemoryMiB) << 20

// SampleInterval is how often the governor reads the heap while
// executions are in flight.
const SampleInterval = time.Millisecond

// memStop is the interrupt value of an execution the governor stops; its
// text completes "stopped: ".
type memStop struct{ msg string }

// heapSample is one reading of the Go heap.
type heapSample struct {
	objects, goal, live, cycles uint64
}

var heapMetrics = []string{
	"/memory/classes/heap/objects:bytes",
	"/gc/heap/goal:bytes",
	"/gc/heap/live:bytes",
	"/gc/cycles/total:gc-cycles",
}

// readHeap reads the heap; buf holds len(heapMetrics) samples.
func readHeap(buf []metrics.Sample) heapSample {
	metrics.Read(buf)
	v := func(i int) uint64 {
		if buf[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return buf[i].Value.Uint64()
	}
	return heapSample{objects: v(0), goal: v(1), live: v(2), cycles: v(3)}
}

func newHeapBuf() []metrics.Sample {
	buf := make([]metrics.Sample, len(heapMetrics))
	for i, n := range heapMetrics {
		buf[i].Name = n
	}
	return buf
}

// execMem is one in-flight execution as the governor sees it.
type execMem struct {
	r     *Runtime
	m     *vm
	start time.Time
	bound uint64 // heap objects above this stop it
	objs  uint64 // the heap's objects when it started: at least what was live
	cycle uint64 // the GC cycle count when it started
	limit int64
	stop  atomic.Pointer[memStop] // set once when the governor stops it
	ended bool                    // under governor.mu
}

// stopped returns the governor's reason for stopping e, or "".
func (e *execMem) stopped() string {
	if e == nil {
		return ""
	}
	if s := e.stop.Load(); s != nil {
		return s.msg
	}
	return ""
}

// governor is the process's one memory governor (the heap is the
// process's). Safe for concurrent use.
type governor struct {
	mu       sync.Mutex
	execs    []*execMem // in flight, oldest first
	running  bool       // the sampler goroutine runs
	hold     *execMem   // stopped, not yet ended and collected
	lastCeil time.Time  // the last GC the process-wide check asked for
	ceilGC   uint64     // the GC cycle count when it asked (0: none pending)
	ceilSeen uint64     // the GC cycle whose live heap it last acted on
	runtimes []weak.Pointer[Runtime]
	last     atomic.Pointer[heapSample] // the latest sample
	samples  atomic.Int64               // samples taken (for tests and figures)
	buf      []metrics.Sample           // the sampler's; begin's under mu
}

var gov = &governor{buf: newHeapBuf()}

// register lets the process-wide check drop r's idle runtimes.
func (g *governor) register(r *Runtime) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.runtimes = slices.DeleteFunc(g.runtimes, func(p weak.Pointer[Runtime]) bool { return p.Value() == nil })
	g.runtimes = append(g.runtimes, weak.Make(r))
}

// begin registers an execution on m with memory limit limit (bytes) and
// starts the sampler if it is not running.
func (g *governor) begin(r *Runtime, m *vm, limit int64) *execMem {
	e := &execMem{r: r, m: m, start: time.Now(), limit: limit}
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.last.Load()
	if !g.running || s == nil {
		h := readHeap(g.buf)
		s = &h
		g.last.Store(s)
	}
	if m.bornLive == 0 || s.live < m.bornLive {
		m.bornLive = s.live // the lowest seen: not a stale reading
	}
	base := min(s.goal, 2*s.objects+4<<20) // a sane base with GOGC=off too
	e.bound = base + uint64(limit)
	e.objs, e.cycle = s.objects, s.cycles
	g.execs = append(g.execs, e)
	if !g.running {
		g.running = true
		go g.sample()
	}
	return e
}

// end unregisters e.
func (g *governor) end(e *execMem) {
	g.mu.Lock()
	defer g.mu.Unlock()
	e.ended = true
	if i := slices.Index(g.execs, e); i >= 0 {
		g.execs = slices.Delete(g.execs, i, i+1)
	}
}

// Sampling reports whether the governor's sampler goroutine runs now (it
// runs only while executions are in flight) and how many samples it has
// taken in all. Safe for concurrent use.
func Sampling() (running bool, samples int64) {
	gov.mu.Lock()
	defer gov.mu.Unlock()
	return gov.running, gov.samples.Load()
}

// sample is the sampler goroutine: it runs while executions are in flight.
func (g *governor) sample() {
	t := time.NewTicker(SampleInterval)
	defer t.Stop()
	buf := newHeapBuf()
	for range t.C {
		h := readHeap(buf)
		g.last.Store(&h)
		g.samples.Add(1)
		g.mu.Lock()
		if len(g.execs) == 0 && g.hold == nil {
			g.running = false
			g.mu.Unlock()
			return
		}
		if hold := g.hold; hold != nil {
			ended := hold.ended
			g.mu.Unlock()
			if !ended {
				continue
			}
			// Its runtime is discarded: collect it before judging again
			// (the sampler takes no sample meanwhile).
			g.mu.Lock()
			if g.hold == hold {
				g.hold = nil
			}
			g.mu.Unlock()
			hold = nil
			runtime.GC()
			continue
		}
		if ceil := processCeiling(); ceil > 0 {
			switch {
			case h.live > ceil && h.cycles > g.ceilSeen:
				// A GC found more live heap than the ceiling.
				g.ceilSeen, g.ceilGC = h.cycles, 0
				g.mu.Unlock()
				g.overCeiling(ceil, h)
				continue
			case g.ceilGC == 0 && h.objects > ceil && time.Since(g.lastCeil) > time.Second:
				// Over, garbage included: a GC tells (without holding
				// up the sampler, whose per-execution checks go on).
				g.lastCeil, g.ceilGC = time.Now(), h.cycles
				go runtime.GC()
			case g.ceilGC != 0 && h.cycles > g.ceilGC:
				g.ceilGC = 0 // the GC found the live heap under the ceiling
			}
		}
		for _, e := range g.execs { // oldest first
			over := h.objects > e.bound || (h.cycles > e.cycle && h.live > e.objs+uint64(e.limit))
			if over && e.stop.Load() == nil {
				g.stopLocked(e, fmt.Sprintf("used more than %s of memory", mib(e.limit)))
				break
			}
		}
		g.mu.Unlock()
	}
}

// stopLocked stops e with reason msg and holds further stops until it has
// ended and been collected. g.mu is held.
func (g *governor) stopLocked(e *execMem, msg string) {
	s := &memStop{msg: msg}
	if e.stop.CompareAndSwap(nil, s) {
		e.m.rt.Interrupt(s)
		g.hold = e
	}
}

// overCeiling drops the idle runtimes of every Runtime, then stops every
// in-flight execution: a GC found h.live over ceil.
func (g *governor) overCeiling(ceil uint64, h heapSample) {
	g.mu.Lock()
	rts := slices.Clone(g.runtimes)
	g.mu.Unlock()
	for _, p := range rts {
		if r := p.Value(); r != nil {
			r.dropIdle()
		}
	}
	msg := fmt.Sprintf("the server's live heap (%s) is over its ceiling of %s", mib(int64(h.live)), mib(int64(ceil)))
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, e := range g.execs {
		s := &memStop{msg: msg}
		if e.stop.CompareAndSwap(nil, s) {
			e.m.rt.Interrupt(s)
		}
	}
	if n := len(g.execs); n > 0 {
		g.hold = g.execs[n-1]
	}
}

// dropIdle discards every idle pooled runtime of r (and the globals they
// keep).
func (r *Runtime) dropIdle() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for e := r.lru.Front(); e != nil; e = e.Next() {
		for _, m := range e.Value.(*udfPool).idle {
			close(m.jobs)
		}
	}
	r.lru.Init()
	clear(r.pools)
}

// memLimit is u's memory limit in bytes under options o: the UDF's own,
// else the runtime's default, at most MaxMemoryLimit.
func (o *Options) memLimit(u *engine.UDF) int64 {
	l := o.MemoryLimit
	if u.MemoryLimitMiB > 0 {
		l = int64(u.MemoryLimitMiB) << 20
	}
	return min(l, MaxMemoryLimit)
}

// retire reports whether runtime m, used with memory limit limit, has let
// the live heap grow by more than limit since it was made (state kept in
// its globals, or the rest of the server's growth): it is then discarded.
func (m *vm) retire(limit int64) bool {
	s := gov.last.Load()
	return s != nil && s.live > m.bornLive+uint64(limit)
}

func mib(b int64) string {
	if b%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", b>>20)
	}
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}

// processCeilingOverride, if positive, replaces the derived ceiling.
var processCeilingOverride atomic.Int64

// SetProcessMemoryLimit sets the process-wide heap ceiling above which the
// memory governor stops every execution and drops every idle runtime, in
// bytes; 0 or less restores the one derived from the machine. It returns
// the previous setting. Safe for concurrent use.
func SetProcessMemoryLimit(bytes int64) (previous int64) {
	return processCeilingOverride.Swap(max(bytes, 0))
}

var derivedCeiling = sync.OnceValue(func() uint64 {
	limit := uint64(math.MaxUint64)
	if l := debug.SetMemoryLimit(-1); l > 0 && l < math.MaxInt64 {
		limit = uint64(l)
	}
	for _, path := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		if b, err := os.ReadFile(path); err == nil {
			if n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 {
				limit = min(limit, n)
			}
		}
	}
	if n := physicalMemory(); n > 0 {
		limit = min(limit, n)
	}
	if limit == math.MaxUint64 {
		return 4 << 30
	}
	return limit / 4 * 3
})

// processCeiling is the heap size above which the governor stops every
// execution and drops the idle runtimes.
func processCeiling() uint64 {
	if n := processCeilingOverride.Load(); n > 0 {
		return uint64(n)
	}
	return derivedCeiling()
}

// physicalMemory is MemTotal of /proc/meminfo, or 0 where there is none.
func physicalMemory() uint64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			fs := strings.Fields(rest)
			if len(fs) == 2 && fs[1] == "kB" {
				if n, err := strconv.ParseUint(fs[0], 10, 64); err == nil {
					return n << 10
				}
			}
		}
	}
	return 0
}
