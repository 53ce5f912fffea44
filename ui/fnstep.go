package ui

import (
	"fmt"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// stepPanel steps through the line trace of a dry run: forward and back,
// to the first and last step, to the editor's cursor line, and between
// breakpoints (set by tapping the editor's gutter). The editor highlights
// the current line; the panel lists the local variables at that step,
// the ones that just changed marked. It says when the trace was cut, and
// when the script changed since the run.
type stepPanel struct {
	f       *functions
	st      *app.Stepper // nil: no trace loaded
	script  string       // the script the trace ran
	bps     map[int]bool // breakpoints, kept across runs
	locals  []localRow
	status  *widget.Label
	note    *widget.Label
	list    *widget.List
	buttons []*widget.Button
	content fyne.CanvasObject
}

// localRow is one local variable at the current step.
type localRow struct {
	Name, Value string
	Changed     bool
}

func newStepPanel(f *functions) *stepPanel {
	p := &stepPanel{f: f, bps: map[int]bool{}}
	p.status = widget.NewLabel("")
	p.status.Wrapping = fyne.TextWrapWord
	p.note = widget.NewLabel("")
	p.note.Importance = widget.WarningImportance
	p.note.Wrapping = fyne.TextWrapWord
	p.list = widget.NewList(func() int { return len(p.locals) },
		newMonoLine,
		func(i widget.ListItemID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			r := p.locals[i]
			l.Importance = widget.MediumImportance
			if r.Changed {
				l.Importance = widget.HighImportance // just changed
			}
			l.SetText(r.Name + " = " + r.Value)
		})
	btn := func(label string, icon fyne.Resource, fn func() bool) *widget.Button {
		b := widget.NewButtonWithIcon(label, icon, func() { p.move(fn) })
		p.buttons = append(p.buttons, b)
		return b
	}
	s := func() *app.Stepper { return p.st }
	nav := container.NewHBox(
		btn("First", theme.MediaSkipPreviousIcon(), func() bool { s().First(); return true }),
		btn("Back", theme.NavigateBackIcon(), func() bool { return s().Back() }),
		btn("Forward", theme.NavigateNextIcon(), func() bool { return s().Forward() }),
		btn("Last", theme.MediaSkipNextIcon(), func() bool { s().Last(); return true }),
	)
	jump := container.NewHBox(
		btn("To cursor", theme.MoveDownIcon(), func() bool {
			line, _ := p.f.editor.CursorPosition()
			return s().RunToLine(line)
		}),
		btn("Breakpoint", theme.MediaFastRewindIcon(), func() bool { return s().ContinueBack() }),
		btn("Breakpoint", theme.MediaFastForwardIcon(), func() bool { return s().Continue() }),
	)
	p.content = container.NewBorder(container.NewVBox(nav, jump, p.status, p.note), nil, nil, nil, p.list)
	p.clear()
	return p
}

// clear drops the trace (a new UDF is shown).
func (p *stepPanel) clear() {
	p.st = nil
	p.locals = nil
	p.f.editor.SetCurrentLine(0)
	p.status.SetText("Press Step through on the Test panel to run the function with its line trace, then step through it here.\nTap the editor's gutter to set a breakpoint.")
	p.note.SetText("")
	p.note.Hide()
	for _, b := range p.buttons {
		b.Disable()
	}
	p.list.Refresh()
}

// load steps through rec, a traced run of script, from its first step.
func (p *stepPanel) load(rec *engine.ExecutionRecord, script string) {
	p.st, p.script = app.NewStepper(rec), script
	for l := range p.bps {
		p.st.Toggle(l)
	}
	for _, b := range p.buttons {
		b.Enable()
	}
	if note := p.st.CutNote(); note != "" {
		p.note.SetText("The run was long: " + note + ".")
		p.note.Show()
	} else {
		p.note.Hide()
	}
	p.showStep()
}

// stale notes that the editor's text is no longer the script traced.
func (p *stepPanel) stale() {
	if p.st == nil {
		return
	}
	if p.f.editor.Text() != p.script {
		p.note.SetText("The script changed since this run: the lines may not match. Save and step through again.")
		p.note.Show()
	}
}

// toggle sets or clears the breakpoint on line (a tap in the gutter).
func (p *stepPanel) toggle(line int) {
	if p.bps[line] {
		delete(p.bps, line)
	} else {
		p.bps[line] = true
	}
	if p.st != nil {
		p.st.Toggle(line)
	}
	p.f.editor.ClearMarkers(markerBreakpoint)
	for l := range p.bps {
		p.f.editor.SetMarker(l, markerBreakpoint)
	}
}

// move runs a stepper move and shows the step it lands on; a move that
// cannot go anywhere says so.
func (p *stepPanel) move(fn func() bool) {
	if p.st == nil {
		return
	}
	if !fn() {
		p.f.sh.flash("No step there: the view stays on step " + fmt.Sprint(p.current()+1))
	}
	p.showStep()
}

// current is the current step's index, -1 for none.
func (p *stepPanel) current() int {
	if p.st == nil {
		return -1
	}
	st, ok := p.st.Current()
	if !ok {
		return -1
	}
	return st.Index
}

// showStep highlights the current step's line and lists its locals.
func (p *stepPanel) showStep() {
	st, ok := p.st.Current()
	if !ok {
		p.status.SetText("The run recorded no steps (it failed before its first statement).")
		p.locals = nil
		p.list.Refresh()
		return
	}
	p.status.SetText(fmt.Sprintf("Step %d of %d · line %d", st.Index+1, p.st.Len(), st.Line))
	p.f.editor.SetCurrentLine(st.Line)
	changed := map[string]bool{}
	for _, n := range st.Changed {
		changed[n] = true
	}
	p.locals = p.locals[:0]
	for n, v := range st.Locals {
		p.locals = append(p.locals, localRow{Name: n, Value: app.OneLine(v), Changed: changed[n]})
	}
	sort.Slice(p.locals, func(i, j int) bool { return p.locals[i].Name < p.locals[j].Name })
	p.list.Refresh()
}
