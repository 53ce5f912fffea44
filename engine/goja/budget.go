package goja

// The deterministic budget (engine.ExecInput.Budget): a budgeted
// execution runs a copy of the script in which every loop iteration and
// every function call counts down a counter, and the execution stops when
// it is exhausted, at the same point on every run however busy the
// machine is. The counting is a few JavaScript operations, no call into
// Go:
//
//	var $budget0=__budget$0(0);            before the script's first statement
//	--$budget0<0&&__budget$0(1);           first in each loop body and function body
//
// The counter is a local of the runtime's wrapper function, so only the
// script's own code can reach it, and its name is one the script does not
// contain; without direct eval (the runtime's eval is always indirect) the
// script cannot name it, and the object of a with statement is wrapped
// (with (o) → with (__budget$N(2,(o)))) in a proxy that hides the budget's
// names, so it cannot stand in for them. __budget$N is a read-only global
// the runtime installs: called with 0 it returns the execution's budget,
// with 1 it interrupts the runtime, which no try/catch can catch, with 2
// and an object it returns the hiding proxy. The wrapper's tail also
// returns a setter that resets the counter before each execution, so that
// every execution, on any pooled runtime, starts with the full budget.
//
// Work that is not a loop iteration or a call (one huge native
// operation) is not counted; the wall-clock backstop stops it.

import (
	"fmt"
	"reflect"
	"strconv"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
)

// budgetNames are the names the budget code of one script uses.
type budgetNames struct {
	counter string // the wrapper's local counter
	hook    string // the global host function
}

func (b *budgetNames) prelude() string {
	return "var " + b.counter + "=" + b.hook + "(0);"
}

func (b *budgetNames) tickExpr() string { return "--" + b.counter + "<0&&" + b.hook + "(1)" }
func (b *budgetNames) tick() string     { return b.tickExpr() + ";" }

// tail ends the wrapper of a budgeted script: it returns process and the
// counter's setter.
func (b *budgetNames) tail() string {
	return "\n;return [typeof process === 'function' ? process : undefined, function(n){" + b.counter + "=n;}];})()"
}

// pickBudgetNames chooses names that no identifier of the script uses.
func pickBudgetNames(prg *ast.Program) budgetNames {
	used := map[string]bool{}
	walkAST(reflect.ValueOf(prg), func(x any) bool {
		if id, ok := x.(*ast.Identifier); ok {
			used[string(id.Name)] = true
			return true
		}
		return false
	})
	for n := 0; ; n++ {
		b := budgetNames{counter: "$budget" + strconv.Itoa(n), hook: "__budget$" + strconv.Itoa(n)}
		if !used[b.counter] && !used[b.hook] {
			return b
		}
	}
}

// errBudget interrupts a budgeted execution that used up its budget.
var errBudget = fmt.Errorf("budget exhausted")

// hiderSource makes the with-object proxy from the runtime's own Proxy,
// Reflect.has and Object, taken before any script runs.
const hiderSource = `(function (P, has, O) {
	return function (a, b, o) {
		if (o === null || o === undefined) { return o; }
		return new P(O(o), {has: function (t, k) { return k !== a && k !== b && has(t, k); }});
	};
})(Proxy, Reflect.has, Object)`

// initHider makes m.hider; newVM calls it before any script runs, so that
// it is made of the runtime's own Proxy, Reflect.has and Object.
func (m *vm) initHider() {
	v, err := m.rt.RunString(hiderSource)
	if err != nil {
		panic(err)
	}
	m.hider, _ = goja.AssertFunction(v)
}

// installBudgetHook defines the global hook of names b on m's runtime
// (once).
func (m *vm) installBudgetHook(b budgetNames) {
	name := b.hook
	if m.hooks[name] {
		return
	}
	if m.hooks == nil {
		m.hooks = map[string]bool{}
	}
	m.hooks[name] = true
	if m.hider == nil {
		m.initHider()
	}
	counter, hook := m.rt.ToValue(b.counter), m.rt.ToValue(b.hook)
	fn := func(c goja.FunctionCall) goja.Value {
		switch c.Argument(0).ToInteger() {
		case 0:
			return m.rt.ToValue(m.budget)
		case 2:
			p, err := m.hider(goja.Undefined(), counter, hook, c.Argument(1))
			if err != nil {
				panic(err)
			}
			return p
		}
		m.rt.Interrupt(errBudget)
		return goja.Undefined()
	}
	m.rt.GlobalObject().DefineDataProperty(name, m.rt.ToValue(fn), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
}
