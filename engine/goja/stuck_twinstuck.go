//go:build twinstuck

package goja

import "github.com/dop251/goja"

// This file is only in a build with the tag twinstuck, which tests of the
// shutdown path build `twin` with (app's TestServeSIGTERMWithStuckUDF).
// It gives scripts __blockForever(), which blocks the calling goroutine
// in Go for good: an execution that no interrupt can stop, as a native
// call stuck in a system call or a bug would be. The runtime gives up on
// it only AbandonGrace after its time limit, so with a long time limit the
// device's pipeline worker stays stuck, and shutdown must abandon it.
func init() {
	buildGlobals = map[string]func(goja.FunctionCall) goja.Value{
		"__blockForever": func(goja.FunctionCall) goja.Value { select {} },
	}
}
