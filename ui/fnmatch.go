package ui

import (
	"encoding/json"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// matcherPanel binds the UDF shown to matchers, edits a matcher (name and
// conditions: target, JSONPath, comparison, value) and evaluates it
// against a sensor, showing each condition's result.
type matcherPanel struct {
	f *functions

	scope   []app.MatcherSummary // the matchers the UDF may bind: its space's and its ancestors'
	binding *widget.CheckGroup
	bind    *widget.Button

	all      []app.MatcherSummary // the matchers of the list's scope
	pick     *widget.Select
	matcher  engine.ID // the matcher edited, zero: a new one
	name     *widget.Entry
	conds    []*condRow
	condBox  *fyne.Container
	saveBtn  *widget.Button
	delete   *widget.Button
	sensors  []sensorChoice
	sensor   *widget.Select
	evalText *widget.Label

	scroll  *container.Scroll // the matcher editor's
	content fyne.CanvasObject
}

// condRow is the editor of one condition.
type condRow struct {
	target, comparison *widget.Select
	path, value        *widget.Entry
	row                *fyne.Container
}

// newMatcherLabel is the matcher picker's entry for a new matcher.
const newMatcherLabel = "New matcher"

func newMatcherPanel(f *functions) *matcherPanel {
	p := &matcherPanel{f: f}
	p.binding = widget.NewCheckGroup(nil, nil)
	p.bind = widget.NewButtonWithIcon("Apply binding", theme.ConfirmIcon(), func() { p.f.sh.act(p.applyBinding()) })
	p.pick = widget.NewSelect(nil, func(s string) { p.picked(s) })
	p.name = widget.NewEntry()
	p.name.SetPlaceHolder("Matcher name")
	p.condBox = container.NewVBox()
	add := widget.NewButtonWithIcon("Add condition", theme.ContentAddIcon(), func() {
		p.addCond(engine.Condition{Target: "Sensor", Path: "$.dataType", Comparison: "Equals", Value: `"Motion"`})
	})
	p.saveBtn = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), func() { p.f.sh.act(p.saveMatcher()) })
	p.saveBtn.Importance = widget.HighImportance
	p.delete = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), func() { p.f.sh.act(p.deleteMatcher()) })
	p.sensor = widget.NewSelect(nil, nil)
	p.sensor.PlaceHolder = "Pick a sensor"
	eval := widget.NewButtonWithIcon("Evaluate", theme.SearchIcon(), func() { p.f.sh.act(p.evaluate()) })
	p.evalText = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	p.evalText.Wrapping = fyne.TextWrapWord

	bindings := widget.NewCard("", "This function runs on", container.NewVBox(p.binding, container.NewHBox(p.bind)))
	editor := widget.NewCard("", "Matcher", container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("Edit"), nil, p.pick),
		container.NewBorder(nil, nil, widget.NewLabel("Name"), nil, p.name),
		p.condBox,
		container.NewHBox(add, p.saveBtn, p.delete),
		widget.NewSeparator(),
		wrapped("Evaluate the saved matcher against this sensor:"),
		container.NewBorder(nil, nil, nil, eval, p.sensor),
		p.evalText,
	))
	p.scroll = container.NewVScroll(editor)
	split := container.NewHSplit(container.NewScroll(bindings), p.scroll)
	split.Offset = 0.3
	p.content = split
	return p
}

// refresh re-reads the matchers and the binding of the UDF shown.
func (p *matcherPanel) refresh() {
	p.scope = nil
	var bound []string
	var space engine.ID
	_ = p.f.a.Engine().View(func(v *engine.View) error {
		if u, ok := v.UDF(p.f.udf); ok {
			space = u.SpaceID
			for _, id := range u.MatcherIDs {
				if m, ok := v.Matcher(id); ok {
					bound = append(bound, m.Name)
				}
			}
		}
		return nil
	})
	if !space.IsZero() {
		p.scope = p.f.a.Matchers(space)
	}
	opts := make([]string, len(p.scope))
	for i, m := range p.scope {
		opts[i] = m.Matcher.Name
	}
	p.binding.Options = opts
	p.binding.Selected = bound
	p.binding.Refresh()
	if p.f.udf.IsZero() {
		p.bind.Disable()
	} else {
		p.bind.Enable()
	}

	p.all = p.f.a.Matchers(p.f.space)
	names := []string{newMatcherLabel}
	for _, m := range p.all {
		names = append(names, m.Matcher.Name+" · "+m.Space)
	}
	p.pick.Options = names
	p.pick.Refresh()
	if p.matcher.IsZero() || p.summary(p.matcher) == nil {
		p.edit(engine.NilID)
	}
}

// summary is the matcher id among those listed, nil if not there.
func (p *matcherPanel) summary(id engine.ID) *app.MatcherSummary {
	for i := range p.all {
		if p.all[i].Matcher.ID == id {
			return &p.all[i]
		}
	}
	return nil
}

// picked opens the matcher the picker names.
func (p *matcherPanel) picked(label string) {
	for _, m := range p.all {
		if m.Matcher.Name+" · "+m.Space == label {
			if m.Matcher.ID != p.matcher {
				p.edit(m.Matcher.ID)
			}
			return
		}
	}
	if label == newMatcherLabel && !p.matcher.IsZero() {
		p.edit(engine.NilID)
	}
}

// edit opens matcher id in the editor (zero: a new matcher with one
// condition to fill in).
func (p *matcherPanel) edit(id engine.ID) {
	p.matcher = id
	p.condBox.Objects = nil
	p.conds = nil
	p.evalText.SetText("")
	m := p.summary(id)
	if m == nil {
		p.matcher = engine.NilID
		p.pick.SetSelected(newMatcherLabel)
		p.name.SetText("")
		p.addCond(engine.Condition{Target: "Sensor", Path: "$.dataType", Comparison: "Equals", Value: `"Motion"`})
		p.delete.Disable()
		p.sensorsFor(p.f.space)
		return
	}
	p.pick.SetSelected(m.Matcher.Name + " · " + m.Space)
	p.name.SetText(m.Matcher.Name)
	for _, c := range m.Matcher.Conditions {
		p.addCond(c)
	}
	p.delete.Enable()
	p.sensorsFor(m.Matcher.SpaceID)
}

// sensorsFor offers the sensors under space to evaluate against.
func (p *matcherPanel) sensorsFor(space engine.ID) {
	p.sensors = spaceSensors(p.f.a, space)
	opts := make([]string, len(p.sensors))
	for i, s := range p.sensors {
		opts[i] = s.Label
	}
	p.sensor.Options = opts
	p.sensor.ClearSelected()
	if len(opts) > 0 {
		p.sensor.SetSelectedIndex(0)
	}
}

// addCond adds a condition row filled with c.
func (p *matcherPanel) addCond(c engine.Condition) {
	r := &condRow{
		target:     widget.NewSelect(app.ConditionTargets(), nil),
		comparison: widget.NewSelect(app.ConditionComparisons(), nil),
		path:       widget.NewEntry(),
		value:      widget.NewEntry(),
	}
	r.target.SetSelected(c.Target)
	r.comparison.SetSelected(c.Comparison)
	r.path.SetText(c.Path)
	r.path.SetPlaceHolder("$.dataType")
	r.value.SetText(c.Value)
	r.value.SetPlaceHolder(`a JSON literal: "Motion", 21.5, true`)
	remove := widget.NewButtonWithIcon("", theme.ContentRemoveIcon(), nil)
	r.row = container.NewBorder(nil, nil, nil, remove, container.NewVBox(
		container.NewGridWithColumns(2, r.target, r.comparison),
		container.NewGridWithColumns(2, r.path, r.value)))
	remove.OnTapped = func() {
		for i, x := range p.conds {
			if x == r {
				p.conds = append(p.conds[:i], p.conds[i+1:]...)
				break
			}
		}
		p.condBox.Remove(r.row)
	}
	p.conds = append(p.conds, r)
	p.condBox.Add(r.row)
}

// conditions are the conditions as edited.
func (p *matcherPanel) conditions() []engine.Condition {
	out := make([]engine.Condition, len(p.conds))
	for i, r := range p.conds {
		out[i] = engine.Condition{Target: r.target.Selected, Path: strings.TrimSpace(r.path.Text),
			Comparison: r.comparison.Selected, Value: r.value.Text}
	}
	return out
}

// saveMatcher creates or updates the matcher edited. A new matcher goes
// in the list's space (the first top-level space when it shows all).
func (p *matcherPanel) saveMatcher() error {
	var m *engine.Matcher
	var err error
	if p.matcher.IsZero() {
		m, err = p.f.a.CreateMatcher(p.f.newSpace(), strings.TrimSpace(p.name.Text), p.conditions())
	} else {
		m, err = p.f.a.UpdateMatcher(p.matcher, strings.TrimSpace(p.name.Text), p.conditions())
	}
	p.f.sh.s.lastErr = err
	if err != nil {
		return err
	}
	p.matcher = m.ID
	p.f.sh.flash("Saved matcher " + m.Name)
	p.f.reload()
	p.edit(m.ID)
	return nil
}

// deleteMatcher deletes the matcher edited (it is unbound from its UDFs).
func (p *matcherPanel) deleteMatcher() error {
	if p.matcher.IsZero() {
		return nil
	}
	err := p.f.a.DeleteMatcher(p.matcher)
	p.f.sh.s.lastErr = err
	if err != nil {
		return err
	}
	p.matcher = engine.NilID
	p.f.reload()
	return nil
}

// applyBinding binds the UDF shown to the matchers checked.
func (p *matcherPanel) applyBinding() error {
	var ids []engine.ID
	for _, name := range p.binding.Selected {
		for _, m := range p.scope {
			if m.Matcher.Name == name {
				ids = append(ids, m.Matcher.ID)
				break
			}
		}
	}
	err := p.f.a.BindUDF(p.f.udf, ids)
	p.f.sh.s.lastErr = err
	if err != nil {
		return err
	}
	p.f.sh.flash(fmt.Sprintf("%s runs on %s", p.f.name, plural(len(ids), "matcher", "matchers")))
	p.f.reload()
	p.f.test.forUDF()
	return nil
}

// evaluate runs the saved matcher against the sensor picked and shows
// each condition's result.
func (p *matcherPanel) evaluate() error {
	if p.matcher.IsZero() {
		return fmt.Errorf("%w: save the matcher before evaluating it", engine.ErrInvalid)
	}
	i := p.sensor.SelectedIndex()
	if i < 0 || i >= len(p.sensors) {
		return fmt.Errorf("%w: pick a sensor to evaluate the matcher against", engine.ErrInvalid)
	}
	ok, logs, err := p.f.a.EvaluateMatcher(p.matcher, p.sensors[i].ID)
	p.f.sh.s.lastErr = err
	if err != nil {
		return err
	}
	p.evalText.SetText(evaluationText(p.sensors[i].Label, ok, logs))
	p.scroll.ScrollToBottom()
	return nil
}

// wrapped is a label whose text wraps at word boundaries.
func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// evaluationText is a matcher evaluation as the panel shows it: one line
// a condition with what its path selected, then the verdict.
func evaluationText(sensor string, ok bool, logs []engine.ConditionLog) string {
	var b strings.Builder
	for i, l := range logs {
		mark := "✓"
		if !l.Result {
			mark = "✗"
		}
		sel, _ := json.Marshal(l.Selected)
		fmt.Fprintf(&b, "%s %d. %s %s selects %s; %s %s: %t", mark, i+1, l.Condition.Target, l.Condition.Path, sel, l.Condition.Comparison, l.Condition.Value, l.Result)
		if l.Err != "" {
			b.WriteString(" (" + l.Err + ")")
		}
		b.WriteString("\n")
	}
	verdict := "matches"
	if !ok {
		verdict = "does not match"
	}
	fmt.Fprintf(&b, "The matcher %s %s.", verdict, sensor)
	return b.String()
}
