package goja_test

import (
	"errors"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/goja"
)

// TestScriptChecker: scripts that compile pass; others give the line and
// column in the script itself (not in the runtime's wrapper).
func TestScriptChecker(t *testing.T) {
	var c goja.ScriptChecker
	for _, ok := range []string{
		"function process(telemetry, executionContext) {}",
		"var n = 1;\nfunction process(t, c) { return n; }\n",
		"// only a comment",
	} {
		if err := c.CheckScript("ok.js", ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []struct {
		src        string
		line, col  int
		wantPrefix string
	}{
		{"var = 1;", 1, 5, "SyntaxError: "},
		{"function process(t, c) {\n  var x = ;\n}", 2, 11, "SyntaxError: "},
		{"function process(t, c) {\n", 2, 0, "SyntaxError: "},
		{"let a = 1;\nlet a = 2;\n", 2, 0, "SyntaxError: "},
		{"ok();\x00", 1, 0, "binary file"},
	} {
		err := c.CheckScript("u.js", bad.src)
		var se *engine.ScriptError
		if !errors.As(err, &se) || !errors.Is(err, engine.ErrInvalid) {
			t.Errorf("%q: %v, want a *engine.ScriptError", bad.src, err)
			continue
		}
		if se.Line != bad.line || bad.col != 0 && se.Column != bad.col || len(se.Msg) < len(bad.wantPrefix) || se.Msg[:len(bad.wantPrefix)] != bad.wantPrefix {
			t.Errorf("%q: %v (line %d col %d), want line %d col %d, %q…", bad.src, err, se.Line, se.Column, bad.line, bad.col, bad.wantPrefix)
		}
	}
}
