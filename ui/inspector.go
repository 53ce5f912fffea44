package ui

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/engine"
)

// editFunc applies fn as one undoable edit labelled label and redraws what
// it changed; it returns fn's error (nothing changed then).
type editFunc func(label string, fn func(tx *engine.Tx) error) error

// inspector shows the selected object and edits it: name, types, status
// and properties (each committed when the field is submitted or loses
// focus, with the engine's error shown beside the field when it refuses),
// read-only facts, the current values and, for a device, its MQTT
// credentials.
type inspector struct {
	model *viewModel
	uid   string // the object shown; "" none
	kind  engine.Kind
	id    engine.ID

	edit   editFunc
	broker func() string // the broker's address, "" when it is off
	copy   func(what, text string)

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

	newPropKey *widget.SelectEntry
	newPropVal *widget.Entry
	newPropAdd *widget.Button
}

func newInspector(m *viewModel, edit editFunc, broker func() string, copy func(what, text string)) *inspector {
	i := &inspector{model: m, edit: edit, broker: broker, copy: copy}
	i.title = widget.NewLabel("")
	i.title.SizeName = theme.SizeNameHeadingText
	i.title.TextStyle.Bold = true
	i.title.Truncation = fyne.TextTruncateEllipsis
	i.subtitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	i.subtitle.Wrapping = fyne.TextWrapWord
	i.body = container.NewVBox()
	i.content = container.NewBorder(
		container.NewVBox(i.title, i.subtitle, widget.NewSeparator()), nil, nil, nil,
		container.NewVScroll(i.body))
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
	i.subtitle.SetText(kindName(d.Kind))

	sections := []fyne.CanvasObject{i.editSection()}
	if i.kind == engine.KindDevice {
		sections = append(sections, heading("Connect"), i.deviceSection())
	}
	sections = append(sections, heading("Properties"), i.propertySection())
	i.facts = container.NewVBox()
	i.values = container.NewVBox()
	sections = append(sections, heading("Details"), i.facts, heading("Values"), i.values)
	i.fillLive(d)
	i.body.Objects = sections
	i.body.Refresh()
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
	if len(d.Values) > 0 {
		i.values.Objects = []fyne.CanvasObject{form(d.Values)}
	} else {
		i.values.Objects = []fyne.CanvasObject{note(noValues(d.Kind))}
	}
	i.values.Refresh()
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
	i.body.Refresh()
}

// ---- the editable fields ----

// editSection is the form of the object's editable fields.
func (i *inspector) editSection() fyne.CanvasObject {
	var objs []fyne.CanvasObject
	e := i.model.e
	_ = e.View(func(v *engine.View) error {
		switch i.kind {
		case engine.KindSpace:
			s, ok := v.Space(i.id)
			if !ok {
				return nil
			}
			at := s.ID
			objs = slices.Concat(objs,
				i.textRow("Name", s.Name, "Rename", func(x any, t string) { x.(*engine.Space).Name = t }),
				i.typeRow(v, "Type", engine.SpaceType, s.TypeID, at, func(x any, id int) { x.(*engine.Space).TypeID = id }),
				i.typeRow(v, "Subtype", engine.SpaceSubtype, s.SubtypeID, at, func(x any, id int) { x.(*engine.Space).SubtypeID = id }),
				i.typeRow(v, "Status", engine.SpaceStatus, s.StatusID, at, func(x any, id int) { x.(*engine.Space).StatusID = id }),
				i.textRow("Description", s.Description, "Describe", func(x any, t string) { x.(*engine.Space).Description = t }))
		case engine.KindDevice:
			d, ok := v.Device(i.id)
			if !ok {
				return nil
			}
			at := d.SpaceID
			objs = slices.Concat(objs,
				i.textRow("Name", d.Name, "Rename", func(x any, t string) { x.(*engine.Device).Name = t }),
				i.typeRow(v, "Type", engine.DeviceType, d.TypeID, at, func(x any, id int) { x.(*engine.Device).TypeID = id }),
				i.typeRow(v, "Subtype", engine.DeviceSubtype, d.SubtypeID, at, func(x any, id int) { x.(*engine.Device).SubtypeID = id }),
				i.textRow("Hardware ID", d.HardwareID, "Change hardware id of", func(x any, t string) { x.(*engine.Device).HardwareID = t }),
				i.choiceRow("Status", []string{engine.DeviceProvisioned, engine.DeviceActive, engine.DeviceOffline, engine.DeviceDisabled},
					d.Status, func(x any, c string) { x.(*engine.Device).Status = c }))
		case engine.KindSensor:
			s, ok := v.Sensor(i.id)
			if !ok {
				return nil
			}
			at := s.SpaceID
			objs = slices.Concat(objs,
				i.textRow("Name", s.Name, "Rename", func(x any, t string) { x.(*engine.Sensor).Name = t }),
				i.textRow("Hardware ID", s.HardwareID, "Change hardware id of", func(x any, t string) { x.(*engine.Sensor).HardwareID = t }),
				i.typeRow(v, "Data type", engine.SensorDataType, s.DataTypeID, at, func(x any, id int) { x.(*engine.Sensor).DataTypeID = id }),
				i.typeRow(v, "Data subtype", engine.SensorDataSubtype, s.DataSubtypeID, at, func(x any, id int) { x.(*engine.Sensor).DataSubtypeID = id }),
				i.typeRow(v, "Unit", engine.SensorDataUnitType, s.DataUnitTypeID, at, func(x any, id int) { x.(*engine.Sensor).DataUnitTypeID = id }),
				i.typeRow(v, "Sensor type", engine.SensorType, s.TypeID, at, func(x any, id int) { x.(*engine.Sensor).TypeID = id }))
		}
		return nil
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

// textRow is an entry for a text field; set writes the new text into a
// copy of the object.
func (i *inspector) textRow(label, value, verb string, set func(x any, text string)) []fyne.CanvasObject {
	en := newFieldEntry()
	en.SetText(value)
	en.onCommit = func(text string) {
		if text == value {
			i.setErr(label, nil)
			return
		}
		err := i.update(verb+" "+i.title.Text, func(x any) { set(x, strings.TrimSpace(text)) })
		i.setErr(label, err)
	}
	i.entries[label] = en
	return i.row(label, en)
}

// typeRow is a dropdown of the enabled types of category c at space at.
func (i *inspector) typeRow(v *engine.View, label string, c engine.Category, current int, at engine.ID, set func(x any, id int)) []fyne.CanvasObject {
	names := v.EnabledTypeNames(c, at)
	cur := v.TypeName(current)
	if cur != "" && !containsString(names, cur) {
		names = append(names, cur) // a disabled type still in use shows
	}
	sel := widget.NewSelect(names, nil)
	sel.SetSelected(cur)
	sel.OnChanged = func(name string) {
		if name == cur {
			return
		}
		k, id := i.kind, i.id
		err := i.edit(fmt.Sprintf("Set %s of %s to %s", strings.ToLower(label), i.title.Text, name), func(tx *engine.Tx) error {
			tid, err := tx.ResolveType(c, name, at)
			if err != nil {
				return err
			}
			return updateObject(tx, k, id, func(x any) { set(x, tid) })
		})
		i.setErr(label, err)
	}
	i.selects[label] = sel
	return i.row(label, sel)
}

// choiceRow is a dropdown of fixed choices.
func (i *inspector) choiceRow(label string, choices []string, current string, set func(x any, choice string)) []fyne.CanvasObject {
	sel := widget.NewSelect(choices, nil)
	sel.SetSelected(current)
	sel.OnChanged = func(c string) {
		if c == current {
			return
		}
		i.setErr(label, i.update(fmt.Sprintf("Set %s of %s to %s", strings.ToLower(label), i.title.Text, c),
			func(x any) { set(x, c) }))
	}
	i.selects[label] = sel
	return i.row(label, sel)
}

// update applies mutate to a copy of the object shown as one edit.
func (i *inspector) update(label string, mutate func(x any)) error {
	k, id := i.kind, i.id
	return i.edit(label, func(tx *engine.Tx) error { return updateObject(tx, k, id, mutate) })
}

// updateObject replaces the space, device or sensor id by a copy that
// mutate changed (it gets a *engine.Space, *engine.Device or
// *engine.Sensor whose Properties it may change freely).
func updateObject(tx *engine.Tx, k engine.Kind, id engine.ID, mutate func(x any)) error {
	switch k {
	case engine.KindSpace:
		if s, ok := tx.Space(id); ok {
			c := *s
			c.Properties = append([]engine.Property(nil), s.Properties...)
			mutate(&c)
			return tx.UpdateSpace(&c)
		}
	case engine.KindDevice:
		if d, ok := tx.Device(id); ok {
			c := *d
			c.Properties = append([]engine.Property(nil), d.Properties...)
			mutate(&c)
			return tx.UpdateDevice(&c)
		}
	case engine.KindSensor:
		if s, ok := tx.Sensor(id); ok {
			c := *s
			c.Properties = append([]engine.Property(nil), s.Properties...)
			mutate(&c)
			return tx.UpdateSensor(&c)
		}
	}
	return fmt.Errorf("%w: the object was deleted", engine.ErrNotFound)
}

// ---- properties ----

// propertySection edits the object's extended properties: one entry per
// property (an empty value removes it) and a row to add one.
func (i *inspector) propertySection() fyne.CanvasObject {
	props, scope, at := i.properties()
	var objs []fyne.CanvasObject
	for _, p := range props {
		name := p.Name
		en := newFieldEntry()
		en.SetText(p.Value)
		en.SetPlaceHolder(i.model.keyHint(name, scope, at))
		old := p.Value
		en.onCommit = func(text string) {
			if text == old {
				i.setErr(name, nil)
				return
			}
			label := "Set " + name + " of " + i.title.Text
			if text == "" {
				label = "Remove " + name + " from " + i.title.Text
			}
			i.setErr(name, i.update(label, func(x any) { setProperty(x, name, text) }))
		}
		i.entries[name] = en
		objs = append(objs, i.row(name, en)...)
	}
	var list fyne.CanvasObject = note("No properties.")
	if len(objs) > 0 {
		list = container.New(layout.NewFormLayout(), objs...)
	}

	// Add a property: a key (existing keys in scope are offered) and a value.
	keys := i.model.propertyKeyNames(scope, at)
	name := widget.NewSelectEntry(keys)
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
	i.errs["new property"] = errLabel
	add := func() {
		n, v := strings.TrimSpace(name.Text), strings.TrimSpace(val.Text)
		if n == "" || v == "" {
			i.setErr("new property", errors.New("give the property a key and a value"))
			return
		}
		err := i.edit("Set "+n+" of "+i.title.Text, func(tx *engine.Tx) error {
			if err := ensurePropertyKey(tx, n, scope, at); err != nil {
				return err
			}
			return updateObject(tx, i.kind, i.id, func(x any) { setProperty(x, n, v) })
		})
		i.setErr("new property", err)
	}
	val.OnSubmitted = func(string) { add() }
	addBtn := widget.NewButtonWithIcon("Add", theme.ContentAddIcon(), add)
	i.newPropKey, i.newPropVal, i.newPropAdd = name, val, addBtn
	return container.NewVBox(list,
		container.NewBorder(nil, nil, nil, addBtn, container.NewGridWithColumns(2, name, val)), errLabel)
}

// properties returns the properties of the object shown, the property key
// scope of its kind and the space new keys are looked up at.
func (i *inspector) properties() (props []engine.Property, scope string, at engine.ID) {
	_ = i.model.e.View(func(v *engine.View) error {
		switch o := lookup(v, i.uid).(type) {
		case *engine.Space:
			props, scope, at = o.Properties, engine.ScopeSpaces, o.ID
		case *engine.Device:
			props, scope, at = o.Properties, engine.ScopeDevices, o.SpaceID
		case *engine.Sensor:
			props, scope, at = o.Properties, engine.ScopeSensors, o.SpaceID
		}
		return nil
	})
	return props, scope, at
}

// setProperty sets property name of x (a *engine.Space, *engine.Device or
// *engine.Sensor) to value, removing it when value is empty.
func setProperty(x any, name, value string) {
	var ps *[]engine.Property
	switch o := x.(type) {
	case *engine.Space:
		ps = &o.Properties
	case *engine.Device:
		ps = &o.Properties
	case *engine.Sensor:
		ps = &o.Properties
	default:
		return
	}
	out := (*ps)[:0:0]
	found := false
	for _, p := range *ps {
		if strings.EqualFold(p.Name, name) {
			found = true
			if value == "" {
				continue
			}
			p.Value = value
		}
		out = append(out, p)
	}
	if !found && value != "" {
		out = append(out, engine.Property{Name: name, Value: value})
	}
	*ps = out
}

// ensurePropertyKey creates property key name for scope, untyped and
// scoped to the root space above at, unless one applies at at already
// (what provisioning does with the properties of a file).
func ensurePropertyKey(tx *engine.Tx, name, scope string, at engine.ID) error {
	if _, ok := tx.FindPropertyKey(name, scope, at); ok {
		return nil
	}
	root := at
	for {
		s, ok := tx.Space(root)
		if !ok || s.ParentID.IsZero() {
			break
		}
		root = s.ParentID
	}
	return tx.PutPropertyKey(&engine.PropertyKey{Name: name, Scope: scope, SpaceID: root, PrimitiveDataType: engine.PrimNone})
}

// propertyKeyNames returns the names of the property keys of scope that
// apply at space at, sorted.
func (m *viewModel) propertyKeyNames(scope string, at engine.ID) []string {
	seen := map[string]bool{}
	var out []string
	m.view(func(v *engine.View) {
		for _, k := range v.PropertyKeys() {
			if k.Scope != scope || seen[strings.ToLower(k.Name)] {
				continue
			}
			if !k.SpaceID.IsZero() && !v.IsWithin(at, k.SpaceID) {
				continue
			}
			seen[strings.ToLower(k.Name)] = true
			out = append(out, k.Name)
		}
	})
	sort.Strings(out)
	return out
}

// keyHint describes the values property key name of scope accepts at
// space at ("Int from 1 to 40", "Enum: Low, High"), or "" when there is
// no such key or it takes anything.
func (m *viewModel) keyHint(name, scope string, at engine.ID) string {
	var hint string
	m.view(func(v *engine.View) {
		k, ok := v.FindPropertyKey(name, scope, at)
		if !ok || k.PrimitiveDataType == engine.PrimNone || k.PrimitiveDataType == "" {
			return
		}
		hint = k.PrimitiveDataType
		switch {
		case k.Min != "" && k.Max != "":
			hint += " from " + k.Min + " to " + k.Max
		case k.Min != "":
			hint += " from " + k.Min
		case k.Max != "":
			hint += " up to " + k.Max
		}
		if k.ValidationData != "" {
			hint += ": " + k.ValidationData
		}
	})
	return hint
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
	conn := widget.NewButtonWithIcon("Copy connection settings", theme.ContentCopyIcon(), func() {
		if c, ok := deviceConnection(i.model.e, i.id, i.broker()); ok {
			i.copy("Connection settings", c.settings())
		}
	})
	pub := widget.NewButtonWithIcon("Copy mosquitto_pub command", theme.ContentCopyIcon(), func() {
		if c, ok := deviceConnection(i.model.e, i.id, i.broker()); ok {
			i.copy("mosquitto_pub command", c.mosquittoPub())
		}
	})
	keyRow := container.NewBorder(nil, nil, nil, toggle, i.key)
	return container.NewVBox(
		container.New(layout.NewFormLayout(),
			widget.NewLabelWithStyle("Key", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}), keyRow),
		conn, pub)
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

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
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

func kindName(k engine.Kind) string {
	switch k {
	case engine.KindSpace:
		return "Space"
	case engine.KindDevice:
		return "Device"
	case engine.KindSensor:
		return "Sensor"
	}
	return ""
}

func noValues(k engine.Kind) string {
	switch k {
	case engine.KindSpace:
		return "No computed values yet."
	case engine.KindDevice:
		return "None of its sensors has a value yet."
	default:
		return "No value yet."
	}
}
