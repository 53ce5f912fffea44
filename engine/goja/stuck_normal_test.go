//go:build !twinstuck

package goja_test

import (
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// TestNoBlockForeverInNormalBuild: __blockForever, which only a build
// with the tag twinstuck gives scripts (stuck_twinstuck.go), is not a
// global of the normal build's runtimes.
func TestNoBlockForeverInNormalBuild(t *testing.T) {
	s := newSandbox(t)
	id := s.put(t, "probe", "function process(t, c) {\nlog(typeof __blockForever);\n__blockForever();\n}", "/", time.Second)
	rec, _ := s.run(t, id)
	if len(rec.Logs) != 1 || rec.Logs[0] != "undefined" {
		t.Errorf("typeof __blockForever: %q, want undefined", rec.Logs)
	}
	if rec.Outcome != engine.OutcomeFailed || !strings.Contains(rec.Error, "__blockForever is not defined") {
		t.Errorf("calling it: %s %q, want a ReferenceError", rec.Outcome, rec.Error)
	}
}
