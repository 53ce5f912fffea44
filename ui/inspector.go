package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/engine"
)

// inspector shows the selected object and edits it: name, types, status
// and properties (each committed when the field is submitted or loses
// focus, with the engine's error shown beside the field when it refuses),
// read-only facts, the current values and, for a device, its MQTT
// credentials.
type inspector struct {
	model *viewModel
	ctl   *controller
	sh    *shell
	uid   string // the object shown; "" none
	kind  *kindUI
	id    engine.ID

	broker func() string // the broker's address, "" when it is off

	// cursor, when set and not live, makes the Values section show past
	// values, read with past (timeslider.go).
	cursor *timeCursor
	past   func(uid string, at time.Time) ([]field, error)

	title    *widget.Label
	subtitle *widget.Label
	body     *fyne.Container // sections, rebuilt by show
	values   *fyne.Container // the values section, refreshed alone
	facts    *fyne.Container // read-only fields, refreshed with the values
	content  fyne.CanvasObject

	// The editable fields of the object shown, by label ("Name", "Type",
	// "Hardware ID", a property's name…), with their error labels.
	entries   map[string]*fieldEntry
	selects   map[string]*widget.Select
	errs      map[string]*widget.Label
	keyShown  bool
	key       *widget.Label
	keyToggle *widget.Button

	scroll     *container.Scroll // holds body
	newPropKey *widget.SelectEntry
	newPropVal *widget.Entry
	newPropAdd *widget.Button
}

func newInspector(m *viewModel, ctl *controller, sh *shell, broker func() string) *inspector {
	i := &inspector{model: m, ctl: ctl, sh: sh, broker: broker}
	i.title = widget.NewLabel("")
	i.title.SizeName = theme.SizeNameHeadingText
	i.title.TextStyle.Bold = true
	i.title.Truncation = fyne.TextTruncateEllipsis
	i.subtitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	i.subtitle.Wrapping = fyne.TextWrapWord
	i.body = container.NewVBox()
	// Both ways: a pane narrower than its rows scrolls instead of
	// squeezing them below their size.
	i.scroll = container.NewScroll(i.body)
	i.content = container.NewBorder(
		container.NewVBox(i.title, i.subtitle, widget.NewSeparator()), nil, nil, nil, i.scroll)
	i.show("")
	return i
}

// show displays node uid, or a hint when uid is "" or its object has gone.
func (i *inspector) show(uid string) {
	d, ok := i.model.details(uid)
	if !ok {
		i.uid = ""
		i.showHint()
		return
	}
	if uid != i.uid {
		i.keyShown = false
	}
	i.uid = uid
	i.kind, i.id, _ = parseNode(uid)
	i.entries = map[string]*fieldEntry{}
	i.selects = map[string]*widget.Select{}
	i.errs = map[string]*widget.Label{}
	i.key = nil
	i.title.SetText(d.Title)
	i.subtitle.SetText(i.kind.title)

	sections := []fyne.CanvasObject{i.editSection()}
	if i.kind.connect {
		sections = append(sections, heading("Connect"), i.deviceSection())
	}
	sections = append(sections, heading("Properties"), i.propertySection())
	i.facts = container.NewVBox()
	i.values = container.NewVBox()
	sections = append(sections, heading("Details"), i.facts, heading("Values"), i.values)
	i.fillLive(d)
	i.body.Objects = sections
	i.scroll.Refresh() // sizes the body to its new rows
}

// refresh rebuilds the inspector for the object shown (after an edit).
func (i *inspector) refresh() { i.show(i.uid) }

// refreshValues redraws the values and read-only facts of the object
// shown, leaving the fields being edited alone.
func (i *inspector) refreshValues() {
	if i.uid == "" {
		if i.model.stats().Spaces == 0 {
			i.showHint()
		}
		return
	}
	d, ok := i.model.details(i.uid)
	if !ok {
		i.show("")
		return
	}
	i.fillLive(d)
}

func (i *inspector) fillLive(d details) {
	var facts []field
	for _, f := range d.Fields {
		if i.entries[f.Label] == nil && i.selects[f.Label] == nil {
			facts = append(facts, f) // what is not edited above
		}
	}
	i.facts.Objects = []fyne.CanvasObject{form(facts)}
	i.facts.Refresh()
	if i.showPast() {
		return
	}
	if len(d.Values) > 0 {
		i.values.Objects = []fyne.CanvasObject{form(d.Values)}
	} else {
		i.values.Objects = []fyne.CanvasObject{note(kindOf(d.Kind).noValues)}
	}
	i.values.Refresh()
}

// showPast fills the Values section with the values at the time
// slider's moment, under a marker naming it, and reports whether the
// cursor is in the past.
func (i *inspector) showPast() bool {
	if i.cursor == nil || i.past == nil {
		return false
	}
	at, ok := i.cursor.At()
	if !ok {
		return false
	}
	marker := widget.NewLabelWithStyle(cursorText(at), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	marker.Importance = widget.WarningImportance
	objs := []fyne.CanvasObject{marker}
	switch fs, err := i.past(i.uid, at); {
	case err != nil:
		objs = append(objs, note(err.Error()))
	case len(fs) == 0:
		objs = append(objs, note("No values yet at that moment."))
	default:
		objs = append(objs, form(fs))
	}
	i.values.Objects = objs
	i.values.Refresh()
	return true
}

func (i *inspector) showHint() {
	i.title.SetText("Nothing selected")
	if i.model.stats().Spaces == 0 {
		i.subtitle.SetText("This project is empty")
		i.body.Objects = []fyne.CanvasObject{note("Add a space with Edit ▸ Add Space (Ctrl+Shift+A), " +
			"or import a provisioning file with File ▸ Import (Ctrl+I).")}
	} else {
		i.subtitle.SetText("Select something in the tree to edit it.")
		i.body.Objects = nil
	}
	i.scroll.Refresh()
}

// ---- the editable fields ----

// editSection is the form of the object's editable fields, as its kind
// lists them.
func (i *inspector) editSection() fyne.CanvasObject {
	var objs []fyne.CanvasObject
	i.model.view(func(v *engine.View) {
		o, k, ok := i.model.lookup(v, i.uid)
		if !ok {
			return
		}
		at := k.space(o)
		for _, f := range k.fields {
			switch {
			case f.category != "":
				objs = append(objs, i.typeRow(v, f, f.typeID(o), at)...)
			case f.choices != nil:
				objs = append(objs, i.choiceRow(f, f.text(o))...)
			default:
				objs = append(objs, i.textRow(f, f.text(o))...)
			}
		}
	})
	return container.New(layout.NewFormLayout(), objs...)
}

// row returns the two objects of a form row: the bold label, and the field
// with its error label below.
func (i *inspector) row(label string, field fyne.CanvasObject) []fyne.CanvasObject {
	errLabel := widget.NewLabel("")
	errLabel.Importance = widget.DangerImportance
	errLabel.Wrapping = fyne.TextWrapWord
	errLabel.Hide()
	i.errs[label] = errLabel
	key := widget.NewLabelWithStyle(label, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	return []fyne.CanvasObject{key, container.NewVBox(field, errLabel)}
}

// setErr shows err beside field label, or hides the error when err is nil.
func (i *inspector) setErr(label string, err error) {
	l := i.errs[label]
	if l == nil {
		return
	}
	if err == nil {
		l.Hide()
		return
	}
	l.SetText(errorText(err))
	l.Show()
}

// errorText is err as the studio shows it beside a field: without the
// package prefixes of wrapped errors.
func errorText(err error) string {
	s := err.Error()
	for _, p := range []string{"engine: "} {
		s = strings.ReplaceAll(s, p, "")
	}
	return s
}

// textRow is an entry for text field f, committed when submitted or left.
func (i *inspector) textRow(f editField, value string) []fyne.CanvasObject {
	en := newFieldEntry()
	en.SetText(value)
	en.onCommit = func(text string) { i.onText(f, value, text) }
	i.entries[f.label] = en
	return i.row(f.label, en)
}

// onText commits the text of field f, which showed value.
func (i *inspector) onText(f editField, value, text string) {
	if text == value {
		i.setErr(f.label, nil)
		return
	}
	err := i.ctl.update(f.verb+" "+i.title.Text, i.uid, func(o engine.Object) { f.setText(o, strings.TrimSpace(text)) })
	i.setErr(f.label, i.sh.done("", err))
}

// typeRow is a dropdown of the enabled types of f's category at space at.
func (i *inspector) typeRow(v *engine.View, f editField, current int, at engine.ID) []fyne.CanvasObject {
	names := v.EnabledTypeNames(f.category, at)
	cur := v.TypeName(current)
	if cur != "" && !slices.Contains(names, cur) {
		names = append(names, cur) // a disabled type still in use shows
	}
	sel := widget.NewSelect(names, nil)
	sel.SetSelected(cur)
	sel.OnChanged = func(name string) { i.onType(f, cur, name, at) }
	i.selects[f.label] = sel
	return i.row(f.label, sel)
}

// onType sets type field f, which showed cur, to the type named name.
func (i *inspector) onType(f editField, cur, name string, at engine.ID) {
	if name == cur {
		return
	}
	label := fmt.Sprintf("Set %s of %s to %s", strings.ToLower(f.label), i.title.Text, name)
	err := i.ctl.setType(label, i.uid, f.category, name, at, f.setType)
	i.setErr(f.label, i.sh.done("", err))
}

// choiceRow is a dropdown of f's fixed choices.
func (i *inspector) choiceRow(f editField, current string) []fyne.CanvasObject {
	sel := widget.NewSelect(f.choices, nil)
	sel.SetSelected(current)
	sel.OnChanged = func(c string) { i.onChoice(f, current, c) }
	i.selects[f.label] = sel
	return i.row(f.label, sel)
}

// onChoice sets choice field f, which showed current, to c.
func (i *inspector) onChoice(f editField, current, c string) {
	if c == current {
		return
	}
	label := fmt.Sprintf("Set %s of %s to %s", strings.ToLower(f.label), i.title.Text, c)
	err := i.ctl.update(label, i.uid, func(o engine.Object) { f.setText(o, c) })
	i.setErr(f.label, i.sh.done("", err))
}

// ---- properties ----

// propertySection edits the object's extended properties: one entry per
// property (an empty value removes it) and a row to add one.
func (i *inspector) propertySection() fyne.CanvasObject {
	var props []engine.Property
	var scope string
	var at engine.ID
	i.model.view(func(v *engine.View) {
		if o, k, ok := i.model.lookup(v, i.uid); ok {
			props, scope, at = *engine.PropertiesOf(o), k.scope, k.space(o)
		}
	})
	var objs []fyne.CanvasObject
	for _, p := range props {
		name, old := p.Name, p.Value
		en := newFieldEntry()
		en.SetText(p.Value)
		en.SetPlaceHolder(i.model.keyHint(name, scope, at))
		en.onCommit = func(text string) { i.onProperty(name, old, text) }
		i.entries[name] = en
		objs = append(objs, i.row(name, en)...)
	}
	var list fyne.CanvasObject = note("No properties.")
	if len(objs) > 0 {
		list = container.New(layout.NewFormLayout(), objs...)
	}
	return container.NewVBox(list, i.addPropertyRow(scope, at))
}

// addPropertyRow adds a property: a key (the keys of scope at space at
// are offered) and a value, with the error below.
func (i *inspector) addPropertyRow(scope string, at engine.ID) fyne.CanvasObject {
	name := widget.NewSelectEntry(i.model.propertyKeyNames(scope, at))
	name.SetPlaceHolder("Property key")
	val := widget.NewEntry()
	val.SetPlaceHolder("Value")
	name.OnChanged = func(n string) {
		if h := i.model.keyHint(strings.TrimSpace(n), scope, at); h != "" {
			val.SetPlaceHolder(h)
		} else {
			val.SetPlaceHolder("Value")
		}
	}
	errLabel := widget.NewLabel("")
	errLabel.Importance = widget.DangerImportance
	errLabel.Wrapping = fyne.TextWrapWord
	errLabel.Hide()
	i.errs[newPropertyRow] = errLabel
	val.OnSubmitted = func(string) { i.onAddProperty() }
	addBtn := widget.NewButtonWithIcon("Add", theme.ContentAddIcon(), i.onAddProperty)
	i.newPropKey, i.newPropVal, i.newPropAdd = name, val, addBtn
	return container.NewVBox(
		container.NewBorder(nil, nil, nil, addBtn, container.NewGridWithColumns(2, name, val)), errLabel)
}

// newPropertyRow names the add-a-property row's error.
const newPropertyRow = "new property"

// onProperty commits property name, which showed old, as text ("" removes
// it).
func (i *inspector) onProperty(name, old, text string) {
	if text == old {
		i.setErr(name, nil)
		return
	}
	label := "Set " + name + " of " + i.title.Text
	if text == "" {
		label = "Remove " + name + " from " + i.title.Text
	}
	i.setErr(name, i.sh.done("", i.ctl.setProperty(label, i.uid, name, text, false)))
}

// onAddProperty adds the property typed in the add row, making its key
// when none applies.
func (i *inspector) onAddProperty() {
	n, v := strings.TrimSpace(i.newPropKey.Text), strings.TrimSpace(i.newPropVal.Text)
	if n == "" || v == "" {
		i.setErr(newPropertyRow, errors.New("give the property a key and a value"))
		return
	}
	err := i.ctl.setProperty("Set "+n+" of "+i.title.Text, i.uid, n, v, true)
	i.setErr(newPropertyRow, i.sh.done("", err))
}

// ---- devices ----

// deviceSection shows a device's key (hidden until asked) and copies its
// connection settings or a mosquitto_pub command to the clipboard.
func (i *inspector) deviceSection() fyne.CanvasObject {
	i.key = widget.NewLabel("")
	i.key.Selectable = true
	i.key.Truncation = fyne.TextTruncateEllipsis
	var toggle *widget.Button
	toggle = widget.NewButtonWithIcon("Show", theme.VisibilityIcon(), func() {
		i.keyShown = !i.keyShown
		i.showKey(toggle)
	})
	i.keyToggle = toggle
	i.showKey(toggle)
	conn := widget.NewButtonWithIcon("Copy connection settings", theme.ContentCopyIcon(), i.onCopySettings)
	pub := widget.NewButtonWithIcon("Copy mosquitto_pub command", theme.ContentCopyIcon(), i.onCopyMosquittoPub)
	keyRow := container.NewBorder(nil, nil, nil, toggle, i.key)
	return container.NewVBox(
		container.New(layout.NewFormLayout(),
			widget.NewLabelWithStyle("Key", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}), keyRow),
		conn, pub)
}

// onCopySettings puts the device's connection settings on the clipboard.
func (i *inspector) onCopySettings() {
	if c, ok := deviceConnection(i.model.e, i.id, i.broker()); ok {
		i.copy("Connection settings", c.settings())
	}
}

// onCopyMosquittoPub puts a mosquitto_pub command publishing as the device
// on the clipboard.
func (i *inspector) onCopyMosquittoPub() {
	if c, ok := deviceConnection(i.model.e, i.id, i.broker()); ok {
		i.copy("mosquitto_pub command", c.mosquittoPub())
	}
}

// copy puts text on the clipboard and says so in the status bar.
func (i *inspector) copy(what, text string) {
	if a := fyne.CurrentApp(); a != nil {
		a.Clipboard().SetContent(text)
	}
	i.sh.flash(what + " copied to the clipboard")
}

func (i *inspector) showKey(toggle *widget.Button) {
	c, _ := deviceConnection(i.model.e, i.id, "")
	if i.keyShown {
		i.key.SetText(c.Key)
		toggle.SetText("Hide")
		toggle.SetIcon(theme.VisibilityOffIcon())
	} else {
		i.key.SetText(strings.Repeat("•", 12))
		toggle.SetText("Show")
		toggle.SetIcon(theme.VisibilityIcon())
	}
}

// fieldEntry is an entry that commits its text when it is submitted
// (Enter) or loses focus.
type fieldEntry struct {
	widget.Entry
	onCommit func(text string)
}

func newFieldEntry() *fieldEntry {
	e := &fieldEntry{}
	e.ExtendBaseWidget(e)
	e.OnSubmitted = func(t string) { e.commit() }
	return e
}

func (e *fieldEntry) commit() {
	if e.onCommit != nil {
		e.onCommit(e.Text)
	}
}

// FocusLost commits the text.
func (e *fieldEntry) FocusLost() {
	e.Entry.FocusLost()
	e.commit()
}

// form lays fields out as right-aligned bold labels beside their values.
// Values are cut short with an ellipsis when the inspector is too narrow
// (wrapped labels in a form overlap what follows when the pane is
// resized) and can be selected and copied.
func form(fs []field) *fyne.Container {
	objs := make([]fyne.CanvasObject, 0, 2*len(fs))
	for _, f := range fs {
		key := widget.NewLabelWithStyle(f.Label, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
		val := widget.NewLabel(f.text())
		val.Truncation = fyne.TextTruncateEllipsis
		val.Selectable = true
		objs = append(objs, key, val)
	}
	return container.New(layout.NewFormLayout(), objs...)
}

func heading(text string) fyne.CanvasObject {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

// note is a line of explanation: italic in the text colour (the theme's
// low-importance grey is too faint to read on the light theme).
func note(text string) fyne.CanvasObject {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	l.Wrapping = fyne.TextWrapWord
	return l
}
