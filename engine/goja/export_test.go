package goja

import (
	"time"

	"github.com/dop251/goja"
)

// InstallSlowNative makes every runtime created from now on have a global
// function name that sleeps for d without looking at the interrupt: a
// stand-in for a built-in that runs long in Go. Call it before creating
// the Runtime, never concurrently with one being created; call the
// function it returns to stop installing it.
func InstallSlowNative(name string, d time.Duration) (remove func()) {
	testNative = &struct {
		name string
		fn   func(goja.FunctionCall) goja.Value
	}{name, func(goja.FunctionCall) goja.Value { time.Sleep(d); return goja.Undefined() }}
	return func() { testNative = nil }
}
