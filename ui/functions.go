package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// functions is the Functions tab, the workbench for user-defined
// functions: the list of the UDFs and matchers that act on the selected
// space, the code editor of the UDF picked there, and below it the test
// panel, the step-through, the execution history, the saved versions and
// the matchers. Every part is its own small struct over package app; this
// one holds what they share (the UDF shown) and the editor.
//
// All its methods run on Fyne's goroutine.
type functions struct {
	sh    *shell
	a     *app.App
	shown func() bool // whether the tab shows (list reloads wait until it does)

	space engine.ID // the list's scope: the selected space (zero: all)
	items []fnItem  // the list's rows
	udf   engine.ID // the UDF shown in the editor (zero: none)
	saved string    // its script as saved
	name  string    // its name
	list  *widget.List
	scope *widget.Label

	editor   *codeEditor
	title    *widget.Label
	state    *widget.Label
	problem  *widget.Label // the error of the last compile or run, with its line
	save     *widget.Button
	find     *widget.Entry
	panels   *container.AppTabs
	test     *testPanel
	step     *stepPanel
	history  *historyPanel
	versions *versionsPanel
	matchers *matcherPanel

	lastLive  time.Time // the last live redraw
	stateText string    // the UDF's state as readState last read it

	content fyne.CanvasObject
}

// fnItem is one row of the Functions list: a UDF or a matcher.
type fnItem struct {
	udf     *app.UDFSummary
	matcher *app.MatcherSummary
}

// Indexes of the panels under the editor.
const (
	panelTest = iota
	panelStep
	panelHistory
	panelVersions
	panelMatchers
)

func newFunctions(sh *shell, a *app.App, shown func() bool) *functions {
	f := &functions{sh: sh, a: a, shown: shown}
	f.scope = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	f.scope.Wrapping = fyne.TextWrapWord
	f.list = widget.NewList(func() int { return len(f.items) },
		newTwoLineRow,
		func(i widget.ListItemID, o fyne.CanvasObject) {
			name, detail := f.items[i].texts()
			setTwoLineRow(o, name, detail)
		})
	f.list.OnSelected = f.pick
	newUDF := widget.NewButtonWithIcon("New function…", theme.ContentAddIcon(), f.askNew)
	left := container.NewBorder(container.NewVBox(f.scope, newUDF), nil, nil, nil, f.list)

	f.editor = newCodeEditor()
	f.editor.OnChanged = f.edited
	f.editor.OnSave = f.saveScript
	f.editor.OnFind = func() { f.sh.focus(f.find) }
	f.editor.OnGutterTapped = func(line int) { f.step.toggle(line) }
	f.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	f.title.Truncation = fyne.TextTruncateEllipsis
	f.state = widget.NewLabel("")
	f.state.Truncation = fyne.TextTruncateEllipsis
	f.problem = widget.NewLabel("")
	f.problem.Importance = widget.DangerImportance
	f.problem.Wrapping = fyne.TextWrapWord
	f.save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), f.saveScript)
	f.save.Importance = widget.HighImportance
	f.find = widget.NewEntry()
	f.find.SetPlaceHolder("Find (Ctrl+F)")
	f.find.OnSubmitted = func(q string) { f.findNext(true) }
	next := widget.NewButtonWithIcon("", theme.MoveDownIcon(), func() { f.findNext(true) })
	prev := widget.NewButtonWithIcon("", theme.MoveUpIcon(), func() { f.findNext(false) })
	findBar := container.NewBorder(nil, nil, nil, container.NewHBox(prev, next), f.find)
	head := container.NewBorder(nil, nil, nil, container.NewCenter(f.save),
		container.NewVBox(f.title, f.state))
	top := container.NewBorder(container.NewVBox(head, findBar), f.problem, nil, nil, f.editor)

	f.test = newTestPanel(f)
	f.step = newStepPanel(f)
	f.history = newHistoryPanel(f)
	f.versions = newVersionsPanel(f)
	f.matchers = newMatcherPanel(f)
	f.panels = container.NewAppTabs(
		container.NewTabItem("Test", f.test.content),
		container.NewTabItem("Step through", f.step.content),
		container.NewTabItem("History", f.history.content),
		container.NewTabItem("Versions", f.versions.content),
		container.NewTabItem("Matchers", f.matchers.content),
	)
	f.panels.OnSelected = func(*container.TabItem) { f.panelShown() }
	work := container.NewVSplit(top, f.panels)
	work.Offset = 0.55
	split := container.NewHSplit(left, work)
	split.Offset = 0.24
	f.content = split
	f.showUDF(engine.NilID)
	return f
}

// newTwoLineRow is a list row of a bold name over a caption.
func newTwoLineRow() fyne.CanvasObject {
	name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.Truncation = fyne.TextTruncateEllipsis
	detail := widget.NewLabel("")
	detail.Truncation = fyne.TextTruncateEllipsis
	detail.SizeName = theme.SizeNameCaptionText
	return container.NewVBox(name, detail)
}

// setTwoLineRow fills a newTwoLineRow.
func setTwoLineRow(o fyne.CanvasObject, name, detail string) {
	c := o.(*fyne.Container)
	c.Objects[0].(*widget.Label).SetText(name)
	c.Objects[1].(*widget.Label).SetText(detail)
}

// texts are a list row's two lines.
func (it fnItem) texts() (name, detail string) {
	if m := it.matcher; m != nil {
		bound := "bound to no function"
		if len(m.UDFs) > 0 {
			bound = "→ " + strings.Join(m.UDFs, ", ")
		}
		return "⊂ " + m.Matcher.Name, fmt.Sprintf("matcher · %s · %s", m.Space, bound)
	}
	u := it.udf
	return "ƒ " + u.UDF.Name, udfStateText(u)
}

// udfStateText is a UDF's state as the list and the editor's header show
// it: enabled or not, its last outcome and its failures of the last hour.
func udfStateText(u *app.UDFSummary) string {
	parts := []string{u.State}
	if u.Last != nil {
		parts = append(parts, "last run "+strings.ToLower(u.Last.Outcome)+" "+ago(u.Last.Start))
	} else {
		parts = append(parts, "never ran")
	}
	if u.Failures > 0 {
		parts = append(parts, plural(u.Failures, "failure", "failures")+" in the last hour")
	}
	return strings.Join(parts, " · ")
}

// ago says how long ago t was, to the second.
func ago(t time.Time) string {
	d := time.Since(t).Round(time.Second)
	if d < time.Second {
		return "just now"
	}
	if d > 48*time.Hour {
		return "on " + t.Local().Format("2006-01-02 15:04")
	}
	return d.String() + " ago"
}

// scopeTo lists the functions of space (the selected tree node's space;
// zero: all of them).
func (f *functions) scopeTo(space engine.ID) {
	f.space = space
	if f.shown() {
		f.reload() // else when the tab shows
	}
}

// reload re-reads the list and the UDF shown (its state, records and
// versions), keeping the editor's text when it has unsaved changes.
func (f *functions) reload() {
	f.items = f.items[:0]
	udfs := f.a.UDFs(f.space)
	for i := range udfs {
		f.items = append(f.items, fnItem{udf: &udfs[i]})
	}
	ms := f.a.Matchers(f.space)
	for i := range ms {
		f.items = append(f.items, fnItem{matcher: &ms[i]})
	}
	where := "all spaces"
	if !f.space.IsZero() {
		where = f.spaceName(f.space) + " and the spaces above it"
	}
	f.scope.SetText(fmt.Sprintf("%s and %s of %s", plural(len(udfs), "function", "functions"), plural(len(ms), "matcher", "matchers"), where))
	f.list.UnselectAll()
	f.list.Refresh()
	if st := f.sh.s.status; st != nil {
		st.refresh() // the counts
	}
	if !f.udf.IsZero() {
		f.readState()
		f.showState()
		f.history.refresh()
		f.versions.refresh()
	}
	f.matchers.refresh()
}

// liveEvery is how often the Functions tab redraws the UDFs' states and
// history while telemetry flows.
const liveEvery = time.Second

// live redraws, at most once every liveEvery, what telemetry changes: the
// list's states, the header and the history when it shows. The studio's
// poll calls it while the tab shows and messages arrive.
func (f *functions) live(now time.Time) {
	if now.Sub(f.lastLive) < liveEvery {
		return
	}
	f.lastLive = now
	udfs := f.a.UDFs(f.space)
	for i := range f.items {
		for j := range udfs {
			if it := f.items[i]; it.udf != nil && it.udf.UDF.ID == udfs[j].UDF.ID {
				f.items[i].udf = &udfs[j]
			}
		}
	}
	f.list.Refresh()
	if !f.udf.IsZero() {
		f.readState()
		f.showState()
		if f.panels.SelectedIndex() == panelHistory {
			f.history.refresh()
		}
	}
}

// pick opens list row i: a UDF in the editor, a matcher in the Matchers
// panel.
func (f *functions) pick(i widget.ListItemID) {
	if i < 0 || i >= len(f.items) {
		return
	}
	it := f.items[i]
	if it.matcher != nil {
		f.matchers.edit(it.matcher.Matcher.ID)
		f.panels.SelectIndex(panelMatchers)
		return
	}
	if it.udf.UDF.ID != f.udf && f.dirty() {
		f.confirmDiscard(func() { f.showUDF(it.udf.UDF.ID) })
		return
	}
	f.showUDF(it.udf.UDF.ID)
}

// dirty reports whether the editor has unsaved changes.
func (f *functions) dirty() bool { return !f.udf.IsZero() && f.editor.Text() != f.saved }

// confirmDiscard runs then after the user agrees to drop the unsaved
// changes (at once when there is no window to ask in).
func (f *functions) confirmDiscard(then func()) {
	if f.sh.win == nil {
		then()
		return
	}
	dialog.ShowConfirm("Unsaved changes", "Drop the unsaved changes of "+f.name+"?", func(ok bool) {
		if ok {
			then()
		}
	}, f.sh.win)
}

// showUDF opens UDF id in the editor (zero: none, with a hint).
func (f *functions) showUDF(id engine.ID) {
	var u *engine.UDF
	if !id.IsZero() {
		_ = f.a.Engine().View(func(v *engine.View) error { u, _ = v.UDF(id); return nil })
	}
	f.problem.SetText("")
	f.editor.ClearMarkers(markerError)
	f.editor.SetCurrentLine(0)
	if u == nil {
		f.udf, f.saved, f.name = engine.NilID, "", ""
		f.title.SetText("No function open")
		f.state.SetText("Pick a function on the left, or make a new one from a template.")
		f.editor.SetText("")
		f.editor.SetReadOnly(true)
		f.save.Disable()
	} else {
		f.udf, f.saved, f.name = u.ID, u.Script, u.Name
		f.title.SetText(u.Name)
		f.editor.SetReadOnly(false)
		f.editor.SetText(u.Script)
		f.save.Enable()
		f.readState()
		f.showState()
	}
	f.test.forUDF()
	f.step.clear()
	f.history.refresh()
	f.versions.refresh()
	f.matchers.refresh()
}

// summary is the list's summary of the UDF shown, nil if it has gone.
func (f *functions) summary() *app.UDFSummary {
	for _, s := range f.a.UDFs(engine.NilID) {
		if s.UDF.ID == f.udf {
			return &s
		}
	}
	return nil
}

// showState writes the UDF's state (as readState last read it) and the
// unsaved mark in the header; it reads nothing, so each edit can call it.
func (f *functions) showState() {
	if f.udf.IsZero() {
		return
	}
	text := f.stateText
	if f.dirty() {
		text = "unsaved changes · " + text
	}
	f.state.SetText(text)
	title := f.name
	if f.dirty() {
		title += " •"
	}
	f.title.SetText(title)
}

// readState reads the UDF's state for the header (showState): its space,
// whether it is enabled, its last run and recent failures.
func (f *functions) readState() {
	f.stateText = ""
	if s := f.summary(); s != nil {
		f.stateText = s.Space + " · " + udfStateText(s)
	}
}

// edited follows the user's edits: the header shows unsaved changes and a
// trace of the old text no longer lines up.
func (f *functions) edited(string) {
	f.showState()
	f.step.stale()
}

// saveScript compiles and saves the editor's text. A script that does not
// compile is refused: its line is marked in the gutter and its message
// shown under the editor, and nothing is saved.
func (f *functions) saveScript() {
	if f.udf.IsZero() {
		return
	}
	text := f.editor.Text()
	_, err := f.a.SetUDFScript(f.udf, f.name+".js", text)
	f.sh.s.lastErr = err
	if err != nil {
		f.showProblem(err)
		return
	}
	f.saved = text
	f.showProblem(nil)
	f.sh.flash("Saved " + f.name + ": live for the next message")
	f.reload()
}

// showProblem marks err's line in the gutter and shows its message (nil:
// clears both).
func (f *functions) showProblem(err error) {
	f.editor.ClearMarkers(markerError)
	if err == nil {
		f.problem.SetText("")
		return
	}
	var se *engine.ScriptError
	if errors.As(err, &se) {
		if se.Line > 0 {
			f.editor.SetMarker(se.Line, markerError)
			f.editor.SetCursor(se.Line, max(se.Column, 1))
			f.problem.SetText(fmt.Sprintf("Line %d, column %d: %s", se.Line, se.Column, se.Msg))
			return
		}
		f.problem.SetText(se.Msg)
		return
	}
	f.problem.SetText(errorText(err))
}

// showRunProblem marks the error line of an execution record (none when it
// succeeded).
func (f *functions) showRunProblem(rec *engine.ExecutionRecord) {
	f.editor.ClearMarkers(markerError)
	if rec == nil || rec.Outcome == engine.OutcomeOK {
		f.problem.SetText("")
		return
	}
	msg := rec.Outcome
	if rec.Error != "" {
		msg += ": " + app.OneLine(rec.Error)
	}
	if rec.Line > 0 {
		f.editor.SetMarker(rec.Line, markerError)
		msg = fmt.Sprintf("Line %d, column %d: %s", rec.Line, rec.Column, msg)
	}
	f.problem.SetText(msg)
}

// findNext selects the next (or previous) match of the find entry's text.
func (f *functions) findNext(forward bool) {
	q := f.find.Text
	if q == "" {
		return
	}
	if !f.editor.Find(q, forward) {
		f.sh.flash(fmt.Sprintf("%q is not in the script", q))
	}
}

// panelShown refreshes the panel the user switched to.
func (f *functions) panelShown() {
	switch f.panels.SelectedIndex() {
	case panelHistory:
		f.history.refresh()
	case panelVersions:
		f.versions.refresh()
	}
}

// askNew asks for a new UDF's name and template and creates it in the
// list's space (the first top-level space when the list shows all).
func (f *functions) askNew() {
	if f.sh.win == nil {
		return
	}
	name := widget.NewEntry()
	name.SetPlaceHolder("the template's name")
	tpls := app.UDFTemplates()
	titles := make([]string, len(tpls))
	for i, t := range tpls {
		titles[i] = t.Title
	}
	tpl := widget.NewSelect(titles, nil)
	desc := widget.NewLabel("")
	desc.Wrapping = fyne.TextWrapWord
	tpl.OnChanged = func(s string) {
		for _, t := range tpls {
			if t.Title == s {
				desc.SetText(t.Description)
			}
		}
	}
	tpl.SetSelectedIndex(0)
	role := widget.NewCheck("Let it read and write "+f.spaceName(f.newSpace())+" and the spaces under it (Space Administrator role)", nil)
	role.SetChecked(true)
	items := []*widget.FormItem{widget.NewFormItem("Name", name), widget.NewFormItem("Template", tpl),
		widget.NewFormItem("", desc), widget.NewFormItem("Access", role)}
	d := dialog.NewForm("New function", "Create", "Cancel", items, func(ok bool) {
		if ok {
			f.sh.act(f.create(name.Text, tpl.SelectedIndex(), role.Checked))
		}
	}, f.sh.win)
	d.Resize(fyne.NewSize(520, 320))
	d.Show()
}

// newSpace is the space a new UDF or matcher goes in: the list's, or the
// first top-level space when the list shows all.
func (f *functions) newSpace() engine.ID {
	space := f.space
	if space.IsZero() {
		_ = f.a.Engine().View(func(v *engine.View) error {
			if roots := v.Roots(); len(roots) > 0 {
				space = roots[0].ID
			}
			return nil
		})
	}
	return space
}

// spaceName is the full path of space id.
func (f *functions) spaceName(id engine.ID) string {
	name := ""
	_ = f.a.Engine().View(func(v *engine.View) error { name = v.FullName(id); return nil })
	return name
}

// create makes UDF name from template i in the list's space and opens it;
// with admin it gets the Space Administrator role on that space's subtree.
func (f *functions) create(name string, i int, admin bool) error {
	tpls := app.UDFTemplates()
	if i < 0 || i >= len(tpls) {
		return fmt.Errorf("%w: pick a template", engine.ErrInvalid)
	}
	create := f.a.CreateUDF
	if admin {
		create = f.a.CreateUDFWithRole
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = tpls[i].Title // the template's name, as the placeholder suggests
	}
	u, err := create(f.newSpace(), name, tpls[i].Script, nil)
	f.sh.s.lastErr = err
	if err != nil {
		return err
	}
	f.reload()
	f.showUDF(u.ID)
	f.sh.flash("Created " + u.Name + ": bind it to a matcher under Matchers to run it on telemetry")
	return nil
}
