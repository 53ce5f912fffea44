package goja

import (
	"strings"

	"github.com/dop251/goja"

	"github.com/twinstudio/twinstudio/engine"
)

// ScriptChecker is an engine.ScriptChecker: it compiles a user-defined
// function's script with goja, as the runtime will, without running it.
// The zero value is ready to use; safe for concurrent use.
type ScriptChecker struct{}

var _ engine.ScriptChecker = ScriptChecker{}

// checkTail closes the runtime's wrapper (wrapperHead: a function body,
// so that top-level return is allowed) without calling anything; line
// numbers are the script's, and the head adds columns on line 1 only.
const checkTail = "\n})"

// CheckScript compiles script. A script that does not compile gives an
// *engine.ScriptError with the line and column in script and goja's
// message ("SyntaxError: Unexpected token ...").
func (ScriptChecker) CheckScript(name, script string) error {
	if err := engine.CheckScriptText(name, script); err != nil {
		return err
	}
	_, err := goja.Compile(name, wrapperHead+script+checkTail, false)
	if err == nil {
		return nil
	}
	msg, line, col := compileError(err)
	if lines := strings.Count(script, "\n") + 1; line > lines { // at the end of the script
		line, col = lines, 0
	}
	return &engine.ScriptError{Name: name, Line: line, Column: max(col, 0), Msg: oneLineMsg(msg)}
}

func oneLineMsg(s string) string { return strings.Join(strings.Fields(s), " ") }
