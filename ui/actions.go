package ui

import (
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/engine"
)

// errNoSelection is returned by actions that need a selected node when
// none fits.
var errNoSelection = errors.New("select a node in the tree first")

// edit applies fn as one undoable edit labelled label, commits it to the
// project file and redraws the views. Every model edit of the studio goes
// through it.
func (s *Studio) edit(label string, fn func(tx *engine.Tx) error) error {
	err := s.editor.Do(label, fn)
	if err != nil {
		s.lastErr = err
		return err
	}
	s.lastErr = nil
	s.afterEdit("")
	return nil
}

// afterEdit redraws everything an edit may have changed and selects
// node sel when it is not "".
func (s *Studio) afterEdit(sel string) {
	s.tree.refresh()
	if sel != "" {
		s.selectNode(sel)
	}
	if s.selected != "" && !s.model.exists(s.selected) {
		s.selected = ""
		s.tree.tree.UnselectAll()
	}
	s.insp.show(s.selected)
	s.showDoc()
	s.status.refresh()
	s.tools.refresh()
}

// act runs an action that may fail and reports the failure.
func (s *Studio) act(err error) {
	if err != nil {
		s.fail(err)
	}
}

// ---- add ----

// addSpace adds a space named name of type typ (a SpaceType name, "" for
// None) under the selected space (or as a root space when nothing is
// selected) and selects it.
func (s *Studio) addSpace(name, typ string) error {
	parent := engine.NilID
	if k, id, ok := parseNode(s.selected); ok {
		if k != engine.KindSpace {
			return fmt.Errorf("%w: a space goes into a space; select one (or nothing, for a root space)", errNoSelection)
		}
		parent = id
	}
	sp := &engine.Space{Name: strings.TrimSpace(name), ParentID: parent}
	err := s.editor.Do("Add space "+sp.Name, func(tx *engine.Tx) error {
		var err error
		if sp.TypeID, err = tx.ResolveType(engine.SpaceType, typ, parent); err != nil {
			return err
		}
		return tx.CreateSpace(sp)
	})
	return s.finish(err, spaceNode(sp.ID))
}

// addDevice adds a device to the selected space (hardwareID "" makes one
// up) and selects it.
func (s *Studio) addDevice(name, typ, hardwareID string) error {
	k, space, ok := parseNode(s.selected)
	if !ok || k != engine.KindSpace {
		return fmt.Errorf("%w: a device goes into a space", errNoSelection)
	}
	d := &engine.Device{Name: strings.TrimSpace(name), SpaceID: space, HardwareID: strings.TrimSpace(hardwareID)}
	err := s.editor.Do("Add device "+d.Name, func(tx *engine.Tx) error {
		var err error
		if d.TypeID, err = tx.ResolveType(engine.DeviceType, typ, space); err != nil {
			return err
		}
		return tx.CreateDevice(d)
	})
	return s.finish(err, deviceNode(d.ID))
}

// addSensor adds a sensor of data type dataType to the selected device
// (or the device of the selected sensor) and selects it.
func (s *Studio) addSensor(hardwareID, dataType string) error {
	k, id, ok := parseNode(s.selected)
	if ok && k == engine.KindSensor {
		_ = s.app.Engine().View(func(v *engine.View) error {
			if n, ok := v.Sensor(id); ok {
				id = n.DeviceID
				k = engine.KindDevice
			}
			return nil
		})
	}
	if !ok || k != engine.KindDevice {
		return fmt.Errorf("%w: a sensor goes on a device", errNoSelection)
	}
	n := &engine.Sensor{HardwareID: strings.TrimSpace(hardwareID), DeviceID: id}
	err := s.editor.Do("Add sensor "+n.HardwareID, func(tx *engine.Tx) error {
		d, ok := tx.Device(id)
		if !ok {
			return fmt.Errorf("%w: the device was deleted", engine.ErrNotFound)
		}
		var err error
		if n.DataTypeID, err = tx.ResolveType(engine.SensorDataType, dataType, d.SpaceID); err != nil {
			return err
		}
		return tx.CreateSensor(n)
	})
	return s.finish(err, sensorNode(n.ID))
}

// finish finishes an edit that made node sel: on success it redraws and
// selects sel.
func (s *Studio) finish(err error, sel string) error {
	s.lastErr = err
	if err != nil {
		return err
	}
	s.afterEdit(sel)
	return nil
}

// ---- rename, delete ----

// rename renames node uid.
func (s *Studio) rename(uid, name string) error {
	k, id, ok := parseNode(uid)
	if !ok {
		return errNoSelection
	}
	name = strings.TrimSpace(name)
	old := s.model.name(uid)
	return s.finish(s.editor.Do(fmt.Sprintf("Rename %s to %s", old, name), func(tx *engine.Tx) error {
		return updateObject(tx, k, id, func(x any) {
			switch o := x.(type) {
			case *engine.Space:
				o.Name = name
			case *engine.Device:
				o.Name = name
			case *engine.Sensor:
				o.Name = name
			}
		})
	}), uid)
}

// deleteImpact says what deleting node uid removes with it.
func (s *Studio) deleteImpact(uid string) engine.Impact {
	k, id, _ := parseNode(uid)
	var im engine.Impact
	_ = s.app.Engine().View(func(v *engine.View) error { im = v.DeleteImpact(k, id); return nil })
	return im
}

// deletesWith says what deleting node uid deletes besides the object
// itself ("20 spaces, 20 devices and 82 sensors"), "" when nothing.
func (s *Studio) deletesWith(uid string) string {
	im := s.deleteImpact(uid)
	switch k, _, _ := parseNode(uid); k {
	case engine.KindSpace:
		im.Spaces--
	case engine.KindDevice:
		im.Devices--
	case engine.KindSensor:
		im.Sensors--
	}
	if im.Total() == 0 {
		return ""
	}
	return im.String()
}

// deleteNode deletes node uid and everything beneath it.
func (s *Studio) deleteNode(uid string) error {
	k, id, ok := parseNode(uid)
	if !ok {
		return errNoSelection
	}
	parent := s.parentOf(uid)
	err := s.editor.Do("Delete "+s.model.name(uid), func(tx *engine.Tx) error { return tx.DeleteObject(k, id) })
	if err == nil && s.selected == uid {
		s.selected = ""
	}
	return s.finish(err, parent)
}

// parentOf is the node above uid, "" for a root space.
func (s *Studio) parentOf(uid string) string {
	a := s.model.ancestors(uid)
	if len(a) == 0 {
		return ""
	}
	return a[len(a)-1]
}

// ---- move, duplicate ----

// move moves node src into node dst: a space under a space (dst "" makes
// it a root space), a device into a space, a sensor onto a device. A node
// dropped on a node it cannot go into goes into that node's parent of the
// right kind (a device dropped on a sensor goes into the sensor's space).
func (s *Studio) move(src, dst string) error {
	sk, sid, ok := parseNode(src)
	if !ok {
		return s.finish(errNoSelection, "")
	}
	if src == dst {
		return nil
	}
	target := s.holder(sk, dst)
	if target == "" && sk != engine.KindSpace {
		return s.finish(fmt.Errorf("%w: drop a device on a space, a sensor on a device", engine.ErrConflict), "")
	}
	_, did, _ := parseNode(target) // zero for the top
	where := "the top"
	if target != "" {
		where = s.model.name(target)
	}
	err := s.editor.Do(fmt.Sprintf("Move %s to %s", s.model.name(src), where), func(tx *engine.Tx) error {
		switch sk {
		case engine.KindSpace:
			return tx.MoveSpace(sid, did)
		case engine.KindDevice:
			return tx.MoveDevice(sid, did)
		default:
			return tx.MoveSensor(sid, did)
		}
	})
	return s.finish(err, src)
}

// holder is node uid or the nearest node above it that can hold a node of
// kind k (a device for a sensor, else a space), "" when none (the top).
func (s *Studio) holder(k engine.Kind, uid string) string {
	want := engine.KindSpace
	if k == engine.KindSensor {
		want = engine.KindDevice
	}
	for uid != "" {
		if uk, _, _ := parseNode(uid); uk == want {
			return uid
		}
		uid = s.parentOf(uid)
	}
	return ""
}

// nodeOf is the tree node id of object id of kind k.
func nodeOf(k engine.Kind, id engine.ID) string {
	switch k {
	case engine.KindSpace:
		return spaceNode(id)
	case engine.KindDevice:
		return deviceNode(id)
	case engine.KindSensor:
		return sensorNode(id)
	}
	return ""
}

// cutNode marks node uid to be moved by the next Paste.
func (s *Studio) cutNode(uid string) {
	if _, _, ok := parseNode(uid); !ok {
		return
	}
	s.cut = uid
	s.status.flash("Cut " + s.model.name(uid) + ": select where it goes and paste (Ctrl+V)")
	s.tools.refresh()
}

// paste moves the node cut into the selected node.
func (s *Studio) paste() error {
	if s.cut == "" {
		return nil
	}
	src := s.cut
	err := s.move(src, s.selected)
	if err == nil {
		s.cut = ""
		s.tools.refresh()
	}
	return err
}

// duplicate copies space or device uid, with everything beneath it, beside
// the original under the name name; devices and sensors get new hardware
// ids from pattern ({hw} the original's, {n} a number that makes them
// unique: engine.DefaultHardwareIDPattern when ""). The copy is selected.
func (s *Studio) duplicate(uid, name, pattern string) error {
	k, id, ok := parseNode(uid)
	if !ok || k == engine.KindSensor {
		return s.finish(fmt.Errorf("%w: select a space or a device to duplicate", errNoSelection), "")
	}
	if pattern == "" {
		pattern = engine.DefaultHardwareIDPattern
	}
	var made engine.ID
	err := s.editor.Do("Duplicate "+s.model.name(uid), func(tx *engine.Tx) error {
		var err error
		switch k {
		case engine.KindSpace:
			sp, ok := tx.Space(id)
			if !ok {
				return fmt.Errorf("%w: the space was deleted", engine.ErrNotFound)
			}
			made, err = tx.DuplicateSpace(id, sp.ParentID, strings.TrimSpace(name), pattern)
		default:
			d, ok := tx.Device(id)
			if !ok {
				return fmt.Errorf("%w: the device was deleted", engine.ErrNotFound)
			}
			made, err = tx.DuplicateDevice(id, d.SpaceID, strings.TrimSpace(name), pattern)
		}
		return err
	})
	return s.finish(err, nodeOf(k, made))
}

// copyName is the name Duplicate suggests for a copy of name.
func copyName(name string) string { return name + " (copy)" }

// ---- undo, redo ----

// undo undoes the last edit.
func (s *Studio) undo() error {
	label, err := s.editor.Undo()
	if errors.Is(err, engine.ErrNothingToUndo) {
		return nil
	}
	if err == nil {
		s.status.flash("Undid: " + label)
	}
	return s.finish(err, "")
}

// redo redoes the last edit undone.
func (s *Studio) redo() error {
	label, err := s.editor.Redo()
	if errors.Is(err, engine.ErrNothingToRedo) {
		return nil
	}
	if err == nil {
		s.status.flash("Redid: " + label)
	}
	return s.finish(err, "")
}

// ---- dialogs ----

// treeKey handles the tree's keys for editing: F2 renames, Delete deletes.
func (s *Studio) treeKey(ev *fyne.KeyEvent) bool {
	switch ev.Name {
	case fyne.KeyF2:
		s.renameDialog()
	case fyne.KeyDelete:
		s.deleteDialog()
	case fyne.KeyInsert:
		s.addDialog(engine.KindNone)
	default:
		return false
	}
	return true
}

// addDialog asks for the name and type of a new space, device or sensor
// (KindNone: what fits the selection: a sensor on a device, else a space)
// and adds it to the selection.
func (s *Studio) addDialog(k engine.Kind) {
	sk, _, _ := parseNode(s.selected)
	if k == engine.KindNone {
		k = engine.KindSpace
		if sk == engine.KindDevice || sk == engine.KindSensor {
			k = engine.KindSensor
		}
	}
	at := s.spaceAt(s.selected)
	name := widget.NewEntry()
	hw := widget.NewEntry()
	var typ *widget.Select
	var items []*widget.FormItem
	var title string
	var ok func() error
	switch k {
	case engine.KindSpace:
		title = "Add space"
		if s.selected != "" {
			title += " in " + s.model.name(s.selected)
		}
		typ = widget.NewSelect(s.typeNames(engine.SpaceType, at), nil)
		typ.SetSelected(childSpaceType(s.spaceTypeName(at)))
		items = []*widget.FormItem{widget.NewFormItem("Name", name), widget.NewFormItem("Type", typ)}
		ok = func() error { return s.addSpace(name.Text, typ.Selected) }
	case engine.KindDevice:
		title = "Add device in " + s.model.name(s.selected)
		typ = widget.NewSelect(s.typeNames(engine.DeviceType, at), nil)
		typ.SetSelected("Generic")
		hw.SetPlaceHolder("made up when empty")
		items = []*widget.FormItem{widget.NewFormItem("Name", name), widget.NewFormItem("Type", typ),
			widget.NewFormItem("Hardware ID", hw)}
		ok = func() error { return s.addDevice(name.Text, typ.Selected, hw.Text) }
	default:
		title = "Add sensor"
		typ = widget.NewSelect(s.typeNames(engine.SensorDataType, at), nil)
		typ.SetSelected("Temperature")
		hw.SetPlaceHolder("made up when empty")
		items = []*widget.FormItem{widget.NewFormItem("Data type", typ), widget.NewFormItem("Hardware ID", hw)}
		ok = func() error { return s.addSensor(hw.Text, typ.Selected) }
	}
	s.formDialog(title, "Add", items, ok)
}

// formDialog shows a form; confirming runs ok, and an error keeps the
// dialog open with the error shown under the fields.
func (s *Studio) formDialog(title, confirm string, items []*widget.FormItem, ok func() error) {
	if s.win == nil {
		return
	}
	errLabel := widget.NewLabel("")
	errLabel.Importance = widget.DangerImportance
	errLabel.Wrapping = fyne.TextWrapWord
	errLabel.Hide()
	items = append(items, widget.NewFormItem("", errLabel))
	var d *dialog.FormDialog
	d = dialog.NewForm(title, confirm, "Cancel", items, func(yes bool) {
		if !yes {
			return
		}
		if err := ok(); err != nil {
			errLabel.SetText(errorText(err))
			errLabel.Show()
			d.Show() // keep it open to fix the input
		}
	}, s.win)
	// Enter in a field confirms, as the button does.
	var first *widget.Entry
	for _, it := range items {
		if e, ok := it.Widget.(*widget.Entry); ok {
			e.OnSubmitted = func(string) { d.Submit() }
			if first == nil {
				first = e
			}
		}
	}
	d.Resize(fyne.NewSize(440, 0))
	d.Show()
	if first != nil {
		s.win.Canvas().Focus(first)
		first.TypedShortcut(&fyne.ShortcutSelectAll{})
	}
}

// renameDialog asks for the selected node's new name.
func (s *Studio) renameDialog() {
	uid := s.selected
	if uid == "" {
		s.fail(errNoSelection)
		return
	}
	name := widget.NewEntry()
	name.SetText(s.model.name(uid))
	s.formDialog("Rename "+s.model.name(uid), "Rename",
		[]*widget.FormItem{widget.NewFormItem("Name", name)},
		func() error { return s.rename(uid, name.Text) })
}

// deleteDialog asks to confirm deleting the selected node, naming what
// goes with it.
func (s *Studio) deleteDialog() {
	uid := s.selected
	if uid == "" {
		s.fail(errNoSelection)
		return
	}
	msg := fmt.Sprintf("Delete %s?", s.model.name(uid))
	if with := s.deletesWith(uid); with != "" {
		msg += "\n\nThis also deletes " + with + "."
	}
	msg += "\n\nYou can undo it with Ctrl+Z."
	if s.win == nil {
		return
	}
	dialog.ShowConfirm("Delete "+s.model.name(uid), msg, func(yes bool) {
		if yes {
			s.act(s.deleteNode(uid))
		}
	}, s.win)
}

// duplicateDialog asks for the name of the copy and the pattern of its
// hardware ids.
func (s *Studio) duplicateDialog() {
	uid := s.selected
	if k, _, ok := parseNode(uid); !ok || k == engine.KindSensor {
		s.fail(fmt.Errorf("%w: select a space or a device to duplicate", errNoSelection))
		return
	}
	name := widget.NewEntry()
	name.SetText(copyName(s.model.name(uid)))
	pattern := widget.NewEntry()
	pattern.SetText(engine.DefaultHardwareIDPattern)
	help := widget.NewLabel("{hw} is the original hardware id, {n} a number that makes it unique.")
	help.TextStyle.Italic = true
	help.Wrapping = fyne.TextWrapWord
	s.formDialog("Duplicate "+s.model.name(uid), "Duplicate", []*widget.FormItem{
		widget.NewFormItem("Name", name),
		widget.NewFormItem("Hardware ids", pattern),
		widget.NewFormItem("", help),
	}, func() error { return s.duplicate(uid, name.Text, pattern.Text) })
}

// spaceAt is the space node uid is in (itself for a space).
func (s *Studio) spaceAt(uid string) engine.ID {
	out := engine.NilID
	_ = s.app.Engine().View(func(v *engine.View) error {
		switch o := lookup(v, uid).(type) {
		case *engine.Space:
			out = o.ID
		case *engine.Device:
			out = o.SpaceID
		case *engine.Sensor:
			out = o.SpaceID
		}
		return nil
	})
	return out
}

// childSpaceType is the type a new space under a space of type parent most
// likely has: a venue for a tenant, a floor in a building, a room on a
// floor; a building at the root ("" parent).
func childSpaceType(parent string) string {
	switch parent {
	case "":
		return "Building"
	case "Tenant", "Customer", "Region":
		return "Venue"
	case "Campus":
		return "Building"
	case "Venue", "Building":
		return "Floor"
	case "Floor":
		return "Room"
	case "Room", "Area", "Zone":
		return "Desk"
	case "Parking", "Garden", "Greenhouse", "Field", "Outdoor":
		return "Zone"
	}
	return "Room"
}

// spaceTypeName is the type of space id ("" for none).
func (s *Studio) spaceTypeName(id engine.ID) string {
	name := ""
	_ = s.app.Engine().View(func(v *engine.View) error {
		if sp, ok := v.Space(id); ok {
			name = v.TypeName(sp.TypeID)
		}
		return nil
	})
	return name
}

func (s *Studio) typeNames(c engine.Category, at engine.ID) []string {
	var out []string
	_ = s.app.Engine().View(func(v *engine.View) error { out = v.EnabledTypeNames(c, at); return nil })
	return out
}
