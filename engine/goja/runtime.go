// Package goja runs user-defined functions written in JavaScript with
// github.com/dop251/goja. It implements engine.UDFRuntime and is a bridge:
// the client library's meaning (lookups under the UDF's identity,
// read-your-own-writes, data types, writes, notifications, the record of
// calls) is the engine's UDFContext; this package converts JavaScript
// arguments into calls on it and results into script objects.
//
// Scripts are compiled once per UDF version (and per trace and budget
// variant). Runtimes are pooled per UDF version, so no UDF can see or
// change another's globals, built-ins or prototypes; each runtime is used
// by one execution at a time. Built-ins that could overflow Go's stack,
// hang or allocate without bound are replaced by bounded versions
// (harden.go), and an execution stuck in a built-in after its limit is
// given up (AbandonGrace).
// A script sees only the preview's client library (getSensorMetadata,
// setSpaceValue, log, …): there is no require, console, file, network or
// process access, and eval is always indirect. Every execution has a
// wall-clock time limit (Interrupt, then ClearInterrupt before the runtime
// is reused), a memory limit enforced by sampling the heap (memguard.go;
// a stopped execution's runtime is discarded) and a call-stack limit; with engine.ExecInput.Budget it is
// instead stopped deterministically after a number of loop iterations and
// calls (see budget.go), the wall clock only as a backstop.
package goja

import (
	clist "container/list"
	"errors"
	"fmt"
	"math/rand"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja/file"
	"github.com/dop251/goja/parser"

	"github.com/twinstudio/twinstudio/engine"
)

// Options configure a Runtime. The zero value is valid.
type Options struct {
	// Limit is the default time limit of one execution; default
	// engine.DefaultUDFLimit (100 ms).
	Limit time.Duration
	// MaxCallStack is the deepest JavaScript call stack allowed; default 512.
	MaxCallStack int
	// Now is the time source scripts see (Date); default time.Now. The
	// simulator drives it with its clock.
	Now func() time.Time
	// Seed seeds Math.random; 0 seeds from the clock.
	Seed int64
	// MemoryLimit is the default memory one execution may build up, in
	// bytes (see memguard.go); default DefaultMemoryLimit, at most
	// MaxMemoryLimit. A UDF's MemoryLimitMiB replaces it. Negative turns
	// the memory governor off for this Runtime.
	MemoryLimit int64
}

// Runtime is an engine.UDFRuntime. Safe for concurrent use.
//
// Isolation: every UDF version has runtimes of its own (a bounded pool
// per UDF id and version, the least recently used dropped first), so no
// UDF can see or change another's globals, built-ins or prototypes. A
// runtime is shared only by executions of the same UDF version, which
// may keep state in globals between executions as in the preview.
type Runtime struct {
	opts      Options
	progs     sync.Map // progKey → *compiled
	seed      int64
	mu        sync.Mutex // guards seed, pools, lru
	pools     map[poolKey]*clist.Element
	lru       *clist.List // of *udfPool, most recently used first
	abandoned atomic.Int64
	stuck     atomic.Int64
}

// Pool bounds: idle runtimes kept per UDF version, and UDF versions with
// idle runtimes.
const (
	MaxIdlePerUDF = 4
	MaxPooledUDFs = 128
)

// AbandonGrace is how long after its time limit an execution that does
// not stop (stuck inside a built-in that does not look at the interrupt)
// is given before the runtime gives up on it: the execution is recorded
// as timed out, its runtime is discarded and the worker goes on; the
// stuck goroutine ends whenever the built-in returns.
const AbandonGrace = 500 * time.Millisecond

type poolKey struct {
	id      engine.ID
	updated int64
}

type udfPool struct {
	key  poolKey
	idle []*vm
}

var _ engine.UDFRuntime = (*Runtime)(nil)

type progKey struct {
	id      engine.ID
	updated int64
	trace   bool
	budget  bool
}

type compiled struct {
	prog *goja.Program
	err  error
	cols *ColumnMap  // instrumented programs: maps error columns back to the script
	bud  budgetNames // budgeted programs: the names of the budget code
}

// fns are a runtime's loaded process function of one program and, for a
// budgeted program, the setter of its budget counter.
type fns struct {
	process, setBudget goja.Callable
}

// New returns a Runtime.
func New(opts Options) *Runtime {
	if opts.Limit <= 0 {
		opts.Limit = engine.DefaultUDFLimit
	}
	if opts.MaxCallStack <= 0 {
		opts.MaxCallStack = 512
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MemoryLimit == 0 {
		opts.MemoryLimit = DefaultMemoryLimit
	}
	r := &Runtime{opts: opts, seed: opts.Seed, pools: map[poolKey]*clist.Element{}, lru: clist.New()}
	if r.seed == 0 {
		r.seed = time.Now().UnixNano()
	}
	if opts.MemoryLimit > 0 {
		gov.register(r)
	}
	return r
}

// wrapperHead keeps the script's line numbers: everything it adds stays on
// line 1 before the script's first character.
const wrapperHead = "(function(){"
const wrapperTail = "\n;return typeof process === 'function' ? process : undefined;})()"

func (r *Runtime) program(k progKey, u *engine.UDF) *compiled {
	if c, ok := r.progs.Load(k); ok {
		return c.(*compiled)
	}
	c := compile(u, k.trace, k.budget)
	r.progs.Store(k, c)
	return c
}

func compile(u *engine.UDF, trace, budget bool) *compiled {
	src := u.Script
	tail := wrapperTail
	c := &compiled{}
	if trace || budget {
		var err error
		if src, c.cols, c.bud, err = instrument(u.Script, trace, budget); err != nil {
			c.err = err
			return c
		}
		if budget {
			tail = c.bud.tail()
		}
	}
	if len(u.Script) > MaxScriptSize {
		c.err = &limitError{fmt.Sprintf("the script has %d bytes: more than %d", len(u.Script), MaxScriptSize)}
		return c
	}
	if err := checkNesting(u.Script, MaxNesting); err != nil {
		c.err = &limitError{"the script's brackets: " + err.Error()}
		return c
	}
	c.prog, c.err = goja.Compile(u.Name+".js", wrapperHead+src+tail, false)
	return c
}

// vm is one goja runtime with the client library installed.
type vm struct {
	rt     *goja.Runtime
	fns    map[progKey]fns
	ex     *engine.UDFContext
	trace  bool  // the execution records a line trace
	budget int64 // the execution's budget (budgeted programs)
	// now is the time scripts see (Date) during a budgeted execution: the
	// reading's received time, so that a simulated run's UDFs see the same
	// clock however late a worker gets to them; zero: the runtime's Now.
	now    time.Time
	hooks  map[string]bool // budget hooks installed
	hider  goja.Callable   // makes with-object proxies (budget.go)
	protos protos

	stringify goja.Callable // the hardened JSON.stringify, keys sorted (harden.go)
	lib       sync.Mutex    // held by library calls; see guard
	gone      bool          // the runtime gave up on the execution (under lib)
	jobs      chan job      // executions for the runtime's goroutine (loop); closed when it is dropped
	bornLive  uint64        // the live heap at the runtime's first execution (memguard.go)
	// Made once per runtime and reused by each execution (see timers.go):
	// the outcome of the running job, the timer that gives up on a stuck
	// execution, and the one that interrupts at the time limit.
	done  chan outcome // buffered 1: loop's send never blocks, even after Execute gave up
	grace *time.Timer
	limit limitTimer
}

// get returns an idle runtime of UDF version k, or a new one.
func (r *Runtime) get(k poolKey) *vm {
	r.mu.Lock()
	if e, ok := r.pools[k]; ok {
		p := e.Value.(*udfPool)
		if n := len(p.idle); n > 0 {
			m := p.idle[n-1]
			p.idle = p.idle[:n-1]
			r.lru.MoveToFront(e)
			r.mu.Unlock()
			return m
		}
	}
	r.mu.Unlock()
	return r.newVM()
}

// put returns m to UDF version k's idle runtimes.
func (r *Runtime) put(k poolKey, m *vm) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.pools[k]
	if !ok {
		e = r.lru.PushFront(&udfPool{key: k})
		r.pools[k] = e
		for r.lru.Len() > MaxPooledUDFs {
			old := r.lru.Back()
			r.lru.Remove(old)
			p := old.Value.(*udfPool)
			delete(r.pools, p.key)
			for _, m := range p.idle {
				close(m.jobs)
			}
		}
	} else {
		r.lru.MoveToFront(e)
	}
	p := e.Value.(*udfPool)
	if len(p.idle) < MaxIdlePerUDF {
		p.idle = append(p.idle, m)
	} else {
		close(m.jobs)
	}
}

// job is one execution handed to a runtime's goroutine.
type job struct {
	x    *engine.UDFContext
	c    *compiled
	k    progKey
	wall time.Duration
}

// loop runs m's jobs until m.jobs is closed (the runtime is dropped).
func (m *vm) loop(r *Runtime) {
	for j := range m.jobs {
		r.stuck.Add(1)
		var o outcome
		func() {
			defer func() {
				if p := recover(); p != nil {
					o = outcome{outcome: engine.OutcomeFailed, err: fmt.Sprintf("internal error: %v", p), poisoned: true}
				}
			}()
			o = m.run(j.x, j.c, j.k, j.wall)
		}()
		r.stuck.Add(-1)
		m.done <- o
	}
}

// Abandoned returns the number of executions the runtime gave up on
// because they did not stop after their time limit, and the number of
// executions running now (those given up on that are still stuck in a
// built-in included). Safe for concurrent use.
func (r *Runtime) Abandoned() (abandoned, stuck int64) {
	return r.abandoned.Load(), r.stuck.Load()
}

func (r *Runtime) newVM() *vm {
	rt := goja.New()
	rt.SetMaxCallStackSize(r.opts.MaxCallStack)
	var m *vm
	rt.SetTimeSource(func() time.Time {
		if !m.now.IsZero() {
			return m.now
		}
		return r.opts.Now()
	})
	r.mu.Lock()
	r.seed++
	rng := rand.New(rand.NewSource(r.seed))
	r.mu.Unlock()
	rt.SetRandSource(rng.Float64)
	m = &vm{rt: rt, fns: map[progKey]fns{}}
	m.install()
	m.initHider()
	m.harden()
	m.jobs = make(chan job)
	m.done = make(chan outcome, 1)
	m.grace = time.NewTimer(time.Hour)
	m.grace.Stop()
	m.limit.init(m.rt)
	go m.loop(r)
	return m
}

// Execute implements engine.UDFRuntime. With x.Input().Budget the script
// runs budgeted (see budget.go) and the wall-clock limit is
// engine.UDFBackstopFactor times longer.
func (r *Runtime) Execute(x *engine.UDFContext) *engine.ExecutionRecord {
	u, in, rec := x.UDF(), x.Input(), x.Record()
	defer func() {
		rec.Duration = time.Since(rec.Start)
		// A fault of ours must not take the engine down with it.
		if p := recover(); p != nil {
			rec.Outcome = engine.OutcomeFailed
			rec.Error = fmt.Sprintf("internal error: %v", p)
		}
	}()
	k := progKey{u.ID, u.Updated.UnixNano(), in.Trace, in.Budget > 0}
	c := r.program(k, u)
	if c.err != nil {
		rec.Outcome = engine.OutcomeFailed
		var le *limitError
		if errors.As(c.err, &le) {
			rec.Error = le.msg
		} else {
			rec.Error, rec.Line, rec.Column = compileError(c.err)
			rec.Error = cut(rec.Error)
		}
		return x.Finish()
	}
	m := r.get(poolKey{u.ID, u.Updated.UnixNano()})
	limit := in.Limit
	if limit <= 0 {
		limit = u.TimeLimit
	}
	if limit <= 0 {
		limit = r.opts.Limit
	}
	if limit > engine.MaxUDFLimit {
		limit = engine.MaxUDFLimit
	}
	wall := limit
	if k.budget {
		wall *= engine.UDFBackstopFactor
	}
	// The execution runs on a goroutine of its own so that one stuck in a
	// built-in that does not look at the interrupt cannot hold the worker:
	// after wall+AbandonGrace the runtime gives up on it.
	// The runtime's own goroutine runs it (its stack stays grown between
	// executions).
	var mem *execMem
	memLimit := r.opts.memLimit(u)
	if memLimit > 0 {
		mem = gov.begin(r, m, memLimit)
		defer gov.end(mem) // after the runtime is discarded
	}
	m.jobs <- job{x: x, c: c, k: k, wall: wall}
	m.grace.Reset(wall + AbandonGrace)
	select {
	case o := <-m.done:
		m.grace.Stop()
		m.lib.Lock()
		m.ex = nil
		m.lib.Unlock()
		m.rt.ClearInterrupt()
		if mem.stopped() != "" || o.outcome == engine.OutcomeTimedOut {
			// Stopped (by the memory governor, the time limit or the
			// budget): the runtime may hold what the execution built up,
			// in globals or in its value stack, so it goes.
			o.poisoned = true
		}
		if o.poisoned || (mem != nil && m.retire(memLimit)) {
			close(m.jobs)
		} else {
			r.put(poolKey{u.ID, u.Updated.UnixNano()}, m)
		}
		rec.Outcome, rec.Error, rec.Line, rec.Column, rec.Stack = o.outcome, cut(o.err), o.line, o.col, o.stack
		c.cols.FixRecord(rec)
	case <-m.grace.C:
		m.rt.Interrupt(errTimeLimit)
		m.lib.Lock()
		m.ex, m.gone = nil, true
		m.lib.Unlock()
		close(m.jobs) // its goroutine ends once the built-in returns
		r.abandoned.Add(1)
		rec.Outcome = engine.OutcomeTimedOut
		rec.Error = fmt.Sprintf("did not stop within %s after its time limit of %s (stuck inside a built-in function); its runtime was discarded", AbandonGrace, wall)
	}
	return x.Finish()
}

// outcome is what one run of a script gave.
type outcome struct {
	outcome, err, stack string
	line, col           int
	poisoned            bool // the runtime must not be reused
}

// run runs the script of c on m for x, with wall-clock limit wall.
func (m *vm) run(x *engine.UDFContext, c *compiled, k progKey, wall time.Duration) outcome {
	in := x.Input()
	if k.budget {
		m.installBudgetHook(c.bud)
	}
	m.budget = in.Budget
	m.now = time.Time{}
	if in.Budget > 0 {
		m.now = in.ReceivedTime
	}
	stopped := func(err error) (string, bool) {
		var ie *goja.InterruptedError
		if !errors.As(err, &ie) {
			return "", false
		}
		if s, ok := ie.Value().(*memStop); ok {
			return "stopped: " + s.msg, true
		}
		switch ie.Value() {
		case errBudget:
			return fmt.Sprintf("stopped after its budget of %d steps (loop iterations and function calls)", in.Budget), true
		case errRegexp:
			return "stopped: " + errRegexp.Error(), true
		}
		return fmt.Sprintf("stopped after the time limit of %s", wall), true
	}
	failed := func(err error) outcome {
		o := outcome{outcome: engine.OutcomeFailed}
		o.err, o.line, o.col, o.stack = runError(err)
		var so *goja.StackOverflowError
		if errors.As(err, &so) {
			o.poisoned = true // a stack overflow can leave a native half done
		}
		return o
	}
	f, ok := m.fns[k]
	if !ok {
		// The script's top level runs here once per runtime, under the
		// limit and with a budget of its own.
		m.lib.Lock()
		m.ex = x
		m.lib.Unlock()
		m.limit.arm(wall)
		val, err := m.rt.RunProgram(c.prog)
		m.limit.disarm()
		if err != nil {
			if msg, ok := stopped(err); ok {
				return outcome{outcome: engine.OutcomeTimedOut, err: "the script's top level " + msg, poisoned: true}
			}
			o := failed(err)
			o.poisoned = true // its top level did not finish: start afresh next time
			return o
		}
		if k.budget {
			// [process, setBudget]
			if o, isObj := val.(*goja.Object); isObj {
				f.setBudget, _ = goja.AssertFunction(o.Get("1"))
				val = o.Get("0")
			}
		}
		f.process, ok = goja.AssertFunction(val)
		if !ok {
			return outcome{outcome: engine.OutcomeFailed, err: "the script defines no function process(telemetry, executionContext)", poisoned: true}
		}
		if len(m.fns) > 256 {
			clear(m.fns)
		}
		m.fns[k] = f
	}
	m.lib.Lock()
	m.ex, m.trace = x, in.Trace
	m.lib.Unlock()
	if f.setBudget != nil {
		if _, err := f.setBudget(goja.Undefined(), m.rt.ToValue(in.Budget)); err != nil {
			return outcome{outcome: engine.OutcomeFailed, err: "internal error: " + err.Error(), poisoned: true}
		}
	}
	m.limit.arm(wall)
	// telemetry and executionContext are lazy (lazy.go): the times are
	// formatted only if the script reads them.
	tel := m.lazy(telemetryShape, nil, &lazyObj{x: x})
	ctx := m.lazy(contextShape, nil, &lazyObj{x: x})
	_, err := f.process(goja.Undefined(), tel, ctx)
	m.limit.disarm()
	if err != nil {
		if msg, ok := stopped(err); ok {
			o := outcome{outcome: engine.OutcomeTimedOut, err: msg}
			_, o.line, o.col, o.stack = runError(err)
			return o
		}
		return failed(err)
	}
	return outcome{outcome: engine.OutcomeOK}
}

// limitError refuses a script over a size limit.
type limitError struct{ msg string }

func (e *limitError) Error() string { return e.msg }

var errTimeLimit = errors.New("time limit")

var lineColRE = regexp.MustCompile(`Line (\d+):(\d+)`)

func compileError(err error) (string, int, int) {
	var list parser.ErrorList
	var perr *parser.Error
	var se *goja.CompilerSyntaxError
	var pos file.Position
	msg := err.Error()
	switch {
	case errors.As(err, &list) && len(list) > 0:
		pos, msg = list[0].Position, list[0].Message
	case errors.As(err, &perr):
		pos, msg = perr.Position, perr.Message
	case errors.As(err, &se):
		msg = se.Message
		if se.File != nil {
			pos = se.File.Position(se.Offset)
		} else if m := lineColRE.FindStringSubmatch(msg); m != nil {
			// "name.js: Line 2:7 Unexpected token = (and 1 more errors)"
			pos.Line, _ = strconv.Atoi(m[1])
			pos.Column, _ = strconv.Atoi(m[2])
			msg = strings.TrimSpace(msg[strings.Index(msg, m[0])+len(m[0]):])
		}
	}
	if pos.Line == 1 {
		pos.Column -= len(wrapperHead)
	}
	return "SyntaxError: " + msg, pos.Line, pos.Column
}

// runError extracts message, position and stack from a goja error.
func runError(err error) (msg string, line, col int, stack string) {
	var ex *goja.Exception
	var so *goja.StackOverflowError
	switch {
	case errors.As(err, &ex):
		msg = ex.Value().String()
		if o, ok := ex.Value().(*goja.Object); ok {
			if m := o.Get("message"); m != nil && !goja.IsUndefined(m) {
				if n := o.Get("name"); n != nil && !goja.IsUndefined(n) {
					msg = n.String() + ": " + m.String()
				}
			}
		}
		line, col, stack = frames(ex.Stack())
	case errors.As(err, &so):
		msg = "RangeError: maximum call stack size exceeded"
		line, col, stack = frames(so.Stack())
	default:
		var ie *goja.InterruptedError
		if errors.As(err, &ie) {
			line, col, stack = frames(ie.Stack())
		}
		msg = err.Error()
	}
	return
}

func frames(st []goja.StackFrame) (int, int, string) {
	var b strings.Builder
	line, col := 0, 0
	for i, f := range st {
		p := f.Position()
		if p.Line == 0 {
			continue
		}
		c := p.Column
		if p.Line == 1 {
			c -= len(wrapperHead)
		}
		if line == 0 {
			line, col = p.Line, c
		}
		name := f.FuncName()
		if name == "" {
			name = "<anonymous>"
		}
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "at %s (%s:%d:%d)", name, f.SrcName(), p.Line, c)
	}
	return line, col, b.String()
}
