package ui

import (
	"encoding/json"
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

// Studio is the main window's content for one open project: the toolbar,
// the hierarchy tree with its search, the Model and Telemetry tabs, the
// inspector and the status bar. It owns the project it shows (and the
// projects it opens from the File menu) and closes it in Close.
type Studio struct {
	win    fyne.Window
	opener func(path string) (*app.App, error)

	// The project shown, replaced as a whole when another one is opened.
	app    *app.App
	editor *engine.Editor
	model  *viewModel
	tree   *hierarchy
	insp   *inspector
	doc    *widget.Label // the Model tab: the selection's JSON document
	tele   *telemetry
	tabs   *container.AppTabs
	status *statusBar
	tools  *toolbar

	selected string // the selected node
	cut      string // the node cut with Ctrl+X, pasted with Ctrl+V

	simMu    sync.Mutex
	sim      *app.SimRun
	scenario string // the scenario the play button runs; "" asks for one

	lastErr error          // the last error an action reported (tests read it)
	imports sync.WaitGroup // imports running (runImport)

	poll     poller
	pending  atomic.Bool // a redraw is queued with fyne.Do
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
	closed   bool
	manual   bool // tests: no polling goroutine; they call tick

	content *fyne.Container
}

// New builds the studio for project a and starts polling it for live
// changes. The studio owns a from now on and closes it in Close. When w is
// not nil it titles the window "Twin Studio — <project name>", makes the
// studio its content, installs the main menu and keyboard shortcuts, and
// closes the studio when the window closes; with a nil w only Content is
// built (dialogs then are not shown; errors are kept for LastError). Call
// New on Fyne's main goroutine, or before the app runs.
func New(a *app.App, w fyne.Window) *Studio {
	s := &Studio{win: w, opener: openWithBroker, content: container.NewStack()}
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

// load builds the views for project a, shows them and starts polling it.
func (s *Studio) load(a *app.App) {
	s.app = a
	s.editor = engine.NewEditor(a.Engine(), undoDepth)
	m := newViewModel(a.Engine())
	s.model = m
	s.selected, s.cut = "", ""
	s.tree = newHierarchy(m)
	s.insp = newInspector(m, s.edit, s.brokerAddr, s.copyText)
	s.tele = newTelemetry(a)
	s.status = newStatusBar(a, m, s.showRejections)
	s.tools = newToolbar(s)
	s.doc = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	s.doc.Selectable = true
	s.tree.onSelected = func(uid string) {
		s.selected = uid
		s.insp.show(uid)
		s.showDoc()
		s.tools.refresh()
	}
	s.tree.onKey = s.treeKey
	s.tree.onDrop = func(src, dst string) { s.act(s.move(src, dst)) }
	s.showDoc()

	s.tabs = container.NewAppTabs(
		container.NewTabItem("Model", container.NewScroll(s.doc)),
		container.NewTabItem("Telemetry", s.tele.content),
	)
	right := container.NewHSplit(s.tabs, s.insp.content)
	right.Offset = 0.62
	split := container.NewHSplit(s.tree.body, right)
	split.Offset = 0.26
	s.content.Objects = []fyne.CanvasObject{container.NewBorder(s.tools.content,
		container.NewVBox(widget.NewSeparator(), s.status.content), nil, nil, split)}
	s.content.Refresh()
	if s.win != nil {
		s.win.SetTitle(windowTitle(a.Name()))
	}
	s.poll = poller{}
	s.poll.init(a, s)
	s.tick()
	s.tools.refresh()
	s.start()
}

// windowTitle is the window title for a project named name.
func windowTitle(name string) string { return "Twin Studio — " + name }

// selectNode selects tree node uid (see spaceNode, deviceNode, sensorNode) as
// if the user had clicked it: its branch opens, the tree scrolls to it and
// the inspector shows it. Call it on Fyne's main goroutine.
func (s *Studio) selectNode(uid string) {
	s.tree.reveal(uid)
	if s.selected != uid { // Select does not call back for the node already selected
		s.tree.onSelected(uid)
	}
}

// refresh re-reads the graph: tree labels and branches, the inspected
// object and the counts. Safe to call from any goroutine.
func (s *Studio) refresh() {
	fyne.Do(func() {
		s.tree.refresh()
		s.insp.refresh()
		s.showDoc()
		s.status.refresh()
		s.tools.refresh()
	})
}

// showTelemetry switches to the Telemetry tab. Call it on Fyne's main
// goroutine.
func (s *Studio) showTelemetry() { s.tabs.SelectIndex(1) }

// showRejections switches to the Telemetry tab, filtered to the rejected
// messages (what a click on the status bar's rejected count does). Call it
// on Fyne's main goroutine.
func (s *Studio) showRejections() {
	s.tele.showRejections()
	s.showTelemetry()
}

// Close stops the simulation and polling and closes the project. The
// window's close calls it; calls after the first return nil. Call it on
// Fyne's main goroutine or after the app has stopped.
func (s *Studio) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.stopSimulation()
	s.stopPolling()
	return s.app.Close()
}

func (s *Studio) stopPolling() {
	s.stopOnce.Do(func() {
		close(s.stop)
		<-s.done
	})
}

// ShowError shows err in a dialog over the window (and keeps it for
// LastError). It does nothing for a nil err. Safe to call from any
// goroutine.
func (s *Studio) ShowError(err error) {
	if err == nil {
		return
	}
	fyne.Do(func() { s.fail(err) })
}

// fail reports err from an action: kept for LastError and shown in a
// dialog when there is a window.
func (s *Studio) fail(err error) {
	s.lastErr = err
	if s.win != nil && err != nil {
		dialog.ShowError(errors.New(errorText(err)), s.win)
	}
}

// copyText puts text on the clipboard and says so in the status bar.
func (s *Studio) copyText(what, text string) {
	if a := fyne.CurrentApp(); a != nil {
		a.Clipboard().SetContent(text)
	}
	s.status.flash(what + " copied to the clipboard")
}

// brokerAddr is the broker's address, "" when it is off.
func (s *Studio) brokerAddr() string {
	if b := s.app.Broker(); b != nil {
		return b.Addr()
	}
	return ""
}

// showDoc shows the selected object's document in the Model tab, or what
// to do when nothing is selected.
func (s *Studio) showDoc() {
	text := documentOf(s.app.Engine(), s.insp.uid)
	if s.insp.uid == "" {
		text += "\n\nProject file: " + displayPath(s.app.Path())
		s.doc.Wrapping = fyne.TextWrapWord // a hint
	} else {
		s.doc.Wrapping = fyne.TextWrapOff // a JSON document
	}
	s.doc.SetText(text)
}

// documentOf is the JSON document of tree node uid (as the REST API shows
// it, with values), or a hint when there is none.
func documentOf(e *engine.Engine, uid string) string {
	var doc any
	_ = e.View(func(v *engine.View) error {
		switch o := lookup(v, uid).(type) {
		case *engine.Space:
			doc = v.SpaceDoc(o, true)
		case *engine.Device:
			doc = v.DeviceDoc(o, true)
		case *engine.Sensor:
			doc = v.SensorDoc(o)
		}
		return nil
	})
	if doc == nil {
		return "Select a space, device or sensor in the tree to see its document.\n\n" +
			"This project has " + countsText(e.Stats()) + "."
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// start polls the project every refreshInterval until Close, handing what
// changed to Fyne's goroutine; a poll is skipped while the previous redraw
// is still queued.
func (s *Studio) start() {
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	s.stopOnce = sync.Once{}
	if s.manual {
		close(s.done)
		return
	}
	stop, done, p := s.stop, s.done, &s.poll
	go func() {
		defer close(done)
		t := time.NewTicker(refreshInterval)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if s.pending.Load() {
					continue
				}
				u := p.collect(time.Now())
				if u.empty() {
					continue
				}
				s.pending.Store(true)
				fyne.Do(func() {
					s.pending.Store(false)
					select {
					case <-stop: // the project was switched or closed meanwhile
					default:
						s.apply(u)
					}
				})
			}
		}
	}()
}

// tick polls once and redraws at once. Call it on Fyne's main goroutine
// (tests call it to drive the studio step by step).
func (s *Studio) tick() { s.apply(s.poll.collect(time.Now())) }

func (s *Studio) apply(u update) {
	if u.log != nil {
		s.tele.setLog(*u.log)
	}
	if u.devices != nil {
		s.tele.setDevices(*u.devices)
	}
	if u.values {
		s.tree.refreshValues()
		s.insp.refreshValues()
		if s.tabs.SelectedIndex() == 0 {
			s.showDoc()
		}
	}
	if u.live != nil {
		s.status.setLive(*u.live)
		if u.live.simEnded {
			s.simEnded()
		}
	}
}

// update is what changed since the last poll; nil fields did not.
type update struct {
	log     *[]logEntry
	devices *[]deviceState
	live    *live
	values  bool // messages were accepted: values may have changed
}

func (u update) empty() bool { return u.log == nil && u.devices == nil && u.live == nil && !u.values }

// poller reads the project's live state. It is used by one goroutine at a
// time.
type poller struct {
	app      *app.App
	studio   *Studio
	first    bool
	accepted uint64
	rejected uint64
	ticks    int
	live     live
	devGen   uint64 // the generations the device list was read at
	connGen  uint64

	rateAt  time.Time // when the rate was last computed
	samples []sample  // accepted counts over the last rateWindow
}

// sample is the accepted count at a time.
type sample struct {
	at       time.Time
	accepted uint64
}

func (p *poller) init(a *app.App, s *Studio) { p.app, p.studio, p.first = a, s, true }

// rateWindow is how long the message rate is averaged over (simulated
// devices report in bursts); it is recomputed once a second.
const rateWindow = 5 * time.Second

func (p *poller) collect(now time.Time) update {
	var u update
	st := p.app.Pipeline().Stats()
	if p.first || st.Accepted != p.accepted || st.Rejected != p.rejected {
		log := mergeLog(p.app.Pipeline().Recent(), p.app.Pipeline().Rejections(), logSize)
		u.log = &log
		u.values = !p.first && st.Accepted != p.accepted
		p.accepted, p.rejected = st.Accepted, st.Rejected
	}
	// listDevices and their connections: at most once a second, when a device
	// was added, removed or changed, or connected or disconnected (listing
	// 20,000 devices takes tens of milliseconds).
	if p.first || p.ticks%int(time.Second/refreshInterval) == 0 {
		e := p.app.Engine()
		if g, c := e.Generation(), e.ConnectionGeneration(); p.first || g != p.devGen || c != p.connGen {
			ds := listDevices(e)
			u.devices = &ds
			p.devGen, p.connGen = g, c
		}
	}
	p.ticks++
	l := p.live
	l.broker = brokerText(p.app)
	l.brokerOn = p.app.Broker() != nil
	l.rejected = st.Rejected
	l.sim, l.simEnded = p.studio.simText()
	l.flash = now.UnixNano() < p.studio.status.flashUntil.Load()
	p.samples = append(p.samples, sample{now, st.Accepted})
	for len(p.samples) > 1 && now.Sub(p.samples[1].at) >= rateWindow {
		p.samples = p.samples[1:]
	}
	if p.first {
		p.rateAt = now
	} else if now.Sub(p.rateAt) >= time.Second {
		old := p.samples[0]
		if d := now.Sub(old.at); d > 0 {
			l.rate = float64(st.Accepted-old.accepted) / d.Seconds()
		}
		p.rateAt = now
	}
	if p.first || l != p.live {
		p.live = l
		u.live = &l
	}
	p.first = false
	return u
}
