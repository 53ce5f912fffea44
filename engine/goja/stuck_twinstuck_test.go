//go:build twinstuck

package goja_test

import (
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/goja"
)

// TestBlockForever: in a build with the tag twinstuck, __blockForever
// blocks the execution in Go; the runtime gives up on it AbandonGrace
// after its time limit and the worker goes on.
func TestBlockForever(t *testing.T) {
	s := newSandbox(t)
	id := s.put(t, "stuck", "function process(t, c) { __blockForever(); }", "/", 50*time.Millisecond)
	rec, d := s.run(t, id)
	if rec.Outcome != engine.OutcomeTimedOut || !strings.Contains(rec.Error, "did not stop within") {
		t.Errorf("%s %q", rec.Outcome, rec.Error)
	}
	if d < 50*time.Millisecond+goja.AbandonGrace {
		t.Errorf("returned after %s: it did not block", d)
	}
	if ab, stuck := s.rt.Abandoned(); ab != 1 || stuck != 1 {
		t.Errorf("abandoned %d, stuck %d; want 1, 1", ab, stuck)
	}
	s.healthy(t)
}
