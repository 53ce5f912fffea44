package ui

import (
	"image/color"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// toolbar is the row of buttons above the panes: add, duplicate, delete,
// undo and redo, the broker and the simulation.
type toolbar struct {
	s                              *Studio
	addSpace, addDevice, addSensor *widget.Button
	duplicate, remove, undo, redo  *widget.Button
	broker, sim                    *widget.Button
	buttons                        *fyne.Container
	content                        *fyne.Container
}

func newToolbar(s *Studio) *toolbar {
	t := &toolbar{s: s}
	t.addSpace = widget.NewButtonWithIcon("Space", theme.ContentAddIcon(), func() { s.AddDialog(engine.KindSpace) })
	t.addDevice = widget.NewButtonWithIcon("Device", theme.ContentAddIcon(), func() { s.AddDialog(engine.KindDevice) })
	t.addSensor = widget.NewButtonWithIcon("Sensor", theme.ContentAddIcon(), func() { s.AddDialog(engine.KindSensor) })
	t.duplicate = widget.NewButtonWithIcon("Duplicate", theme.ContentCopyIcon(), s.DuplicateDialog)
	t.remove = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), s.DeleteDialog)
	t.undo = widget.NewButtonWithIcon("Undo", theme.ContentUndoIcon(), func() { s.act(s.Undo()) })
	t.redo = widget.NewButtonWithIcon("Redo", theme.ContentRedoIcon(), func() { s.act(s.Redo()) })
	t.broker = widget.NewButtonWithIcon("", theme.MediaStopIcon(), s.ToggleBroker)
	t.sim = widget.NewButtonWithIcon("", theme.MediaPlayIcon(), s.ToggleSimulation)
	for _, b := range []*widget.Button{t.addSpace, t.addDevice, t.addSensor, t.duplicate, t.remove, t.undo, t.redo, t.broker, t.sim} {
		b.Importance = widget.LowImportance
	}
	t.buttons = container.NewHBox(t.addSpace, t.addDevice, t.addSensor, t.duplicate, t.remove,
		widget.NewSeparator(), t.undo, t.redo, widget.NewSeparator(), t.broker, t.sim)
	t.content = container.NewBorder(nil, nil, t.buttons, nil, s.status.message)
	return t
}

// refresh enables what applies to the selection and names the broker and
// simulation buttons after what they would do.
func (t *toolbar) refresh() {
	s := t.s
	k, _, ok := ParseNode(s.selected)
	enable(t.addSpace, !ok || k == engine.KindSpace)
	enable(t.addDevice, ok && k == engine.KindSpace)
	enable(t.addSensor, ok && (k == engine.KindDevice || k == engine.KindSensor))
	enable(t.duplicate, ok && k != engine.KindSensor)
	enable(t.remove, ok)
	_, canUndo := s.editor.UndoLabel()
	_, canRedo := s.editor.RedoLabel()
	enable(t.undo, canUndo)
	enable(t.redo, canRedo)
	if s.app.Broker() != nil {
		t.broker.SetText("Stop broker")
		t.broker.SetIcon(theme.MediaStopIcon())
	} else {
		t.broker.SetText("Start broker")
		t.broker.SetIcon(theme.MediaPlayIcon())
	}
	if s.Simulating() {
		t.sim.SetText("Stop simulation")
		t.sim.SetIcon(theme.MediaStopIcon())
	} else {
		t.sim.SetText("Simulate…")
		if s.scenario != "" {
			t.sim.SetText("Simulate " + filepath.Base(s.scenario))
		}
		t.sim.SetIcon(theme.MediaPlayIcon())
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

// ToggleBroker stops the broker when it runs (its devices are
// disconnected), or starts it on its last address.
func (s *Studio) ToggleBroker() {
	if s.app.Broker() != nil {
		s.act(s.app.StopBroker())
	} else {
		s.act(s.app.StartBroker(app.BrokerOptions{}))
	}
	s.status.setLive(live{broker: brokerText(s.app), rejected: s.app.Pipeline().Stats().Rejected})
	s.tools.refresh()
}

// shortcut is a keyboard shortcut with what it does.
type shortcut struct {
	key  fyne.KeyName
	mod  fyne.KeyModifier
	name string
	fn   func()
}

func (s *Studio) shortcuts() []shortcut {
	ctl := fyne.KeyModifierShortcutDefault
	return []shortcut{
		{fyne.KeyN, ctl, "New project", s.NewDialog},
		{fyne.KeyO, ctl, "Open project", s.OpenDialog},
		{fyne.KeyS, ctl | fyne.KeyModifierShift, "Save as", s.SaveAsDialog},
		{fyne.KeyI, ctl, "Import", s.ImportDialog},
		{fyne.KeyQ, ctl, "Quit", s.quit},
		{fyne.KeyZ, ctl, "Undo", func() { s.act(s.Undo()) }},
		{fyne.KeyZ, ctl | fyne.KeyModifierShift, "Redo", func() { s.act(s.Redo()) }},
		{fyne.KeyY, ctl, "Redo", func() { s.act(s.Redo()) }},
		{fyne.KeyA, ctl | fyne.KeyModifierShift, "Add space", func() { s.AddDialog(engine.KindSpace) }},
		{fyne.KeyD, ctl | fyne.KeyModifierShift, "Add device", func() { s.AddDialog(engine.KindDevice) }},
		{fyne.KeyE, ctl | fyne.KeyModifierShift, "Add sensor", func() { s.AddDialog(engine.KindSensor) }},
		{fyne.KeyD, ctl, "Duplicate", s.DuplicateDialog},
		{fyne.KeyX, ctl, "Cut", func() { s.Cut(s.selected) }},
		{fyne.KeyV, ctl, "Paste", func() { s.act(s.Paste()) }},
		{fyne.KeyF, ctl, "Find", func() { s.focus(s.tree.search) }},
		{fyne.KeyR, ctl, "Rename", s.RenameDialog},
		{fyne.KeyB, ctl, "Start or stop the broker", s.ToggleBroker},
		{fyne.KeyP, ctl, "Start or stop the simulation", s.ToggleSimulation},
		{fyne.Key1, ctl, "Model tab", func() { s.tabs.SelectIndex(0) }},
		{fyne.Key2, ctl, "Telemetry tab", func() { s.tabs.SelectIndex(1) }},
	}
}

func (s *Studio) focus(o fyne.Focusable) {
	if s.win != nil {
		s.win.Canvas().Focus(o)
	}
}

func (s *Studio) quit() {
	if a := fyne.CurrentApp(); a != nil {
		a.Quit()
	}
}

// installShortcuts registers the shortcuts on the window's canvas. F2 and
// Delete work while the tree has the focus (modelTree passes them on).
func (s *Studio) installShortcuts() {
	c := s.win.Canvas()
	for _, sc := range s.shortcuts() {
		fn := sc.fn
		c.AddShortcut(&desktop.CustomShortcut{KeyName: sc.key, Modifier: sc.mod}, func(fyne.Shortcut) { fn() })
	}
	// Cut and paste arrive as Fyne's standard shortcuts where an entry
	// does not take them.
	c.AddShortcut(&fyne.ShortcutCut{}, func(fyne.Shortcut) { s.Cut(s.selected) })
	c.AddShortcut(&fyne.ShortcutPaste{}, func(fyne.Shortcut) { s.act(s.Paste()) })
	c.AddShortcut(&fyne.ShortcutUndo{}, func(fyne.Shortcut) { s.act(s.Undo()) })
	c.AddShortcut(&fyne.ShortcutRedo{}, func(fyne.Shortcut) { s.act(s.Redo()) })
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) { s.treeKey(ev) })
}

// installMenu sets the window's main menu.
func (s *Studio) installMenu() {
	ctl := fyne.KeyModifierShortcutDefault
	item := func(label string, key fyne.KeyName, mod fyne.KeyModifier, fn func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, fn)
		if key != "" {
			it.Shortcut = &desktop.CustomShortcut{KeyName: key, Modifier: mod}
		}
		return it
	}
	recent := fyne.NewMenuItem("Open Recent", nil)
	for _, p := range Recent() {
		path := p
		recent.ChildMenu = appendItem(recent.ChildMenu, fyne.NewMenuItem(displayPath(path), func() { s.act(s.OpenPath(path)) }))
	}
	if recent.ChildMenu == nil {
		recent.Disabled = true
	}
	quit := item("Quit", fyne.KeyQ, ctl, s.quit)
	quit.IsQuit = true
	file := fyne.NewMenu("File",
		item("New…", fyne.KeyN, ctl, s.NewDialog),
		item("Open…", fyne.KeyO, ctl, s.OpenDialog),
		recent,
		item("Save As…", fyne.KeyS, ctl|fyne.KeyModifierShift, s.SaveAsDialog),
		fyne.NewMenuItemSeparator(),
		item("Import Provisioning YAML…", fyne.KeyI, ctl, s.ImportDialog),
		fyne.NewMenuItemSeparator(),
		quit,
	)
	edit := fyne.NewMenu("Edit",
		item("Undo", fyne.KeyZ, ctl, func() { s.act(s.Undo()) }),
		item("Redo", fyne.KeyZ, ctl|fyne.KeyModifierShift, func() { s.act(s.Redo()) }),
		fyne.NewMenuItemSeparator(),
		item("Add Space…", fyne.KeyA, ctl|fyne.KeyModifierShift, func() { s.AddDialog(engine.KindSpace) }),
		item("Add Device…", fyne.KeyD, ctl|fyne.KeyModifierShift, func() { s.AddDialog(engine.KindDevice) }),
		item("Add Sensor…", fyne.KeyE, ctl|fyne.KeyModifierShift, func() { s.AddDialog(engine.KindSensor) }),
		fyne.NewMenuItemSeparator(),
		item("Rename… (F2)", fyne.KeyR, ctl, s.RenameDialog),
		item("Duplicate…", fyne.KeyD, ctl, s.DuplicateDialog),
		item("Cut", fyne.KeyX, ctl, func() { s.Cut(s.selected) }),
		item("Paste", fyne.KeyV, ctl, func() { s.act(s.Paste()) }),
		item("Delete… (Del)", "", 0, s.DeleteDialog),
		fyne.NewMenuItemSeparator(),
		item("Find", fyne.KeyF, ctl, func() { s.focus(s.tree.search) }),
	)
	themeItem := func(label, name string) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, func() { SetTheme(name); s.installMenu() })
		it.Checked = ThemeName() == name
		return it
	}
	view := fyne.NewMenu("View",
		item("Model", fyne.Key1, ctl, func() { s.tabs.SelectIndex(0) }),
		item("Telemetry", fyne.Key2, ctl, func() { s.tabs.SelectIndex(1) }),
		fyne.NewMenuItemSeparator(),
		themeItem("System Theme", ""),
		themeItem("Light Theme", "light"),
		themeItem("Dark Theme", "dark"),
	)
	run := fyne.NewMenu("Run",
		item("Start or Stop Broker", fyne.KeyB, ctl, s.ToggleBroker),
		item("Broker Address…", "", 0, s.BrokerDialog),
		item("Start or Stop Simulation", fyne.KeyP, ctl, s.ToggleSimulation),
	)
	s.win.SetMainMenu(fyne.NewMainMenu(file, edit, view, run))
}

func appendItem(m *fyne.Menu, it *fyne.MenuItem) *fyne.Menu {
	if m == nil {
		return fyne.NewMenu("", it)
	}
	m.Items = append(m.Items, it)
	return m
}

// themeKey is the preference holding the theme: "", "light" or "dark".
const themeKey = "theme"

// ThemeName is the theme chosen in View: "" (follow the system), "light"
// or "dark".
func ThemeName() string {
	if a := fyne.CurrentApp(); a != nil {
		return a.Preferences().String(themeKey)
	}
	return ""
}

// SetTheme switches to theme name ("", "light" or "dark") and remembers
// it. Call it on Fyne's main goroutine.
func SetTheme(name string) {
	a := fyne.CurrentApp()
	if a == nil {
		return
	}
	a.Preferences().SetString(themeKey, name)
	ApplyTheme()
}

// ApplyTheme applies the theme remembered by SetTheme (main calls it at
// start).
func ApplyTheme() {
	a := fyne.CurrentApp()
	if a == nil {
		return
	}
	switch a.Preferences().String(themeKey) {
	case "light":
		a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantLight})
	case "dark":
		a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantDark})
	default:
		a.Settings().SetTheme(theme.DefaultTheme())
	}
}

// variantTheme is a theme fixed to one variant, whatever the system's.
type variantTheme struct {
	fyne.Theme
	v fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.v)
}
