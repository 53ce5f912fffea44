package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// docTab is the Model tab: the selected object's JSON document, or what to
// do when nothing is selected.
type docTab struct {
	model *viewModel
	path  string // the project file
	label *widget.Label
}

func newDocTab(m *viewModel, path string) *docTab {
	t := &docTab{model: m, path: path}
	t.label = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	t.label.Selectable = true
	t.show("")
	return t
}

// show shows the document of node uid ("" or a node that has gone: the
// hint).
func (t *docTab) show(uid string) {
	if !t.model.exists(uid) {
		uid = ""
	}
	text := t.model.document(uid)
	if uid == "" {
		text += "\n\nProject file: " + displayPath(t.path)
		t.label.Wrapping = fyne.TextWrapWord // a hint
	} else {
		t.label.Wrapping = fyne.TextWrapOff // a JSON document
	}
	t.label.SetText(text)
}
