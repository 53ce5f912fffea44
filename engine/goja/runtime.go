// Package goja runs user-defined functions written in JavaScript with
// github.com/dop251/goja. It implements engine.UDFRuntime and is a bridge:
// the client library's meaning (lookups under the UDF's identity,
// read-your-own-writes, data types, writes, notifications, the record of
// calls) is the engine's UDFContext; this package converts JavaScript
// arguments into calls on it and results into script objects.
//
// Scripts are compiled once per UDF version (and per trace and budget
// variant). Runtimes are pooled; each is used by one goroutine at a time.
// A script sees only the preview's client library (getSensorMetadata,
// setSpaceValue, log, …): there is no require, console, file, network or
// process access, and eval is always indirect. Every execution has a
// wall-clock time limit (Interrupt, then ClearInterrupt before the runtime
// is reused) and a call-stack limit; with engine.ExecInput.Budget it is
// instead stopped deterministically after a number of loop iterations and
// calls (see budget.go), the wall clock only as a backstop.
package goja

import (
	"errors"
	"fmt"
	"math/rand"
	"regexp"
	"strconv"
	"strings"
	"sync"
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
}

// Runtime is an engine.UDFRuntime. Safe for concurrent use.
type Runtime struct {
	opts  Options
	progs sync.Map // progKey → *compiled
	pool  sync.Pool
	seed  int64
	mu    sync.Mutex
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
	r := &Runtime{opts: opts, seed: opts.Seed}
	if r.seed == 0 {
		r.seed = time.Now().UnixNano()
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
	c.prog, c.err = goja.Compile(u.Name+".js", wrapperHead+src+tail, false)
	return c
}

// vm is one goja runtime with the client library installed.
type vm struct {
	rt     *goja.Runtime
	fns    map[progKey]fns
	ex     *engine.UDFContext
	trace  bool            // the execution records a line trace
	budget int64           // the execution's budget (budgeted programs)
	hooks  map[string]bool // budget hooks installed
	hider  goja.Callable   // makes with-object proxies (budget.go)
	protos protos
}

func (r *Runtime) get() *vm {
	if x := r.pool.Get(); x != nil {
		return x.(*vm)
	}
	rt := goja.New()
	rt.SetMaxCallStackSize(r.opts.MaxCallStack)
	rt.SetTimeSource(func() time.Time { return r.opts.Now() })
	r.mu.Lock()
	r.seed++
	rng := rand.New(rand.NewSource(r.seed))
	r.mu.Unlock()
	rt.SetRandSource(rng.Float64)
	m := &vm{rt: rt, fns: map[progKey]fns{}}
	m.install()
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
		rec.Error, rec.Line, rec.Column = compileError(c.err)
		return x.Finish()
	}
	m := r.get()
	defer func() {
		m.ex = nil
		m.rt.ClearInterrupt()
		r.pool.Put(m)
	}()
	limit := in.Limit
	if limit <= 0 {
		limit = u.TimeLimit
	}
	if limit <= 0 {
		limit = r.opts.Limit
	}
	wall := limit
	if k.budget {
		wall *= engine.UDFBackstopFactor
		m.installBudgetHook(c.bud)
	}
	m.budget = in.Budget
	stopped := func(err error) (string, bool) {
		var ie *goja.InterruptedError
		if !errors.As(err, &ie) {
			return "", false
		}
		if ie.Value() == errBudget {
			return fmt.Sprintf("stopped after its budget of %d steps (loop iterations and function calls)", in.Budget), true
		}
		return fmt.Sprintf("stopped after the time limit of %s", wall), true
	}
	f, ok := m.fns[k]
	if !ok {
		// The script's top level runs here once per runtime, under the
		// limit and with a budget of its own.
		timer := time.AfterFunc(wall, func() { m.rt.Interrupt(errTimeLimit) })
		val, err := m.rt.RunProgram(c.prog)
		timer.Stop()
		if err != nil {
			if msg, ok := stopped(err); ok {
				rec.Outcome = engine.OutcomeTimedOut
				rec.Error = "the script's top level " + msg
				return x.Finish()
			}
			rec.Outcome = engine.OutcomeFailed
			rec.Error, rec.Line, rec.Column, rec.Stack = runError(err)
			c.cols.FixRecord(rec)
			return x.Finish()
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
			rec.Outcome = engine.OutcomeFailed
			rec.Error = "the script defines no function process(telemetry, executionContext)"
			return x.Finish()
		}
		if len(m.fns) > 256 {
			clear(m.fns)
		}
		m.fns[k] = f
	}
	m.ex, m.trace = x, in.Trace
	if f.setBudget != nil {
		if _, err := f.setBudget(goja.Undefined(), m.rt.ToValue(in.Budget)); err != nil {
			rec.Outcome, rec.Error = engine.OutcomeFailed, "internal error: "+err.Error()
			return x.Finish()
		}
	}
	timer := time.AfterFunc(wall, func() { m.rt.Interrupt(errTimeLimit) })
	tel := m.rt.NewObject()
	tel.Set("SensorId", idString(rec.Sensor))
	tel.Set("Message", in.Message)
	ctx := m.rt.NewObject()
	ctx.Set("UserDefinedFunctionId", u.ID.String())
	ctx.Set("EnqueuedTime", in.EnqueuedTime.UTC().Format(time.RFC3339Nano))
	ctx.Set("ProcessorReceivedTime", in.ReceivedTime.UTC().Format(time.RFC3339Nano))
	ctx.Set("CorrelationId", in.CorrelationID)
	_, err := f.process(goja.Undefined(), tel, ctx)
	timer.Stop()
	if err != nil {
		if msg, ok := stopped(err); ok {
			rec.Outcome = engine.OutcomeTimedOut
			rec.Error = msg
			_, rec.Line, rec.Column, rec.Stack = runError(err)
		} else {
			rec.Outcome = engine.OutcomeFailed
			rec.Error, rec.Line, rec.Column, rec.Stack = runError(err)
		}
		c.cols.FixRecord(rec)
		return x.Finish()
	}
	rec.Outcome = engine.OutcomeOK
	return x.Finish()
}

var errTimeLimit = errors.New("time limit")

var lineColRE = regexp.MustCompile(`Line (\d+):(\d+)`)

func idString(id engine.ID) string { return id.String() }

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
