package ui

import (
	"encoding/json"
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

// RefreshInterval is how often the studio polls the project for live
// changes (telemetry, message rate, connections); redraws are batched to
// at most one per interval.
const RefreshInterval = 100 * time.Millisecond

// Studio is the main window's content for one open project: the hierarchy
// tree, the Model and Telemetry tabs, the inspector and the status bar.
type Studio struct {
	app    *app.App
	win    fyne.Window
	model  *Model
	tree   *hierarchy
	insp   *inspector
	doc    *widget.Label // the Model tab: the selection's JSON document
	tele   *telemetry
	tabs   *container.AppTabs
	status *statusBar

	poll     poller
	pending  atomic.Bool // a redraw is queued with fyne.Do
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once

	content fyne.CanvasObject
}

// New builds the studio for project a and starts polling it for live
// changes. When w is not nil it titles the window "Twin Studio — <project
// name>", makes the studio its content and stops polling when the window
// closes; with a nil w (tests) only Content is built and the caller calls
// Close. The caller keeps ownership of a and closes it after the window has
// gone. Call New on Fyne's main goroutine, or before the app runs.
func New(a *app.App, w fyne.Window) *Studio {
	m := NewModel(a.Engine())
	s := &Studio{app: a, win: w, model: m}
	s.tree = newHierarchy(m)
	s.insp = newInspector(m)
	s.tele = newTelemetry(a)
	s.status = newStatusBar(a, m, s.ShowRejections)
	s.doc = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	s.doc.Selectable = true
	s.tree.onSelected = func(uid string) {
		s.insp.show(uid)
		s.showDoc()
	}
	s.showDoc()

	s.tabs = container.NewAppTabs(
		container.NewTabItem("Model", container.NewScroll(s.doc)),
		container.NewTabItem("Telemetry", s.tele.content),
	)
	right := container.NewHSplit(s.tabs, s.insp.content)
	right.Offset = 0.68
	split := container.NewHSplit(s.tree.tree, right)
	split.Offset = 0.24
	s.content = container.NewBorder(nil,
		container.NewVBox(widget.NewSeparator(), s.status.content), nil, nil, split)
	s.poll.init(a)
	s.tick()
	if w != nil {
		w.SetTitle(Title(a.Name()))
		w.SetContent(s.content)
		w.SetOnClosed(s.Close)
	}
	s.start()
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
		s.showDoc()
		s.status.refresh()
	})
}

// ShowTelemetry switches to the Telemetry tab. Call it on Fyne's main
// goroutine.
func (s *Studio) ShowTelemetry() { s.tabs.SelectIndex(1) }

// ShowRejections switches to the Telemetry tab, filtered to the rejected
// messages (what a click on the status bar's rejected count does). Call it
// on Fyne's main goroutine.
func (s *Studio) ShowRejections() {
	s.tele.showRejections()
	s.ShowTelemetry()
}

// Close stops polling the project. The window's close calls it; calls
// after the first do nothing. Safe to call from any goroutine.
func (s *Studio) Close() {
	s.stopOnce.Do(func() {
		close(s.stop)
		<-s.done
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

// showDoc shows the selected object's document in the Model tab, or what
// to do when nothing is selected.
func (s *Studio) showDoc() {
	s.doc.SetText(Document(s.app.Engine(), s.insp.uid))
}

// Document is the JSON document of tree node uid (as the REST API shows
// it, with values), or a hint when there is none.
func Document(e *engine.Engine, uid string) string {
	k, id, ok := ParseNode(uid)
	var doc any
	if ok {
		_ = e.View(func(v *engine.View) error {
			switch k {
			case engine.KindSpace:
				if x, ok := v.Space(id); ok {
					doc = v.SpaceDoc(x, true)
				}
			case engine.KindDevice:
				if x, ok := v.Device(id); ok {
					doc = v.DeviceDoc(x, true)
				}
			case engine.KindSensor:
				if x, ok := v.Sensor(id); ok {
					doc = v.SensorDoc(x)
				}
			}
			return nil
		})
	}
	if doc == nil {
		return "Select a space, device or sensor in the tree to see its document.\n\n" +
			"This project has " + Counts(e.Stats()) + "."
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// start polls the project every RefreshInterval until Close, handing what
// changed to Fyne's goroutine; a poll is skipped while the previous redraw
// is still queued.
func (s *Studio) start() {
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(s.done)
		t := time.NewTicker(RefreshInterval)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				if s.pending.Load() {
					continue
				}
				u := s.poll.collect(time.Now())
				if u.empty() {
					continue
				}
				s.pending.Store(true)
				fyne.Do(func() {
					s.pending.Store(false)
					s.apply(u)
				})
			}
		}
	}()
}

// tick polls once and redraws at once. Call it on Fyne's main goroutine
// (tests call it after Close to drive the studio step by step).
func (s *Studio) tick() { s.apply(s.poll.collect(time.Now())) }

func (s *Studio) apply(u update) {
	if u.log != nil {
		s.tele.setLog(*u.log)
	}
	if u.devices != nil {
		s.tele.setDevices(*u.devices)
	}
	if u.values {
		s.tree.tree.Refresh()
		s.insp.refresh()
		if s.tabs.SelectedIndex() == 0 {
			s.showDoc()
		}
	}
	if u.live != nil {
		s.status.setLive(*u.live)
	}
}

// update is what changed since the last poll; nil fields did not.
type update struct {
	log     *[]LogEntry
	devices *[]DeviceState
	live    *live
	values  bool // messages were accepted: values may have changed
}

func (u update) empty() bool { return u.log == nil && u.devices == nil && u.live == nil && !u.values }

// poller reads the project's live state. It is used by one goroutine at a
// time.
type poller struct {
	app      *app.App
	first    bool
	accepted uint64
	rejected uint64
	ticks    int
	live     live

	rateAt       time.Time
	rateAccepted uint64
}

func (p *poller) init(a *app.App) { p.app, p.first = a, true }

// rateWindow is how long the message rate is averaged over.
const rateWindow = time.Second

func (p *poller) collect(now time.Time) update {
	var u update
	st := p.app.Pipeline().Stats()
	if p.first || st.Accepted != p.accepted || st.Rejected != p.rejected {
		log := MergeLog(p.app.Pipeline().Recent(), p.app.Pipeline().Rejections(), LogSize)
		u.log = &log
		u.values = !p.first && st.Accepted != p.accepted
		p.accepted, p.rejected = st.Accepted, st.Rejected
	}
	// Devices and their connections: once a second.
	if p.first || p.ticks%int(time.Second/RefreshInterval) == 0 {
		ds := Devices(p.app.Engine())
		u.devices = &ds
	}
	p.ticks++
	l := p.live
	l.broker = brokerText(p.app)
	l.rejected = st.Rejected
	if p.first {
		p.rateAt, p.rateAccepted = now, st.Accepted
	} else if d := now.Sub(p.rateAt); d >= rateWindow {
		l.rate = float64(st.Accepted-p.rateAccepted) / d.Seconds()
		p.rateAt, p.rateAccepted = now, st.Accepted
	}
	if p.first || l != p.live {
		p.live = l
		u.live = &l
	}
	p.first = false
	return u
}
