package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
)

// Studio is the main window's content for one open project: the hierarchy
// tree, the inspector and the status bar.
type Studio struct {
	app    *app.App
	win    fyne.Window
	model  *Model
	tree   *hierarchy
	insp   *inspector
	status *statusBar

	content fyne.CanvasObject
}

// New builds the studio for project a. When w is not nil it titles the
// window "Twin Studio — <project name>" and makes the studio its content;
// with a nil w (tests) only Content is built. The caller keeps ownership of
// a and closes it after the window has gone. Call New on Fyne's main
// goroutine, or before the app runs.
func New(a *app.App, w fyne.Window) *Studio {
	m := NewModel(a.Engine())
	s := &Studio{app: a, win: w, model: m}
	s.tree = newHierarchy(m)
	s.insp = newInspector(m)
	s.status = newStatusBar(a, m)
	s.tree.onSelected = s.insp.show

	split := container.NewHSplit(s.tree.tree, s.insp.content)
	split.Offset = 0.4
	s.content = container.NewBorder(nil,
		container.NewVBox(widget.NewSeparator(), s.status.content), nil, nil, split)
	if w != nil {
		w.SetTitle(Title(a.Name()))
		w.SetContent(s.content)
	}
	return s
}

// Title is the window title for a project named name.
func Title(name string) string { return "Twin Studio — " + name }

// Content is the studio's root canvas object.
func (s *Studio) Content() fyne.CanvasObject { return s.content }

// Model is what the studio shows.
func (s *Studio) Model() *Model { return s.model }

// Select selects tree node uid (see SpaceNode, DeviceNode, SensorNode) as
// if the user had clicked it: its branch opens, the tree scrolls to it and
// the inspector shows it. Call it on Fyne's main goroutine.
func (s *Studio) Select(uid string) { s.tree.reveal(uid) }

// Refresh re-reads the graph: tree labels and branches, the inspected
// object and the counts. Safe to call from any goroutine.
func (s *Studio) Refresh() {
	fyne.Do(func() {
		s.tree.tree.Refresh()
		s.insp.refresh()
		s.status.refresh()
	})
}

// ShowError shows err in a dialog over the window. It does nothing without
// a window. Safe to call from any goroutine.
func (s *Studio) ShowError(err error) {
	if s.win == nil || err == nil {
		return
	}
	fyne.Do(func() { dialog.ShowError(err, s.win) })
}
