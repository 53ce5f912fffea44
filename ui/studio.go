package ui

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// refreshInterval is how often the studio polls the project for live
// changes (telemetry, message rate, connections); redraws are batched to
// at most one per interval.
const refreshInterval = 100 * time.Millisecond

// undoDepth is how many edits the studio can undo.
const undoDepth = 200

// Studio is the main window's content for one open project. It is a shell
// that composes the screens, each a small struct with its own handlers:
// the toolbar, the tree with its search (hierarchy), the Model tab
// (docTab), the Telemetry tab, the inspector, the status bar, the Edit
// menu's dialogs (edits), the File menu (files), the broker and the
// simulation. Their edits go through one widget-free controller. The
// studio owns the project it shows (and the projects it opens from the
// File menu) and closes it in Close.
type Studio struct {
	win    fyne.Window
	opener func(path string) (*app.App, error)
	sh     *shell

	// The project shown and its screens, replaced as a whole when another
	// project is opened.
	app     *app.App
	model   *viewModel
	ctl     *controller
	tree    *hierarchy
	doc     *docTab
	plan    *planTab
	insp    *inspector
	tele    *telemetry
	fns     *functions
	charts  *charts
	simTab  *simTab
	access  *accessTab
	seeAs   *viewAsPicker
	cursor  *timeCursor // the moment shown: live or past (the time slider)
	timeBar *timeBar    // the slider that moves cursor
	tabs    *container.AppTabs
	status  *statusBar
	tools   *toolbar
	edits   *edits
	files   *files
	broker  *brokerControl
	sim     *simControl

	lastErr error // the last error an action reported (tests read it)

	poll     poller
	pending  atomic.Bool // a redraw is queued with fyne.Do
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
	closed   bool
	manual   bool // tests: no polling goroutine; they call tick

	content *fyne.Container
}

// shell is what the screens may ask of the window around them.
type shell struct {
	win fyne.Window // nil: no dialogs are shown (only the content is built)
	s   *Studio
}

// fail reports err from an action: kept for the tests and shown in a
// dialog when there is a window.
func (sh *shell) fail(err error) {
	sh.s.lastErr = err
	if sh.win != nil && err != nil {
		dialog.ShowError(errors.New(errorText(err)), sh.win)
	}
}

// act reports the failure of an action, if it failed.
func (sh *shell) act(err error) {
	if err != nil {
		sh.fail(err)
	}
}

// done finishes an edit: on success the views redraw and node sel (when
// not "") is selected. It returns err.
func (sh *shell) done(sel string, err error) error {
	sh.s.lastErr = err
	if err == nil {
		sh.s.afterEdit(sel)
	}
	return err
}

// imported redraws after an import and selects sel, opening the tree's
// top levels as when a project opens.
func (sh *shell) imported(sel string) {
	sh.s.tree.openTop("", openLevels)
	sh.s.afterEdit(sel)
}

// focus gives o the keyboard focus, when there is a window.
func (sh *shell) focus(o fyne.Focusable) {
	if sh.win != nil {
		sh.win.Canvas().Focus(o)
	}
}

// flash shows a passing message in the status bar.
func (sh *shell) flash(text string) { sh.s.status.flash(text) }

// changed redraws what shows the broker's and the simulation's state.
func (sh *shell) changed() {
	if sh.s.tools != nil && !sh.s.closed {
		sh.s.status.broker.SetText(brokerText(sh.s.app)) // now; the next poll redraws the rest
		sh.s.tools.refresh()
	}
}

// New builds the studio for project a and starts polling it for live
// changes. The studio owns a from now on and closes it in Close. When w is
// not nil it titles the window "Twin Studio — <project name>", makes the
// studio its content, installs the main menu and keyboard shortcuts, and
// closes the studio when the window closes; with a nil w only the content
// is built (dialogs then are not shown). Call New on Fyne's main
// goroutine, or before the app runs.
func New(a *app.App, w fyne.Window) *Studio {
	s := &Studio{win: w, opener: openWithBroker, content: container.NewStack()}
	s.sh = &shell{win: w, s: s}
	s.load(a)
	remember(a.Path())
	if w != nil {
		w.SetContent(s.content)
		w.SetOnClosed(func() { s.Close() })
		s.installMenu()
		s.installShortcuts()
	}
	return s
}

// load builds the screens for project a, shows them and starts polling it.
func (s *Studio) load(a *app.App) {
	s.app = a
	s.cursor = &timeCursor{}
	m := newViewModel(a.Engine())
	s.model = m
	s.ctl = newController(a.Engine(), m, undoDepth)
	s.sim = newSimControl(s.sh, a)
	s.broker = newBrokerControl(s.sh, a)
	s.edits = newEdits(s.sh, s.ctl)
	s.files = newFiles(s.sh, a, s.ctl, s.openOther)
	s.tree = newHierarchy(m)
	s.insp = newInspector(m, s.ctl, s.sh, s.broker.addr)
	s.doc = newDocTab(m, a.Path(), s.cursor, a.ValuesAt)
	s.plan = newPlanTab(s.sh, a, m, s.ctl, s.cursor)
	s.plan.onSelect = s.selectNode
	s.plan.simClock = func() (time.Time, bool) {
		if r := s.sim.current(); r != nil {
			return r.Clock(), true
		}
		return time.Time{}, false
	}
	s.plan.showing = func() bool { return s.tabs != nil && s.tabs.SelectedIndex() == tabPlan }
	s.cursor.OnChange(func(time.Time) {
		if s.plan.showing() {
			s.plan.recolour()
		}
	})
	s.tele = newTelemetry(a)
	s.tele.pub.refuse = m.refuseDevice
	s.fns = newFunctions(s.sh, a, func() bool { return s.tabs != nil && s.tabs.SelectedIndex() == tabFunctions })
	s.charts = newCharts(s.sh, a, func() string { return s.sim.scenario },
		func() bool { return s.tabs != nil && s.tabs.SelectedIndex() == tabCharts })
	s.simTab = newSimTab(s.sh, a, s.sim)
	s.status = newStatusBar(a, m, s.showRejections)
	s.seeAs = newViewAsPicker(a, s.viewAs)
	s.access = newAccessTab(s.sh, a, m, s.viewAs, func() { s.seeAs.reload(); s.status.refresh() })
	s.tools = newToolbar(s.ctl, a, s.edits, s.broker, s.sim, s.status.message, s.seeAs.content)
	s.tree.onSelected = s.onSelected
	s.tree.onKey = s.edits.onKey
	s.tree.onDrop = s.edits.onDrop
	s.tree.onDropOut = s.plan.dropFromTree

	s.tabs = container.NewAppTabs(
		container.NewTabItem("Model", s.doc.content),
		container.NewTabItem("Plan", s.plan.content),
		container.NewTabItem("Telemetry", s.tele.content),
		container.NewTabItem("Functions", s.fns.content),
		container.NewTabItem("Charts", s.charts.content),
		container.NewTabItem("Simulation", s.simTab.content),
		container.NewTabItem("Access", s.access.content),
	)
	right := container.NewHSplit(s.tabs, s.insp.content)
	right.Offset = 0.62
	s.timeBar = newTimeBar(a, s.cursor)
	s.insp.cursor = s.cursor
	s.insp.past = func(uid string, at time.Time) ([]field, error) { return pastValues(m, a.ValuesAt, uid, at) }
	s.charts.cursor = s.cursor
	s.cursor.OnChange(func(time.Time) {
		s.insp.refreshValues()
		s.charts.cursorMoved()
		if s.tabs.SelectedIndex() == tabModel {
			s.doc.show(s.ctl.selected)
		}
	})
	// The workbench, the charts and the simulation need the width: the
	// inspector steps aside while their tabs show.
	s.tabs.OnSelected = func(*container.TabItem) {
		switch s.tabs.SelectedIndex() {
		case tabFunctions:
			s.insp.content.Hide()
			s.fns.reload()
		case tabCharts:
			s.insp.content.Hide()
			s.charts.showing()
		case tabSimulation:
			s.insp.content.Hide()
			s.simTab.refresh()
		case tabAccess:
			s.insp.content.Hide()
			s.access.reload()
			s.seeAs.reload() // users, devices or functions may have come or gone
		case tabPlan:
			s.insp.content.Show()
			s.plan.reload()
		case tabModel:
			s.insp.content.Show()
			s.doc.show(s.ctl.selected) // the slider may have moved meanwhile
		default:
			s.insp.content.Show()
		}
		right.Refresh()
	}
	split := container.NewHSplit(s.tree.body, container.NewBorder(nil, s.timeBar.content, nil, nil, right))
	split.Offset = 0.26
	s.content.Objects = []fyne.CanvasObject{container.NewBorder(s.tools.content,
		container.NewVBox(widget.NewSeparator(), s.status.content), nil, nil, split)}
	s.content.Refresh()
	if s.win != nil {
		s.win.SetTitle(windowTitle(a.Name(), engine.Owner))
	}
	s.poll = poller{}
	s.poll.init(a, s.sim, s.status, m)
	s.tick()
	s.tools.refresh()
	s.start()
}

// windowTitle is the window title for a project named name seen as who:
// "Twin Studio — Smart Office", "Twin Studio — Smart Office — viewing as
// ServicePrincipalId tenant-a-app".
func windowTitle(name string, who engine.Principal) string {
	if who.Type == engine.Owner.Type {
		return "Twin Studio — " + name
	}
	return "Twin Studio — " + name + " — viewing as " + principalText(who)
}

// viewAs shows the whole studio as p sees the project (engine.Owner:
// everything): the tree, the inspector, the Model tab and the telemetry
// show only what p may read, and edits p may not make are refused. The
// Functions, Charts and Simulation tabs, the owner's tools over the whole
// project, are greyed out meanwhile. The search is cleared and the tree
// reopened at p's top spaces.
func (s *Studio) viewAs(p engine.Principal) {
	s.model.setPrincipal(p)
	for _, i := range []int{tabFunctions, tabCharts, tabSimulation} {
		if p.Type == engine.Owner.Type {
			s.tabs.EnableIndex(i)
		} else {
			s.tabs.DisableIndex(i) // a selected one gives way to the Model tab
		}
	}
	s.seeAs.show(p)
	if s.win != nil {
		s.win.SetTitle(windowTitle(s.app.Name(), p))
	}
	s.tree.search.SetText("")
	s.tree.applySearch("") // reopens the top levels of what p sees
	s.afterEdit("")
	s.tick() // the telemetry log and devices, filtered
}

// onSelected shows node uid, which the user selected in the tree.
func (s *Studio) onSelected(uid string) {
	s.ctl.selected = uid
	s.insp.show(uid)
	s.doc.show(uid)
	if s.tabs.SelectedIndex() == tabPlan && nodeKind(uid) == engine.KindSpace {
		_, id, _ := parseNode(uid)
		s.plan.showSpace(id)
	}
	s.fns.scopeTo(s.model.spaceAt(uid))
	s.charts.scopeTo(s.model.spaceAt(uid))
	if s.tabs.SelectedIndex() == tabCharts && nodeKind(uid) == engine.KindSensor {
		_, id, _ := parseNode(uid)
		s.charts.pickSensor(id) // a sensor picked in the tree goes on the chart
	}
	s.tools.refresh()
}

// selectNode selects tree node uid as if the user had clicked it: its
// branch opens, the tree scrolls to it and the inspector shows it.
func (s *Studio) selectNode(uid string) {
	s.tree.reveal(uid)
	if s.ctl.selected != uid { // the tree does not call back for the node already selected
		s.onSelected(uid)
	}
}

// afterEdit redraws everything an edit may have changed and selects
// node sel when it is not "".
func (s *Studio) afterEdit(sel string) {
	s.tree.refresh()
	if sel != "" {
		s.selectNode(sel)
	}
	if s.ctl.selected != "" && !s.model.exists(s.ctl.selected) {
		s.ctl.selected = ""
		s.tree.tree.UnselectAll()
	}
	s.insp.show(s.ctl.selected)
	s.doc.show(s.ctl.selected)
	if s.tabs.SelectedIndex() == tabPlan {
		s.plan.reload()
	}
	s.status.refresh()
	s.tools.refresh()
}

// refresh re-reads the graph: tree labels and branches, the inspected
// object and the counts. Safe to call from any goroutine.
func (s *Studio) refresh() {
	fyne.Do(func() {
		s.tree.refresh()
		s.insp.refresh()
		s.doc.show(s.ctl.selected)
		s.status.refresh()
		s.tools.refresh()
	})
}

// The main tabs, by index.
const (
	tabModel = iota
	tabPlan
	tabTelemetry
	tabFunctions
	tabCharts
	tabSimulation
	tabAccess
)

// showModel switches to the Model tab.
func (s *Studio) showModel() { s.tabs.SelectIndex(tabModel) }

// showPlan switches to the Plan tab.
func (s *Studio) showPlan() { s.tabs.SelectIndex(tabPlan) }

// ShowPlan switches to the Plan tab, on the first floor with a plan,
// when the project has a floor plan; it reports whether it did. Call it
// on Fyne's main goroutine, or before the app runs.
func (s *Studio) ShowPlan() bool {
	for _, f := range s.app.Floors() {
		if _, ok := s.app.FloorPlan(f); ok {
			s.showPlan()
			return true
		}
	}
	return false
}

// showTelemetry switches to the Telemetry tab.
func (s *Studio) showTelemetry() { s.tabs.SelectIndex(tabTelemetry) }

// showCharts switches to the Charts tab.
func (s *Studio) showCharts() { s.tabs.SelectIndex(tabCharts) }

// showFunctions switches to the Functions tab.
func (s *Studio) showFunctions() { s.tabs.SelectIndex(tabFunctions) }

// showSimulation switches to the Simulation tab.
func (s *Studio) showSimulation() { s.tabs.SelectIndex(tabSimulation) }

// showAccess switches to the Access tab.
func (s *Studio) showAccess() { s.tabs.SelectIndex(tabAccess) }

// showRejections switches to the Telemetry tab, filtered to the rejected
// messages (what a click on the status bar's rejected count does).
func (s *Studio) showRejections() {
	s.tele.showRejections()
	s.showTelemetry()
}

// StartSimulation runs the bundled example's scenario file path over the
// project in process, until it ends or the user stops it; its clock shows
// in the status bar. The night before the scenario's first morning runs
// at full speed, then the clock runs at simSpeed from 08:30, so that the
// plan shows people arriving within seconds. It fails when the scenario
// cannot be read or a simulation runs already. Call it on Fyne's main
// goroutine, or before the app runs.
func (s *Studio) StartSimulation(path string) error { return s.sim.startExample(path) }

// Close stops the simulation and polling and closes the project. The
// window's close calls it; calls after the first return nil. Call it on
// Fyne's main goroutine or after the app has stopped.
func (s *Studio) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.sim.stop()
	s.timeBar.stopPlay()
	s.stopPolling()
	return s.app.Close()
}

// ShowError shows err in a dialog over the window (and keeps it for the
// tests). It does nothing for a nil err. Safe to call from any goroutine.
func (s *Studio) ShowError(err error) {
	if err == nil {
		return
	}
	fyne.Do(func() { s.sh.fail(err) })
}

// switchTo shows project a in place of the current one, which is closed.
func (s *Studio) switchTo(a *app.App) error {
	s.sim.stop()
	s.timeBar.stopPlay()
	s.stopPolling()
	old := s.app
	s.load(a)
	remember(a.Path())
	if s.win != nil {
		s.installMenu() // Open Recent changed
	}
	return old.Close()
}

// openOther opens path in place of the current project; the broker of
// the current one is stopped first so the new one can take its address.
// The current project stays as it was when it fails.
func (s *Studio) openOther(path string) error {
	addr := s.broker.addr()
	if addr != "" {
		_ = s.app.StopBroker()
	}
	a, err := s.opener(path)
	if err != nil {
		if addr != "" { // back as it was
			_ = s.app.StartBroker(app.BrokerOptions{Addr: addr})
		}
		return err
	}
	return s.switchTo(a)
}
