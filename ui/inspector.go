package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/engine"
)

// inspector shows the details of the selected object, read-only: a title,
// a form of fields, the extended properties and the current values.
type inspector struct {
	model *Model
	uid   string // the object shown; "" none

	title    *widget.Label
	subtitle *widget.Label
	body     *fyne.Container // sections, rebuilt by show
	content  fyne.CanvasObject
}

func newInspector(m *Model) *inspector {
	i := &inspector{model: m}
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
	d, ok := i.model.Details(uid)
	if !ok {
		i.uid = ""
		i.showHint()
		return
	}
	i.uid = uid
	i.title.SetText(d.Title)
	i.subtitle.SetText(kindName(d.Kind))
	sections := []fyne.CanvasObject{form(d.Fields)}
	if len(d.Properties) > 0 {
		sections = append(sections, heading("Properties"), form(d.Properties))
	}
	sections = append(sections, heading("Values"))
	if len(d.Values) > 0 {
		sections = append(sections, form(d.Values))
	} else {
		sections = append(sections, note(noValues(d.Kind)))
	}
	i.body.Objects = sections
	i.body.Refresh()
}

// refresh shows the current object again with the graph as it is now.
func (i *inspector) refresh() { i.show(i.uid) }

func (i *inspector) showHint() {
	i.title.SetText("Nothing selected")
	if i.model.Stats().Spaces == 0 {
		i.subtitle.SetText("This project is empty")
		i.body.Objects = []fyne.CanvasObject{note("Load a provisioning file into it with\n" +
			"twin provision --project FILE.twin PROVISION.yaml\n(the studio must be closed meanwhile).")}
	} else {
		i.subtitle.SetText("Select a space, device or sensor in the tree to see its details.")
		i.body.Objects = nil
	}
	i.body.Refresh()
}

// form lays fields out as right-aligned bold labels beside their values.
// Values are cut short with an ellipsis when the inspector is too narrow
// (wrapped labels in a form overlap what follows when the pane is
// resized) and can be selected and copied.
func form(fs []Field) *fyne.Container {
	objs := make([]fyne.CanvasObject, 0, 2*len(fs))
	for _, f := range fs {
		key := widget.NewLabelWithStyle(f.Label, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
		val := widget.NewLabel(f.Text())
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

func note(text string) fyne.CanvasObject {
	l := widget.NewLabel(text)
	l.Importance = widget.LowImportance
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
