package engine_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/goja"
	"github.com/twinstudio/twinstudio/engine/jsonpath"
)

// TestProvisionRefusesBinaryScript: Engine.Provision itself (no checker
// needed) refuses a script with a NUL byte or invalid UTF-8, naming file,
// line and field, and changes nothing.
func TestProvisionRefusesBinaryScript(t *testing.T) {
	e, _ := openEngine(t)
	for _, c := range []struct{ script, want string }{
		{"function process() {}\n\x00", "p.yaml:7: script: u.js:2: binary file (NUL byte): a script must be UTF-8 text"},
		{"// \xff\nfunction process() {}", "p.yaml:7: script: u.js:1: not valid UTF-8: a script must be UTF-8 text"},
	} {
		u := &engine.PlanUDF{Name: "U", ScriptPath: "u.js", Script: c.script,
			Src: engine.Src{Pos: engine.Pos{File: "p.yaml", Line: 6}, Fields: map[string]int{"script": 7}}}
		plan := &engine.Plan{File: "p.yaml", Spaces: []*engine.PlanSpace{{Name: "HQ", UDFs: []*engine.PlanUDF{u}}}}
		_, err := e.Provision(plan)
		if err == nil || err.Error() != c.want || !errors.Is(err, engine.ErrInvalid) {
			t.Errorf("got %v, want %s", err, c.want)
		}
		if n := e.Stats().Spaces; n != 0 {
			t.Fatalf("a refused plan created %d spaces", n)
		}
	}
}

// TestCheckPlan: with the jsonpath and goja adapters, CheckPlan refuses a
// bad JSONPath and a script that does not compile, naming file, line and
// field, and accepts good ones.
func TestCheckPlan(t *testing.T) {
	checks := engine.PlanChecks{Paths: jsonpath.New(), Scripts: goja.ScriptChecker{}}
	src := func(line int, field string) engine.Src {
		return engine.Src{Pos: engine.Pos{File: "p.yaml", Line: line}, Fields: map[string]int{field: line + 1}}
	}
	plan := func(path, script string) *engine.Plan {
		m := &engine.PlanMatcher{Name: "M", Src: src(3, "name"), Conditions: []engine.PlanCondition{{Path: path, Value: "1", Src: src(5, "path")}}}
		u := &engine.PlanUDF{Name: "U", ScriptPath: "u.js", Script: script, Src: src(10, "script")}
		child := &engine.PlanSpace{Name: "Room", Matchers: []*engine.PlanMatcher{m}, UDFs: []*engine.PlanUDF{u}}
		return &engine.Plan{File: "p.yaml", Spaces: []*engine.PlanSpace{{Name: "HQ", Spaces: []*engine.PlanSpace{child}}}}
	}
	if err := engine.CheckPlan(plan("$.dataType", "function process(t, c) {}"), checks); err != nil {
		t.Errorf("good plan: %v", err)
	}
	err := engine.CheckPlan(plan("$..[", "function process(t, c) {}"), checks)
	if want := `p.yaml:6: path: engine: invalid: matcher "M": jsonpath: bad path: "$..[": jsonpath: unexpected eof at position 5`; err == nil || err.Error() != want {
		t.Errorf("bad path: got %v, want %s", err, want)
	}
	err = engine.CheckPlan(plan("$.dataType", "function process(t, c) {\n  return )\n}"), checks)
	var se *engine.ScriptError
	if !errors.As(err, &se) || se.Line != 2 || se.Column != 10 || !strings.HasPrefix(err.Error(), "p.yaml:11: script: u.js:2:10: SyntaxError: ") {
		t.Errorf("bad script: got %v", err)
	}
}
