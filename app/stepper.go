package app

import (
	"fmt"
	"sort"

	"github.com/twinstudio/twinstudio/engine"
)

// Stepper steps through the line trace of one execution record (an
// execution run with tracing, such as a dry run from the workbench): a
// current step that moves forward and back, jumps to a line, and runs to
// line breakpoints in either direction. It reads the record and never
// changes it; the record must not change while the Stepper is in use.
//
// A Stepper is not safe for concurrent use: call it from one goroutine
// (the UI's), or guard it.
type Stepper struct {
	rec   *engine.ExecutionRecord
	at    int
	bps   map[int]bool
	memo  int               // the step whose locals are in memoL, or -1
	memoL map[string]string // the full locals at step memo
}

// Step is one step of a trace as a view shows it.
type Step struct {
	Index  int // 0-based position in the trace
	Line   int // 1-based line of the statement about to run
	Column int // 1-based column of the statement (0 when the record has none)
	// Locals are the local variables in scope at this step, with their
	// rendered values (see engine.TraceStep). The map is the Stepper's:
	// read it, do not change it.
	Locals map[string]string
	// Changed names the locals, sorted, that are new or changed since
	// the step before in the same scope (all of them at the first step).
	Changed []string
}

// NewStepper returns a Stepper at the first step of rec's trace. rec may
// have no trace (then Len is 0 and Current reports false).
func NewStepper(rec *engine.ExecutionRecord) *Stepper {
	if rec == nil {
		rec = &engine.ExecutionRecord{}
	}
	return &Stepper{rec: rec, bps: map[int]bool{}, memo: -1}
}

// Len is the number of recorded steps.
func (s *Stepper) Len() int { return len(s.rec.Trace) }

// Current returns the current step; false when the trace has no steps.
func (s *Stepper) Current() (Step, bool) {
	if s.Len() == 0 {
		return Step{}, false
	}
	st := s.rec.Trace[s.at]
	if s.memo != s.at {
		s.memo, s.memoL = s.at, engine.TraceLocals(s.rec.Trace, s.at)
	}
	changed := make([]string, 0, len(st.Locals))
	for n := range st.Locals {
		changed = append(changed, n)
	}
	sort.Strings(changed)
	return Step{Index: s.at, Line: st.Line, Column: st.Column, Locals: s.memoL, Changed: changed}, true
}

// Forward moves to the next step; false (staying) at the last one.
func (s *Stepper) Forward() bool {
	if s.at+1 >= s.Len() {
		return false
	}
	s.at++
	return true
}

// Back moves to the previous step; false (staying) at the first one.
func (s *Stepper) Back() bool {
	if s.at == 0 {
		return false
	}
	s.at--
	return true
}

// First moves to the first step.
func (s *Stepper) First() { s.at = 0 }

// Last moves to the last recorded step.
func (s *Stepper) Last() { s.at = max(s.Len()-1, 0) }

// RunToLine moves to the next step after the current one on line; false
// (staying) when no later step is on it.
func (s *Stepper) RunToLine(line int) bool {
	return s.seek(1, func(l int) bool { return l == line })
}

// Toggle sets a breakpoint on line, or clears the one there, and reports
// whether one is set now.
func (s *Stepper) Toggle(line int) bool {
	if s.bps[line] {
		delete(s.bps, line)
		return false
	}
	s.bps[line] = true
	return true
}

// Breakpoints returns the lines with a breakpoint, ascending.
func (s *Stepper) Breakpoints() []int {
	out := make([]int, 0, len(s.bps))
	for l := range s.bps {
		out = append(out, l)
	}
	sort.Ints(out)
	return out
}

// Continue moves to the next step after the current one on a breakpoint
// line; false (staying) when there is none.
func (s *Stepper) Continue() bool { return s.seek(1, func(l int) bool { return s.bps[l] }) }

// ContinueBack moves to the previous step before the current one on a
// breakpoint line; false (staying) when there is none.
func (s *Stepper) ContinueBack() bool { return s.seek(-1, func(l int) bool { return s.bps[l] }) }

func (s *Stepper) seek(dir int, match func(line int) bool) bool {
	for i := s.at + dir; i >= 0 && i < s.Len(); i += dir {
		if match(s.rec.Trace[i].Line) {
			s.at = i
			return true
		}
	}
	return false
}

// Cut reports whether the trace was cut (the execution went on past the
// runtime's step limit), and how many executed steps were not recorded.
func (s *Stepper) Cut() (cut bool, dropped int) {
	return s.rec.TraceDropped > 0, s.rec.TraceDropped
}

// CutNote is the sentence a view shows when the trace was cut ("the trace
// was cut after 10000 steps; 123 more were not recorded"), or "".
func (s *Stepper) CutNote() string {
	if s.rec.TraceDropped == 0 {
		return ""
	}
	return fmt.Sprintf("the trace was cut after %d steps; %d more were not recorded", s.Len(), s.rec.TraceDropped)
}
