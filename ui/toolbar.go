package ui

import (
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// toolbar is the row of buttons above the panes: add, duplicate, delete,
// undo and redo, the broker and the simulation, and at its end the status
// bar's passing message.
type toolbar struct {
	ctl    *controller
	app    *app.App
	sim    *simControl
	e      *edits
	broker *brokerControl

	addSpace, addDevice, addSensor *widget.Button
	duplicate, remove, undo, redo  *widget.Button
	brokerBtn, simBtn              *widget.Button
	buttons                        *fyne.Container
	content                        *fyne.Container
}

func newToolbar(ctl *controller, a *app.App, e *edits, b *brokerControl, sim *simControl, message, viewAs fyne.CanvasObject) *toolbar {
	t := &toolbar{ctl: ctl, app: a, sim: sim, e: e, broker: b}
	t.addSpace = widget.NewButtonWithIcon("Space", theme.ContentAddIcon(), t.onAddSpace)
	t.addDevice = widget.NewButtonWithIcon("Device", theme.ContentAddIcon(), t.onAddDevice)
	t.addSensor = widget.NewButtonWithIcon("Sensor", theme.ContentAddIcon(), t.onAddSensor)
	t.duplicate = widget.NewButtonWithIcon("Duplicate", theme.ContentCopyIcon(), e.onDuplicate)
	t.remove = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), e.onDelete)
	t.undo = widget.NewButtonWithIcon("Undo", theme.ContentUndoIcon(), e.onUndo)
	t.redo = widget.NewButtonWithIcon("Redo", theme.ContentRedoIcon(), e.onRedo)
	t.brokerBtn = widget.NewButtonWithIcon("", theme.MediaStopIcon(), b.onToggle)
	t.simBtn = widget.NewButtonWithIcon("", theme.MediaPlayIcon(), sim.onToggle)
	for _, b := range []*widget.Button{t.addSpace, t.addDevice, t.addSensor, t.duplicate, t.remove, t.undo, t.redo, t.brokerBtn, t.simBtn} {
		b.Importance = widget.LowImportance
	}
	t.buttons = container.NewHBox(t.addSpace, t.addDevice, t.addSensor, t.duplicate, t.remove,
		widget.NewSeparator(), t.undo, t.redo, widget.NewSeparator(), t.brokerBtn, t.simBtn)
	t.content = container.NewBorder(nil, nil, t.buttons, viewAs, message)
	return t
}

func (t *toolbar) onAddSpace()  { t.e.onAdd(engine.KindSpace) }
func (t *toolbar) onAddDevice() { t.e.onAdd(engine.KindDevice) }
func (t *toolbar) onAddSensor() { t.e.onAdd(engine.KindSensor) }

// refresh enables what applies to the selection and names the broker and
// simulation buttons after what they would do.
func (t *toolbar) refresh() {
	sel := t.ctl.selected
	k, _, ok := parseNode(sel)
	enable(t.addSpace, canAdd(sel, engine.KindSpace) && t.ctl.mayAdd(engine.KindSpace))
	enable(t.addDevice, canAdd(sel, engine.KindDevice) && t.ctl.mayAdd(engine.KindDevice))
	enable(t.addSensor, canAdd(sel, engine.KindSensor) && t.ctl.mayAdd(engine.KindSensor))
	enable(t.duplicate, ok && k.duplicate != nil && t.ctl.mayDuplicate(sel))
	enable(t.remove, ok && t.ctl.mayDelete(sel))
	owner := t.ctl.model.isOwner()
	enable(t.undo, owner && t.ctl.canUndo())
	enable(t.redo, owner && t.ctl.canRedo())
	enable(t.simBtn, owner || t.sim.running()) // a simulation drives the whole project
	if t.app.Broker() != nil {
		t.brokerBtn.SetText("Stop broker")
		t.brokerBtn.SetIcon(theme.MediaStopIcon())
	} else {
		t.brokerBtn.SetText("Start broker")
		t.brokerBtn.SetIcon(theme.MediaPlayIcon())
	}
	if t.sim.running() {
		t.simBtn.SetText("Stop simulation")
		t.simBtn.SetIcon(theme.MediaStopIcon())
	} else {
		t.simBtn.SetText("Simulate…")
		if t.sim.scenario != "" {
			t.simBtn.SetText("Simulate " + filepath.Base(t.sim.scenario))
		}
		t.simBtn.SetIcon(theme.MediaPlayIcon())
	}
	t.buttons.Refresh() // the buttons' widths changed
	t.content.Refresh()
}

func enable(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}
