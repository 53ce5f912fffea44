package engine

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// PathChecker checks a matcher condition's JSONPath without evaluating it.
// The jsonpath adapter (engine/jsonpath) implements it. CheckPath returns
// nil or an error with a one-line message saying what is wrong. Safe for
// concurrent use.
type PathChecker interface {
	CheckPath(path string) error
}

// ScriptChecker checks a user-defined function's script without running
// it: the script must compile. The goja adapter (engine/goja) implements
// it. name is the script's file name as written, for messages. CheckScript
// returns nil or a *ScriptError. Safe for concurrent use.
type ScriptChecker interface {
	CheckScript(name, script string) error
}

// ScriptError is a script that does not compile: Line and Column (from 1;
// 0 if unknown) place the problem in the script, Msg says what it is (one
// line).
type ScriptError struct {
	Name         string
	Line, Column int
	Msg          string
}

func (e *ScriptError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.Name, e.Line, e.Column, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.Name, e.Line, e.Msg)
	}
	return e.Name + ": " + e.Msg
}

// Unwrap makes a ScriptError match ErrInvalid.
func (e *ScriptError) Unwrap() error { return ErrInvalid }

// PlanChecks are the checks CheckPlan runs with technology adapters. A nil
// checker skips its check.
type PlanChecks struct {
	Paths   PathChecker
	Scripts ScriptChecker
}

// CheckPlan checks what provisioning itself cannot check without an
// adapter, before anything is provisioned: every matcher condition's
// JSONPath parses (c.Paths) and every user-defined function's script is
// text (no NUL byte, valid UTF-8) and compiles (c.Scripts). The first
// problem is returned as a *PosError naming the file, line and field
// ("provision.yaml:12: script: motion.js:3:7: SyntaxError: …"); it wraps
// ErrInvalid. Safe for concurrent use if the checkers are.
func CheckPlan(p *Plan, c PlanChecks) error {
	var walk func(list []*PlanSpace) error
	walk = func(list []*PlanSpace) error {
		for _, s := range list {
			for _, m := range s.Matchers {
				for _, cond := range m.Conditions {
					if c.Paths == nil || cond.Path == "" {
						continue
					}
					if err := c.Paths.CheckPath(cond.Path); err != nil {
						return At(cond.At("path"), "path", fmt.Errorf("%w: matcher %q: %s", ErrInvalid, m.Name, oneLine(err.Error())))
					}
				}
			}
			for _, u := range s.UDFs {
				if err := checkScript(u, c.Scripts); err != nil {
					return At(u.At("script"), "script", err)
				}
			}
			if err := walk(s.Spaces); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(p.Spaces)
}

// CheckScriptText refuses a script that is not text: one with a NUL byte
// or invalid UTF-8. The error wraps ErrInvalid and says where (line).
func CheckScriptText(name, script string) error {
	if i := strings.IndexByte(script, 0); i >= 0 {
		return &ScriptError{Name: name, Line: lineAt(script, i), Msg: "binary file (NUL byte): a script must be UTF-8 text"}
	}
	if !utf8.ValidString(script) {
		i := 0
		for i < len(script) {
			r, size := utf8.DecodeRuneInString(script[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			i += size
		}
		return &ScriptError{Name: name, Line: lineAt(script, i), Msg: "not valid UTF-8: a script must be UTF-8 text"}
	}
	return nil
}

func checkScript(u *PlanUDF, sc ScriptChecker) error {
	name := u.ScriptPath
	if name == "" {
		name = u.Name + ".js"
	}
	if err := CheckScriptText(name, u.Script); err != nil {
		return err
	}
	if sc == nil || strings.TrimSpace(u.Script) == "" {
		return nil
	}
	return sc.CheckScript(name, u.Script)
}

func lineAt(s string, i int) int { return strings.Count(s[:i], "\n") + 1 }

// oneLine folds s onto one line.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}
