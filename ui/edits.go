package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/engine"
)

// edits is the Edit menu, the toolbar's edit buttons and the tree's keys
// and drops: each handler runs one edit of the controller (asking for what
// it needs in a dialog) and has the studio redraw, or shows why it failed.
type edits struct {
	sh  *shell
	ctl *controller
}

func newEdits(sh *shell, ctl *controller) *edits { return &edits{sh: sh, ctl: ctl} }

// onKey handles the tree's keys for editing: F2 renames, Delete deletes,
// Insert adds. It reports whether it used the key.
func (e *edits) onKey(ev *fyne.KeyEvent) bool {
	switch ev.Name {
	case fyne.KeyF2:
		e.onRename()
	case fyne.KeyDelete:
		e.onDelete()
	case fyne.KeyInsert:
		e.onAdd(engine.KindNone)
	default:
		return false
	}
	return true
}

// onAdd asks for a new object of kind k (KindNone: what fits the
// selection) and adds it at the selection.
func (e *edits) onAdd(k engine.Kind) { newAddDialog(e, k).show() }

// onRename asks for the selected node's new name.
func (e *edits) onRename() {
	if e.ctl.selected == "" {
		e.sh.fail(errNoSelection)
		return
	}
	newRenameDialog(e, e.ctl.selected).show()
}

// onDelete asks to confirm deleting the selected node.
func (e *edits) onDelete() {
	if e.ctl.selected == "" {
		e.sh.fail(errNoSelection)
		return
	}
	newDeleteDialog(e, e.ctl.selected).show()
}

// onDuplicate asks for the name and hardware ids of a copy of the
// selected space or device.
func (e *edits) onDuplicate() {
	if k, _, ok := parseNode(e.ctl.selected); !ok || k.duplicate == nil {
		e.sh.fail(fmt.Errorf("%w: select a space or a device to duplicate", errNoSelection))
		return
	}
	newDuplicateDialog(e, e.ctl.selected).show()
}

// onDrop moves the node dragged, src, into the node it was dropped on.
func (e *edits) onDrop(src, dst string) { e.sh.act(e.move(src, dst)) }

// onCut marks the selected node to be moved by the next paste.
func (e *edits) onCut() { e.cut(e.ctl.selected) }

// onPaste moves the node cut into the selected node.
func (e *edits) onPaste() { e.sh.act(e.paste()) }

func (e *edits) onUndo() { e.sh.act(e.undo()) }
func (e *edits) onRedo() { e.sh.act(e.redo()) }

// The edits themselves, each finished by the shell (tests call them).

func (e *edits) add(k engine.Kind, f addFields) error { return e.sh.done(e.ctl.add(k, f)) }
func (e *edits) rename(uid, name string) error        { return e.sh.done(e.ctl.rename(uid, name)) }
func (e *edits) remove(uid string) error              { return e.sh.done(e.ctl.remove(uid)) }
func (e *edits) duplicate(uid, name, pattern string) error {
	return e.sh.done(e.ctl.duplicate(uid, name, pattern))
}

func (e *edits) move(src, dst string) error {
	sel, err := e.ctl.move(src, dst)
	if err == nil && sel == "" {
		return nil // onto itself: nothing happened
	}
	return e.sh.done(sel, err)
}

func (e *edits) cut(uid string) {
	if !e.ctl.cutNode(uid) {
		return
	}
	e.sh.flash("Cut " + e.ctl.model.name(uid) + ": select where it goes and paste (Ctrl+V)")
	e.sh.changed()
}

func (e *edits) paste() error {
	if e.ctl.cut == "" {
		return nil
	}
	sel, err := e.ctl.paste()
	if err == nil && sel == "" {
		e.sh.changed()
		return nil
	}
	return e.sh.done(sel, err)
}

func (e *edits) undo() error {
	label, err := e.ctl.undo()
	if err == nil && label == "" {
		return nil
	}
	if err == nil {
		e.sh.flash("Undid: " + label)
	}
	return e.sh.done("", err)
}

func (e *edits) redo() error {
	label, err := e.ctl.redo()
	if err == nil && label == "" {
		return nil
	}
	if err == nil {
		e.sh.flash("Redid: " + label)
	}
	return e.sh.done("", err)
}

// addDialog asks for the name, type and hardware id of a new object, as
// its kind's add form says, and adds it at the selection.
type addDialog struct {
	e        *edits
	kind     *kindUI
	name, hw *widget.Entry
	typ      *widget.Select
}

// newAddDialog is the Add dialog for kind k; KindNone chooses what fits the
// selection: a sensor on a device or sensor, else a space.
func newAddDialog(e *edits, k engine.Kind) *addDialog {
	if k == engine.KindNone {
		k = engine.KindSpace
		if sk, _, ok := parseNode(e.ctl.selected); ok {
			k = sk.adds[0]
		}
	}
	d := &addDialog{e: e, kind: kindOf(k), name: widget.NewEntry(), hw: widget.NewEntry()}
	m := e.ctl.model
	at := m.spaceAt(e.ctl.selected)
	d.typ = widget.NewSelect(m.typeNames(d.kind.add.category, at), nil)
	d.typ.SetSelected(d.kind.add.defType(m.spaceTypeName(at)))
	d.hw.SetPlaceHolder("made up when empty")
	return d
}

func (d *addDialog) show() {
	f := d.kind.add
	title := f.title
	if sel := d.e.ctl.selected; f.in && sel != "" {
		title += " in " + d.e.ctl.model.name(sel)
	}
	var items []*widget.FormItem
	if f.name {
		items = append(items, widget.NewFormItem("Name", d.name))
	}
	items = append(items, widget.NewFormItem(f.typeLabel, d.typ))
	if f.hardware {
		items = append(items, widget.NewFormItem("Hardware ID", d.hw))
	}
	formDialog(d.e.sh.win, title, "Add", items, d.onAdd)
}

// onAdd adds the object.
func (d *addDialog) onAdd() error {
	return d.e.add(d.kind.kind, addFields{name: d.name.Text, typ: d.typ.Selected, hardwareID: d.hw.Text})
}

// renameDialog asks for a node's new name.
type renameDialog struct {
	e    *edits
	uid  string
	name *widget.Entry
}

func newRenameDialog(e *edits, uid string) *renameDialog {
	d := &renameDialog{e: e, uid: uid, name: widget.NewEntry()}
	d.name.SetText(e.ctl.model.name(uid))
	return d
}

func (d *renameDialog) show() {
	formDialog(d.e.sh.win, "Rename "+d.e.ctl.model.name(d.uid), "Rename",
		[]*widget.FormItem{widget.NewFormItem("Name", d.name)}, d.onRename)
}

// onRename renames the node.
func (d *renameDialog) onRename() error { return d.e.rename(d.uid, d.name.Text) }

// deleteDialog asks to confirm deleting a node, naming what goes with it.
type deleteDialog struct {
	e   *edits
	uid string
}

func newDeleteDialog(e *edits, uid string) *deleteDialog { return &deleteDialog{e: e, uid: uid} }

// message is the confirmation's text.
func (d *deleteDialog) message() string {
	msg := fmt.Sprintf("Delete %s?", d.e.ctl.model.name(d.uid))
	if with := d.e.ctl.deletesWith(d.uid); with != "" {
		msg += "\n\nThis also deletes " + with + "."
	}
	return msg + "\n\nYou can undo it with Ctrl+Z."
}

func (d *deleteDialog) show() {
	if d.e.sh.win == nil {
		return
	}
	dialog.ShowConfirm("Delete "+d.e.ctl.model.name(d.uid), d.message(), d.onConfirm, d.e.sh.win)
}

// onConfirm deletes the node when the user said yes.
func (d *deleteDialog) onConfirm(yes bool) {
	if yes {
		d.e.sh.act(d.e.remove(d.uid))
	}
}

// duplicateDialog asks for the name of a copy and the pattern of its
// hardware ids.
type duplicateDialog struct {
	e             *edits
	uid           string
	name, pattern *widget.Entry
}

func newDuplicateDialog(e *edits, uid string) *duplicateDialog {
	d := &duplicateDialog{e: e, uid: uid, name: widget.NewEntry(), pattern: widget.NewEntry()}
	d.name.SetText(copyName(e.ctl.model.name(uid)))
	d.pattern.SetText(engine.DefaultHardwareIDPattern)
	return d
}

func (d *duplicateDialog) show() {
	help := widget.NewLabel("{hw} is the original hardware id, {n} a number that makes it unique.")
	help.TextStyle.Italic = true
	help.Wrapping = fyne.TextWrapWord
	formDialog(d.e.sh.win, "Duplicate "+d.e.ctl.model.name(d.uid), "Duplicate", []*widget.FormItem{
		widget.NewFormItem("Name", d.name),
		widget.NewFormItem("Hardware ids", d.pattern),
		widget.NewFormItem("", help),
	}, d.onDuplicate)
}

// onDuplicate makes the copy.
func (d *duplicateDialog) onDuplicate() error {
	return d.e.duplicate(d.uid, d.name.Text, d.pattern.Text)
}

// formDialog shows a form over win (nothing without one); confirming runs
// ok, and an error keeps the dialog open with the error shown under the
// fields.
func formDialog(win fyne.Window, title, confirm string, items []*widget.FormItem, ok func() error) {
	if win == nil {
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
	}, win)
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
		win.Canvas().Focus(first)
		first.TypedShortcut(&fyne.ShortcutSelectAll{})
	}
}
