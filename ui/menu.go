package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"

	"github.com/twinstudio/twinstudio/engine"
)

// command is an action of the studio with its keyboard shortcut (no key:
// none), for the main menu and the window's canvas.
type command struct {
	label string
	key   fyne.KeyName
	mod   fyne.KeyModifier
	fn    func()
}

// commands are the studio's actions by name. Each runs on the screens
// shown when it is called (they are rebuilt when another project opens).
func (s *Studio) commands() map[string]command {
	ctl := fyne.KeyModifierShortcutDefault
	shift := ctl | fyne.KeyModifierShift
	return map[string]command{
		"new":        {"New…", fyne.KeyN, ctl, func() { s.files.onNew() }},
		"open":       {"Open…", fyne.KeyO, ctl, func() { s.files.onOpen() }},
		"saveAs":     {"Save As…", fyne.KeyS, shift, func() { s.files.onSaveAs() }},
		"import":     {"Import Provisioning YAML…", fyne.KeyI, ctl, func() { s.files.onImport() }},
		"export":     {"Export Provisioning YAML…", fyne.KeyE, ctl, func() { s.files.onExport() }},
		"settings":   {"Project Settings…", "", 0, func() { newSettingsDialog(s.app).show(s.win) }},
		"quit":       {"Quit", fyne.KeyQ, ctl, quit},
		"undo":       {"Undo", fyne.KeyZ, ctl, func() { s.edits.onUndo() }},
		"redo":       {"Redo", fyne.KeyZ, shift, func() { s.edits.onRedo() }},
		"addSpace":   {"Add Space…", fyne.KeyA, shift, func() { s.edits.onAdd(engine.KindSpace) }},
		"addDevice":  {"Add Device…", fyne.KeyD, shift, func() { s.edits.onAdd(engine.KindDevice) }},
		"addSensor":  {"Add Sensor…", fyne.KeyE, shift, func() { s.edits.onAdd(engine.KindSensor) }},
		"rename":     {"Rename… (F2)", fyne.KeyR, ctl, func() { s.edits.onRename() }},
		"duplicate":  {"Duplicate…", fyne.KeyD, ctl, func() { s.edits.onDuplicate() }},
		"cut":        {"Cut", fyne.KeyX, ctl, func() { s.edits.onCut() }},
		"paste":      {"Paste", fyne.KeyV, ctl, func() { s.edits.onPaste() }},
		"delete":     {"Delete… (Del)", "", 0, func() { s.edits.onDelete() }},
		"find":       {"Find", fyne.KeyF, ctl, func() { s.focus(s.tree.search) }},
		"model":      {"Model", fyne.Key1, ctl, func() { s.tabs.SelectIndex(tabModel) }},
		"telemetry":  {"Telemetry", fyne.Key2, ctl, func() { s.tabs.SelectIndex(tabTelemetry) }},
		"broker":     {"Start or Stop Broker", fyne.KeyB, ctl, func() { s.broker.onToggle() }},
		"brokerAddr": {"Broker Address…", "", 0, func() { s.broker.onAddress() }},
		"simulation": {"Start or Stop Simulation", fyne.KeyP, ctl, func() { s.sim.onToggle() }},
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

func quit() {
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
	c.AddShortcut(&fyne.ShortcutRedo{}, func(fyne.Shortcut) { s.edits.onRedo() }) // Ctrl+Y
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) { s.edits.onKey(ev) })
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
		recent.ChildMenu = appendItem(recent.ChildMenu, fyne.NewMenuItem(displayPath(path), func() { s.sh.act(s.files.openPath(path)) }))
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
		fyne.NewMenu("File", item("new"), item("open"), recent, item("saveAs"), sep(), item("import"), item("export"), sep(), item("settings"), sep(), quit),
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
