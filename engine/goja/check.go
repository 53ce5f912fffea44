package goja

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/file"
	"github.com/dop251/goja/parser"

	"github.com/twinstudio/twinstudio/engine"
)

// ScriptChecker is an engine.ScriptChecker: it compiles a user-defined
// function's script with goja, as the runtime will, without running it.
// The zero value is ready to use; safe for concurrent use.
type ScriptChecker struct{}

var _ engine.ScriptChecker = ScriptChecker{}

// checkHead and checkTail wrap a script as the runtime does (a function
// body, so that top-level return is allowed), keeping its line numbers:
// the head adds nothing but columns on line 1.
const (
	checkHead = "(function(){"
	checkTail = "\n})"
)

var lineColRE2 = regexp.MustCompile(`Line (\d+):(\d+)`)

// CheckScript compiles script. A script that does not compile gives an
// *engine.ScriptError with the line and column in script and goja's
// message ("SyntaxError: Unexpected token ...").
func (ScriptChecker) CheckScript(name, script string) error {
	if err := engine.CheckScriptText(name, script); err != nil {
		return err
	}
	_, err := goja.Compile(name, checkHead+script+checkTail, false)
	if err == nil {
		return nil
	}
	var (
		list parser.ErrorList
		perr *parser.Error
		se   *goja.CompilerSyntaxError
		pos  file.Position
	)
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
		} else if m := lineColRE2.FindStringSubmatch(msg); m != nil {
			pos.Line, _ = strconv.Atoi(m[1])
			pos.Column, _ = strconv.Atoi(m[2])
			msg = strings.TrimSpace(msg[strings.Index(msg, m[0])+len(m[0]):])
		}
	}
	if pos.Line == 1 {
		pos.Column -= len(checkHead)
	}
	if lines := strings.Count(script, "\n") + 1; pos.Line > lines { // at the end of the script
		pos.Line, pos.Column = lines, 0
	}
	if pos.Column < 0 {
		pos.Column = 0
	}
	return &engine.ScriptError{Name: name, Line: pos.Line, Column: pos.Column, Msg: "SyntaxError: " + oneLineMsg(msg)}
}

func oneLineMsg(s string) string { return strings.Join(strings.Fields(s), " ") }
