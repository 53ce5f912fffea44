package ui

import (
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

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
	if (u.values || u.devices != nil) && s.tabs.SelectedIndex() == tabPlan && s.cursor.Live() {
		s.plan.live() // at most once a poll: ≤ 10 redraws a second
	}
	if u.values {
		s.tree.refreshValues()
		s.insp.refreshValues()
		switch s.tabs.SelectedIndex() {
		case tabModel:
			s.doc.show(s.ctl.selected)
		case tabFunctions:
			s.fns.live(time.Now())
		case tabCharts:
			s.charts.live(time.Now())
		}
	}
	if u.values || u.live != nil {
		s.timeBar.refresh()
	}
	if u.live != nil {
		s.status.setLive(*u.live)
		if u.live.simEnded {
			s.sim.ended()
		} else if s.tabs.SelectedIndex() == tabSimulation {
			s.simTab.refresh() // the clock moved: at most once a poll
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
	sim      *simControl
	status   *statusBar
	model    *viewModel
	who      engine.Principal // whose view the log and devices were read for
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

func (p *poller) init(a *app.App, sim *simControl, status *statusBar, m *viewModel) {
	p.app, p.sim, p.status, p.model, p.first = a, sim, status, m, true
	p.who = m.principal()
}

// rate is the message rate averaged over rateWindow, recomputed (true)
// at most once a second; accepted is the accepted count at now.
func (p *poller) rate(now time.Time, accepted uint64) (float64, bool) {
	p.samples = append(p.samples, sample{now, accepted})
	for len(p.samples) > 1 && now.Sub(p.samples[1].at) >= rateWindow {
		p.samples = p.samples[1:]
	}
	if p.first {
		p.rateAt = now
		return 0, false
	}
	if now.Sub(p.rateAt) < time.Second {
		return 0, false
	}
	p.rateAt = now
	old := p.samples[0]
	d := now.Sub(old.at)
	if d <= 0 {
		return 0, false // keep the last rate
	}
	return float64(accepted-old.accepted) / d.Seconds(), true
}

// rateWindow is how long the message rate is averaged over (simulated
// devices report in bursts); it is recomputed once a second.
const rateWindow = 5 * time.Second

func (p *poller) collect(now time.Time) update {
	var u update
	st := p.app.Pipeline().Stats()
	who := p.model.principal()
	viewChanged := who != p.who
	p.who = who
	if p.first || viewChanged || st.Accepted != p.accepted || st.Rejected != p.rejected {
		log := visibleLog(p.app.Engine(), who, mergeLog(p.app.Pipeline().Recent(), p.app.Pipeline().Rejections(), logSize))
		u.log = &log
		u.values = !p.first && st.Accepted != p.accepted
		p.accepted, p.rejected = st.Accepted, st.Rejected
	}
	// Devices and their connections: at most once a second, when a device
	// was added, removed or changed, or connected or disconnected (listing
	// 20,000 devices takes tens of milliseconds).
	if p.first || viewChanged || p.ticks%int(time.Second/refreshInterval) == 0 {
		e := p.app.Engine()
		if g, c := e.Generation(), e.ConnectionGeneration(); p.first || viewChanged || g != p.devGen || c != p.connGen {
			ds := visibleDevices(e, who, listDevices(e))
			u.devices = &ds
			p.devGen, p.connGen = g, c
		}
	}
	p.ticks++
	l := p.live
	l.broker = brokerText(p.app)
	l.brokerOn = p.app.Broker() != nil
	l.rejected = st.Rejected
	l.sim, l.simEnded = p.sim.text()
	l.flash = now.UnixNano() < p.status.flashUntil.Load()
	if r, ok := p.rate(now, st.Accepted); ok {
		l.rate = r
	}
	if p.first || l != p.live {
		p.live = l
		u.live = &l
	}
	p.first = false
	return u
}

func (s *Studio) stopPolling() {
	s.stopOnce.Do(func() {
		close(s.stop)
		<-s.done
	})
}
