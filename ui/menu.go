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
	t.addSpace = widget.NewButtonWithIcon("Space", theme.ContentAddIcon(), func() { s.addDialog(engine.KindSpace) })
	t.addDevice = widget.NewButtonWithIcon("Device", theme.ContentAddIcon(), func() { s.addDialog(engine.KindDevice) })
	t.addSensor = widget.NewButtonWithIcon("Sensor", theme.ContentAddIcon(), func() { s.addDialog(engine.KindSensor) })
	t.duplicate = widget.NewButtonWithIcon("Duplicate", theme.ContentCopyIcon(), s.duplicateDialog)
	t.remove = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), s.deleteDialog)
	t.undo = widget.NewButtonWithIcon("Undo", theme.ContentUndoIcon(), func() { s.act(s.undo()) })
	t.redo = widget.NewButtonWithIcon("Redo", theme.ContentRedoIcon(), func() { s.act(s.redo()) })
	t.broker = widget.NewButtonWithIcon("", theme.MediaStopIcon(), s.toggleBroker)
	t.sim = widget.NewButtonWithIcon("", theme.MediaPlayIcon(), s.toggleSimulation)
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
	k, _, ok := parseNode(s.selected)
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
	if s.simulating() {
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

// toggleBroker stops the broker when it runs (its devices are
// disconnected), or starts it on its last address.
func (s *Studio) toggleBroker() {
	if s.app.Broker() != nil {
		s.act(s.app.StopBroker())
	} else {
		s.act(s.app.StartBroker(app.BrokerOptions{}))
	}
	s.status.broker.SetText(brokerText(s.app)) // now; the next poll redraws the rest
	s.tools.refresh()
}

// command is an action of the studio with its keyboard shortcut (no key:
// none), for the main menu and the window's canvas.
type command struct {
	label string
	key   fyne.KeyName
	mod   fyne.KeyModifier
	fn    func()
}

// commands are the studio's actions by name.
func (s *Studio) commands() map[string]command {
	ctl := fyne.KeyModifierShortcutDefault
	shift := ctl | fyne.KeyModifierShift
	undo, redo := func() { s.act(s.undo()) }, func() { s.act(s.redo()) }
	return map[string]command{
		"new":        {"New…", fyne.KeyN, ctl, s.newDialog},
		"open":       {"Open…", fyne.KeyO, ctl, s.openDialog},
		"saveAs":     {"Save As…", fyne.KeyS, shift, s.saveAsDialog},
		"import":     {"Import Provisioning YAML…", fyne.KeyI, ctl, s.importDialog},
		"quit":       {"Quit", fyne.KeyQ, ctl, s.quit},
		"undo":       {"Undo", fyne.KeyZ, ctl, undo},
		"redo":       {"Redo", fyne.KeyZ, shift, redo},
		"addSpace":   {"Add Space…", fyne.KeyA, shift, func() { s.addDialog(engine.KindSpace) }},
		"addDevice":  {"Add Device…", fyne.KeyD, shift, func() { s.addDialog(engine.KindDevice) }},
		"addSensor":  {"Add Sensor…", fyne.KeyE, shift, func() { s.addDialog(engine.KindSensor) }},
		"rename":     {"Rename… (F2)", fyne.KeyR, ctl, s.renameDialog},
		"duplicate":  {"Duplicate…", fyne.KeyD, ctl, s.duplicateDialog},
		"cut":        {"Cut", fyne.KeyX, ctl, func() { s.cutNode(s.selected) }},
		"paste":      {"Paste", fyne.KeyV, ctl, func() { s.act(s.paste()) }},
		"delete":     {"Delete… (Del)", "", 0, s.deleteDialog},
		"find":       {"Find", fyne.KeyF, ctl, func() { s.focus(s.tree.search) }},
		"model":      {"Model", fyne.Key1, ctl, func() { s.tabs.SelectIndex(0) }},
		"telemetry":  {"Telemetry", fyne.Key2, ctl, func() { s.tabs.SelectIndex(1) }},
		"broker":     {"Start or Stop Broker", fyne.KeyB, ctl, s.toggleBroker},
		"brokerAddr": {"Broker Address…", "", 0, s.brokerDialog},
		"simulation": {"Start or Stop Simulation", fyne.KeyP, ctl, s.toggleSimulation},
	}
}

// standardShortcuts are the keys Fyne's desktop driver reports as its
// standard shortcuts rather than as the key with Ctrl, by command.
var standardShortcuts = map[string]fyne.Shortcut{
	"undo":  &fyne.ShortcutUndo{},
	"cut":   &fyne.ShortcutCut{},
	"paste": &fyne.ShortcutPaste{},
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

// installShortcuts registers the commands' shortcuts on the window's
// canvas, and F2, Delete and Insert for the tree.
//
// undo, Cut and Paste (and Ctrl+Y, Redo) arrive as Fyne's standard
// shortcuts: a focused entry takes them for its text, and the canvas gets
// them otherwise. Their menu items show the keys but never match them,
// since the driver matches menu items before the focused widget, which
// would take Ctrl+V from an entry. The other commands' shortcuts reach
// the menu items in the desktop driver and the canvas in the test driver.
func (s *Studio) installShortcuts() {
	c := s.win.Canvas()
	for name, cmd := range s.commands() {
		if cmd.key == "" {
			continue
		}
		fn := cmd.fn
		var sc fyne.Shortcut = &desktop.CustomShortcut{KeyName: cmd.key, Modifier: cmd.mod}
		if std, ok := standardShortcuts[name]; ok {
			sc = std
		}
		c.AddShortcut(sc, func(fyne.Shortcut) { fn() })
	}
	c.AddShortcut(&fyne.ShortcutRedo{}, func(fyne.Shortcut) { s.act(s.redo()) }) // Ctrl+Y
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) { s.treeKey(ev) })
}

// installMenu sets the window's main menu.
func (s *Studio) installMenu() {
	cmds := s.commands()
	item := func(name string) *fyne.MenuItem {
		cmd := cmds[name]
		it := fyne.NewMenuItem(cmd.label, cmd.fn)
		if cmd.key != "" {
			it.Shortcut = &desktop.CustomShortcut{KeyName: cmd.key, Modifier: cmd.mod}
		}
		return it
	}
	sep := fyne.NewMenuItemSeparator
	recent := fyne.NewMenuItem("Open Recent", nil)
	for _, p := range recentProjects() {
		path := p
		recent.ChildMenu = appendItem(recent.ChildMenu, fyne.NewMenuItem(displayPath(path), func() { s.act(s.openPath(path)) }))
	}
	if recent.ChildMenu == nil {
		recent.Disabled = true
	}
	quit := item("quit")
	quit.IsQuit = true
	themeItem := func(label, name string) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, func() { setTheme(name); s.installMenu() })
		it.Checked = themeName() == name
		return it
	}
	s.win.SetMainMenu(fyne.NewMainMenu(
		fyne.NewMenu("File", item("new"), item("open"), recent, item("saveAs"), sep(), item("import"), sep(), quit),
		fyne.NewMenu("Edit", item("undo"), item("redo"), sep(),
			item("addSpace"), item("addDevice"), item("addSensor"), sep(),
			item("rename"), item("duplicate"), item("cut"), item("paste"), item("delete"), sep(), item("find")),
		fyne.NewMenu("View", item("model"), item("telemetry"), sep(),
			themeItem("System Theme", ""), themeItem("Light Theme", "light"), themeItem("Dark Theme", "dark")),
		fyne.NewMenu("Run", item("broker"), item("brokerAddr"), item("simulation")),
	))
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

// themeName is the theme chosen in View: "" (follow the system), "light"
// or "dark".
func themeName() string {
	if a := fyne.CurrentApp(); a != nil {
		return a.Preferences().String(themeKey)
	}
	return ""
}

// setTheme switches to theme name ("", "light" or "dark") and remembers
// it. Call it on Fyne's main goroutine.
func setTheme(name string) {
	a := fyne.CurrentApp()
	if a == nil {
		return
	}
	a.Preferences().SetString(themeKey, name)
	ApplyTheme()
}

// ApplyTheme applies the theme remembered by setTheme (main calls it at
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
