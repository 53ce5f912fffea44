package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/engine"
)

// openLevels is how many levels of spaces the tree opens when it is built:
// the root spaces and their children, so that a building shows its floors
// and their rooms.
const openLevels = 2

// hierarchy is the tree of spaces, devices and sensors. Children load
// lazily from the model as branches open.
type hierarchy struct {
	model *Model
	tree  *widget.Tree

	// onSelected is called with the id of the node the user selects.
	onSelected func(uid string)
}

func newHierarchy(m *Model) *hierarchy {
	h := &hierarchy{model: m}
	h.tree = widget.NewTree(m.Children, m.IsBranch, h.createNode, h.updateNode)
	h.tree.OnSelected = func(uid widget.TreeNodeID) {
		if h.onSelected != nil {
			h.onSelected(uid)
		}
	}
	h.openTop("", openLevels)
	return h
}

// openTop opens the branches below uid down to levels levels.
func (h *hierarchy) openTop(uid string, levels int) {
	if levels == 0 {
		return
	}
	for _, c := range h.model.Children(uid) {
		if k, _, _ := ParseNode(c); k == engine.KindSpace && h.model.IsBranch(c) {
			h.tree.OpenBranch(c)
			h.openTop(c, levels-1)
		}
	}
}

func (h *hierarchy) createNode(bool) fyne.CanvasObject {
	return container.NewHBox(widget.NewIcon(nil), widget.NewLabel(""))
}

func (h *hierarchy) updateNode(uid widget.TreeNodeID, _ bool, o fyne.CanvasObject) {
	row := o.(*fyne.Container).Objects
	row[0].(*widget.Icon).SetResource(h.nodeIcon(uid))
	row[1].(*widget.Label).SetText(h.model.Label(uid))
}

// nodeIcon is the icon shown before a node's label: a house for a root
// space, a grid (a floor plan) for other spaces, a computer for a device
// and a dot for a sensor.
func (h *hierarchy) nodeIcon(uid string) fyne.Resource {
	k, _, _ := ParseNode(uid)
	switch k {
	case engine.KindDevice:
		return theme.ComputerIcon()
	case engine.KindSensor:
		return theme.MediaRecordIcon()
	}
	if h.model.IsRoot(uid) {
		return theme.HomeIcon()
	}
	return theme.GridIcon()
}

// reveal opens the branches above uid, selects it and scrolls to it.
func (h *hierarchy) reveal(uid string) {
	for _, a := range h.model.Ancestors(uid) {
		h.tree.OpenBranch(a)
	}
	h.tree.Select(uid)
	h.tree.ScrollTo(uid)
}
