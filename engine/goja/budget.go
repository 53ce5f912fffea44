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
// contain; without direct eval (the runtime's eval is always indirect)
// and without with (refused when budgeted, see withError) the script
// cannot name it. __budget$N is a read-only global the runtime installs:
// called with 0 it returns the execution's budget, with 1 it interrupts
// the runtime, which no try/catch can catch. The wrapper's tail also
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
	"github.com/dop251/goja/file"
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
	var visit func(v reflect.Value)
	visit = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Interface, reflect.Pointer:
			if v.IsNil() {
				return
			}
			switch x := v.Interface().(type) {
			case *file.File:
				return
			case *ast.Identifier:
				used[string(x.Name)] = true
				return
			}
			visit(v.Elem())
		case reflect.Struct:
			walkFields(v, visit)
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				visit(v.Index(i))
			}
		}
	}
	visit(reflect.ValueOf(prg))
	for n := 0; ; n++ {
		b := budgetNames{counter: "$budget" + strconv.Itoa(n), hook: "__budget$" + strconv.Itoa(n)}
		if !used[b.counter] && !used[b.hook] {
			return b
		}
	}
}

// hasWith reports whether the script has a with statement, which could
// put a name of its choosing before the budget counter.
func hasWith(prg *ast.Program) bool {
	found := false
	var visit func(v reflect.Value)
	visit = func(v reflect.Value) {
		if found {
			return
		}
		switch v.Kind() {
		case reflect.Interface, reflect.Pointer:
			if v.IsNil() {
				return
			}
			switch v.Interface().(type) {
			case *file.File:
				return
			case *ast.WithStatement:
				found = true
				return
			}
			visit(v.Elem())
		case reflect.Struct:
			walkFields(v, visit)
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				visit(v.Index(i))
			}
		}
	}
	visit(reflect.ValueOf(prg))
	return found
}

// errBudget interrupts a budgeted execution that used up its budget.
var errBudget = fmt.Errorf("budget exhausted")

// installBudgetHook defines the global hook name on m's runtime (once).
func (m *vm) installBudgetHook(name string) {
	if m.hooks[name] {
		return
	}
	if m.hooks == nil {
		m.hooks = map[string]bool{}
	}
	m.hooks[name] = true
	fn := func(c goja.FunctionCall) goja.Value {
		if c.Argument(0).ToInteger() == 0 {
			return m.rt.ToValue(m.budget)
		}
		m.rt.Interrupt(errBudget)
		return goja.Undefined()
	}
	m.rt.GlobalObject().DefineDataProperty(name, m.rt.ToValue(fn), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
}
